import type { Ticket } from '../../api/types';

export interface SlaState {
  /** Which clock is running: the first reply, or the resolution. */
  clock: 'first_response' | 'resolution';
  breached: boolean;
  /** Milliseconds left (0 when breached); frozen while paused. */
  leftMs: number;
  /** The clock is stopped: the ticket waits on the customer. */
  paused: boolean;
}

/** The clock that matters now for a ticket, or null when none runs (closed, no targets, or a
 * customer's copy, which carries no due times). */
export function slaState(t: Ticket, now: number): SlaState | null {
  const sla = t.sla;
  if (t.status === 'closed' || !sla) return null;
  const firstOpen = !t.first_response_at && sla.first_response_due;
  const clock = firstOpen ? 'first_response' : 'resolution';
  const due = firstOpen ? sla.first_response_due : sla.resolution_due;
  if (!due) return null;
  const flagged =
    clock === 'first_response' ? sla.first_response_breached : sla.resolution_breached;
  // A pending ticket's resolution clock stands still where it stopped.
  const pausedSince = clock === 'resolution' ? sla.resolution_paused_since : null;
  const left = Date.parse(due) - (pausedSince ? Date.parse(pausedSince) : now);
  const breached = !!flagged || left <= 0;
  return { clock, breached, leftMs: breached ? 0 : left, paused: !!pausedSince };
}

/** "45m", "3h 20m", "2d 4h". */
export function formatLeft(ms: number): string {
  const minutes = Math.max(1, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
}

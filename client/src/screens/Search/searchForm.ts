import type { SearchParams } from '../../api/search';
import type { Id, SearchHit, TicketStatus } from '../../api/types';

/** The longest query the server accepts (characters). */
export const MAX_QUERY = 200;

export type Period = 'any' | 'week' | 'month';

export interface SearchForm {
  text: string;
  status: TicketStatus | 'any';
  period: Period;
  mineOnly: boolean;
}

export const EMPTY_FORM: SearchForm = { text: '', status: 'any', period: 'any', mineOnly: false };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The request for a form, or null while there is nothing to search for. `now` is injected so the
 * period's start is testable.
 */
export function searchParams(
  form: SearchForm,
  me: Id | undefined,
  now: number,
): SearchParams | null {
  const q = form.text.trim();
  if (!q) return null;
  const params: SearchParams = { q: Array.from(q).slice(0, MAX_QUERY).join('') };
  if (form.status !== 'any') params.ticket_status = form.status;
  if (form.period !== 'any') {
    const days = form.period === 'week' ? 7 : 30;
    // Rounded to the minute: the same form gives the same request (and the cached answer).
    const start = Math.floor((now - days * DAY_MS) / 60_000) * 60_000;
    params.after = new Date(start).toISOString();
  }
  if (form.mineOnly && me != null) params.from = me;
  return params;
}

export type HitTarget =
  | { screen: 'TicketDetail'; params: { id: number; seq?: number } }
  | { screen: 'Chat'; params: { id: number; seq?: number } };

/** Where a hit opens: its ticket or its conversation, at the message when it is one. */
export function hitTarget(hit: SearchHit): HitTarget {
  const seq = hit.kind === 'message' && hit.seq != null ? { seq: hit.seq } : {};
  if (hit.ticket_id != null) {
    return { screen: 'TicketDetail', params: { id: hit.ticket_id, ...seq } };
  }
  return { screen: 'Chat', params: { id: hit.conversation_id, ...seq } };
}

/** The hit's text as one string (its snippet's parts), for labels. */
export function snippetText(hit: SearchHit): string {
  return hit.snippet.map((p) => p.text).join('');
}

import { toApiFailure } from '../api/client';
import { patchTicket, type TicketPatch } from '../api/tickets';
import type { Ticket } from '../api/types';

export interface BulkResult {
  updated: Ticket[];
  failed: { ticket: Ticket; message: string }[];
}

/**
 * Applies one change to several tickets: one PATCH each, all at once. A ticket someone else
 * changed meanwhile (409) is retried once on its current version, the change recomputed on it
 * (tags are added to the tags it has now); every other refusal is reported, not retried.
 */
export async function applyToTickets(
  tickets: Ticket[],
  change: (t: Ticket) => TicketPatch,
  patch: typeof patchTicket = patchTicket,
): Promise<BulkResult> {
  const result: BulkResult = { updated: [], failed: [] };
  const one = async (t: Ticket, retried = false): Promise<void> => {
    try {
      result.updated.push(await patch(t.id, t.version, change(t)));
    } catch (e) {
      const f = toApiFailure(e);
      const current = f.code === 'conflict' ? (f.body?.current as Ticket | undefined) : undefined;
      if (current && !retried) return one(current, true);
      result.failed.push({ ticket: current ?? t, message: f.message });
    }
  };
  await Promise.all(tickets.map((t) => one(t)));
  // In the order they were selected, whatever order the answers came in.
  const order = new Map(tickets.map((t, i) => [t.id, i]));
  result.updated.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  result.failed.sort((a, b) => order.get(a.ticket.id)! - order.get(b.ticket.id)!);
  return result;
}

/** The rules of ticket lists, as the server applies them (the data is in `queries/tickets.ts`). */
import * as ticketsApi from '../api/tickets';
import type { Id, Ticket, TicketStatus } from '../api/types';

export type TicketTab = 'mine' | 'queue' | 'team' | 'all';

export interface TicketFilters {
  status?: Ticket['status'];
  priority?: Ticket['priority'];
  q?: string;
  sort?: ticketsApi.TicketSort;
}

/** The REST query for a tab and filters, as seen by a user with `role`. */
export function ticketQuery(
  tab: TicketTab,
  filters: TicketFilters,
  teamId: Id | null,
): ticketsApi.TicketQuery {
  const q: ticketsApi.TicketQuery = { sort: 'updated', ...filters };
  if (tab === 'mine') q.assignee = 'me';
  if (tab === 'queue') q.assignee = 'none';
  if (tab === 'team' && teamId != null) q.team = teamId;
  if (!q.q) delete q.q;
  return q;
}

/**
 * The queue is work waiting for someone: without a status filter it leaves closed tickets out
 * (the API has no "not closed" filter, so the app drops them from the page and from live events;
 * the Closed chip still lists them).
 */
export function shownInTab(t: Ticket, tab: TicketTab, statusFilter: TicketStatus | 'any'): boolean {
  return !(tab === 'queue' && statusFilter === 'any' && t.status === 'closed');
}

export function queryKey(q: ticketsApi.TicketQuery): string {
  return JSON.stringify(
    Object.entries(q)
      .filter(([, v]) => v !== undefined && v !== '')
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

const RANK: Record<Ticket['priority'], number> = { low: 1, medium: 2, high: 3, urgent: 4 };

/**
 * The time `sort=sla` orders by, as the server computes it: the first-response due time until
 * the first staff reply, then the resolution due time; none (last) for closed tickets and for
 * answered tickets waiting on the customer (and for customers, who get no due times).
 */
export function nextDue(t: Ticket): number {
  const sla = t.sla;
  if (t.status === 'closed' || !sla) return Infinity;
  if (!t.first_response_at && sla.first_response_due) return Date.parse(sla.first_response_due);
  if (sla.resolution_paused_since || !sla.resolution_due) return Infinity;
  return Date.parse(sla.resolution_due);
}

/** The server's order for each sort, so live changes land where a reload would put them. */
export function compareTickets(sort: ticketsApi.TicketSort = 'updated') {
  const newest = (a: string, b: string) => Date.parse(b) - Date.parse(a);
  return (a: Ticket, b: Ticket): number => {
    switch (sort) {
      case 'created':
        return newest(a.created_at, b.created_at) || b.id - a.id;
      case 'priority':
        return (
          RANK[b.priority] - RANK[a.priority] || newest(a.updated_at, b.updated_at) || b.id - a.id
        );
      case 'sla': {
        const [x, y] = [nextDue(a), nextDue(b)];
        return (x === y ? 0 : x < y ? -1 : 1) || a.id - b.id;
      }
      default:
        return newest(a.updated_at, b.updated_at) || b.id - a.id;
    }
  };
}

/** Does a ticket belong in a list with this query? Used to place live `ticket` events. */
export function matchesQuery(t: Ticket, q: ticketsApi.TicketQuery, myId: Id | null): boolean {
  if (q.status && t.status !== q.status) return false;
  if (q.priority && t.priority !== q.priority) return false;
  if (q.assignee === 'me' && t.assignee?.id !== myId) return false;
  if (q.assignee === 'none' && t.assignee) return false;
  if (typeof q.assignee === 'number' && t.assignee?.id !== q.assignee) return false;
  if (q.team != null && t.team?.id !== q.team) return false;
  if (q.requester === 'me' && t.requester.id !== myId) return false;
  if (typeof q.requester === 'number' && t.requester.id !== q.requester) return false;
  if (q.q && !t.subject.toLowerCase().includes(q.q.toLowerCase())) return false;
  return true;
}

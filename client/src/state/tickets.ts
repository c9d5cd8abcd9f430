import { createAsyncThunk, createSlice, type PayloadAction } from '@reduxjs/toolkit';

import * as ticketsApi from '../api/tickets';
import type { Id, Team, Ticket, TicketCounts, TicketEvent, TicketStatus } from '../api/types';
import { signedOut } from './auth';

export type TicketTab = 'mine' | 'queue' | 'team' | 'all';

export interface TicketFilters {
  status?: Ticket['status'];
  priority?: Ticket['priority'];
  q?: string;
  sort?: ticketsApi.TicketSort;
}

export interface TicketsState {
  byId: Record<string, Ticket>;
  list: {
    /** Which query the ids belong to (tab + filters). */
    key: string;
    ids: Id[];
    counts: TicketCounts;
    nextCursor: string | null;
    loading: boolean;
    error: string | null;
  };
  events: Record<string, TicketEvent[]>;
  teams: Team[];
  /** Bumped by every live ticket change: what depends on many queries (view counts) refreshes. */
  revision: number;
}

const emptyCounts: TicketCounts = { open: 0, in_progress: 0, pending: 0, closed: 0 };

const initialState: TicketsState = {
  byId: {},
  list: { key: '', ids: [], counts: emptyCounts, nextCursor: null, loading: false, error: null },
  events: {},
  teams: [],
  revision: 0,
};

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

export const fetchTickets = createAsyncThunk(
  'tickets/fetch',
  async (arg: { query: ticketsApi.TicketQuery; append?: boolean }) => {
    const page = await ticketsApi.listTickets(arg.query);
    return { page, key: queryKey({ ...arg.query, cursor: undefined }) };
  },
);
export const fetchTicket = createAsyncThunk('tickets/fetchOne', (id: Id) =>
  ticketsApi.getTicket(id),
);
export const fetchTicketEvents = createAsyncThunk('tickets/events', async (id: Id) => ({
  id,
  items: await ticketsApi.ticketEvents(id),
}));
export const fetchTeams = createAsyncThunk('tickets/teams', async () => {
  const res = await ticketsApi.listTeams();
  return Array.isArray(res) ? res : res.items;
});

function upsert(state: TicketsState, t: Ticket) {
  const prev = state.byId[String(t.id)];
  // Never go back to an older version (a late REST answer after a live event).
  if (prev && prev.version > t.version) return;
  state.byId[String(t.id)] = t;
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
  if (q.q && !t.subject.toLowerCase().includes(q.q.toLowerCase())) return false;
  return true;
}

const slice = createSlice({
  name: 'tickets',
  initialState,
  reducers: {
    ticketUpserted(state, action: PayloadAction<{ ticket: Ticket; myId: Id | null }>) {
      const { ticket, myId } = action.payload;
      const prev = state.byId[String(ticket.id)];
      upsert(state, ticket);
      if (prev && prev.version > ticket.version) return;
      state.revision += 1;
      // Keep the visible list and its counts live.
      if (!state.list.key) return;
      const q = Object.fromEntries(JSON.parse(state.list.key)) as ticketsApi.TicketQuery;
      const inList = state.list.ids.includes(ticket.id);
      const matches = matchesQuery(ticket, q, myId);
      const countQuery = { ...q, status: undefined };
      const countedBefore = prev ? matchesQuery(prev, countQuery, myId) : false;
      const countedNow = matchesQuery(ticket, countQuery, myId);
      if (countedBefore && prev)
        state.list.counts[prev.status] = Math.max(0, state.list.counts[prev.status] - 1);
      if (countedNow) state.list.counts[ticket.status] += 1;
      if (!matches && inList) state.list.ids = state.list.ids.filter((id) => id !== ticket.id);
      if (matches) {
        // Where the server's order puts it among the loaded rows.
        const order = compareTickets(q.sort);
        const rest = state.list.ids.filter((id) => id !== ticket.id);
        const at = rest.findIndex((id) => {
          const other = state.byId[String(id)];
          return other && order(ticket, other) < 0;
        });
        // Past the loaded page it belongs to a later one (unless this is the last page).
        if (at >= 0) rest.splice(at, 0, ticket.id);
        else if (!state.list.nextCursor) rest.push(ticket.id);
        state.list.ids = rest;
      }
    },
  },
  extraReducers: (b) => {
    b.addCase(fetchTickets.pending, (state, action) => {
      const key = queryKey({ ...action.meta.arg.query, cursor: undefined });
      if (state.list.key !== key) {
        state.list = { ...initialState.list, key };
      }
      state.list.loading = true;
      state.list.error = null;
    });
    b.addCase(fetchTickets.fulfilled, (state, action) => {
      const { page, key } = action.payload;
      if (key !== state.list.key) return; // a stale answer for another tab
      page.items.forEach((t) => upsert(state, t));
      const ids = page.items.map((t) => t.id);
      state.list.ids = action.meta.arg.append
        ? [...state.list.ids, ...ids.filter((id) => !state.list.ids.includes(id))]
        : ids;
      state.list.counts = page.counts ?? emptyCounts;
      state.list.nextCursor = page.next_cursor ?? null;
      state.list.loading = false;
    });
    b.addCase(fetchTickets.rejected, (state, action) => {
      state.list.loading = false;
      state.list.error = action.error.message ?? 'error';
    });
    b.addCase(fetchTicket.fulfilled, (state, action) => upsert(state, action.payload));
    b.addCase(fetchTicketEvents.fulfilled, (state, action) => {
      state.events[String(action.payload.id)] = action.payload.items;
    });
    b.addCase(fetchTeams.fulfilled, (state, action) => {
      state.teams = action.payload;
    });
    b.addCase(signedOut, () => initialState);
  },
});

export const { ticketUpserted } = slice.actions;
export default slice.reducer;

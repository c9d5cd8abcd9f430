import * as ticketsApi from '../../api/tickets';
import type { Id, Team, Ticket, TicketCounts, TicketEvent, TicketPage } from '../../api/types';
import type { AppDispatch, RootState } from '../store';
import { compareTickets, matchesQuery, queryKey } from '../tickets';
import { countFor, viewQuery, type SavedView } from '../views';
import { api, call } from './api';

const emptyCounts: TicketCounts = { open: 0, in_progress: 0, pending: 0, closed: 0 };

/** A list's query without its paging: every page of one list shares one cache entry. */
const listOf = (q: ticketsApi.TicketQuery): ticketsApi.TicketQuery => ({
  ...q,
  cursor: undefined,
});

export const ticketsApiSlice = api.injectEndpoints({
  endpoints: (b) => ({
    /**
     * A ticket list (`GET /tickets`). The first page replaces the entry, a page with `cursor`
     * (`loadMoreTickets`) is appended to it; live `ticket` frames place changes in every cached
     * list (`ticketReceived`).
     */
    listTickets: b.query<TicketPage, ticketsApi.TicketQuery>({
      queryFn: (q) =>
        call(async () => {
          const page = await ticketsApi.listTickets(q);
          return {
            ...page,
            counts: page.counts ?? emptyCounts,
            next_cursor: page.next_cursor ?? null,
          };
        }),
      serializeQueryArgs: ({ queryArgs, endpointName }) =>
        `${endpointName}(${queryKey(listOf(queryArgs))})`,
      merge(cached, page, { arg }) {
        // A late answer never takes a ticket back to an older version than a live frame gave.
        const known = new Map(cached.items.map((t) => [t.id, t]));
        const fresh = page.items.map((t) => {
          const k = known.get(t.id);
          return k && k.version > t.version ? k : t;
        });
        cached.items = arg.cursor
          ? [...cached.items, ...fresh.filter((t) => !cached.items.some((x) => x.id === t.id))]
          : fresh;
        cached.counts = page.counts ?? emptyCounts;
        cached.next_cursor = page.next_cursor ?? null;
      },
    }),
    getTicket: b.query<Ticket, Id>({
      queryFn: (id) => call(() => ticketsApi.getTicket(id)),
      providesTags: (_r, _e, id) => [{ type: 'Ticket', id }],
    }),
    /** A ticket's history: fetched again whenever the ticket gets a new version. */
    getTicketEvents: b.query<TicketEvent[], Id>({
      queryFn: (id) => call(() => ticketsApi.ticketEvents(id)),
      providesTags: (_r, _e, id) => [{ type: 'TicketEvents', id }],
    }),
    getTeams: b.query<Team[], void>({
      queryFn: () => call(() => ticketsApi.listTeams()),
      providesTags: ['Teams'],
    }),
    /** How many tickets each saved view lists (one small request per view). */
    countViews: b.query<Record<string, number>, SavedView[]>({
      queryFn: (views) =>
        call(async () => {
          const counted = await Promise.all(
            views.map(async (v) => {
              const page = await ticketsApi.listTickets({ ...viewQuery(v), limit: 1 });
              return [v.id, countFor(v, page.counts)] as const;
            }),
          );
          return Object.fromEntries(counted);
        }),
      providesTags: ['TicketLists'],
    }),
  }),
});

export const {
  useListTicketsQuery,
  useGetTicketQuery,
  useGetTicketEventsQuery,
  useGetTeamsQuery,
  useCountViewsQuery,
} = ticketsApiSlice;

/** The next page of a list, appended to its cache entry. */
export const loadMoreTickets = (query: ticketsApi.TicketQuery, cursor: string) =>
  ticketsApiSlice.endpoints.listTickets.initiate(
    { ...query, cursor },
    { subscribe: false, forceRefetch: true },
  );

const NO_TEAMS: Team[] = [];
export const selectTeams = (s: RootState): Team[] =>
  ticketsApiSlice.endpoints.getTeams.select()(s).data ?? NO_TEAMS;

/** Every cached list query (without paging). */
function cachedLists(s: RootState): ticketsApi.TicketQuery[] {
  return ticketsApiSlice.util.selectCachedArgsForQuery(s, 'listTickets').map(listOf);
}

/** The newest copy of a ticket held anywhere (its own entry or any list), or undefined. */
export function selectTicket(s: RootState, id: Id): Ticket | undefined {
  let best = ticketsApiSlice.endpoints.getTicket.select(id)(s).data;
  for (const q of cachedLists(s)) {
    const t = ticketsApiSlice.endpoints.listTickets
      .select(q)(s)
      .data?.items.find((x) => x.id === id);
    if (t && (!best || t.version > best.version)) best = t;
  }
  return best;
}

/**
 * Keeps one loaded list and its per-status counts live: counts move when a ticket enters or
 * leaves the query (its `status` aside), the ticket goes where the server's order puts it among
 * the loaded rows, or leaves. Pure, for the cache's draft.
 */
export function placeTicket(
  page: TicketPage,
  ticket: Ticket,
  prev: Ticket | undefined,
  q: ticketsApi.TicketQuery,
  myId: Id | null,
): void {
  const countQuery = { ...q, status: undefined };
  if (prev && matchesQuery(prev, countQuery, myId))
    page.counts[prev.status] = Math.max(0, page.counts[prev.status] - 1);
  if (matchesQuery(ticket, countQuery, myId)) page.counts[ticket.status] += 1;
  const rest = page.items.filter((t) => t.id !== ticket.id);
  if (matchesQuery(ticket, q, myId)) {
    const order = compareTickets(q.sort);
    const at = rest.findIndex((other) => order(ticket, other) < 0);
    // Past the loaded page it belongs to a later one (unless this is the last page).
    if (at >= 0) rest.splice(at, 0, ticket);
    else if (!page.next_cursor) rest.push(ticket);
  }
  page.items = rest;
}

/**
 * A ticket from a `ticket` frame or from our own change (PATCH, create): its entry, every cached
 * list and its history follow; saved views are counted again.
 * Never goes back to an older version.
 */
export const ticketReceived =
  ({ ticket, myId }: { ticket: Ticket; myId: Id | null }) =>
  (dispatch: AppDispatch, getState: () => RootState) => {
    const prev = selectTicket(getState(), ticket.id);
    if (prev && prev.version > ticket.version) return;
    const fresh = !prev || prev.version < ticket.version;
    dispatch(
      ticketsApiSlice.util.updateQueryData('getTicket', ticket.id, (d) =>
        d.version > ticket.version ? d : ticket,
      ),
    );
    for (const q of cachedLists(getState())) {
      dispatch(
        ticketsApiSlice.util.updateQueryData('listTickets', q, (page) =>
          placeTicket(page, ticket, prev, q, myId),
        ),
      );
    }
    if (!fresh) return;
    dispatch(ticketsApiSlice.util.invalidateTags([{ type: 'TicketEvents', id: ticket.id }]));
    // Saved views are counted again (a burst of changes costs one request in flight and one
    // after it: RTK Query delays invalidations while a request runs).
    dispatch(ticketsApiSlice.util.invalidateTags(['TicketLists']));
  };

import { signedIn, signedOut } from '../src/state/auth';
import reducer, {
  conversationUpserted,
  readReceived,
  sortedConversations,
  typingExpired,
  typingReceived,
} from '../src/state/conversations';
import { messageReceived } from '../src/state/messages';
import * as peopleApi from '../src/api/people';
import * as ticketsApi from '../src/api/tickets';
import { presenceChanged } from '../src/state/presence';
import {
  notificationReceived,
  notificationsApi,
  selectNotifications,
} from '../src/state/queries/notifications';
import {
  contactUpserted,
  friendRequestReceived,
  peopleApiSlice,
  selectContacts,
  selectFriendRequests,
} from '../src/state/queries/people';
import {
  loadMoreTickets,
  selectTicket,
  ticketReceived,
  ticketsApiSlice,
} from '../src/state/queries/tickets';
import { makeStore } from '../src/state/store';
import { matchesQuery, ticketQuery } from '../src/state/tickets';
import { conversation, me, message, ticket } from './helpers/fixtures';

jest.mock('../src/api/people');
jest.mock('../src/api/tickets');
const mocked = ticketsApi as jest.Mocked<typeof ticketsApi>;
beforeEach(() => {
  (peopleApi as jest.Mocked<typeof peopleApi>).readAllNotifications.mockResolvedValue(undefined);
});

describe('conversations slice', () => {
  it('counts unread messages from others, not our own, not in the open conversation', () => {
    let s = reducer(undefined, conversationUpserted(conversation()));
    s = reducer(s, messageReceived({ message: message(1), mine: false }));
    s = reducer(s, messageReceived({ message: message(2, { sender_id: 1 }), mine: true }));
    expect(s.byId['7'].unread_count).toBe(0); // writing reads everything before
    s = reducer(s, messageReceived({ message: message(3), mine: false }));
    expect(s.byId['7'].unread_count).toBe(1);
    s = reducer(s, { type: 'conversations/activeConversationChanged', payload: 7 });
    s = reducer(s, messageReceived({ message: message(4), mine: false }));
    expect(s.byId['7'].unread_count).toBe(1);
    s = reducer(s, readReceived({ conversationId: 7, userId: 1, seq: 4, mine: true }));
    expect(s.byId['7'].unread_count).toBe(0);
    expect(s.byId['7'].last_message?.seq).toBe(4);
  });

  it('a typing indicator expires after its time, and when the message arrives', () => {
    let s = reducer(undefined, conversationUpserted(conversation()));
    s = reducer(s, typingReceived({ conversationId: 7, userId: 2, now: 1000 }));
    s = reducer(s, typingExpired({ now: 5999 }));
    expect(s.typing['7']).toEqual({ '2': 6000 });
    s = reducer(s, typingExpired({ now: 6000 }));
    expect(s.typing['7']).toBeUndefined();
    s = reducer(s, typingReceived({ conversationId: 7, userId: 2, now: 1000 }));
    s = reducer(s, messageReceived({ message: message(1), mine: false }));
    expect(s.typing['7']).toEqual({});
  });

  it('sorts by latest activity and filters by kind', () => {
    let s = reducer(
      undefined,
      conversationUpserted(
        conversation({
          id: 1,
          last_message: message(1, { created_at: '2026-11-25T10:00:00.000Z' }),
        }),
      ),
    );
    s = reducer(
      s,
      conversationUpserted(
        conversation({
          id: 2,
          kind: 'ticket',
          last_message: message(1, { created_at: '2026-11-25T12:00:00.000Z' }),
        }),
      ),
    );
    s = reducer(
      s,
      conversationUpserted(
        conversation({
          id: 3,
          last_message: message(1, { created_at: '2026-11-25T11:00:00.000Z' }),
        }),
      ),
    );
    expect(sortedConversations(s).map((c) => c.id)).toEqual([2, 3, 1]);
    expect(sortedConversations(s, 'direct').map((c) => c.id)).toEqual([3, 1]);
    s = reducer(s, signedOut());
    expect(s.byId).toEqual({});
  });
});

describe('ticket lists', () => {
  it('builds the query of each tab', () => {
    expect(ticketQuery('queue', {}, null)).toEqual({ sort: 'updated', assignee: 'none' });
    expect(ticketQuery('mine', { status: 'open' }, null)).toEqual({
      sort: 'updated',
      assignee: 'me',
      status: 'open',
    });
    expect(ticketQuery('team', { q: 'printer' }, 4)).toEqual({
      sort: 'updated',
      team: 4,
      q: 'printer',
    });
    expect(ticketQuery('all', { q: '' }, null)).toEqual({ sort: 'updated' });
  });

  it('matches tickets against a query like the server would', () => {
    const t = ticket({
      assignee: { id: 2, display_name: 'Ana', role: 'agent', avatar_url: '' },
      team: { id: 4, name: 'Billing' },
    });
    expect(matchesQuery(t, { assignee: 'me' }, 2)).toBe(true);
    expect(matchesQuery(t, { assignee: 'none' }, 2)).toBe(false);
    expect(matchesQuery(t, { team: 4, status: 'open' }, 2)).toBe(true);
    expect(matchesQuery(t, { priority: 'low' }, 2)).toBe(false);
    expect(matchesQuery(t, { q: 'PRINTER' }, 2)).toBe(true);
    expect(matchesQuery(t, { q: 'scanner' }, 2)).toBe(false);
  });

  it('never goes back to an older version of a ticket', async () => {
    const store = makeStore();
    await store.dispatch(ticketsApiSlice.util.upsertQueryData('getTicket', 11, ticket()));
    store.dispatch(ticketReceived({ ticket: ticket({ version: 3, status: 'closed' }), myId: 1 }));
    store.dispatch(ticketReceived({ ticket: ticket({ version: 2, status: 'open' }), myId: 1 }));
    expect(selectTicket(store.getState(), 11)?.status).toBe('closed');
  });

  it('keeps each query in its own list and appends the next page', async () => {
    const queue = { sort: 'updated' as const, assignee: 'none' as const };
    const mine = { sort: 'updated' as const, assignee: 'me' as const };
    const counts = { open: 2, in_progress: 0, pending: 0, closed: 0 };
    mocked.listTickets.mockImplementation(async (q) =>
      q.cursor
        ? { items: [ticket({ id: 12, number: 1002 })], counts, next_cursor: null }
        : { items: q.assignee === 'none' ? [ticket()] : [], counts, next_cursor: 'c2' },
    );
    const store = makeStore();
    await store.dispatch(ticketsApiSlice.endpoints.listTickets.initiate(queue));
    await store.dispatch(ticketsApiSlice.endpoints.listTickets.initiate(mine));
    const list = (q: typeof queue | typeof mine) =>
      ticketsApiSlice.endpoints.listTickets.select(q)(store.getState()).data;
    expect(list(mine)?.items).toEqual([]);
    await store.dispatch(loadMoreTickets(queue, 'c2'));
    expect(mocked.listTickets).toHaveBeenLastCalledWith({ ...queue, cursor: 'c2' });
    expect(list(queue)?.items.map((t) => t.id)).toEqual([11, 12]);
    expect(list(queue)?.next_cursor).toBeNull();
  });

  it('moves a live status change between counts', async () => {
    const q = { sort: 'updated' as const };
    const store = makeStore();
    await store.dispatch(
      ticketsApiSlice.util.upsertQueryData('listTickets', q, {
        items: [ticket()],
        counts: { open: 1, in_progress: 0, pending: 0, closed: 0 },
        next_cursor: null,
      }),
    );
    store.dispatch(ticketReceived({ ticket: ticket({ version: 2, status: 'closed' }), myId: 1 }));
    const page = ticketsApiSlice.endpoints.listTickets.select(q)(store.getState()).data;
    expect(page?.counts).toEqual({ open: 0, in_progress: 0, pending: 0, closed: 1 });
    expect(page?.items.map((t) => t.id)).toEqual([11]);
  });
});

describe('people', () => {
  const ana = { id: 2, display_name: 'Ana', role: 'agent' as const, avatar_url: '' };
  const mine = { id: 1, display_name: 'Me', role: 'customer' as const, avatar_url: '' };

  it('places requests by direction and clears them when we become contacts', async () => {
    const store = makeStore();
    await store.dispatch(
      peopleApiSlice.util.upsertQueryData('getFriendRequests', undefined, {
        incoming: [],
        outgoing: [],
      }),
    );
    await store.dispatch(peopleApiSlice.util.upsertQueryData('getContacts', undefined, []));
    store.dispatch(
      friendRequestReceived({
        request: { id: 1, from: mine, to: ana, status: 'pending', created_at: '' },
        myId: 1,
      }),
    );
    expect(selectFriendRequests(store.getState()).outgoing.map((r) => r.id)).toEqual([1]);
    store.dispatch(contactUpserted({ user: ana, online: true, since: '' }));
    expect(selectFriendRequests(store.getState()).outgoing).toEqual([]);
    expect(selectContacts(store.getState()).map((c) => c.user.id)).toEqual([2]);
    store.dispatch(presenceChanged({ userId: 2, online: false }));
    expect(store.getState().presence.byUser['2']).toBe(false);
  });
});

describe('notifications', () => {
  it('counts unread and marks all read at once', async () => {
    const store = makeStore();
    await store.dispatch(
      notificationsApi.util.upsertQueryData('getNotifications', undefined, {
        items: [],
        unread_count: 0,
      }),
    );
    store.dispatch(
      notificationReceived({ id: 1, kind: 'x', title: 'a', body: '', read: false, created_at: '' }),
    );
    store.dispatch(
      notificationReceived({ id: 2, kind: 'x', title: 'b', body: '', read: false, created_at: '' }),
    );
    expect(selectNotifications(store.getState()).data?.unread_count).toBe(2);
    void store.dispatch(notificationsApi.endpoints.markAllNotificationsRead.initiate());
    const d = selectNotifications(store.getState()).data;
    expect(d?.unread_count).toBe(0);
    expect(d?.items.every((n) => n.read)).toBe(true);
  });
});

describe('store', () => {
  it('sign-out clears every user-scoped slice and every cached answer', async () => {
    const store = makeStore();
    store.dispatch(signedIn(me));
    store.dispatch(conversationUpserted(conversation()));
    await store.dispatch(
      notificationsApi.util.upsertQueryData('getNotifications', undefined, {
        items: [],
        unread_count: 3,
      }),
    );
    store.dispatch(signedOut());
    const s = store.getState();
    expect(s.auth.user).toBeNull();
    expect(s.conversations.byId).toEqual({});
    expect(selectNotifications(s).data).toBeUndefined();
  });
});

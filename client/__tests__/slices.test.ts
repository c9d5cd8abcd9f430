import { signedIn, signedOut } from '../src/state/auth';
import reducer, {
  conversationUpserted,
  fetchConversations,
  readReceived,
  sortedConversations,
  typingExpired,
  typingReceived,
} from '../src/state/conversations';
import { messageReceived } from '../src/state/messages';
import notifications, {
  markAllNotificationsRead,
  notificationReceived,
} from '../src/state/notifications';
import people, {
  contactUpserted,
  friendRequestReceived,
  presenceChanged,
} from '../src/state/people';
import { makeStore } from '../src/state/store';
import tickets, {
  fetchTickets,
  matchesQuery,
  queryKey,
  ticketQuery,
  ticketUpserted,
} from '../src/state/tickets';
import { conversation, me, message, ticket } from './helpers/fixtures';

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
      fetchConversations.fulfilled(
        [
          conversation({
            id: 1,
            last_message: message(1, { created_at: '2026-11-25T10:00:00.000Z' }),
          }),
          conversation({
            id: 2,
            kind: 'ticket',
            last_message: message(1, { created_at: '2026-11-25T12:00:00.000Z' }),
          }),
          conversation({
            id: 3,
            last_message: message(1, { created_at: '2026-11-25T11:00:00.000Z' }),
          }),
        ],
        'r',
        undefined,
      ),
    );
    expect(sortedConversations(s).map((c) => c.id)).toEqual([2, 3, 1]);
    expect(sortedConversations(s, 'direct').map((c) => c.id)).toEqual([3, 1]);
    s = reducer(s, signedOut());
    expect(s.byId).toEqual({});
  });
});

describe('tickets slice', () => {
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

  it('never goes back to an older version of a ticket', () => {
    let s = tickets(
      undefined,
      ticketUpserted({ ticket: ticket({ version: 3, status: 'closed' }), myId: 1 }),
    );
    s = tickets(s, ticketUpserted({ ticket: ticket({ version: 2, status: 'open' }), myId: 1 }));
    expect(s.byId['11'].status).toBe('closed');
  });

  it('ignores a late answer for a query that is no longer shown', () => {
    const queue = { sort: 'updated' as const, assignee: 'none' as const };
    const mine = { sort: 'updated' as const, assignee: 'me' as const };
    let s = tickets(undefined, fetchTickets.pending('r1', { query: queue }));
    s = tickets(s, fetchTickets.pending('r2', { query: mine }));
    s = tickets(
      s,
      fetchTickets.fulfilled(
        {
          page: { items: [ticket()], counts: { open: 1, in_progress: 0, pending: 0, closed: 0 } },
          key: queryKey(queue),
        },
        'r1',
        { query: queue },
      ),
    );
    expect(s.list.key).toBe(queryKey(mine));
    expect(s.list.ids).toEqual([]);
  });

  it('moves a live status change between counts', () => {
    const q = { sort: 'updated' as const };
    let s = tickets(undefined, fetchTickets.pending('r', { query: q }));
    s = tickets(
      s,
      fetchTickets.fulfilled(
        {
          page: { items: [ticket()], counts: { open: 1, in_progress: 0, pending: 0, closed: 0 } },
          key: queryKey(q),
        },
        'r',
        { query: q },
      ),
    );
    s = tickets(s, ticketUpserted({ ticket: ticket({ version: 2, status: 'closed' }), myId: 1 }));
    expect(s.list.counts).toEqual({ open: 0, in_progress: 0, pending: 0, closed: 1 });
    expect(s.list.ids).toEqual([11]);
  });
});

describe('people slice', () => {
  const ana = { id: 2, display_name: 'Ana', role: 'agent' as const, avatar_url: '' };
  const mine = { id: 1, display_name: 'Me', role: 'customer' as const, avatar_url: '' };

  it('places requests by direction and clears them when we become contacts', () => {
    let s = people(
      undefined,
      friendRequestReceived({
        request: { id: 1, from: mine, to: ana, status: 'pending', created_at: '' },
        myId: 1,
      }),
    );
    expect(s.outgoing.map((r) => r.id)).toEqual([1]);
    s = people(s, contactUpserted({ user: ana, online: true, since: '' }));
    expect(s.outgoing).toEqual([]);
    expect(s.contacts['2'].online).toBe(true);
    s = people(s, presenceChanged({ userId: 2, online: false }));
    expect(s.contacts['2'].online).toBe(false);
  });
});

describe('notifications slice', () => {
  it('counts unread and marks all read at once', () => {
    let s = notifications(
      undefined,
      notificationReceived({ id: 1, kind: 'x', title: 'a', body: '', read: false, created_at: '' }),
    );
    s = notifications(
      s,
      notificationReceived({ id: 2, kind: 'x', title: 'b', body: '', read: false, created_at: '' }),
    );
    expect(s.unreadCount).toBe(2);
    s = notifications(s, markAllNotificationsRead.pending('r', undefined));
    expect(s.unreadCount).toBe(0);
    expect(s.items.every((n) => n.read)).toBe(true);
  });
});

describe('store', () => {
  it('sign-out clears every user-scoped slice', () => {
    const store = makeStore();
    store.dispatch(signedIn(me));
    store.dispatch(conversationUpserted(conversation()));
    store.dispatch(
      notificationReceived({ id: 1, kind: 'x', title: 'a', body: '', read: false, created_at: '' }),
    );
    store.dispatch(signedOut());
    const s = store.getState();
    expect(s.auth.user).toBeNull();
    expect(s.conversations.byId).toEqual({});
    expect(s.notifications.items).toEqual([]);
  });
});

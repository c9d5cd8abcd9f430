import { handleServerFrame, type DispatchContext } from '../src/realtime/dispatcher';
import { signedIn } from '../src/state/auth';
import { conversationUpserted } from '../src/state/conversations';
import { messagesLoaded } from '../src/state/messages';
import { makeStore } from '../src/state/store';
import { notificationsApi, selectNotifications } from '../src/state/queries/notifications';
import { peopleApiSlice, selectContacts, selectFriendRequests } from '../src/state/queries/people';
import { selectTicket, ticketReceived, ticketsApiSlice } from '../src/state/queries/tickets';
import { listMessages } from '../src/api/conversations';
import { getTicket } from '../src/api/tickets';
import { conversation, me, message, ticket } from './helpers/fixtures';

jest.mock('../src/api/tickets');
jest.mock('../src/api/conversations', () => ({
  getConversation: jest.fn(() => new Promise(() => undefined)),
  listConversations: jest.fn(() => new Promise(() => undefined)),
  listMessages: jest.fn(() => new Promise(() => undefined)),
}));

function setup() {
  const store = makeStore();
  store.dispatch(signedIn(me));
  store.dispatch(conversationUpserted(conversation()));
  const outbox = { ack: jest.fn(() => true), fail: jest.fn() };
  const ctx: DispatchContext = {
    dispatch: store.dispatch,
    getState: store.getState,
    outbox,
    now: () => 1_000,
  };
  return { store, ctx, outbox };
}

/** The contact list and friend requests as loaded at sign-in (empty). */
async function seedPeople(store: ReturnType<typeof setup>['store']) {
  await store.dispatch(peopleApiSlice.util.upsertQueryData('getContacts', undefined, []));
  await store.dispatch(
    peopleApiSlice.util.upsertQueryData('getFriendRequests', undefined, {
      incoming: [],
      outgoing: [],
    }),
  );
}

describe('dispatcher', () => {
  it('an ack settles the outbox item and stores the message', () => {
    const { store, ctx, outbox } = setup();
    const m = message(1, { sender_id: 1, client_id: 'c-1' });
    handleServerFrame({ type: 'ack', client_id: 'c-1', message: m }, ctx);
    expect(outbox.ack).toHaveBeenCalledWith('c-1');
    expect(store.getState().messages.byConversation['7'].items).toEqual([m]);
    const c = store.getState().conversations.byId['7'];
    expect(c.last_seq).toBe(1);
    expect(c.unread_count).toBe(0); // own message
  });

  it('a message from someone else counts as unread unless the conversation is open', () => {
    const { store, ctx } = setup();
    handleServerFrame({ type: 'message', message: message(1) }, ctx);
    handleServerFrame({ type: 'message', message: message(2) }, ctx);
    expect(store.getState().conversations.byId['7'].unread_count).toBe(2);
    expect(store.getState().conversations.byId['7'].last_message?.seq).toBe(2);
  });

  it('a replayed duplicate is stored once', () => {
    const { store, ctx } = setup();
    handleServerFrame({ type: 'message', message: message(1) }, ctx);
    handleServerFrame({ type: 'message', message: message(1) }, ctx);
    expect(store.getState().messages.byConversation['7'].items).toHaveLength(1);
    expect(store.getState().conversations.byId['7'].unread_count).toBe(1);
  });

  it('our own message seen in a replay settles the outbox too (the ack was lost)', () => {
    const { ctx, outbox } = setup();
    handleServerFrame(
      { type: 'message', message: message(3, { sender_id: 1, client_id: 'c-9' }) },
      ctx,
    );
    expect(outbox.ack).toHaveBeenCalledWith('c-9');
  });

  it('leaves seq gaps to the server (customers skip internal notes by design)', () => {
    const { store, ctx } = setup();
    store.dispatch(
      messagesLoaded({
        conversationId: 7,
        items: [message(1), message(2)],
        page: 'latest',
        limit: 50,
      }),
    );
    handleServerFrame({ type: 'message', message: message(3) }, ctx);
    handleServerFrame({ type: 'message', message: message(6) }, ctx);
    expect(listMessages).not.toHaveBeenCalled();
    expect(store.getState().messages.byConversation['7'].items.map((m) => m.seq)).toEqual([
      1, 2, 3, 6,
    ]);
  });

  it('account_updated switches the role at once and says whether it changed', () => {
    const { store, ctx } = setup();
    const onAccountUpdated = jest.fn();
    ctx.onAccountUpdated = onAccountUpdated;
    handleServerFrame({ type: 'account_updated', role: 'agent', team_ids: [3] }, ctx);
    expect(store.getState().auth.user?.role).toBe('agent');
    expect(onAccountUpdated).toHaveBeenCalledWith({ roleChanged: true, wasStaff: false });
    handleServerFrame({ type: 'account_updated', role: 'agent', team_ids: [] }, ctx);
    expect(onAccountUpdated).toHaveBeenLastCalledWith({ roleChanged: false, wasStaff: true });
  });

  it('an error with a client_id goes to the outbox', () => {
    const { ctx, outbox } = setup();
    handleServerFrame({ type: 'error', code: 'forbidden', message: 'no', client_id: 'c-2' }, ctx);
    expect(outbox.fail).toHaveBeenCalledWith('c-2', 'forbidden', 'no');
  });

  it('typing from others shows, our own echo does not', () => {
    const { store, ctx } = setup();
    handleServerFrame({ type: 'typing', conversation_id: 7, user_id: 2 }, ctx);
    handleServerFrame({ type: 'typing', conversation_id: 7, user_id: 1 }, ctx);
    expect(store.getState().conversations.typing['7']).toEqual({ '2': 6_000 });
  });

  it('read frames move read receipts forward only', () => {
    const { store, ctx } = setup();
    handleServerFrame({ type: 'read', conversation_id: 7, user_id: 2, seq: 5 }, ctx);
    handleServerFrame({ type: 'read', conversation_id: 7, user_id: 2, seq: 3 }, ctx);
    const member = store.getState().conversations.byId['7'].members.find((m) => m.user_id === 2);
    expect(member?.last_read_seq).toBe(5);
  });

  it('a contact frame lists the contact; presence frames move who is online', async () => {
    const { store, ctx } = setup();
    await seedPeople(store);
    handleServerFrame(
      {
        type: 'contact',
        contact: {
          user: { id: 2, display_name: 'Ana', role: 'agent', avatar_url: '' },
          online: false,
          since: '',
        },
      },
      ctx,
    );
    handleServerFrame({ type: 'presence', user_id: 2, online: true }, ctx);
    expect(selectContacts(store.getState()).map((c) => c.user.id)).toEqual([2]);
    expect(store.getState().presence.byUser['2']).toBe(true);
  });

  it('friend requests land in incoming or outgoing', async () => {
    const { store, ctx } = setup();
    await seedPeople(store);
    const ana = { id: 2, display_name: 'Ana', role: 'agent' as const, avatar_url: '' };
    const mine = { id: 1, display_name: 'Me', role: 'customer' as const, avatar_url: '' };
    handleServerFrame(
      {
        type: 'friend_request',
        request: { id: 5, from: ana, to: mine, status: 'pending', created_at: '' },
      },
      ctx,
    );
    expect(selectFriendRequests(store.getState()).incoming.map((r) => r.id)).toEqual([5]);
    handleServerFrame(
      {
        type: 'friend_request',
        request: { id: 5, from: ana, to: mine, status: 'accepted', created_at: '' },
      },
      ctx,
    );
    expect(selectFriendRequests(store.getState()).incoming).toEqual([]);
  });

  it('notifications are prepended once and counted, in the cached list', async () => {
    const { store, ctx } = setup();
    await store.dispatch(
      notificationsApi.util.upsertQueryData('getNotifications', undefined, {
        items: [],
        unread_count: 0,
      }),
    );
    const n = {
      id: 3,
      kind: 'ticket_reply',
      title: 'Reply',
      body: 'hi',
      read: false,
      created_at: '',
    };
    handleServerFrame({ type: 'notification', notification: n }, ctx);
    handleServerFrame({ type: 'notification', notification: n }, ctx);
    expect(selectNotifications(store.getState()).data?.items).toHaveLength(1);
    expect(selectNotifications(store.getState()).data?.unread_count).toBe(1);
  });

  it('a live ticket updates every cached list and the ticket itself', async () => {
    const { store, ctx } = setup();
    const queue = { assignee: 'none' as const, sort: 'updated' as const };
    const empty = { open: 0, in_progress: 0, pending: 0, closed: 0 };
    await store.dispatch(
      ticketsApiSlice.util.upsertQueryData('listTickets', queue, {
        items: [],
        counts: empty,
        next_cursor: null,
      }),
    );
    handleServerFrame({ type: 'ticket', ticket: ticket() }, ctx);
    const list = () => ticketsApiSlice.endpoints.listTickets.select(queue)(store.getState()).data;
    expect(list()?.items.map((t) => t.id)).toEqual([11]);
    expect(list()?.counts).toEqual({ open: 1, in_progress: 0, pending: 0, closed: 0 });
    // An agent takes it: it leaves the queue.
    handleServerFrame(
      {
        type: 'ticket',
        ticket: ticket({
          version: 2,
          status: 'in_progress',
          assignee: { id: 2, display_name: 'Ana', role: 'agent', avatar_url: '' },
        }),
      },
      ctx,
    );
    expect(list()?.items).toEqual([]);
    expect(list()?.counts).toEqual(empty);
    expect(selectTicket(store.getState(), 11)).toBeUndefined(); // held nowhere any more
  });
});

describe('dispatcher: conversation membership', () => {
  it('refetches a conversation when an unknown member speaks or types', () => {
    const { getConversation } = jest.requireMock('../src/api/conversations');
    getConversation.mockClear();
    const { ctx } = setup();
    handleServerFrame({ type: 'message', message: message(1, { sender_id: 2 }) }, ctx);
    expect(getConversation).not.toHaveBeenCalled(); // Ana is a member
    handleServerFrame({ type: 'typing', conversation_id: 7, user_id: 99 }, ctx);
    expect(getConversation).toHaveBeenCalledWith(7);
  });
});

describe('dispatcher: tickets', () => {
  it('does not refetch a ticket on its first response (the server sends the ticket frame)', () => {
    const { store, ctx } = setup();
    store.dispatch(ticketReceived({ ticket: ticket({ conversation_id: 7 }), myId: 1 }));
    handleServerFrame({ type: 'message', message: message(2, { sender_id: 2 }) }, ctx);
    expect(getTicket).not.toHaveBeenCalled();
  });
});

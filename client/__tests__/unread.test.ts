import { handleServerFrame, type DispatchContext } from '../src/realtime/dispatcher';
import type { UnreadSummary } from '../src/api/types';
import { signedIn, signedOut } from '../src/state/auth';
import { activeConversationChanged, readReceived } from '../src/state/conversations';
import { conversationsApi } from '../src/state/queries/conversations';
import { makeStore } from '../src/state/store';
import reducer, {
  unreadCounted,
  unreadIn,
  unreadMessage,
  unreadTotals,
  type UnreadState,
} from '../src/state/unread';
import { badge } from '../src/navigation/RootNavigator';
import { me, message, ticket } from './helpers/fixtures';

jest.mock('../src/api/conversations', () => ({
  getConversation: jest.fn(() => new Promise(() => undefined)),
  listConversations: jest.fn(() => new Promise(() => undefined)),
  listMessages: jest.fn(() => new Promise(() => undefined)),
  getUnread: jest.fn(() => new Promise(() => undefined)),
}));

const summary: UnreadSummary = {
  items: [
    { conversation_id: 7, kind: 'direct', last_seq: 5, last_read_seq: 3, unread_count: 2 },
    {
      conversation_id: 70,
      kind: 'ticket',
      ticket_id: 11,
      last_seq: 9,
      last_read_seq: 9,
      unread_count: 0,
    },
  ],
  total: 2,
};

/** The state after `GET /conversations/unread` answered `body`. */
function loaded(body: UnreadSummary = summary, state?: UnreadState): UnreadState {
  const action = fulfilled(body);
  expect(conversationsApi.endpoints.getUnread.matchFulfilled(action)).toBe(true);
  return reducer(state, action);
}

/** A fulfilled `getUnread` action, as RTK Query dispatches it. */
function fulfilled(body: UnreadSummary) {
  return {
    type: 'api/executeQuery/fulfilled',
    payload: body,
    meta: {
      arg: { type: 'query', endpointName: 'getUnread', originalArgs: undefined },
      requestId: 'r',
      requestStatus: 'fulfilled',
      fulfilledTimeStamp: 0,
      baseQueryMeta: undefined,
      RTK_Query: true,
    },
  };
}

const arrive = (
  seq: number,
  extra: { mine?: boolean; open?: boolean; conversationId?: number } = {},
) =>
  unreadMessage({
    conversationId: extra.conversationId ?? 7,
    seq,
    mine: extra.mine ?? false,
    open: extra.open ?? false,
  });

describe('unread slice', () => {
  it('takes the server counts and sums them per tab', () => {
    const s = loaded();
    expect(s.loaded).toBe(true);
    expect(unreadIn(s, 7)).toBe(2);
    expect(unreadIn(s, 70)).toBe(0);
    expect(unreadTotals(s)).toEqual({ tickets: 0, direct: 2, total: 2 });
    // Not counted for the badges: what the conversation itself says, else nothing.
    expect(unreadIn(s, 99, { unread_count: 4 })).toBe(4);
    expect(unreadIn(s, 99)).toBe(0);
  });

  it('counts messages from others above what the server counted, once each', () => {
    let s = loaded();
    s = reducer(s, arrive(5)); // already in the server's count (a replay)
    expect(unreadIn(s, 7)).toBe(2);
    s = reducer(s, arrive(6));
    s = reducer(s, arrive(6)); // the same message again
    s = reducer(s, arrive(10, { conversationId: 70 }));
    expect(unreadTotals(s)).toEqual({ tickets: 1, direct: 3, total: 4 });
    // A conversation that doesn't count for the badges stays out of them.
    s = reducer(s, arrive(1, { conversationId: 99 }));
    expect(unreadTotals(s).total).toBe(4);
  });

  it('the open conversation does not count, and our own message reads everything', () => {
    let s = loaded();
    s = reducer(s, arrive(6, { open: true }));
    expect(unreadIn(s, 7)).toBe(2);
    s = reducer(s, arrive(7));
    expect(unreadIn(s, 7)).toBe(3);
    s = reducer(s, arrive(8, { mine: true }));
    expect(unreadIn(s, 7)).toBe(0);
  });

  it('an unread frame gives the exact count, plus what arrived after it was counted', () => {
    let s = loaded();
    s = reducer(s, arrive(6));
    s = reducer(s, arrive(7));
    expect(unreadIn(s, 7)).toBe(4);
    // Another device read up to 6; the server counted up to seq 6: 0 left, then 7 arrived here.
    s = reducer(s, unreadCounted({ conversationId: 7, lastSeq: 6, unreadCount: 0 }));
    expect(unreadIn(s, 7)).toBe(1);
    // Counted after 7 too: exactly what the server says.
    s = reducer(s, unreadCounted({ conversationId: 7, lastSeq: 7, unreadCount: 0 }));
    expect(unreadIn(s, 7)).toBe(0);
    // A late frame (older count) does not resurrect seqs already counted.
    s = reducer(s, arrive(8));
    s = reducer(s, unreadCounted({ conversationId: 7, lastSeq: 8, unreadCount: 1 }));
    expect(unreadIn(s, 7)).toBe(1);
  });

  it('our own read clears at once what it covers', () => {
    let s = loaded();
    s = reducer(s, arrive(6));
    s = reducer(s, arrive(7));
    s = reducer(s, readReceived({ conversationId: 7, userId: 1, seq: 6, mine: true }));
    // Read up to 6: what arrived here up to it is read; the older 2 wait for the server's count.
    expect(unreadIn(s, 7)).toBe(3);
    s = reducer(s, readReceived({ conversationId: 7, userId: 1, seq: 7, mine: true }));
    expect(unreadIn(s, 7)).toBe(0);
    // Someone else's read receipt changes nothing of ours.
    s = reducer(s, arrive(8));
    s = reducer(s, readReceived({ conversationId: 7, userId: 2, seq: 8, mine: false }));
    expect(unreadIn(s, 7)).toBe(1);
  });

  it('a recount keeps what arrived while it was on its way, and drops what no longer counts', () => {
    let s = loaded();
    s = reducer(s, arrive(6));
    s = reducer(s, arrive(7));
    // The server counted up to 6 (the message 7 was committed after).
    s = loaded(
      {
        items: [
          { conversation_id: 7, kind: 'direct', last_seq: 6, last_read_seq: 3, unread_count: 3 },
        ],
        total: 3,
      },
      s,
    );
    expect(unreadIn(s, 7)).toBe(4);
    expect(unreadIn(s, 70, undefined)).toBe(0);
    expect(s.byId['70']).toBeUndefined(); // the ticket left our set (e.g. closed)
  });

  it('forgets everything at sign-out', () => {
    const s = reducer(loaded(), signedOut());
    expect(s).toEqual({ byId: {}, loaded: false });
  });

  it('a tab badge shows 99+ above 99 and nothing at 0', () => {
    expect([badge(0), badge(3), badge(99), badge(100)]).toEqual([undefined, '3', '99', '99+']);
  });
});

describe('unread frames through the dispatcher', () => {
  function setup() {
    const store = makeStore();
    store.dispatch(signedIn(me));
    store.dispatch(fulfilled(summary) as never);
    const refreshUnread = jest.fn();
    const ctx: DispatchContext = {
      dispatch: store.dispatch,
      getState: store.getState,
      outbox: { ack: jest.fn(() => true), fail: jest.fn() },
      refreshUnread,
      now: () => 1_000,
    };
    return { store, ctx, refreshUnread };
  }

  it('a message counts live unless its conversation is on screen', () => {
    const { store, ctx } = setup();
    handleServerFrame({ type: 'message', message: message(6) }, ctx);
    expect(unreadIn(store.getState().unread, 7)).toBe(3);
    store.dispatch(activeConversationChanged(7));
    handleServerFrame({ type: 'message', message: message(7) }, ctx);
    expect(unreadIn(store.getState().unread, 7)).toBe(3);
    handleServerFrame(
      { type: 'ack', client_id: 'c', message: message(8, { sender_id: me.id, client_id: 'c' }) },
      ctx,
    );
    expect(unreadIn(store.getState().unread, 7)).toBe(0);
  });

  it('a read on another device clears the badge here', () => {
    const { store, ctx, refreshUnread } = setup();
    handleServerFrame(
      { type: 'unread', conversation_id: 7, last_seq: 5, last_read_seq: 5, unread_count: 0 },
      ctx,
    );
    expect(unreadTotals(store.getState().unread).total).toBe(0);
    expect(refreshUnread).not.toHaveBeenCalled();
  });

  it('asks for a recount when the set of counted conversations may have changed', () => {
    const { ctx, refreshUnread } = setup();
    // A message in a conversation not counted yet (a new chat, a ticket just assigned).
    handleServerFrame({ type: 'message', message: message(1, { conversation_id: 71 }) }, ctx);
    expect(refreshUnread).toHaveBeenCalledTimes(1);
    handleServerFrame({ type: 'ticket', ticket: ticket({ assignee: null }) }, ctx);
    expect(refreshUnread).toHaveBeenCalledTimes(2);
    handleServerFrame(
      { type: 'unread', conversation_id: 72, last_seq: 1, last_read_seq: 1, unread_count: 0 },
      ctx,
    );
    expect(refreshUnread).toHaveBeenCalledTimes(3);
  });
});

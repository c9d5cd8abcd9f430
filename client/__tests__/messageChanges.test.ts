import type { MessageChange } from '../src/api/types';
import { handleServerFrame, type DispatchContext } from '../src/realtime/dispatcher';
import { resumePositions } from '../src/realtime';
import { signedIn } from '../src/state/auth';
import { conversationUpserted } from '../src/state/conversations';
import reducer, {
  changeReceived,
  changesResumed,
  messageReceived,
  messageReplaced,
  type MessagesState,
} from '../src/state/messages';
import { applyChange } from '../src/state/messageChanges';
import { displayEmoji, emojiKey } from '../src/lib/emoji';
import { makeStore } from '../src/state/store';
import { conversation, me, message as msg } from './helpers/fixtures';

jest.mock('../src/api/conversations', () => ({
  getConversation: jest.fn(() => new Promise(() => undefined)),
  listConversations: jest.fn(() => new Promise(() => undefined)),
  listMessages: jest.fn(() => new Promise(() => undefined)),
}));

let next = 0;
function change(kind: MessageChange['kind'], seq: number, extra: Partial<MessageChange> = {}) {
  next += 1;
  return {
    conversation_id: 7,
    change_seq: next,
    message_id: 1000 + seq,
    message_seq: seq,
    kind,
    actor_id: 3,
    at: new Date(Date.UTC(2026, 10, 25, 13, 0, next)).toISOString(),
    ...extra,
  } satisfies MessageChange;
}

function held(...seqs: number[]): MessagesState {
  return seqs.reduce<MessagesState>(
    (s, n) => reducer(s, messageReceived({ message: msg(n), mine: false })),
    reducer(undefined, { type: 'init' }),
  );
}

const items = (s: MessagesState) => s.byConversation['7'].items;

describe('message changes', () => {
  beforeEach(() => {
    next = 0;
  });

  it('an edit sets the body and the edit time, and moves the change position', () => {
    const c = change('edited', 2, { body: 'fixed' });
    const s = reducer(held(1, 2), changeReceived(c));
    expect(items(s)[1]).toMatchObject({ body: 'fixed', edited_at: c.at });
    expect(items(s)[0].body).toBe('message 1');
    expect(s.lastChange['7']).toBe(1);
  });

  it('a deletion leaves a tombstone: same place, no body, attachments or reactions', () => {
    const file = { id: 9, name: 'a.png' } as never;
    let s = reducer(
      held(1),
      messageReceived({ message: msg(2, { attachments: [file] }), mine: false }),
    );
    s = reducer(s, changeReceived(change('reaction_added', 2, { emoji: '👍' })));
    const del = change('deleted', 2);
    s = reducer(s, changeReceived(del));
    expect(items(s).map((m) => m.seq)).toEqual([1, 2]);
    expect(items(s)[1]).toMatchObject({ id: 1002, body: '', attachments: [], deleted_at: del.at });
    expect(items(s)[1].reactions).toBeUndefined();
  });

  it('nothing revives a tombstone (a replayed edit of a deleted message)', () => {
    let s = reducer(held(1), changeReceived(change('deleted', 1)));
    s = reducer(s, changeReceived(change('edited', 1, { body: '' })));
    s = reducer(s, changeReceived(change('reaction_added', 1, { emoji: '🎉' })));
    expect(items(s)[0]).toMatchObject({ body: '' });
    expect(items(s)[0].deleted_at).toBeTruthy();
    expect(items(s)[0].reactions).toBeUndefined();
  });

  it('reactions add and remove the actor per emoji; a repeat changes nothing', () => {
    const add = change('reaction_added', 1, { emoji: '👍' });
    let s = reducer(held(1), changeReceived(add));
    const once = items(s)[0];
    s = reducer(s, changeReceived(add));
    expect(items(s)[0]).toEqual(once);
    s = reducer(s, changeReceived(change('reaction_added', 1, { emoji: '👍', actor_id: 4 })));
    s = reducer(s, changeReceived(change('reaction_added', 1, { emoji: '❤️' })));
    expect(items(s)[0].reactions).toEqual([
      { emoji: '👍', count: 2, user_ids: [3, 4] },
      { emoji: '❤️', count: 1, user_ids: [3] },
    ]);
    const remove = change('reaction_removed', 1, { emoji: '👍' });
    s = reducer(s, changeReceived(remove));
    s = reducer(s, changeReceived(remove));
    s = reducer(s, changeReceived(change('reaction_removed', 1, { emoji: '❤️' })));
    expect(items(s)[0].reactions).toEqual([{ emoji: '👍', count: 1, user_ids: [4] }]);
  });

  it('an emoji with or without its variation selector is one reaction (the server drops it)', () => {
    let s = reducer(held(1), changeReceived(change('reaction_added', 1, { emoji: '❤' })));
    s = reducer(s, changeReceived(change('reaction_added', 1, { emoji: '❤️' })));
    expect(items(s)[0].reactions).toEqual([{ emoji: '❤', count: 1, user_ids: [3] }]);
    expect(displayEmoji('❤')).toBe('❤️');
    expect(displayEmoji('👍')).toBe('👍');
    expect(emojiKey('❤️')).toBe('❤');
  });

  it('replaying the changes onto messages that already show them ends where the server is', () => {
    // The server replays messages as they are now, then every change since the position.
    const changes = [
      change('edited', 1, { body: 'v2' }),
      change('reaction_added', 1, { emoji: '👍' }),
      change('edited', 1, { body: 'v3' }),
      change('reaction_removed', 1, { emoji: '👍' }),
      change('reaction_added', 1, { emoji: '👍' }),
    ];
    const live = changes.reduce((s, c) => reducer(s, changeReceived(c)), held(1));
    const now = items(live)[0];
    const replayed = changes.reduce(
      (s, c) => reducer(s, changeReceived(c)),
      reducer(undefined, messageReceived({ message: now, mine: false })),
    );
    expect(items(replayed)[0]).toEqual(now);
    expect(now).toMatchObject({
      body: 'v3',
      reactions: [{ emoji: '👍', count: 1, user_ids: [3] }],
    });
  });

  it('applies changes in the order given (the last edit wins)', () => {
    const m = msg(1);
    const a = change('edited', 1, { body: 'first' });
    const b = change('edited', 1, { body: 'second' });
    expect(applyChange(applyChange(m, a), b).body).toBe('second');
    expect(applyChange(applyChange(m, b), a).body).toBe('first');
  });

  it('a change to a message not held only moves the position; it never goes backwards', () => {
    let s = reducer(
      held(1),
      changeReceived({ ...change('edited', 5, { body: 'x' }), change_seq: 8 }),
    );
    expect(items(s).map((m) => m.body)).toEqual(['message 1']);
    expect(s.lastChange['7']).toBe(8);
    s = reducer(s, changesResumed({ conversationId: 7, lastChange: 6 }));
    expect(s.lastChange['7']).toBe(8);
    s = reducer(s, changesResumed({ conversationId: 7, lastChange: 11 }));
    expect(s.lastChange['7']).toBe(11);
  });

  it('our own edit answered over REST replaces the copy held, and adds nothing new', () => {
    let s = reducer(held(1), messageReplaced(msg(1, { body: 'mine, edited' })));
    s = reducer(s, messageReplaced(msg(4)));
    expect(items(s).map((m) => m.body)).toEqual(['mine, edited']);
  });
});

describe('message changes over the socket', () => {
  function setup() {
    const store = makeStore();
    store.dispatch(signedIn(me));
    store.dispatch(conversationUpserted(conversation()));
    const ctx: DispatchContext = {
      dispatch: store.dispatch,
      getState: store.getState,
      outbox: { ack: jest.fn(() => true), fail: jest.fn() },
    };
    return { store, ctx };
  }

  it('routes the three change frames and resumed.last_change to the messages', () => {
    const { store, ctx } = setup();
    handleServerFrame({ type: 'message', message: msg(1) }, ctx);
    handleServerFrame({ type: 'message_updated', change: change('edited', 1, { body: 'e' }) }, ctx);
    handleServerFrame(
      { type: 'reaction', change: change('reaction_added', 1, { emoji: '🙏' }) },
      ctx,
    );
    expect(store.getState().messages.byConversation['7'].items[0]).toMatchObject({
      body: 'e',
      reactions: [{ emoji: '🙏', count: 1, user_ids: [3] }],
    });
    handleServerFrame({ type: 'message_deleted', change: change('deleted', 1) }, ctx);
    expect(store.getState().messages.byConversation['7'].items[0].deleted_at).toBeTruthy();
    handleServerFrame({ type: 'resumed', conversation_id: 7, last_seq: 1, last_change: 9 }, ctx);
    expect(store.getState().messages.lastChange['7']).toBe(9);
  });

  it('the conversation list’s preview follows an edit and a deletion of the last message', () => {
    const { store, ctx } = setup();
    store.dispatch(conversationUpserted(conversation({ last_seq: 1, last_message: msg(1) })));
    handleServerFrame(
      { type: 'message_updated', change: change('edited', 1, { body: 'new' }) },
      ctx,
    );
    expect(store.getState().conversations.byId['7'].last_message?.body).toBe('new');
    handleServerFrame({ type: 'message_deleted', change: change('deleted', 1) }, ctx);
    expect(store.getState().conversations.byId['7'].last_message).toMatchObject({ body: '' });
    expect(store.getState().conversations.byId['7'].last_message?.deleted_at).toBeTruthy();
  });

  it('resumes with {seq, change} where messages are held, a bare seq elsewhere', () => {
    const { store, ctx } = setup();
    store.dispatch(conversationUpserted(conversation({ id: 8, last_seq: 3 })));
    expect(resumePositions(store.getState())).toMatchObject({ '8': 3 });
    handleServerFrame({ type: 'message', message: msg(5) }, ctx);
    // Held but no change seen yet: every change is replayed once onto what we hold.
    expect(resumePositions(store.getState())['7']).toEqual({ seq: 5, change: 0 });
    handleServerFrame(
      {
        type: 'reaction',
        change: { ...change('reaction_added', 5, { emoji: '😮' }), change_seq: 4 },
      },
      ctx,
    );
    expect(resumePositions(store.getState())['7']).toEqual({ seq: 5, change: 4 });
    expect(resumePositions(store.getState())['8']).toBe(3);
  });
});

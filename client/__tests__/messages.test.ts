import type { Message } from '../src/api/types';
import { signedOut } from '../src/state/auth';
import reducer, {
  lastSeqOf,
  mergeBySeq,
  messageReceived,
  messagesCached,
  messagesLoaded,
} from '../src/state/messages';
import { readCache, snapshot } from '../src/realtime/messageCache';
import { MemoryStorage } from './helpers/fakeSocket';

export function msg(seq: number, extra: Partial<Message> = {}): Message {
  return {
    id: 1000 + seq,
    conversation_id: 7,
    seq,
    sender_id: 2,
    kind: 'text',
    body: `m${seq}`,
    client_id: '',
    attachments: [],
    created_at: new Date(Date.UTC(2026, 10, 25, 12, 0, seq)).toISOString(),
    ...extra,
  };
}

describe('messages slice', () => {
  it('keeps one message per (conversation, seq) however often it arrives', () => {
    let s = reducer(undefined, messageReceived({ message: msg(1), mine: false }));
    s = reducer(s, messageReceived({ message: msg(2), mine: false }));
    s = reducer(s, messageReceived({ message: msg(2), mine: false }));
    s = reducer(s, messageReceived({ message: msg(1), mine: false }));
    expect(s.byConversation['7'].items.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('sorts out-of-order arrivals by seq', () => {
    let s = reducer(undefined, messageReceived({ message: msg(3), mine: false }));
    s = reducer(s, messageReceived({ message: msg(1), mine: false }));
    s = reducer(s, messageReceived({ message: msg(2), mine: false }));
    expect(s.byConversation['7'].items.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(lastSeqOf(s, 7)).toBe(3);
  });

  it('merges a REST page with live messages without duplicates', () => {
    let s = reducer(undefined, messageReceived({ message: msg(5), mine: false }));
    s = reducer(
      s,
      messagesLoaded({
        conversationId: 7,
        items: [3, 4, 5].map((n) => msg(n)),
        page: 'latest',
        limit: 3,
      }),
    );
    const e = s.byConversation['7'];
    expect(e.items.map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(e.loaded).toBe(true);
    expect(e.hasOlder).toBe(true);
  });

  it('knows there is nothing older once seq 1 is loaded', () => {
    let s = reducer(
      undefined,
      messagesLoaded({
        conversationId: 7,
        items: [3, 4].map((n) => msg(n)),
        page: 'latest',
        limit: 2,
      }),
    );
    s = reducer(
      s,
      messagesLoaded({
        conversationId: 7,
        items: [1, 2].map((n) => msg(n)),
        page: 'older',
        limit: 2,
      }),
    );
    expect(s.byConversation['7'].items.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(s.byConversation['7'].hasOlder).toBe(false);
  });

  it('a short latest page means there is nothing older', () => {
    const s = reducer(
      undefined,
      messagesLoaded({ conversationId: 7, items: [msg(4)], page: 'latest', limit: 50 }),
    );
    expect(s.byConversation['7'].hasOlder).toBe(false);
  });

  it('mergeBySeq lets the newer copy of a message win (edits)', () => {
    const merged = mergeBySeq([msg(1), msg(2)], [msg(2, { body: 'edited' })]);
    expect(merged.map((m) => m.body)).toEqual(['m1', 'edited']);
  });

  it('forgets everything on sign-out', () => {
    const s = reducer(
      reducer(undefined, messageReceived({ message: msg(1), mine: false })),
      signedOut(),
    );
    expect(s.byConversation).toEqual({});
    expect(s.outbox).toEqual([]);
  });
});

describe('history kept on the device', () => {
  const range = (from: number, to: number, cid = 7) =>
    Array.from({ length: to - from + 1 }, (_, i) => msg(from + i, { conversation_id: cid }));

  it('shows cached messages until the server answers, then the server page', () => {
    let s = reducer(undefined, messagesCached({ '7': range(1, 3) }));
    expect(s.byConversation['7']).toMatchObject({ loaded: false });
    expect(s.byConversation['7'].items.map((m) => m.seq)).toEqual([1, 2, 3]);
    s = reducer(
      s,
      messagesLoaded({ conversationId: 7, items: range(1, 5), page: 'latest', limit: 50 }),
    );
    expect(s.byConversation['7'].items.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    // Once the server's history is in, a late cache read changes nothing.
    s = reducer(s, messagesCached({ '7': [msg(2, { body: 'stale copy' })] }));
    expect(s.byConversation['7'].items[1].body).toBe('m2');
  });

  it('drops cached messages that would leave a hole before the latest page', () => {
    let s = reducer(undefined, messagesCached({ '7': range(1, 3) }));
    s = reducer(
      s,
      messagesLoaded({ conversationId: 7, items: range(60, 109), page: 'latest', limit: 50 }),
    );
    expect(s.byConversation['7'].items[0].seq).toBe(60);
    expect(s.byConversation['7'].hasOlder).toBe(true);
  });

  it('keeps the newest 50 messages of the 30 most recently active conversations', () => {
    let s = reducer(undefined, { type: 'init' });
    for (let c = 1; c <= 35; c++) {
      s = reducer(
        s,
        messagesLoaded({
          conversationId: c,
          items: range(1, c === 1 ? 80 : 2, c).map((m) => ({
            ...m,
            created_at: new Date(Date.UTC(2026, 10, c, 12, 0, m.seq)).toISOString(),
          })),
          page: 'latest',
          limit: 100,
        }),
      );
    }
    const snap = snapshot(s);
    expect(Object.keys(snap)).toHaveLength(30);
    expect(snap['35']).toBeDefined();
    expect(snap['1']).toBeUndefined(); // the least recently active
  });

  it('caps one conversation at 50 messages', () => {
    const s = reducer(
      undefined,
      messagesLoaded({ conversationId: 7, items: range(1, 80), page: 'latest', limit: 100 }),
    );
    expect(snapshot(s)['7'].map((m) => m.seq)).toEqual(range(31, 80).map((m) => m.seq));
  });

  it('reads a missing or corrupt cache as empty', async () => {
    const storage = new MemoryStorage();
    expect(await readCache(storage, 'k')).toEqual({});
    await storage.setItem('k', '{not json');
    expect(await readCache(storage, 'k')).toEqual({});
  });
});

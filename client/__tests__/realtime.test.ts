import AsyncStorage from '@react-native-async-storage/async-storage';

import { setSession } from '../src/api/session';
import { createRealtime, resumePositions } from '../src/realtime';
import { signedIn } from '../src/state/auth';
import { conversationUpserted } from '../src/state/conversations';
import { makeStore } from '../src/state/store';
import { FakeSocket } from './helpers/fakeSocket';
import { conversation, me, message } from './helpers/fixtures';

jest.mock('../src/api/conversations', () => ({
  getConversation: jest.fn(() => new Promise(() => undefined)),
  listConversations: jest.fn(() => new Promise(() => undefined)),
  listMessages: jest.fn(() => new Promise(() => undefined)),
  markRead: jest.fn(() => Promise.resolve()),
}));
// A reconnect reads /users/me again: never answered here (no request leaves the test).
jest.mock('../src/api/auth', () => ({
  me: jest.fn(() => new Promise(() => undefined)),
}));
jest.mock('../src/api/people', () => ({
  listContacts: jest.fn(() => new Promise(() => undefined)),
  listFriendRequests: jest.fn(() => new Promise(() => undefined)),
  listNotifications: jest.fn(() => new Promise(() => undefined)),
}));

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

async function setup(stored: Record<string, string> = {}) {
  (global as unknown as { WebSocket: unknown }).WebSocket = FakeSocket;
  FakeSocket.reset();
  await AsyncStorage.clear();
  for (const [k, v] of Object.entries(stored)) await AsyncStorage.setItem(k, v);
  await setSession({
    accessToken: 'tok',
    refreshToken: 'r',
    expiresAt: Date.now() + 3_600_000,
    user: me,
  });
  const store = makeStore();
  store.dispatch(signedIn(me));
  store.dispatch(conversationUpserted(conversation({ last_seq: 4 })));
  const rt = createRealtime(store);
  await rt.start();
  return { store, rt };
}

/** Waits (real time: the cache is written a second after a change) for a stored value. */
async function waitForStored(key: string, value: string) {
  const deadline = Date.now() + 5000;
  while ((await AsyncStorage.getItem(key)) !== value) {
    if (Date.now() > deadline) throw new Error(`${key} never became ${value}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function ready(ws = FakeSocket.last()) {
  ws.open();
  ws.receive({ type: 'ready', user_id: 1, connection_id: 'x' });
  return ws;
}

describe('realtime pipeline', () => {
  afterEach(async () => {
    await setSession(null);
  });

  it('a message written offline is sent after reconnect, acked, and shown exactly once', async () => {
    const { store, rt } = await setup();
    const ws1 = ready();
    ws1.serverClose(1006); // the link drops
    await rt.send(7, 'written while offline');
    const pending = store.getState().messages.outbox;
    expect(pending).toHaveLength(1);
    expect(pending[0].state).toBe('pending');
    expect(ws1.sentOfType('send')).toHaveLength(0);

    // Back online: the socket reconnects, resumes, then flushes the outbox.
    await new Promise((r) => setTimeout(r, 600));
    const ws2 = ready(FakeSocket.last());
    expect(ws2).not.toBe(ws1);
    const sends = ws2.sentOfType('send');
    expect(sends).toEqual([
      {
        type: 'send',
        conversation_id: 7,
        client_id: pending[0].client_id,
        body: 'written while offline',
      },
    ]);
    expect(ws2.sent.map((f) => f.type)).toEqual(['auth', 'send']);

    const stored = message(5, {
      sender_id: 1,
      client_id: pending[0].client_id,
      body: 'written while offline',
    });
    // The server also replays it (e.g. it was committed before the drop) and acks it.
    ws2.receive({ type: 'message', message: stored });
    ws2.receive({ type: 'ack', client_id: pending[0].client_id, message: stored });
    await flush();
    expect(store.getState().messages.outbox).toEqual([]);
    expect(store.getState().messages.byConversation['7'].items.map((m) => m.body)).toEqual([
      'written while offline',
    ]);
    expect(await AsyncStorage.getItem('switchboard.outbox.v1.1')).toBeNull();
    rt.stop();
  });

  it('resumes from the conversation list and from loaded messages', async () => {
    const { store, rt } = await setup();
    const ws = ready();
    expect(ws.sentOfType('auth')).toEqual([{ type: 'auth', token: 'tok', resume: { '7': 4 } }]);
    ws.receive({ type: 'message', message: message(5) });
    expect(resumePositions(store.getState())).toEqual({ '7': { seq: 5, change: 0 } });
    rt.stop();
  });

  it('keeps the change position with the cached messages: a restart resumes changes from it', async () => {
    const { store, rt } = await setup();
    ready().receive({ type: 'message', message: message(5) });
    FakeSocket.last().receive({
      type: 'reaction',
      change: {
        conversation_id: 7,
        change_seq: 3,
        message_id: 1005,
        message_seq: 5,
        kind: 'reaction_added',
        actor_id: 2,
        emoji: '👍',
        at: '2026-11-25T12:01:00.000Z',
      },
    });
    expect(store.getState().messages.byConversation['7'].items[0].reactions).toHaveLength(1);
    await waitForStored('switchboard.changes.v1.1', '{"7":3}');
    const messages = await AsyncStorage.getItem('switchboard.messages.v1.1');
    rt.stop();
    await setSession(null);

    const again = await setup({
      'switchboard.messages.v1.1': messages!,
      'switchboard.changes.v1.1': '{"7":3}',
    });
    expect(ready().sentOfType('auth')).toEqual([
      { type: 'auth', token: 'tok', resume: { '7': { seq: 5, change: 3 } } },
    ]);
    again.rt.stop();
  });

  it('sends typing at most every few seconds and read positions forward only', async () => {
    const { store, rt } = await setup();
    const ws = ready();
    rt.typing(7);
    rt.typing(7);
    expect(ws.sentOfType('typing')).toHaveLength(1);
    rt.read(7, 4);
    rt.read(7, 3);
    expect(ws.sentOfType('read')).toEqual([{ type: 'read', conversation_id: 7, seq: 4 }]);
    expect(store.getState().conversations.byId['7'].unread_count).toBe(0);
    rt.stop();
  });

  it('says where we are: viewing, replying while typing, back to viewing, repeated, then left', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    try {
      const { rt } = await setup();
      const ws = ready();
      // Time passes with the server answering pings, so the link stays up.
      const tick = (ms: number) => {
        for (let t = 0; t < ms; t += 1_000) {
          jest.advanceTimersByTime(1_000);
          ws.sentOfType('ping').forEach((p) => ws.receive({ type: 'pong', nonce: p.nonce }));
        }
      };
      rt.here(7, 'viewing');
      rt.typing(7);
      expect(ws.sentOfType('here')).toEqual([
        { type: 'here', conversation_id: 7, activity: 'viewing' },
        { type: 'here', conversation_id: 7, activity: 'replying' },
      ]);
      // Eight quiet seconds: viewing again; then repeated every 20 s while we stay.
      tick(9_000);
      expect(ws.sentOfType('here').at(-1)).toMatchObject({ activity: 'viewing' });
      const before = ws.sentOfType('here').length;
      tick(21_000);
      expect(ws.sentOfType('here').length).toBe(before + 1);
      rt.here(7, 'left');
      expect(ws.sentOfType('here').at(-1)).toMatchObject({ activity: 'left' });
      tick(30_000);
      expect(ws.sentOfType('here').at(-1)).toMatchObject({ activity: 'left' });
      expect(FakeSocket.last()).toBe(ws);
      rt.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});

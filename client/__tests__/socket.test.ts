import type { ConnectionStatus } from '../src/state/connection';
import { backoffDelay, CLOSE, RealtimeSocket } from '../src/realtime/socket';
import { FakeSocket } from './helpers/fakeSocket';

function setup(overrides: Partial<ConstructorParameters<typeof RealtimeSocket>[0]> = {}) {
  const statuses: ConnectionStatus[] = [];
  const frames: unknown[] = [];
  let token: string | null = 'tok-1';
  let positions: Record<string, number> = { '7': 3 };
  const onReady = jest.fn();
  const reauthenticate = jest.fn(async () => {
    token = 'tok-2';
    return token;
  });
  const socket = new RealtimeSocket({
    url: () => 'ws://test/api/v1/ws',
    getToken: () => token,
    reauthenticate,
    getPositions: () => positions,
    onFrame: (f) => frames.push(f),
    onStatus: (s) => statuses.push(s),
    onReady,
    createWebSocket: (u) => new FakeSocket(u),
    random: () => 0.5,
    pingIntervalMs: 1000,
    pongTimeoutMs: 500,
    ...overrides,
  });
  return {
    socket,
    statuses,
    frames,
    onReady,
    reauthenticate,
    setToken: (t: string | null) => (token = t),
    setPositions: (p: Record<string, number>) => (positions = p),
  };
}

function connectReady() {
  const ws = FakeSocket.last();
  ws.open();
  ws.receive({ type: 'ready', user_id: 1, connection_id: 'c1' });
  return ws;
}

beforeEach(() => {
  jest.useFakeTimers();
  FakeSocket.reset();
});
afterEach(() => jest.useRealTimers());

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and keeps half of it random', () => {
    expect(backoffDelay(0, () => 0, 500, 30000)).toBe(250);
    expect(backoffDelay(0, () => 1, 500, 30000)).toBe(500);
    expect(backoffDelay(3, () => 0, 500, 30000)).toBe(2000);
    expect(backoffDelay(3, () => 1, 500, 30000)).toBe(4000);
    expect(backoffDelay(20, () => 1, 500, 30000)).toBe(30000);
    expect(backoffDelay(20, () => 0, 500, 30000)).toBe(15000);
  });

  it('gives different clients different delays (jitter)', () => {
    const a = backoffDelay(4, () => 0.1);
    const b = backoffDelay(4, () => 0.9);
    expect(a).not.toBe(b);
  });
});

describe('RealtimeSocket', () => {
  it('sends auth as the first frame, resuming from the last seq of each conversation', () => {
    const { socket, statuses, onReady } = setup();
    socket.start();
    const ws = FakeSocket.last();
    expect(ws.url).toBe('ws://test/api/v1/ws');
    ws.open();
    expect(ws.sent).toEqual([{ type: 'auth', token: 'tok-1', resume: { '7': 3 } }]);
    expect(socket.isReady).toBe(false);
    ws.receive({ type: 'ready', user_id: 1, connection_id: 'c1' });
    // No separate `resume` frame: the server replays before any live event.
    expect(ws.sent).toHaveLength(1);
    expect(socket.isReady).toBe(true);
    expect(onReady).toHaveBeenCalledTimes(1);
    expect(statuses[statuses.length - 1]).toBe('online');
  });

  it('leaves resume out of auth when there is nothing to resume', () => {
    const { socket, setPositions } = setup();
    setPositions({});
    socket.start();
    const ws = FakeSocket.last();
    ws.open();
    expect(ws.sent).toEqual([{ type: 'auth', token: 'tok-1' }]);
  });

  it('refuses to send application frames before ready', () => {
    const { socket } = setup();
    socket.start();
    const ws = FakeSocket.last();
    ws.open();
    expect(socket.send({ type: 'typing', conversation_id: 7 })).toBe(false);
    ws.receive({ type: 'ready', user_id: 1, connection_id: 'c1' });
    expect(socket.send({ type: 'typing', conversation_id: 7 })).toBe(true);
    expect(ws.sentOfType('typing')).toHaveLength(1);
  });

  it('reconnects with growing backoff and resumes from the newest positions', () => {
    const { socket, statuses, setPositions } = setup();
    socket.start();
    const first = connectReady();
    setPositions({ '7': 9, '8': 2 });
    first.serverClose(1006);
    // attempt 0 after a working connection: 250..500 ms (random 0.5 → 375)
    expect(FakeSocket.instances).toHaveLength(1);
    jest.advanceTimersByTime(374);
    expect(FakeSocket.instances).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(2);
    // The server is down: the next attempts wait longer each time.
    FakeSocket.last().serverClose(1006);
    jest.advanceTimersByTime(749);
    expect(FakeSocket.instances).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3);
    expect(statuses).toContain('unreachable');
    FakeSocket.last().serverClose(1006);
    jest.advanceTimersByTime(1499);
    expect(FakeSocket.instances).toHaveLength(3);
    jest.advanceTimersByTime(1);
    const ws = connectReady();
    expect(ws.sentOfType('auth')).toEqual([
      { type: 'auth', token: 'tok-1', resume: { '7': 9, '8': 2 } },
    ]);
    expect(statuses[statuses.length - 1]).toBe('online');
  });

  it('on 4401 refreshes the token and reconnects with the new one', async () => {
    const { socket, statuses, reauthenticate } = setup();
    socket.start();
    connectReady().serverClose(CLOSE.badToken);
    expect(statuses[statuses.length - 1]).toBe('reauthenticating');
    expect(reauthenticate).toHaveBeenCalledTimes(1);
    await Promise.resolve();
    await Promise.resolve();
    const ws = FakeSocket.last();
    expect(FakeSocket.instances).toHaveLength(2);
    ws.open();
    expect(ws.sent[0]).toEqual({ type: 'auth', token: 'tok-2', resume: { '7': 3 } });
  });

  it('stops when the session cannot be refreshed', async () => {
    const { socket, statuses } = setup({ reauthenticate: async () => null });
    socket.start();
    connectReady().serverClose(CLOSE.badToken);
    await Promise.resolve();
    await Promise.resolve();
    jest.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(statuses[statuses.length - 1]).toBe('idle');
  });

  it('sends pings and treats a missing pong as a dead link', () => {
    const { socket } = setup();
    socket.start();
    const ws = connectReady();
    jest.advanceTimersByTime(1000);
    const pings = ws.sentOfType('ping');
    expect(pings).toHaveLength(1);
    ws.receive({ type: 'pong', nonce: pings[0].nonce });
    jest.advanceTimersByTime(1000);
    expect(ws.sentOfType('ping')).toHaveLength(2);
    // No pong this time.
    jest.advanceTimersByTime(500);
    expect(ws.closedWith).toBe(1000);
    expect(socket.isReady).toBe(false);
    jest.advanceTimersByTime(500);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('goes offline at once when the device does, and reconnects when it is back', () => {
    const { socket, statuses } = setup();
    socket.start();
    const ws = connectReady();
    socket.setNetworkOnline(false);
    expect(ws.closedWith).toBe(1000);
    expect(statuses[statuses.length - 1]).toBe('offline');
    jest.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    socket.setNetworkOnline(true);
    expect(FakeSocket.instances).toHaveLength(2);
    connectReady();
    expect(statuses[statuses.length - 1]).toBe('online');
  });

  it('sends a refreshed token on the live connection', () => {
    const { socket } = setup();
    socket.start();
    const ws = connectReady();
    socket.tokenRefreshed('tok-9');
    expect(ws.sent[ws.sent.length - 1]).toEqual({ type: 'auth', token: 'tok-9' });
  });

  it('passes every other frame to the dispatcher and swallows pongs', () => {
    const { socket, frames } = setup();
    socket.start();
    const ws = connectReady();
    ws.receive({ type: 'pong', nonce: '1' });
    ws.receive({ type: 'presence', user_id: 3, online: true });
    expect(frames).toEqual([
      { type: 'ready', user_id: 1, connection_id: 'c1' },
      { type: 'presence', user_id: 3, online: true },
    ]);
  });

  it('does nothing after stop', () => {
    const { socket } = setup();
    socket.start();
    const ws = connectReady();
    socket.stop();
    expect(ws.closedWith).toBe(1000);
    jest.advanceTimersByTime(120_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });
});

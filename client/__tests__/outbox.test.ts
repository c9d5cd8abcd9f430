import type { ClientFrame } from '../src/api/types';
import type { OutboxItem } from '../src/state/messages';
import { isRetryable, Outbox } from '../src/realtime/outbox';
import { MemoryStorage } from './helpers/fakeSocket';

const KEY = 'switchboard.outbox.v1.1';

function make(storage: MemoryStorage, connected: { value: boolean }, now = { value: 0 }) {
  const sent: ClientFrame[] = [];
  const changes: OutboxItem[][] = [];
  const outbox = new Outbox({
    storage,
    key: KEY,
    send: (f) => {
      if (!connected.value) return false;
      sent.push(f);
      return true;
    },
    onChange: (items) => changes.push(items),
    now: () => now.value,
    ackTimeoutMs: 1000,
    maxAttempts: 3,
  });
  return { outbox, sent, changes };
}

const sendFrames = (frames: ClientFrame[]) =>
  frames.filter((f): f is Extract<ClientFrame, { type: 'send' }> => f.type === 'send');

describe('Outbox', () => {
  it('writes the message to storage before sending it, with a UUID client_id', async () => {
    const storage = new MemoryStorage();
    const order: string[] = [];
    const outbox = new Outbox({
      storage: {
        getItem: (k) => storage.getItem(k),
        setItem: async (k, v) => {
          order.push('stored');
          await storage.setItem(k, v);
        },
        removeItem: (k) => storage.removeItem(k),
      },
      key: KEY,
      send: () => {
        order.push('sent');
        return true;
      },
      onChange: () => undefined,
    });
    const item = await outbox.enqueue({ conversation_id: 7, body: 'hello' });
    expect(order).toEqual(['stored', 'sent']);
    expect(item.client_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(JSON.parse((await storage.getItem(KEY))!)[0].body).toBe('hello');
  });

  it('keeps a message pending while disconnected and sends it on flush with the same client_id', async () => {
    const storage = new MemoryStorage();
    const connected = { value: false };
    const { outbox, sent } = make(storage, connected);
    const item = await outbox.enqueue({ conversation_id: 7, body: 'offline hello' });
    expect(sent).toHaveLength(0);
    expect(outbox.list()[0].state).toBe('pending');
    connected.value = true;
    outbox.flush();
    expect(sendFrames(sent)).toEqual([
      { type: 'send', conversation_id: 7, client_id: item.client_id, body: 'offline hello' },
    ]);
  });

  it('survives a restart: a new Outbox on the same storage resends the same client_id', async () => {
    const storage = new MemoryStorage();
    const first = make(storage, { value: true });
    const item = await first.outbox.enqueue({ conversation_id: 7, body: 'before restart' });
    await first.outbox.persist();
    // The app is killed before the ack arrives.
    const second = make(storage, { value: true });
    await second.outbox.load();
    expect(second.outbox.list().map((i) => i.client_id)).toEqual([item.client_id]);
    second.outbox.flush();
    expect(sendFrames(second.sent).map((f) => f.client_id)).toEqual([item.client_id]);
  });

  it('removes the item on ack, from memory and storage', async () => {
    const storage = new MemoryStorage();
    const { outbox } = make(storage, { value: true });
    const item = await outbox.enqueue({ conversation_id: 7, body: 'x' });
    expect(outbox.ack(item.client_id)).toBe(true);
    await outbox.persist();
    expect(outbox.list()).toEqual([]);
    expect(await storage.getItem(KEY)).toBeNull();
    expect(outbox.ack(item.client_id)).toBe(false); // a second ack is harmless
  });

  it('resends an unacknowledged message after the timeout, then marks it failed', async () => {
    const now = { value: 0 };
    const { outbox, sent } = make(new MemoryStorage(), { value: true }, now);
    const item = await outbox.enqueue({ conversation_id: 7, body: 'x' });
    now.value = 999;
    outbox.tick();
    expect(sendFrames(sent)).toHaveLength(1);
    now.value = 1000;
    outbox.tick();
    now.value = 2000;
    outbox.tick();
    const frames = sendFrames(sent);
    expect(frames).toHaveLength(3);
    expect(new Set(frames.map((f) => f.client_id))).toEqual(new Set([item.client_id]));
    now.value = 3000;
    outbox.tick();
    expect(outbox.list()[0].state).toBe('failed');
    expect(isRetryable(outbox.list()[0])).toBe(true);
    expect(sendFrames(sent)).toHaveLength(3);
  });

  it('fails on a permanent error and sends again on retry, same client_id', async () => {
    const { outbox, sent } = make(new MemoryStorage(), { value: true });
    const item = await outbox.enqueue({ conversation_id: 7, body: 'x' });
    outbox.fail(item.client_id, 'forbidden', 'not a member');
    expect(outbox.list()[0]).toMatchObject({
      state: 'failed',
      error: 'forbidden',
      error_message: 'not a member',
    });
    expect(isRetryable(outbox.list()[0])).toBe(false);
    outbox.flush();
    expect(sendFrames(sent)).toHaveLength(1); // failed items are not flushed
    outbox.retry(item.client_id);
    expect(outbox.list()[0].state).toBe('pending');
    expect(outbox.list()[0].error_message).toBeUndefined();
    expect(sendFrames(sent).map((f) => f.client_id)).toEqual([item.client_id, item.client_id]);
  });

  it('keeps a transiently refused message pending', async () => {
    const { outbox } = make(new MemoryStorage(), { value: true });
    const item = await outbox.enqueue({ conversation_id: 7, body: 'x' });
    outbox.fail(item.client_id, 'rate_limited');
    expect(outbox.list()[0].state).toBe('pending');
  });

  it('sends notes and attachment ids', async () => {
    const { outbox, sent } = make(new MemoryStorage(), { value: true });
    await outbox.enqueue({
      conversation_id: 7,
      body: 'see file',
      kind: 'note',
      attachments: [
        {
          id: 42,
          name: 'a.png',
          content_type: 'image/png',
          created_at: '2026-11-25T12:00:00.000Z',
          size: 3,
          is_image: true,
          url: '/api/v1/files/42',
        },
      ],
    });
    expect(sendFrames(sent)[0]).toMatchObject({ kind: 'note', attachment_ids: [42] });
  });

  it('flushes in the order messages were written', async () => {
    const connected = { value: false };
    const { outbox, sent } = make(new MemoryStorage(), connected);
    await outbox.enqueue({ conversation_id: 7, body: 'one' });
    await outbox.enqueue({ conversation_id: 7, body: 'two' });
    await outbox.enqueue({ conversation_id: 8, body: 'three' });
    connected.value = true;
    outbox.flush();
    expect(sendFrames(sent).map((f) => f.body)).toEqual(['one', 'two', 'three']);
  });

  it('ignores a corrupt stored outbox', async () => {
    const storage = new MemoryStorage();
    await storage.setItem(KEY, '{not json');
    const { outbox } = make(storage, { value: true });
    await outbox.load();
    expect(outbox.list()).toEqual([]);
  });
});

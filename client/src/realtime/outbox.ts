import type { ClientFrame, FileInfo, Id } from '../api/types';
import type { OutboxItem } from '../state/messages';
import { uuidv4 } from '../lib/uuid';

export interface KeyValueStorage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

export interface OutboxOptions {
  storage: KeyValueStorage;
  /** Storage key; one outbox per signed-in user. */
  key: string;
  /** Puts a frame on the socket; false when not connected (the item stays pending). */
  send: (frame: ClientFrame) => boolean;
  onChange: (items: OutboxItem[]) => void;
  now?: () => number;
  /** Resend an unacknowledged item after this long on a live connection. */
  ackTimeoutMs?: number;
  /** After this many sends without an answer the item is marked failed (the user can retry). */
  maxAttempts?: number;
}

/** Error codes after which resending the same message cannot succeed. */
export const PERMANENT = new Set([
  'validation_failed',
  'forbidden',
  'not_found',
  'payload_too_large',
  'bad_request',
  'invalid_json',
  'unsupported_media_type',
]);

/**
 * Every message the user writes goes through here. It is written to storage before it is sent,
 * carries a client_id that never changes, and is resent with that client_id until the server
 * acks it (the server stores a repeated client_id only once), across reconnects and restarts.
 */
export class Outbox {
  private items: OutboxItem[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly o: Required<OutboxOptions>;

  constructor(options: OutboxOptions) {
    this.o = { now: Date.now, ackTimeoutMs: 10_000, maxAttempts: 8, ...options };
  }

  list(): OutboxItem[] {
    return this.items;
  }

  /** Loads what a previous run left behind. Items that were in flight become pending again. */
  async load(): Promise<void> {
    const raw = await this.o.storage.getItem(this.o.key);
    let stored: OutboxItem[] = [];
    if (raw) {
      try {
        stored = JSON.parse(raw) as OutboxItem[];
      } catch {
        stored = [];
      }
    }
    const known = new Set(this.items.map((i) => i.client_id));
    this.items = [
      ...stored.filter((i) => !known.has(i.client_id)).map((i) => ({ ...i, last_sent_at: null })),
      ...this.items,
    ];
    this.changed();
  }

  async enqueue(input: {
    conversation_id: Id;
    body: string;
    kind?: 'text' | 'note';
    attachments?: FileInfo[];
    replyTo?: Id;
  }): Promise<OutboxItem> {
    const item: OutboxItem = {
      client_id: uuidv4(),
      conversation_id: input.conversation_id,
      body: input.body,
      kind: input.kind ?? 'text',
      attachment_ids: (input.attachments ?? []).map((a) => a.id),
      attachments: input.attachments ?? [],
      ...(input.replyTo != null ? { reply_to: input.replyTo } : {}),
      created_at: new Date(this.o.now()).toISOString(),
      state: 'pending',
      attempts: 0,
      last_sent_at: null,
    };
    this.items = [...this.items, item];
    this.changed();
    await this.persist(); // on disk before it goes on the wire
    this.trySend(item.client_id);
    return this.find(item.client_id) ?? item;
  }

  /** Sends every pending item (after a (re)connect, in the order they were written). */
  flush(): void {
    for (const i of this.items) if (i.state === 'pending') this.trySend(i.client_id);
  }

  /** Resends pending items whose ack is overdue; call periodically. */
  tick(): void {
    const now = this.o.now();
    for (const i of this.items) {
      if (i.state !== 'pending' || i.last_sent_at == null) continue;
      if (now - i.last_sent_at < this.o.ackTimeoutMs) continue;
      if (i.attempts >= this.o.maxAttempts) {
        this.update(i.client_id, { state: 'failed', error: 'timeout' });
      } else {
        this.trySend(i.client_id);
      }
    }
  }

  /** The server stored it (an `ack`, or our own message seen in a replay). */
  ack(clientId: string): boolean {
    if (!this.find(clientId)) return false;
    this.items = this.items.filter((i) => i.client_id !== clientId);
    this.changed();
    void this.persist();
    return true;
  }

  /** An `error` frame answered this client_id. */
  fail(clientId: string, code: string, message?: string): void {
    const item = this.find(clientId);
    if (!item) return;
    if (PERMANENT.has(code)) {
      this.update(clientId, { state: 'failed', error: code, error_message: message });
    } else {
      // Transient (rate_limited, unavailable, internal): let the next tick resend it.
      this.update(clientId, { error: code });
    }
  }

  retry(clientId: string): void {
    const item = this.find(clientId);
    if (!item) return;
    this.update(clientId, {
      state: 'pending',
      attempts: 0,
      error: undefined,
      error_message: undefined,
      last_sent_at: null,
    });
    this.trySend(clientId);
  }

  discard(clientId: string): void {
    this.ack(clientId);
  }

  private trySend(clientId: string): void {
    const item = this.find(clientId);
    if (!item || item.state !== 'pending') return;
    const frame: ClientFrame = {
      type: 'send',
      conversation_id: item.conversation_id,
      client_id: item.client_id,
      body: item.body,
      ...(item.kind !== 'text' ? { kind: item.kind } : {}),
      ...(item.attachment_ids.length ? { attachment_ids: item.attachment_ids } : {}),
      ...(item.reply_to != null ? { reply_to: item.reply_to } : {}),
    };
    if (this.o.send(frame)) {
      this.update(clientId, { attempts: item.attempts + 1, last_sent_at: this.o.now() });
    }
  }

  private find(clientId: string): OutboxItem | undefined {
    return this.items.find((i) => i.client_id === clientId);
  }

  private update(clientId: string, patch: Partial<OutboxItem>): void {
    this.items = this.items.map((i) => (i.client_id === clientId ? { ...i, ...patch } : i));
    this.changed();
    void this.persist();
  }

  private changed(): void {
    this.o.onChange(this.items);
  }

  /** Writes are chained so an older snapshot never overwrites a newer one. */
  persist(): Promise<void> {
    const snapshot = JSON.stringify(this.items);
    this.writing = this.writing
      .catch(() => undefined)
      .then(() =>
        this.items.length === 0 && snapshot === '[]'
          ? this.o.storage.removeItem(this.o.key)
          : this.o.storage.setItem(this.o.key, snapshot),
      );
    return this.writing;
  }
}

/** Whether sending a failed item again can succeed (the server never answered), or not (it refused). */
export function isRetryable(item: Pick<OutboxItem, 'state' | 'error'>): boolean {
  return item.state === 'failed' && !PERMANENT.has(item.error ?? '');
}

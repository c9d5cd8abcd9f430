import type { Message } from '../api/types';
import type { MessagesState } from '../state/messages';
import type { KeyValueStorage } from './outbox';

/** How much history stays on the device, to show while offline. */
export const CACHE_CONVERSATIONS = 30;
export const CACHE_MESSAGES = 50;

export function messageCacheKey(userId: number): string {
  return `switchboard.messages.v1.${userId}`;
}

/**
 * The last change applied per conversation, kept beside the messages so a restart resumes the
 * changes from there rather than replaying them all. Written after the messages (see
 * `realtime/index.ts`): a position never runs ahead of the messages it was applied to.
 */
export function changeCacheKey(userId: number): string {
  return `switchboard.changes.v1.${userId}`;
}

export async function readChanges(
  storage: KeyValueStorage,
  key: string,
): Promise<Record<string, number>> {
  try {
    const raw = await storage.getItem(key);
    const parsed = raw ? (JSON.parse(raw) as unknown) : null;
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(
      Object.entries(parsed).filter(([, v]) => typeof v === 'number' && v >= 0),
    ) as Record<string, number>;
  } catch {
    return {};
  }
}

/** The newest messages of the most recently active conversations, ready to store. */
export function snapshot(state: MessagesState): Record<string, Message[]> {
  const entries = Object.entries(state.byConversation)
    .filter(([, e]) => e.items.length > 0)
    .map(([cid, e]) => [cid, e.items.slice(-CACHE_MESSAGES)] as const)
    .sort(
      ([, a], [, b]) =>
        Date.parse(b[b.length - 1].created_at) - Date.parse(a[a.length - 1].created_at),
    )
    .slice(0, CACHE_CONVERSATIONS);
  return Object.fromEntries(entries);
}

export async function readCache(
  storage: KeyValueStorage,
  key: string,
): Promise<Record<string, Message[]>> {
  try {
    const raw = await storage.getItem(key);
    const parsed = raw ? (JSON.parse(raw) as unknown) : null;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, Message[]>) : {};
  } catch {
    return {}; // a corrupt cache is no cache
  }
}

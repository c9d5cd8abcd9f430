/**
 * Web: subscribes the service worker (public/sw.js) to push with the server's VAPID key and
 * registers the subscription with the server. After sign-in this runs without asking (only when
 * the browser already allows notifications); `ask` requests the permission, which browsers only
 * grant from a click.
 */
import { getVapidKey, registerSubscription } from '../api/push';
import type { PushOutcome } from './pushOutcome';

export type { PushOutcome } from './pushOutcome';

/** What the browser offers, injectable for tests. */
export interface PushBrowser {
  permission(): NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  pushManager(): Promise<PushManager>;
}

function browser(): PushBrowser | null {
  if (
    typeof window === 'undefined' ||
    typeof navigator === 'undefined' ||
    !('serviceWorker' in navigator) ||
    !('PushManager' in window) ||
    typeof Notification === 'undefined'
  ) {
    return null;
  }
  return {
    permission: () => Notification.permission,
    requestPermission: () => Notification.requestPermission(),
    pushManager: async () => (await navigator.serviceWorker.ready).pushManager,
  };
}

/** base64url (as the server sends keys) to bytes. */
export function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a) return false;
  const x = new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}

export async function registerPush(
  options: { ask?: boolean } = {},
  env: PushBrowser | null = browser(),
): Promise<PushOutcome> {
  if (!env) return 'unsupported';
  let permission = env.permission();
  if (permission === 'default' && options.ask) permission = await env.requestPermission();
  if (permission === 'denied') return 'denied';
  if (permission !== 'granted') return 'not-asked';
  const key = base64UrlToBytes(await getVapidKey());
  const manager = await env.pushManager();
  let sub = await manager.getSubscription();
  // Made with another key (the server's was replaced): it can't receive our pushes any more.
  if (sub && !sameKey(sub.options.applicationServerKey, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  if (!sub) sub = await manager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const json = sub.toJSON();
  const p256dh = json.keys?.p256dh;
  const auth = json.keys?.auth;
  if (!json.endpoint || !p256dh || !auth) return 'unsupported';
  await registerSubscription({ kind: 'webpush', endpoint: json.endpoint, keys: { p256dh, auth } });
  return 'registered';
}

/** Whether this browser can receive Web Push. */
export const pushSupported = browser() !== null;

/** Web: the service worker shows every push (public/sw.js). */
export function showPushesInForeground(): void {}

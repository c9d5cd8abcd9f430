/**
 * Where a push leads when it is tapped: the ticket, else the chat, else the home page. The same
 * rule as `pushUrl` in the web service worker (public/sw.js, a plain script outside the bundle;
 * a test checks the two agree), so a tap opens the same screen on the web and on Android.
 */
export interface PushData {
  kind?: unknown;
  ticket_id?: unknown;
  conversation_id?: unknown;
}

/** The app's path (the web URL, and the deep link's path) for a push's data. */
export function pushPath(data: unknown): string {
  const p = data && typeof data === 'object' ? (data as PushData) : {};
  if (Number.isInteger(p.ticket_id)) return `/tickets/${p.ticket_id}`;
  if (Number.isInteger(p.conversation_id)) return `/chats/${p.conversation_id}`;
  return '/';
}

/** The app's scheme (app.json `scheme`, navigation/linking.ts `prefixes`). */
export const appScheme = 'switchboard://';

/** The deep link a tapped push opens on Android: `switchboard://tickets/4`. */
export function pushLink(data: unknown): string {
  return appScheme + pushPath(data).slice(1);
}

/* Switchboard service worker: makes the web app installable and lets it start offline, and shows
 * push notifications.
 * On install it caches the shell: index.html and the scripts it references (hashed names).
 * Pages are network-first with the cached shell as the fallback; hashed bundles and icons are
 * cache-first. The API and the WebSocket are never touched.
 * Pushes (the server sends them only while no tab of the user is connected) carry
 * {kind, title, body?, conversation_id, ticket_id, tag}, decrypted by the browser; a click opens
 * the ticket or chat in an open tab, or a new one. A `call` push (someone is calling; it lives
 * only as long as the call rings) stays on screen until clicked or dismissed and vibrates; its
 * click opens the conversation, where the call rings if it still does, or can be returned. */
const CACHE = 'switchboard-shell-v2';

async function cacheShell() {
  const cache = await caches.open(CACHE);
  const res = await fetch('/', { cache: 'no-store' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put('/', res);
  const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css|png|ico|json))"/g)].map(
    (m) => m[1],
  );
  await cache.addAll([...new Set(assets)]);
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().catch(() => undefined));
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;
  if (req.mode === 'navigate') {
    event.respondWith(
      fetch(req)
        .then((res) => {
          if (res.ok) {
            const copy = res.clone();
            caches.open(CACHE).then((c) => c.put('/', copy));
          }
          return res;
        })
        .catch(() => caches.match('/').then((r) => r || Response.error())),
    );
    return;
  }
  // Hashed names: bundles, icons, and the icon font under /assets/ (buttons and tabs offline).
  if (
    url.pathname.startsWith('/_expo/static/') ||
    url.pathname.startsWith('/icons/') ||
    url.pathname.startsWith('/assets/')
  ) {
    event.respondWith(
      caches.match(req).then(
        (hit) =>
          hit ||
          fetch(req).then((res) => {
            if (res.ok) {
              const copy = res.clone();
              caches.open(CACHE).then((c) => c.put(req, copy));
            }
            return res;
          }),
      ),
    );
  }
});

/** The app's URL for a push: the ticket, else the chat, else the home page. */
function pushUrl(p) {
  if (p && Number.isInteger(p.ticket_id)) return '/tickets/' + p.ticket_id;
  if (p && Number.isInteger(p.conversation_id)) return '/chats/' + p.conversation_id;
  return '/';
}

function pushPayload(data) {
  try {
    const p = data ? data.json() : null;
    return p && typeof p === 'object' ? p : {};
  } catch {
    return {};
  }
}

self.addEventListener('push', (event) => {
  const p = pushPayload(event.data);
  // A push must always show a notification (userVisibleOnly); without a readable payload, a
  // generic one.
  const call = p.kind === 'call';
  const options = {
    body: typeof p.body === 'string' ? p.body : call ? 'Incoming call' : undefined,
    tag: typeof p.tag === 'string' ? p.tag : undefined,
    renotify: typeof p.tag === 'string',
    icon: '/icons/icon-192.png',
    data: { url: pushUrl(p) },
  };
  if (call) {
    // A ring: it waits for the user rather than fading after a few seconds.
    options.requireInteraction = true;
    options.vibrate = [300, 200, 300, 200, 300];
  }
  const title = typeof p.title === 'string' && p.title ? p.title : 'Switchboard';
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = (event.notification.data && event.notification.data.url) || '/';
  const target = new URL(path, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const mine = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (!mine) return self.clients.openWindow(target);
      // Focus first, while the click still counts as the user's gesture.
      return mine.focus().then((w) => (w || mine).navigate(target));
    }),
  );
});

/**
 * Registers the service worker that makes the web build installable and able to start offline.
 * Done from the bundle, not an inline script: the server's Content-Security-Policy forbids those.
 */
export function registerServiceWorker(): void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator) || __DEV__) return;
  navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}

/** Native: nothing to register (the web build installs a service worker). */
export function registerServiceWorker(): void {}

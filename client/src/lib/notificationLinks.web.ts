/** Web: the service worker opens a tapped push's page itself (public/sw.js, notificationclick). */
export const notificationLinking = {};

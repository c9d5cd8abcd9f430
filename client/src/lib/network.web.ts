/** Web: the browser knows when it goes offline; tell the socket at once instead of waiting. */
export function subscribeNetwork(listener: (online: boolean) => void): () => void {
  if (typeof window === 'undefined') return () => {};
  const on = () => listener(true);
  const off = () => listener(false);
  window.addEventListener('online', on);
  window.addEventListener('offline', off);
  if (typeof navigator !== 'undefined' && navigator.onLine === false) listener(false);
  return () => {
    window.removeEventListener('online', on);
    window.removeEventListener('offline', off);
  };
}

export function isNetworkOnline(): boolean {
  return typeof navigator === 'undefined' ? true : navigator.onLine !== false;
}

/**
 * Native: React Native has no network events without an extra module; the socket's own
 * failures and heartbeats tell us when the link is down, so this reports nothing.
 */
export function subscribeNetwork(_listener: (online: boolean) => void): () => void {
  return () => {};
}

export function isNetworkOnline(): boolean {
  return true;
}

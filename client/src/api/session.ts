import AsyncStorage from '@react-native-async-storage/async-storage';

import type { AuthResponse, User } from './types';

/** The signed-in session: tokens plus the user, persisted so it survives a reload. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
  user: User;
}

export const SESSION_KEY = 'switchboard.session.v1';

let current: Session | null = null;
type Listener = (s: Session | null) => void;
const listeners = new Set<Listener>();

export function sessionFromAuth(res: AuthResponse, now = Date.now()): Session {
  return {
    accessToken: res.access_token,
    refreshToken: res.refresh_token,
    expiresAt: now + res.expires_in * 1000,
    user: res.user,
  };
}

export function getSession(): Session | null {
  return current;
}

export function onSessionChange(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export async function setSession(s: Session | null): Promise<void> {
  current = s;
  listeners.forEach((l) => l(s));
  if (s) await AsyncStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else await AsyncStorage.removeItem(SESSION_KEY);
}

/** Reads what is stored without changing the in-memory session. */
export async function readStoredSession(): Promise<Session | null> {
  const raw = await AsyncStorage.getItem(SESSION_KEY);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Session;
    if (typeof s.accessToken === 'string' && typeof s.refreshToken === 'string' && s.user) return s;
  } catch {
    // corrupt entry: treat as signed out
  }
  return null;
}

export async function loadSession(): Promise<Session | null> {
  current = await readStoredSession();
  return current;
}

export function updateSessionUser(user: User): void {
  if (!current) return;
  void setSession({ ...current, user });
}

import AsyncStorage from '@react-native-async-storage/async-storage';

import * as adminApi from '../api/admin';
import * as authApi from '../api/auth';
import {
  cancelProactiveRefresh,
  refreshSession,
  REFRESH_MARGIN_MS,
  scheduleProactiveRefresh,
  setSessionExpiredHandler,
} from '../api/client';
import { getSession, loadSession, sessionFromAuth, setSession } from '../api/session';
import type { AuthResponse } from '../api/types';
import { changeCacheKey, messageCacheKey } from '../realtime/messageCache';
import { signedIn, signedOut, userUpdated } from './auth';
import type { AppDispatch } from './store';

/** Restores the stored session at start-up so a reload keeps the user signed in. */
export async function bootstrapSession(dispatch: AppDispatch): Promise<void> {
  setSessionExpiredHandler(() => {
    void setSession(null);
    dispatch(signedOut({ expired: true }));
  });
  const s = await loadSession();
  if (!s) {
    dispatch(signedOut());
    return;
  }
  if (s.expiresAt - Date.now() < REFRESH_MARGIN_MS) {
    const next = await refreshSession().catch(() => getSession()); // offline: keep what we have
    if (!next) return; // refused: the expired handler signed us out
  }
  dispatch(signedIn(getSession()!.user));
  scheduleProactiveRefresh();
  authApi
    .me()
    .then((u) => {
      dispatch(userUpdated(u));
      const cur = getSession();
      if (cur) void setSession({ ...cur, user: u });
    })
    .catch(() => undefined);
}

async function start(dispatch: AppDispatch, res: AuthResponse) {
  await setSession(sessionFromAuth(res));
  scheduleProactiveRefresh();
  dispatch(signedIn(res.user));
}

export async function signIn(dispatch: AppDispatch, email: string, password: string) {
  await start(dispatch, await authApi.login(email, password));
}

export async function register(
  dispatch: AppDispatch,
  email: string,
  displayName: string,
  password: string,
) {
  await start(dispatch, await authApi.register(email, displayName, password));
}

/** Chooses a password with an admin's invite, then signs in. */
export async function acceptInvite(dispatch: AppDispatch, token: string, password: string) {
  await start(dispatch, await adminApi.acceptInvite(token, password));
}

export async function signOut(dispatch: AppDispatch) {
  const s = getSession();
  cancelProactiveRefresh();
  if (s) await authApi.logout(s.refreshToken).catch(() => undefined);
  // Messages kept for offline reading leave the device with the user (a shared computer).
  if (s) {
    await AsyncStorage.multiRemove([messageCacheKey(s.user.id), changeCacheKey(s.user.id)]).catch(
      () => undefined,
    );
  }
  await setSession(null);
  dispatch(signedOut());
}

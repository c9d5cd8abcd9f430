import AsyncStorage from '@react-native-async-storage/async-storage';
import type { AxiosAdapter } from 'axios';
import axios, { AxiosError } from 'axios';

import { api, cancelProactiveRefresh } from '../src/api/client';
import { SESSION_KEY, setSession } from '../src/api/session';
import { changeCacheKey, messageCacheKey } from '../src/realtime/messageCache';
import { bootstrapSession, signOut } from '../src/state/session';
import { makeStore } from '../src/state/store';
import { me } from './helpers/fixtures';

function serve(handler: (url: string) => { status: number; data?: unknown }) {
  const urls: string[] = [];
  const adapter: AxiosAdapter = async (config) => {
    const url = (config.url ?? '').replace(/^.*\/api\/v1/, '');
    urls.push(url);
    const { status, data } = handler(url);
    const response = { data, status, statusText: '', headers: {}, config, request: {} };
    if (status >= 400) throw new AxiosError('fail', 'ERR', config, {}, response);
    return response;
  };
  api.defaults.adapter = adapter;
  axios.defaults.adapter = adapter;
  return urls;
}

afterEach(async () => {
  cancelProactiveRefresh();
  await setSession(null);
});

describe('session bootstrap', () => {
  it('a stored, valid session signs the user in after a reload', async () => {
    await AsyncStorage.setItem(
      SESSION_KEY,
      JSON.stringify({
        accessToken: 'a',
        refreshToken: 'r',
        expiresAt: Date.now() + 600_000,
        user: me,
      }),
    );
    serve(() => ({ status: 200, data: { ...me, display_name: 'Fresh Name' } }));
    const store = makeStore();
    await bootstrapSession(store.dispatch);
    expect(store.getState().auth.status).toBe('signedIn');
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getState().auth.user?.display_name).toBe('Fresh Name');
  });

  it('an expired session whose refresh is refused goes to sign-in, saying why', async () => {
    await AsyncStorage.setItem(
      SESSION_KEY,
      JSON.stringify({
        accessToken: 'a',
        refreshToken: 'r',
        expiresAt: Date.now() - 1000,
        user: me,
      }),
    );
    const urls = serve(() => ({
      status: 401,
      data: { error: { code: 'unauthorized', message: 'x' } },
    }));
    const store = makeStore();
    await bootstrapSession(store.dispatch);
    expect(urls).toEqual(['/auth/refresh']);
    expect(store.getState().auth).toMatchObject({ status: 'signedOut', reason: 'expired' });
    await new Promise((r) => setTimeout(r, 0));
    expect(await AsyncStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it('nothing stored: signed out', async () => {
    await AsyncStorage.clear();
    const store = makeStore();
    await bootstrapSession(store.dispatch);
    expect(store.getState().auth).toMatchObject({ status: 'signedOut', reason: null });
  });

  it('sign-out revokes the refresh token and forgets the session', async () => {
    await AsyncStorage.setItem(
      SESSION_KEY,
      JSON.stringify({
        accessToken: 'a',
        refreshToken: 'r',
        expiresAt: Date.now() + 600_000,
        user: me,
      }),
    );
    const urls = serve((u) => (u === '/users/me' ? { status: 200, data: me } : { status: 204 }));
    await AsyncStorage.setItem(messageCacheKey(me.id), '{"7":[]}');
    await AsyncStorage.setItem(changeCacheKey(me.id), '{"7":4}');
    const store = makeStore();
    await bootstrapSession(store.dispatch);
    await signOut(store.dispatch);
    expect(urls).toContain('/auth/logout');
    expect(store.getState().auth.status).toBe('signedOut');
    expect(await AsyncStorage.getItem(SESSION_KEY)).toBeNull();
    // Messages kept for offline reading leave with the user.
    expect(await AsyncStorage.getItem(messageCacheKey(me.id))).toBeNull();
    expect(await AsyncStorage.getItem(changeCacheKey(me.id))).toBeNull();
  });
});

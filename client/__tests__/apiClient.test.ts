import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import axios, { AxiosError } from 'axios';

import {
  api,
  cancelProactiveRefresh,
  scheduleProactiveRefresh,
  setSessionExpiredHandler,
} from '../src/api/client';
import { getSession, setSession } from '../src/api/session';
import { me } from './helpers/fixtures';

type Call = { url: string; auth?: string; data?: unknown };

/** Plays the server: a handler per request, recording what was asked. */
function serve(handler: (c: Call) => { status: number; data?: unknown }) {
  const calls: Call[] = [];
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    const call: Call = {
      url:
        (config.baseURL && !config.url?.startsWith('http') ? config.baseURL : '') +
        (config.url ?? ''),
      auth: config.headers?.Authorization as string | undefined,
      data: config.data ? JSON.parse(config.data as string) : undefined,
    };
    calls.push(call);
    const { status, data } = handler(call);
    const response = { data, status, statusText: '', headers: {}, config, request: {} };
    if (status >= 400) {
      throw new AxiosError('fail', 'ERR_BAD_REQUEST', config, {}, response);
    }
    return response;
  };
  api.defaults.adapter = adapter;
  axios.defaults.adapter = adapter;
  return calls;
}

const authResponse = (n: number) => ({
  user: me,
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  token_type: 'bearer',
  expires_in: 900,
});

beforeEach(async () => {
  await setSession({
    accessToken: 'access-0',
    refreshToken: 'refresh-0',
    expiresAt: Date.now() + 900_000,
    user: me,
  });
});

describe('api client', () => {
  it('sends the bearer token', async () => {
    const calls = serve(() => ({ status: 200, data: me }));
    await api.get('/users/me');
    expect(calls[0].auth).toBe('Bearer access-0');
    expect(calls[0].url).toMatch(/\/api\/v1\/users\/me$/);
  });

  it('on 401 refreshes once, then retries the request with the new token', async () => {
    const calls = serve((c) => {
      if (c.url.endsWith('/auth/refresh')) return { status: 200, data: authResponse(1) };
      return c.auth === 'Bearer access-1'
        ? { status: 200, data: { ok: true } }
        : { status: 401, data: { error: { code: 'unauthorized', message: 'expired' } } };
    });
    const res = await api.get('/tickets');
    expect(res.data).toEqual({ ok: true });
    expect(calls.map((c) => c.url.replace(/^.*\/api\/v1/, ''))).toEqual([
      '/tickets',
      '/auth/refresh',
      '/tickets',
    ]);
    expect(calls[1].data).toEqual({ refresh_token: 'refresh-0' });
    expect(getSession()?.refreshToken).toBe('refresh-1');
  });

  it('shares one refresh between concurrent 401s (refresh tokens are single-use)', async () => {
    const calls = serve((c) => {
      if (c.url.endsWith('/auth/refresh')) return { status: 200, data: authResponse(2) };
      return c.auth === 'Bearer access-2' ? { status: 200, data: 1 } : { status: 401 };
    });
    await Promise.all([api.get('/a'), api.get('/b'), api.get('/c')]);
    expect(calls.filter((c) => c.url.endsWith('/auth/refresh'))).toHaveLength(1);
  });

  it('signs out when the refresh is refused, and does not loop', async () => {
    const expired = jest.fn();
    setSessionExpiredHandler(expired);
    const calls = serve(() => ({
      status: 401,
      data: { error: { code: 'unauthorized', message: 'no' } },
    }));
    await expect(api.get('/tickets')).rejects.toBeTruthy();
    expect(calls.map((c) => c.url.replace(/^.*\/api\/v1/, ''))).toEqual([
      '/tickets',
      '/auth/refresh',
    ]);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('does not try to refresh after a failed sign-in', async () => {
    const calls = serve(() => ({
      status: 401,
      data: { error: { code: 'invalid_credentials', message: 'no' } },
    }));
    await expect(api.post('/auth/login', { email: 'x', password: 'y' })).rejects.toBeTruthy();
    expect(calls).toHaveLength(1);
  });

  it('refreshes proactively a minute before the access token expires', async () => {
    jest.useFakeTimers();
    try {
      const now = Date.now();
      await setSession({
        accessToken: 'access-0',
        refreshToken: 'refresh-0',
        expiresAt: now + 300_000,
        user: me,
      });
      const calls = serve(() => ({ status: 200, data: authResponse(3) }));
      scheduleProactiveRefresh(now);
      jest.advanceTimersByTime(239_000);
      expect(calls).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1_000);
      for (let i = 0; i < 10 && calls.length === 0; i++) await jest.advanceTimersByTimeAsync(0);
      expect(calls.map((c) => c.url.replace(/^.*\/api\/v1/, ''))).toEqual(['/auth/refresh']);
    } finally {
      cancelProactiveRefresh();
      jest.useRealTimers();
    }
  });
});

import axios, { AxiosError, type AxiosRequestConfig } from 'axios';

import { apiBaseUrl } from '../config';
import { t } from '../i18n';
import {
  getSession,
  readStoredSession,
  sessionFromAuth,
  setSession,
  type Session,
} from './session';
import type { ApiErrorBody, AuthResponse } from './types';

// eslint-disable-next-line import/no-named-as-default-member
export const api = axios.create({ timeout: 20000 });

// Resolved per request so the base URL can depend on window.location at run time.
api.interceptors.request.use((config) => {
  config.baseURL = apiBaseUrl() + '/api/v1';
  const s = getSession();
  if (s && !config.headers.Authorization) config.headers.Authorization = `Bearer ${s.accessToken}`;
  return config;
});

let onExpired: () => void = () => {};
/** Called once the session can no longer be refreshed (the app signs the user out). */
export function setSessionExpiredHandler(fn: () => void): void {
  onExpired = fn;
}

let inFlight: Promise<Session | null> | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

/** Refresh margin: renew the access token this long before it expires. */
export const REFRESH_MARGIN_MS = 60_000;

/**
 * Exchanges the refresh token for a new pair. Single-flight: refresh tokens are spent on use, so
 * concurrent callers share one request. Returns null (and clears the session) when refused.
 */
export function refreshSession(): Promise<Session | null> {
  if (inFlight) return inFlight;
  inFlight = (async () => {
    const mine = getSession();
    if (!mine) return null;
    // Another tab may have refreshed already (they share storage on the web): use its tokens.
    const stored = await readStoredSession();
    if (stored && stored.refreshToken !== mine.refreshToken && stored.expiresAt > Date.now()) {
      await setSession(stored);
      scheduleProactiveRefresh();
      return stored;
    }
    try {
      const res = await axios.post<AuthResponse>(
        apiBaseUrl() + '/api/v1/auth/refresh',
        { refresh_token: mine.refreshToken },
        { timeout: 20000 },
      );
      const next = sessionFromAuth(res.data);
      await setSession(next);
      scheduleProactiveRefresh();
      return next;
    } catch (e) {
      const status = (e as AxiosError).response?.status;
      if (status === 401 || status === 400 || status === 403) {
        cancelProactiveRefresh();
        onExpired();
        return null;
      }
      // Network trouble: keep the session, a later attempt may work.
      throw e;
    }
  })().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

export function scheduleProactiveRefresh(now = Date.now()): void {
  cancelProactiveRefresh();
  const s = getSession();
  if (!s) return;
  const delay = Math.max(5_000, s.expiresAt - now - REFRESH_MARGIN_MS);
  timer = setTimeout(() => {
    timer = null;
    refreshSession().catch(() => {
      // offline: retry in a while
      timer = setTimeout(() => scheduleProactiveRefresh(), 15_000);
    });
  }, delay);
}

export function cancelProactiveRefresh(): void {
  if (timer) clearTimeout(timer);
  timer = null;
}

type RetriableConfig = AxiosRequestConfig & { _retried?: boolean };

api.interceptors.response.use(undefined, async (error: AxiosError) => {
  const config = error.config as RetriableConfig | undefined;
  const isAuthRoute = config?.url?.startsWith('/auth/');
  if (
    error.response?.status === 401 &&
    config &&
    !config._retried &&
    !isAuthRoute &&
    getSession()
  ) {
    config._retried = true;
    const next = await refreshSession().catch(() => null);
    if (!next) throw error;
    config.headers = { ...(config.headers ?? {}), Authorization: `Bearer ${next.accessToken}` };
    return api.request(config);
  }
  throw error;
});

export interface ApiFailure {
  status: number | null;
  code: string;
  message: string;
  fields?: Record<string, string>;
  body?: ApiErrorBody['error'];
  /** Seconds to wait before trying again (429 `Retry-After`). */
  retryAfter?: number;
}

/** The words a person sees for a failed request (network trouble and rate limits translated). */
export function failureText(f: ApiFailure): string {
  if (f.code === 'network') return t('common.networkError');
  if (f.code === 'rate_limited') {
    return f.retryAfter != null
      ? t('common.rateLimitedFor', { seconds: Math.max(1, Math.ceil(f.retryAfter)) })
      : t('common.rateLimited');
  }
  return f.message;
}

/** Normalises any thrown value into the protocol's error shape. An `ApiFailure` (what RTK Query's
 * `unwrap()` throws) passes through as it is, so one form helper can take either kind. */
export function toApiFailure(e: unknown): ApiFailure {
  if (isApiFailure(e)) return e;
  const ax = e as AxiosError<ApiErrorBody>;
  if (ax && ax.isAxiosError) {
    const body = ax.response?.data?.error;
    if (body) {
      const retryAfter = Number(ax.response?.headers?.['retry-after']);
      return {
        status: ax.response?.status ?? null,
        code: body.code,
        message: body.message,
        fields: body.fields ?? undefined,
        body,
        ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfter } : {}),
      };
    }
    if (!ax.response) return { status: null, code: 'network', message: ax.message };
    return { status: ax.response.status, code: 'http_' + ax.response.status, message: ax.message };
  }
  return { status: null, code: 'unknown', message: String(e) };
}

function isApiFailure(e: unknown): e is ApiFailure {
  if (typeof e !== 'object' || e === null || 'isAxiosError' in e) return false;
  const f = e as Partial<ApiFailure>;
  return 'status' in f && typeof f.code === 'string' && typeof f.message === 'string';
}

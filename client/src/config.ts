import { Platform } from 'react-native';

/**
 * Where the server is. On the web the app is served by the server itself, so the API is
 * same-origin unless EXPO_PUBLIC_API_URL says otherwise. On Android the URL is inlined at
 * build time from EXPO_PUBLIC_API_URL (10.0.2.2 reaches the host from the emulator).
 */
export function apiBaseUrl(): string {
  const fromEnv = process.env.EXPO_PUBLIC_API_URL;
  if (fromEnv) return fromEnv.replace(/\/+$/, '');
  if (Platform.OS === 'web') {
    return typeof window !== 'undefined' && window.location ? window.location.origin : '';
  }
  return 'http://10.0.2.2:8080';
}

export function wsUrl(): string {
  const base = apiBaseUrl();
  return base.replace(/^http/, 'ws') + '/api/v1/ws';
}

/** Makes a server path such as `/api/v1/files/3` absolute (needed on native). */
export function absoluteUrl(path: string): string {
  if (/^https?:\/\//.test(path)) return path;
  return apiBaseUrl() + path;
}

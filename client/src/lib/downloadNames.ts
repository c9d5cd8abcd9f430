/** Pure parts of Android's downloads (lib/download.ts): file names, types, failures. */
import type { ApiFailure } from '../api/client';
import { t } from '../i18n';

/** A name safe to create in the cache: no path, no control characters, not hidden, not empty. */
export function fileNameFor(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f:*?"<>|]/g, '_').replace(/^[.\s]+/, '');
  return clean.trim().slice(0, 120) || 'download';
}

const types: Record<string, string> = {
  zip: 'application/zip',
  html: 'text/html',
  json: 'application/json',
  pdf: 'application/pdf',
  txt: 'text/plain',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
};

/** The MIME type the share sheet is told, from the name's extension. */
export function mimeTypeFor(name: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return (ext && types[ext]) || 'application/octet-stream';
}

/**
 * What a failed download says, as the API client's failures do. expo-file-system rejects with
 * "Unable to download a file: response has status: 403" for an HTTP error; anything else is
 * taken for the network.
 */
export function downloadFailure(e: unknown): ApiFailure {
  const text = e instanceof Error ? e.message : String(e);
  const status = Number(/status:?\s*(\d{3})\b/.exec(text)?.[1]);
  if (Number.isInteger(status) && status >= 400) {
    return {
      status,
      code: `http_${status}`,
      message: t(status === 401 || status === 403 ? 'download.forbidden' : 'download.failed', {
        status,
      }),
    };
  }
  return { status: null, code: 'network', message: t('common.networkError') };
}

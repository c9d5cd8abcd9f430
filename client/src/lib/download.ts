/**
 * Android: a download is fetched into the app's cache with the bearer token (expo-file-system,
 * natively, so a large archive never passes through JavaScript) and offered with the share sheet
 * (expo-sharing): save it to Files or Drive, mail it, open it in a browser. The share sheet needs
 * a device to try.
 */
import { Directory, File, Paths } from 'expo-file-system';
import * as Sharing from 'expo-sharing';

import { refreshSession, type ApiFailure } from '../api/client';
import { getSession } from '../api/session';
import type { FileInfo } from '../api/types';
import { absoluteUrl, apiBaseUrl } from '../config';
import { t } from '../i18n';
import { downloadFailure, fileNameFor, mimeTypeFor } from './downloadNames';

/** Whether this platform can save a download (the export buttons show only where it can). */
export const canDownload = true;

/** Fetches `url` to the cache as `name`; our server's URLs get the bearer token. */
async function fetchToCache(url: string, name: string): Promise<File> {
  const dir = new Directory(Paths.cache, 'downloads');
  dir.create({ intermediates: true, idempotent: true });
  const target = new File(dir, fileNameFor(name));
  const ours = url.startsWith(apiBaseUrl() + '/');
  const attempt = () => {
    const token = getSession()?.accessToken;
    return File.downloadFileAsync(url, target, {
      headers: ours && token ? { Authorization: `Bearer ${token}` } : {},
      idempotent: true,
    });
  };
  try {
    return await attempt();
  } catch (e) {
    const failure: ApiFailure = downloadFailure(e);
    // An access token that expired meanwhile: refresh once, as the API client does.
    if (failure.status !== 401 || !ours || !(await refreshSession().catch(() => null))) {
      throw failure;
    }
    return attempt().catch((again: unknown) => {
      throw downloadFailure(again);
    });
  }
}

async function share(file: File, name: string, mimeType: string): Promise<void> {
  if (!(await Sharing.isAvailableAsync())) {
    throw { status: null, code: 'unsupported', message: t('download.noShare') } as ApiFailure;
  }
  await Sharing.shareAsync(file.uri, { mimeType, dialogTitle: name });
}

/** An attachment (`File.url`), offered with the share sheet. */
export async function downloadFile(file: FileInfo): Promise<void> {
  const saved = await fetchToCache(absoluteUrl(file.url), file.name);
  await share(saved, file.name, file.content_type || mimeTypeFor(file.name));
}

/** An API path (e.g. `/me/export`) fetched with the bearer token and offered as `name`. */
export async function downloadPath(path: string, name: string): Promise<void> {
  const saved = await fetchToCache(`${apiBaseUrl()}/api/v1${path}`, name);
  await share(saved, name, mimeTypeFor(name));
}

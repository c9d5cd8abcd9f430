import { api } from '../api/client';
import type { FileInfo } from '../api/types';

/** Web: fetch with the bearer token, then hand the bytes to the browser as a download. */
export async function downloadFile(file: FileInfo): Promise<void> {
  const res = await api.get<Blob>(file.url.replace(/^\/api\/v1/, ''), { responseType: 'blob' });
  const url = URL.createObjectURL(res.data);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const canDownload = true;

/** Web: an API path (e.g. `/me/export`) fetched with the bearer token and saved as `name`. */
export async function downloadPath(path: string, name: string): Promise<void> {
  const res = await api.get<Blob>(path, { responseType: 'blob' });
  const url = URL.createObjectURL(res.data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

import type { FileInfo } from '../api/types';

/** Native: downloads need a file-system module; attachments show their name and size only. */
export async function downloadFile(_file: FileInfo): Promise<void> {}

/** Whether this platform can save a download (the export buttons show only where it can). */
export const canDownload = false;

/** Native: see `downloadFile`. */
export async function downloadPath(_path: string, _name: string): Promise<void> {}

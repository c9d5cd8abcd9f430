import type { FileInfo } from '../api/types';

/** Native: downloads need a file-system module; attachments show their name and size only. */
export async function downloadFile(_file: FileInfo): Promise<void> {}

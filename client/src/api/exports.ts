import type { Id } from './types';

/** Where your own data is exported (a zip archive). */
export const myExportPath = '/me/export';

/** Where an admin exports a ticket's transcript. */
export function ticketExportPath(id: Id, format: 'html' | 'json') {
  return `/admin/tickets/${id}/export?format=${format}`;
}

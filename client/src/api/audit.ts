import { api } from './client';
import type { AuditFilters, AuditPage } from './types';

/** One page of the audit log, newest first (admins only; others get a 403). */
export async function listAudit(filters: AuditFilters, cursor?: number | null) {
  const params: Record<string, string | number> = { limit: 50 };
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== null && String(value).trim() !== '') {
      params[key] = String(value).trim();
    }
  }
  if (cursor != null) params.cursor = cursor;
  return (await api.get<AuditPage>('/admin/audit', { params })).data;
}

import * as auditApi from '../../api/audit';
import type { AuditFilters, AuditPage } from '../../api/types';
import { api, call } from './api';

/**
 * The audit log (admins only), one cached query per page: the filters and the page's cursor
 * (none for the newest). Entries never change, so a page read once stays right.
 */
export const auditApiSlice = api.injectEndpoints({
  endpoints: (b) => ({
    getAuditPage: b.query<AuditPage, { filters: AuditFilters; cursor: number | null }>({
      queryFn: ({ filters, cursor }) => call(() => auditApi.listAudit(filters, cursor)),
    }),
  }),
});

export const { useGetAuditPageQuery } = auditApiSlice;

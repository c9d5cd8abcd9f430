import * as searchApi from '../../api/search';
import type { SearchParams } from '../../api/search';
import type { SearchPage } from '../../api/types';
import { api, call } from './api';

/**
 * Full-text search: one page per (query, filters, cursor). Never tagged: results are a snapshot
 * of the moment they were asked for, and a new query (or pulling again) asks again.
 */
export const searchApiSlice = api.injectEndpoints({
  endpoints: (b) => ({
    search: b.query<SearchPage, SearchParams>({
      queryFn: (params) => call(() => searchApi.search(params)),
    }),
  }),
});

export const { useSearchQuery, useLazySearchQuery } = searchApiSlice;

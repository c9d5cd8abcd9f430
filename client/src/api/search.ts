import { api } from './client';
import type { SearchPage } from './types';

/** `GET /search`'s query parameters (see the server's `SearchQuery`). */
export interface SearchParams {
  q: string;
  conversation?: number;
  ticket_status?: string;
  from?: number;
  after?: string;
  before?: string;
  cursor?: string;
  limit?: number;
}

/** Messages and ticket subjects the signed-in user may see that contain every word of `q`. */
export async function search(params: SearchParams) {
  return (await api.get<SearchPage>('/search', { params })).data;
}

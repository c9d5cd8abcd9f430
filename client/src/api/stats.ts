import { api } from './client';
import type { Id, StatsReport } from './types';

/** `from`/`to`: whole UTC days, `YYYY-MM-DD`, at most 366 of them. */
export interface StatsQuery {
  from: string;
  to: string;
  team?: Id;
  agent?: Id;
}

export async function getStats(query: StatsQuery) {
  const params: Record<string, string> = { from: query.from, to: query.to };
  if (query.team !== undefined) params.team = String(query.team);
  if (query.agent !== undefined) params.agent = String(query.agent);
  return (await api.get<StatsReport>('/admin/stats', { params })).data;
}

import * as statsApi from '../../api/stats';
import type { StatsQuery } from '../../api/stats';
import type { StatsReport } from '../../api/types';
import { api, call } from './api';

/** The admin dashboard's figures: one report per filter combination, cached by RTK Query. */
export const statsApiSlice = api.injectEndpoints({
  endpoints: (b) => ({
    getStats: b.query<StatsReport, StatsQuery>({
      queryFn: (q) => call(() => statsApi.getStats(q)),
    }),
  }),
});

export const { useGetStatsQuery } = statsApiSlice;

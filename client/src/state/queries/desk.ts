import * as deskApi from '../../api/desk';
import type { Id, SlaSettings, TeamRouting } from '../../api/types';
import { api, call } from './api';

/** The admin's desk settings: SLA targets and each team's routing, reloaded after a change. */
export const deskApiSlice = api.injectEndpoints({
  endpoints: (b) => ({
    getSla: b.query<SlaSettings, void>({
      queryFn: () => call(() => deskApi.getSla()),
      providesTags: ['SlaSettings'],
    }),
    putSla: b.mutation<SlaSettings, SlaSettings>({
      queryFn: (body) => call(() => deskApi.putSla(body)),
      invalidatesTags: ['SlaSettings'],
    }),
    getRouting: b.query<TeamRouting, Id>({
      queryFn: (teamId) => call(() => deskApi.getRouting(teamId)),
      providesTags: (_r, _e, teamId) => [{ type: 'TeamRouting', id: teamId }],
    }),
    putRouting: b.mutation<TeamRouting, { teamId: Id; routing: TeamRouting }>({
      queryFn: ({ teamId, routing }) => call(() => deskApi.putRouting(teamId, routing)),
      // Naming an intake team takes the flag from the others: every team's routing reloads.
      invalidatesTags: (_r, _e, { teamId, routing }) =>
        routing.intake ? ['TeamRouting'] : [{ type: 'TeamRouting', id: teamId }],
    }),
  }),
});

export const { useGetSlaQuery, usePutSlaMutation, useGetRoutingQuery, usePutRoutingMutation } =
  deskApiSlice;

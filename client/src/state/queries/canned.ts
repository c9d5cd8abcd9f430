import * as cannedApi from '../../api/canned';
import type { CannedResponse, CannedResponseChanges, Id, NewCannedResponse } from '../../api/types';
import { api, call } from './api';

/**
 * Canned responses (staff only): the list, kept by the cache and loaded again after every change
 * made here, and the render the composer inserts (a one-off POST, never cached).
 */
export const cannedApiSlice = api.injectEndpoints({
  endpoints: (b) => ({
    getCannedResponses: b.query<CannedResponse[], void>({
      queryFn: () => call(() => cannedApi.listCannedResponses()),
      providesTags: ['CannedResponses'],
    }),
    createCannedResponse: b.mutation<CannedResponse, NewCannedResponse>({
      queryFn: (body) => call(() => cannedApi.createCannedResponse(body)),
      invalidatesTags: ['CannedResponses'],
    }),
    updateCannedResponse: b.mutation<CannedResponse, { id: Id; changes: CannedResponseChanges }>({
      queryFn: ({ id, changes }) => call(() => cannedApi.updateCannedResponse(id, changes)),
      invalidatesTags: ['CannedResponses'],
    }),
    deleteCannedResponse: b.mutation<null, Id>({
      queryFn: (id) => call(async () => (await cannedApi.deleteCannedResponse(id), null)),
      invalidatesTags: ['CannedResponses'],
    }),
    renderCannedResponse: b.mutation<string, { id: Id; conversationId: Id }>({
      queryFn: ({ id, conversationId }) =>
        call(() => cannedApi.renderCannedResponse(id, conversationId)),
    }),
  }),
});

export const {
  useGetCannedResponsesQuery,
  useCreateCannedResponseMutation,
  useUpdateCannedResponseMutation,
  useDeleteCannedResponseMutation,
  useRenderCannedResponseMutation,
} = cannedApiSlice;

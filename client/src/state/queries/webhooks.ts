import * as webhooksApi from '../../api/webhooks';
import type {
  CreatedWebhook,
  Id,
  NewWebhook,
  Webhook,
  WebhookChanges,
  WebhookDelivery,
} from '../../api/types';
import { api, call } from './api';

/** Webhooks (admin only): the endpoints, and each one's recent deliveries. */
export const webhooksApiSlice = api.injectEndpoints({
  endpoints: (b) => ({
    getWebhooks: b.query<Webhook[], void>({
      queryFn: () => call(() => webhooksApi.listWebhooks()),
      providesTags: ['Webhooks'],
    }),
    createWebhook: b.mutation<CreatedWebhook, NewWebhook>({
      queryFn: (body) => call(() => webhooksApi.createWebhook(body)),
      invalidatesTags: ['Webhooks'],
    }),
    updateWebhook: b.mutation<Webhook, { id: Id; changes: WebhookChanges }>({
      queryFn: ({ id, changes }) => call(() => webhooksApi.updateWebhook(id, changes)),
      invalidatesTags: ['Webhooks'],
    }),
    deleteWebhook: b.mutation<null, Id>({
      queryFn: (id) => call(async () => (await webhooksApi.deleteWebhook(id), null)),
      invalidatesTags: ['Webhooks'],
    }),
    getDeliveries: b.query<WebhookDelivery[], Id>({
      queryFn: (id) => call(() => webhooksApi.listDeliveries(id)),
      providesTags: ['WebhookDeliveries'],
    }),
    replayDelivery: b.mutation<WebhookDelivery, { id: Id; deliveryId: Id }>({
      queryFn: ({ id, deliveryId }) => call(() => webhooksApi.replayDelivery(id, deliveryId)),
      invalidatesTags: ['WebhookDeliveries'],
    }),
    sendTestEvent: b.mutation<WebhookDelivery, Id>({
      queryFn: (id) => call(() => webhooksApi.sendTestEvent(id)),
      invalidatesTags: ['WebhookDeliveries'],
    }),
  }),
});

export const {
  useGetWebhooksQuery,
  useCreateWebhookMutation,
  useUpdateWebhookMutation,
  useDeleteWebhookMutation,
  useGetDeliveriesQuery,
  useReplayDeliveryMutation,
  useSendTestEventMutation,
} = webhooksApiSlice;

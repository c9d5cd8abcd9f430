import { api } from './client';
import type {
  CreatedWebhook,
  Id,
  NewWebhook,
  Webhook,
  WebhookChanges,
  WebhookDelivery,
} from './types';

/** Admin only (every other role gets a 403 from the server). */
export async function listWebhooks() {
  return (await api.get<{ items: Webhook[] }>('/admin/webhooks')).data.items;
}

/** The answer carries the endpoint's signing secret: the only time it is shown. */
export async function createWebhook(body: NewWebhook) {
  return (await api.post<CreatedWebhook>('/admin/webhooks', body)).data;
}

export async function updateWebhook(id: Id, changes: WebhookChanges) {
  return (await api.patch<Webhook>(`/admin/webhooks/${id}`, changes)).data;
}

export async function deleteWebhook(id: Id) {
  await api.delete(`/admin/webhooks/${id}`);
}

/** The endpoint's recent deliveries, newest first. */
export async function listDeliveries(id: Id) {
  return (await api.get<{ items: WebhookDelivery[] }>(`/admin/webhooks/${id}/deliveries?limit=20`))
    .data.items;
}

export async function replayDelivery(id: Id, deliveryId: Id) {
  return (
    await api.post<WebhookDelivery>(`/admin/webhooks/${id}/deliveries/${deliveryId}/replay`, {})
  ).data;
}

export async function sendTestEvent(id: Id) {
  return (await api.post<WebhookDelivery>(`/admin/webhooks/${id}/test`, {})).data;
}

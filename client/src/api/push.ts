import { api } from './client';
import type { Id, NewPushSubscription, PushPreferences, PushSubscriptionInfo } from './types';

/** The server's VAPID public key (base64url): the `applicationServerKey` to subscribe with. */
export async function getVapidKey() {
  return (await api.get<{ public_key: string }>('/push/vapid-public-key')).data.public_key;
}

/** Idempotent: the same endpoint or token again updates the existing subscription. */
export async function registerSubscription(body: NewPushSubscription) {
  return (await api.post<PushSubscriptionInfo>('/push/subscriptions', body)).data;
}

export async function listSubscriptions() {
  return (await api.get<{ items: PushSubscriptionInfo[] }>('/push/subscriptions')).data.items;
}

export async function deleteSubscription(id: Id) {
  await api.delete(`/push/subscriptions/${id}`);
}

export async function getPushPreferences() {
  return (await api.get<PushPreferences>('/push/preferences')).data;
}

export async function setPushPreferences(prefs: PushPreferences) {
  return (await api.put<PushPreferences>('/push/preferences', prefs)).data;
}

/** The conversations the caller muted for push (mentions and assignments still come). */
export async function listMutes() {
  return (await api.get<{ conversation_ids: Id[] }>('/push/mutes')).data.conversation_ids;
}

export async function setMuted(conversationId: Id, muted: boolean) {
  if (muted) await api.put(`/push/mutes/${conversationId}`);
  else await api.delete(`/push/mutes/${conversationId}`);
}

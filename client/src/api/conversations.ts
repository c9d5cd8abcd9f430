import { api } from './client';
import type { components } from './schema';
import type { Conversation, Id, UnreadSummary } from './types';

type Schemas = components['schemas'];

export async function listConversations() {
  return (await api.get<Schemas['ConversationList']>('/conversations')).data.items;
}

/** Unread counts of every conversation that counts for the badges, and their total. */
export async function getUnread() {
  return (await api.get<UnreadSummary>('/conversations/unread')).data;
}

export async function getConversation(id: Id) {
  return (await api.get<Conversation>(`/conversations/${id}`)).data;
}

export async function openDirect(userId: Id) {
  return (await api.post<Conversation>('/conversations/direct', { user_id: userId })).data;
}

export async function listMessages(
  id: Id,
  opts: { after_seq?: number; before_seq?: number; limit?: number },
) {
  return (await api.get<Schemas['MessagePage']>(`/conversations/${id}/messages`, { params: opts }))
    .data.items;
}

export async function postMessage(id: Id, body: Schemas['SendMessageRequest']) {
  return (await api.post<Schemas['MessageView']>(`/conversations/${id}/messages`, body)).data;
}

export async function markRead(id: Id, seq: number) {
  await api.post(`/conversations/${id}/read`, { seq });
}

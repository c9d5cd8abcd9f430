import { api } from './client';
import type { components } from './schema';
import type { Conversation, Id, Message, MessageVersionList, UnreadSummary } from './types';

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

/** Edits your own message (within 15 minutes; admins any time). */
export async function editMessage(id: Id, body: string) {
  return (await api.patch<Message>(`/messages/${id}`, { body })).data;
}

/** Deletes a message: the answer is its tombstone. */
export async function deleteMessage(id: Id) {
  return (await api.delete<Message>(`/messages/${id}`)).data;
}

/** Adds (`add`) or takes back your reaction; the emoji goes percent-encoded in the path. */
export async function setReaction(id: Id, emoji: string, add: boolean) {
  const path = `/messages/${id}/reactions/${encodeURIComponent(emoji)}`;
  return (add ? await api.put<Message>(path) : await api.delete<Message>(path)).data;
}

/** Staff: the texts an edited message has had, oldest first. */
export async function listMessageVersions(id: Id) {
  return (await api.get<MessageVersionList>(`/messages/${id}/versions`)).data.items;
}

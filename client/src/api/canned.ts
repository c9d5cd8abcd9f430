import { api } from './client';
import type {
  CannedResponse,
  CannedResponseChanges,
  CannedResponseList,
  Id,
  NewCannedResponse,
  RenderedCannedResponse,
} from './types';

/** Your own responses and the desk's shared ones (staff only; a customer gets a 403). */
export async function listCannedResponses() {
  return (await api.get<CannedResponseList>('/canned-responses')).data.items;
}

export async function createCannedResponse(body: NewCannedResponse) {
  return (await api.post<CannedResponse>('/canned-responses', body)).data;
}

export async function updateCannedResponse(id: Id, changes: CannedResponseChanges) {
  return (await api.patch<CannedResponse>(`/canned-responses/${id}`, changes)).data;
}

export async function deleteCannedResponse(id: Id) {
  await api.delete(`/canned-responses/${id}`);
}

/** The body with its placeholders filled for `conversationId`: what the composer inserts. */
export async function renderCannedResponse(id: Id, conversationId: Id) {
  return (
    await api.post<RenderedCannedResponse>(`/canned-responses/${id}/render`, {
      conversation_id: conversationId,
    })
  ).data.body;
}

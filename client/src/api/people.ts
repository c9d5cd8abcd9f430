import { api } from './client';
import type {
  ContactList,
  FriendRequest,
  FriendRequestList,
  Id,
  NotificationList,
  UserPage,
} from './types';

export async function searchUsers(q: string, cursor?: number) {
  return (
    await api.get<UserPage>('/users', {
      params: { q, ...(cursor != null ? { cursor } : {}) },
    })
  ).data;
}

export async function listFriendRequests() {
  return (await api.get<FriendRequestList>('/friend-requests')).data;
}

export async function sendFriendRequest(toUserId: Id) {
  return (await api.post<FriendRequest>('/friend-requests', { to_user_id: toUserId })).data;
}

export async function acceptFriendRequest(id: Id) {
  return (await api.post<FriendRequest>(`/friend-requests/${id}/accept`)).data;
}

export async function declineFriendRequest(id: Id) {
  return (await api.post<FriendRequest>(`/friend-requests/${id}/decline`)).data;
}

export async function cancelFriendRequest(id: Id) {
  await api.delete(`/friend-requests/${id}`);
}

export async function listContacts() {
  return (await api.get<ContactList>('/contacts')).data.items;
}

export async function removeContact(userId: Id) {
  await api.delete(`/contacts/${userId}`);
}

export async function listNotifications() {
  return (await api.get<NotificationList>('/notifications')).data;
}

export async function readNotification(id: Id) {
  await api.post(`/notifications/${id}/read`);
}

export async function readAllNotifications() {
  await api.post('/notifications/read-all');
}

import { api } from './client';
import type { components } from './schema';
import type { AuthResponse, Id, Role, Team, User, UserPage } from './types';

type Schemas = components['schemas'];
/** A created account and the invite to hand its owner (shown once, never stored). */
export type InvitedUser = Schemas['InvitedUser'];
export type NewUser = Schemas['AdminCreateUser'];

export async function listUsers(q: string, cursor?: number) {
  return (
    await api.get<UserPage>('/admin/users', {
      params: { ...(q ? { q } : {}), ...(cursor != null ? { cursor } : {}), limit: 50 },
    })
  ).data;
}

export async function updateUser(id: Id, patch: { role?: Role; disabled?: boolean }) {
  return (await api.patch<User>(`/admin/users/${id}`, patch)).data;
}

export async function createUser(user: NewUser) {
  return (await api.post<InvitedUser>('/admin/users', user)).data;
}

export async function reinviteUser(id: Id) {
  return (await api.post<InvitedUser>(`/admin/users/${id}/invite`)).data;
}

export async function acceptInvite(token: string, password: string) {
  return (await api.post<AuthResponse>('/auth/accept-invite', { token, password })).data;
}

export async function createTeam(name: string) {
  return (await api.post<Team>('/teams', { name })).data;
}

export async function renameTeam(id: Id, name: string) {
  return (await api.patch<Team>(`/teams/${id}`, { name })).data;
}

export async function deleteTeam(id: Id) {
  await api.delete(`/teams/${id}`);
}

export async function addTeamMember(teamId: Id, userId: Id) {
  return (await api.post<Team>(`/teams/${teamId}/members`, { user_id: userId })).data;
}

export async function removeTeamMember(teamId: Id, userId: Id) {
  await api.delete(`/teams/${teamId}/members/${userId}`);
}

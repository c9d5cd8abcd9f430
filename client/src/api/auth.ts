import { api } from './client';
import type { AuthResponse, User } from './types';

export async function register(email: string, displayName: string, password: string) {
  const res = await api.post<AuthResponse>('/auth/register', {
    email,
    display_name: displayName,
    password,
  });
  return res.data;
}

export async function login(email: string, password: string) {
  const res = await api.post<AuthResponse>('/auth/login', { email, password });
  return res.data;
}

export async function logout(refreshToken: string) {
  await api.post('/auth/logout', { refresh_token: refreshToken });
}

export async function me() {
  return (await api.get<User>('/users/me')).data;
}

export async function updateMe(patch: {
  display_name?: string;
  password?: string;
  current_password?: string;
}) {
  return (await api.patch<User>('/users/me', patch)).data;
}

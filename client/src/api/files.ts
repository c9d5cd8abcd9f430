import { api } from './client';
import type { FileInfo, User } from './types';
import { toFormData, type Upload } from './upload';

export async function uploadFile(file: Upload) {
  const res = await api.post<FileInfo>('/files', toFormData(file), {
    headers: { 'Content-Type': 'multipart/form-data' },
    timeout: 120000,
  });
  return res.data;
}

export async function uploadAvatar(file: Upload) {
  const res = await api.put<User>('/users/me/avatar', toFormData(file), {
    headers: { 'Content-Type': 'multipart/form-data' },
    timeout: 60000,
  });
  return res.data;
}

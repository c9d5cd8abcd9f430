import { api } from './client';
import type { IceServers } from './types';

/** STUN/TURN servers for a call, TURN with credentials made for us now. */
export async function getIceServers() {
  return (await api.get<IceServers>('/calls/ice-servers')).data;
}

import { api } from './client';
import type { Id, SlaSettings, TeamRouting } from './types';

/** The desk's SLA targets and auto-close delay (admin only). */
export async function getSla() {
  return (await api.get<SlaSettings>('/admin/sla')).data;
}

/** Replaces them; new targets apply to tickets opened afterwards. */
export async function putSla(body: SlaSettings) {
  return (await api.put<SlaSettings>('/admin/sla', body)).data;
}

/** A team's routing (`manual` when never set). */
export async function getRouting(teamId: Id) {
  return (await api.get<TeamRouting>(`/admin/teams/${teamId}/routing`)).data;
}

export async function putRouting(teamId: Id, body: TeamRouting) {
  return (await api.put<TeamRouting>(`/admin/teams/${teamId}/routing`, body)).data;
}

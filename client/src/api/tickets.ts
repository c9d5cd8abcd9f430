import { api } from './client';
import type { components } from './schema';
import type { Id, Priority, Team, Ticket, TicketPage, TicketPatch, TicketStatus } from './types';

export type { TicketPatch } from './types';

/** `sla`: the next due time first (see the server's `sort=sla`). */
export type TicketSort = 'updated' | 'created' | 'priority' | 'sla';
export const SORTS: TicketSort[] = ['updated', 'created', 'priority', 'sla'];

export interface TicketQuery {
  status?: TicketStatus;
  priority?: Priority;
  assignee?: 'me' | 'none' | number;
  team?: Id;
  requester?: Id | 'me';
  q?: string;
  sort?: TicketSort;
  cursor?: string;
  limit?: number;
}

export async function listTickets(query: TicketQuery) {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== '') params[k] = String(v);
  }
  return (await api.get<TicketPage>('/tickets', { params })).data;
}

export async function createTicket(subject: string, body: string, priority: Priority) {
  return (await api.post<Ticket>('/tickets', { subject, body, priority })).data;
}

export async function getTicket(id: Id) {
  return (await api.get<Ticket>(`/tickets/${id}`)).data;
}

export async function patchTicket(id: Id, version: number, patch: TicketPatch) {
  return (await api.patch<Ticket>(`/tickets/${id}`, { version, ...patch })).data;
}

export async function ticketEvents(id: Id) {
  return (await api.get<components['schemas']['TicketEventList']>(`/tickets/${id}/events`)).data
    .items;
}

export async function listTeams(): Promise<Team[]> {
  return (await api.get<components['schemas']['TeamList']>('/teams')).data.items;
}

/** Rates a closed ticket (its requester, once): the ticket with its rating. */
export async function rateTicket(id: Id, score: number, comment: string) {
  const body = comment.trim() ? { score, comment } : { score };
  return (await api.post<Ticket>(`/tickets/${id}/csat`, body)).data;
}

import type { Conversation, Message, Sla, Ticket, User } from '../../src/api/types';

/** The due times staff see on the fixture ticket (customers' copies carry none). */
export const staffSla: Sla = {
  first_response_due: '2026-11-25T16:00:00.000Z',
  resolution_due: '2026-11-26T12:00:00.000Z',
  first_response_breached: false,
  resolution_breached: false,
};

export const me: User = {
  id: 1,
  email: 'me@example.com',
  display_name: 'Me Myself',
  role: 'customer',
  disabled: false,
  avatar_url: '/api/v1/users/1/avatar',
  created_at: '2026-11-25T10:00:00.000Z',
};

export const agent: User = {
  ...me,
  id: 2,
  email: 'agent@example.com',
  display_name: 'Ana Agent',
  role: 'agent',
};

export function message(seq: number, extra: Partial<Message> = {}): Message {
  return {
    id: 1000 + seq,
    conversation_id: 7,
    seq,
    sender_id: 2,
    kind: 'text',
    body: `message ${seq}`,
    client_id: '',
    attachments: [],
    created_at: new Date(Date.UTC(2026, 10, 25, 12, 0, seq)).toISOString(),
    ...extra,
  };
}

export function conversation(extra: Partial<Conversation> = {}): Conversation {
  return {
    id: 7,
    kind: 'direct',
    title: 'Ana Agent',
    members: [
      { user_id: 1, display_name: 'Me Myself', role: 'customer', avatar_url: '', last_read_seq: 0 },
      { user_id: 2, display_name: 'Ana Agent', role: 'agent', avatar_url: '', last_read_seq: 0 },
    ],
    last_message: null,
    last_seq: 0,
    last_read_seq: 0,
    unread_count: 0,
    ...extra,
  };
}

export function ticket(extra: Partial<Ticket> = {}): Ticket {
  return {
    id: 11,
    number: 1001,
    subject: 'Printer on fire',
    status: 'open',
    priority: 'high',
    requester: { id: 1, display_name: 'Me Myself', role: 'customer', avatar_url: '' },
    assignee: null,
    team: null,
    tags: [],
    conversation_id: 70,
    version: 1,
    created_at: '2026-11-25T12:00:00.000Z',
    updated_at: '2026-11-25T12:00:00.000Z',
    closed_at: null,
    first_response_at: null,
    sla: staffSla,
    ...extra,
  };
}

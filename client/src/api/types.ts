// JSON shapes from docs/protocol.md. Keep in sync with the server's /openapi.json.

export type Id = number;
export type Role = 'customer' | 'agent' | 'admin';

export interface User {
  id: Id;
  email?: string;
  display_name: string;
  role: Role;
  disabled: boolean;
  avatar_url: string;
  created_at: string;
}

export interface UserSummary {
  id: Id;
  display_name: string;
  role: Role;
  avatar_url: string;
}

export interface AuthResponse {
  user: User;
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface FileInfo {
  id: Id;
  name: string;
  content_type: string;
  size: number;
  is_image: boolean;
  url: string;
  thumbnail_url?: string | null;
}

export type MessageKind = 'text' | 'note' | 'system';

export interface Message {
  id: Id;
  conversation_id: Id;
  seq: number;
  sender_id: Id | null;
  kind: MessageKind;
  body: string;
  client_id: string | null;
  attachments: FileInfo[];
  created_at: string;
  edited_at?: string | null;
}

export interface Member {
  user_id: Id;
  display_name: string;
  role: Role;
  avatar_url: string;
  last_read_seq: number;
}

export interface Conversation {
  id: Id;
  kind: 'ticket' | 'direct';
  ticket_id?: Id | null;
  title: string;
  members: Member[];
  last_message?: Message | null;
  last_seq: number;
  last_read_seq: number;
  unread_count: number;
}

export interface Team {
  id: Id;
  name: string;
  members: UserSummary[];
}

/** `pending`: waiting on the customer (the resolution clock is paused). */
export type TicketStatus = 'open' | 'in_progress' | 'pending' | 'closed';
export type Priority = 'low' | 'medium' | 'high' | 'urgent';
export const STATUSES: TicketStatus[] = ['open', 'in_progress', 'pending', 'closed'];
export const PRIORITIES: Priority[] = ['low', 'medium', 'high', 'urgent'];

export interface Sla {
  first_response_due: string | null;
  resolution_due: string | null;
  first_response_breached: boolean;
  resolution_breached: boolean;
  /** Set while the ticket is pending: the resolution clock stopped then. */
  resolution_paused_since?: string | null;
}

export interface Ticket {
  id: Id;
  number: number;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  requester: UserSummary;
  assignee?: UserSummary | null;
  team?: { id: Id; name: string } | null;
  tags: string[];
  conversation_id: Id;
  version: number;
  created_at: string;
  updated_at: string;
  closed_at?: string | null;
  first_response_at?: string | null;
  /** The desk's internal due times: staff only, absent for customers. */
  sla?: Sla;
  /** Not in the contract's Ticket shape; used when the server sends it (see NOTES.md). */
  unread_count?: number;
}

export interface TicketEvent {
  id: Id;
  ticket_id: Id;
  actor: UserSummary;
  field: string;
  old_value?: string | null;
  new_value?: string | null;
  created_at: string;
}

export interface Notification {
  id: Id;
  kind: string;
  title: string;
  body: string;
  ticket_id?: Id | null;
  conversation_id?: Id | null;
  read: boolean;
  created_at: string;
}

export type FriendRequestStatus = 'pending' | 'accepted' | 'declined' | 'cancelled';

export interface FriendRequest {
  id: Id;
  from: UserSummary;
  to: UserSummary;
  status: FriendRequestStatus;
  created_at: string;
}

export interface Contact {
  user: UserSummary;
  online: boolean;
  since: string;
}

export interface TicketCounts {
  open: number;
  in_progress: number;
  pending: number;
  closed: number;
}

export interface TicketPage {
  items: Ticket[];
  next_cursor?: string | null;
  counts: TicketCounts;
}

export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    fields?: Record<string, string>;
    current?: Ticket;
  };
}

// ---- WebSocket frames ----

export type ClientFrame =
  | { type: 'auth'; token: string; resume?: Record<string, number> }
  | {
      type: 'send';
      conversation_id: Id;
      client_id: string;
      body: string;
      kind?: 'text' | 'note';
      attachment_ids?: Id[];
    }
  | { type: 'typing'; conversation_id: Id }
  | { type: 'here'; conversation_id: Id; activity: HereActivity }
  | { type: 'read'; conversation_id: Id; seq: number }
  | { type: 'ping'; nonce: string };

/** A staff member on a ticket's conversation: looking at it, writing in it, or gone. */
export type HereActivity = 'viewing' | 'replying' | 'left';

export type ServerFrame =
  | { type: 'ready'; user_id: Id; connection_id: string | number }
  | { type: 'ack'; client_id: string; message: Message }
  | { type: 'message'; message: Message }
  | { type: 'resumed'; conversation_id: Id; last_seq: number }
  | { type: 'typing'; conversation_id: Id; user_id: Id }
  | { type: 'read'; conversation_id: Id; user_id: Id; seq: number }
  | { type: 'presence'; user_id: Id; online: boolean }
  | {
      type: 'here';
      conversation_id: Id;
      user_id: Id;
      display_name: string;
      activity: HereActivity;
    }
  | { type: 'pong'; nonce: string }
  | { type: 'error'; code: string; message: string; client_id?: string | null }
  | { type: 'ticket'; ticket: Ticket }
  | { type: 'notification'; notification: Notification }
  | { type: 'friend_request'; request: FriendRequest }
  | { type: 'contact'; contact: Contact }
  | { type: 'account_updated'; role: Role; team_ids: Id[] };

// The API's shapes, from the server's OpenAPI document (docs/openapi.json → schema.ts, generated
// by `npm run api:generate`, checked by `npm run api:check`). Only what the document does not
// describe precisely is written here by hand.
import type { components } from './schema';

type Schemas = components['schemas'];

export type Id = number;
export type Role = Schemas['Role'];

export type User = Schemas['UserView'];
export type UserSummary = Schemas['UserSummary'];
export type AuthResponse = Schemas['AuthResponse'];
export type FileInfo = Schemas['FileView'];
export type MessageKind = Schemas['MessageKind'];
export type Message = Schemas['MessageView'];
export type Member = Schemas['MemberView'];
export type Reaction = Schemas['ReactionView'];
/** An edit, deletion or reaction of a stored message (`message_updated`, `message_deleted`, `reaction`). */
export type MessageChange = Schemas['ChangeView'];
export type MessageVersion = Schemas['VersionView'];
export type MessageVersionList = Schemas['VersionList'];
export type Conversation = Schemas['ConversationView'];
export type UnreadItem = Schemas['UnreadView'];
export type UnreadSummary = Schemas['UnreadSummary'];
export type Team = Schemas['TeamView'];

/** `pending`: waiting on the customer (the resolution clock is paused). */
export type TicketStatus = Schemas['Status'];
export type Priority = Schemas['Priority'];
export const STATUSES: TicketStatus[] = ['open', 'in_progress', 'pending', 'closed'];
export const PRIORITIES: Priority[] = ['low', 'medium', 'high', 'urgent'];

/** The desk's internal due times: staff only, absent for customers. */
export type Sla = Schemas['Sla'];
export type Ticket = Schemas['TicketView'];
export type TicketEvent = Schemas['TicketEventView'];
export type TicketCounts = Schemas['StatusCounts'];
export type TicketPage = Schemas['TicketPage'];
export type TicketPatch = Omit<Schemas['UpdateTicketRequest'], 'version'>;

export type Notification = Schemas['NotificationView'];
export type NotificationList = Schemas['NotificationList'];
export type FriendRequestStatus = Schemas['RequestStatus'];
export type FriendRequest = Schemas['FriendRequestView'];
export type FriendRequestList = Schemas['FriendRequestList'];
export type Contact = Schemas['ContactView'];
export type ContactList = Schemas['ContactList'];
export type UserPage = Schemas['UserPage'];

/** Staff only. A body may hold `{{customer.name}}`, `{{ticket.number}}`, `{{agent.name}}`. */
export type CannedResponse = Schemas['CannedResponseView'];
export type CannedResponseList = Schemas['CannedResponseList'];
export type NewCannedResponse = Schemas['NewCannedResponse'];
export type CannedResponseChanges = Schemas['CannedResponseChanges'];
export type RenderedCannedResponse = Schemas['RenderedResponse'];

/** Push notifications (README, "Push notifications"). */
export type NewPushSubscription = Schemas['NewSubscription'];
export type PushSubscriptionInfo = Schemas['SubscriptionView'];
export type PushPreferences = Schemas['PushPreferences'];

/** Admin only: webhook endpoints and their deliveries (README, "Webhooks"). */
export type Webhook = Schemas['WebhookView'];
export type CreatedWebhook = Schemas['CreatedWebhook'];
export type NewWebhook = Schemas['NewWebhook'];
export type WebhookChanges = Schemas['WebhookChanges'];
export type WebhookDelivery = Schemas['DeliveryView'];

/**
 * The error body. The document gives `current` (the resource as it is now, with a stale-version
 * `conflict`) no shape; the app only sends versioned writes for tickets, so it is a ticket.
 */
export interface ApiErrorBody {
  error: Omit<Schemas['ErrorDetail'], 'current'> & { current?: Ticket | null };
}

// ---- WebSocket frames (docs/protocol.md; the same enums are in the document) ----

/** A staff member on a ticket's conversation: looking at it, writing in it, or gone. */
export type HereActivity = Schemas['Activity'];

/** What the app sends. (The separate `resume` frame is not used: `auth` carries `resume`.) */
export type ClientFrame = Exclude<Schemas['ClientFrame'], { type: 'resume' }>;
export type ServerFrame = Schemas['ServerFrame'];
/** A call's frames (docs/protocol.md, "Calls"), routed to the call engine. */
export type CallFrame = Extract<ServerFrame, { type: `call_${string}` }>;
/** STUN/TURN servers for a call (`GET /calls/ice-servers`). */
export type IceServers = Schemas['IceServers'];
/** Where the app stands in a conversation: a seq, or a seq and the last change it has applied. */
export type ResumePosition = Schemas['Position'];

/** Full-text search: a hit (a message, or a ticket whose subject matched) and a page of them. */
export type SearchHit = Schemas['SearchHit'];
export type SearchPage = Schemas['SearchPage'];
export type SnippetPart = Schemas['SnippetPart'];

/** Help-desk analytics (`GET /admin/stats`, admins only); definitions in README "Analytics". */
export type StatsReport = Schemas['StatsReport'];
export type StatsFigures = Schemas['Figures'];
/** A requester's rating of a closed ticket (1 to 5, once). */
export type Csat = Schemas['CsatView'];
/** The desk's SLA targets per priority (minutes) and the auto-close delay (admin only). */
export type SlaSettings = Schemas['SlaSettings'];
export type SlaTarget = Schemas['SlaTarget'];
/** A team's routing rule, cap, unassigned-wait limit and what a breach does (admin only). */
export type TeamRouting = Schemas['TeamRouting'];
export type RoutingRule = Schemas['RoutingRule'];
export type OnBreach = Schemas['OnBreach'];
export const ROUTING_RULES: RoutingRule[] = ['manual', 'round_robin', 'fewest_open'];
export const ON_BREACH: OnBreach[] = ['notify', 'raise_priority', 'reassign'];
/** `details` is free-form JSON (usually `{old, new}`), which the document cannot spell out. */
export type AuditEntry = Omit<Schemas['AuditEntryView'], 'details'> & {
  details: Record<string, unknown>;
};
export type AuditPage = Omit<Schemas['AuditPage'], 'items'> & { items: AuditEntry[] };
/** The audit log's filters (`GET /admin/audit`); empty ones are left out. */
export type AuditFilters = {
  actor_id?: string;
  action_prefix?: string;
  target_kind?: string;
  target_id?: string;
  from?: string;
  to?: string;
};

//! The stable names of audited actions (`domain.what_happened`). Filters and old entries rely
//! on them: add names, never rename one.

pub const SIGN_IN: &str = "auth.sign_in";
pub const SIGN_IN_FAILED: &str = "auth.sign_in_failed";
/// A refresh token that was already spent came back: it was copied; the session was revoked.
pub const REFRESH_TOKEN_REUSED: &str = "auth.refresh_token_reused";

pub const USER_ROLE_CHANGED: &str = "user.role_changed";
pub const USER_DISABLED: &str = "user.disabled";
pub const USER_ENABLED: &str = "user.enabled";

pub const TEAM_CREATED: &str = "team.created";
pub const TEAM_RENAMED: &str = "team.renamed";
pub const TEAM_DELETED: &str = "team.deleted";
pub const TEAM_MEMBER_ADDED: &str = "team.member_added";
pub const TEAM_MEMBER_REMOVED: &str = "team.member_removed";

pub const TICKET_ASSIGNEE_CHANGED: &str = "ticket.assignee_changed";
pub const TICKET_STATUS_CHANGED: &str = "ticket.status_changed";
pub const TICKET_PRIORITY_CHANGED: &str = "ticket.priority_changed";
pub const TICKET_TEAM_CHANGED: &str = "ticket.team_changed";

pub const EXPORT_USER_DATA: &str = "export.user_data";
pub const EXPORT_TICKET: &str = "export.ticket";

pub const WEBHOOK_CREATED: &str = "webhook.created";
pub const WEBHOOK_CHANGED: &str = "webhook.changed";
pub const WEBHOOK_DELETED: &str = "webhook.deleted";
pub const WEBHOOK_DELIVERY_REPLAYED: &str = "webhook.delivery_replayed";

pub const SLA_TARGETS_CHANGED: &str = "sla.targets_changed";
pub const TEAM_ROUTING_CHANGED: &str = "team.routing_changed";

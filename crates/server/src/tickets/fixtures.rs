//! Plain values for the unit tests of the ticket and audience rules: a user and a ticket,
//! built without a database.

use super::domain::{Priority, Status};
use crate::auth::AuthUser;
use crate::db::entities::ticket;
use crate::domain::Role;

/// The requester of every [`ticket`].
pub const REQUESTER: i64 = 1;
/// The conversation of every [`ticket`].
pub const TICKET_CONVERSATION: i64 = 8;

pub fn user(id: i64, role: Role) -> AuthUser {
    AuthUser {
        id,
        role,
        session_id: "s".into(),
        display_name: "Someone".into(),
        token_exp: 0,
        client_ip: None,
    }
}

/// An open ticket of [`REQUESTER`]'s.
pub fn ticket(assignee_id: Option<i64>, team_id: Option<i64>) -> ticket::Model {
    ticket::Model {
        id: 1,
        number: 1001,
        subject: "Printer on fire".into(),
        status: Status::Open,
        priority: Priority::Medium,
        priority_rank: Priority::Medium.rank(),
        requester_id: REQUESTER,
        assignee_id,
        team_id,
        tags: String::new(),
        conversation_id: TICKET_CONVERSATION,
        version: 1,
        created_at: 0,
        updated_at: 0,
        closed_at: None,
        first_response_at: None,
        first_response_due: 0,
        resolution_due: 0,
        sla_notified: 0,
        pending_since: None,
        sla_paused_ms: 0,
    }
}

//! How tickets, their history and teams are shown on the wire.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::csat::{CsatView, ratings_of};
use super::domain::{Priority, Status};
use super::sla::Clock;
use crate::db::entities::{team, ticket, user};
use crate::domain::{now_ms, to_rfc3339};
use crate::error::AppResult;
use crate::users::view::UserSummary;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct TeamRef {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Sla {
    pub first_response_due: String,
    pub resolution_due: String,
    pub first_response_breached: bool,
    pub resolution_breached: bool,
    /// Set while the ticket is `pending`: the resolution clock stopped at this time and
    /// `resolution_due` moves by the length of the pause when it resumes (time left while
    /// paused: `resolution_due - resolution_paused_since`).
    pub resolution_paused_since: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct TicketView {
    pub id: i64,
    /// Human number, unique per installation (`#1042`).
    pub number: i64,
    pub subject: String,
    /// `pending`: waiting on the customer.
    pub status: Status,
    pub priority: Priority,
    pub requester: UserSummary,
    pub assignee: Option<UserSummary>,
    pub team: Option<TeamRef>,
    pub tags: Vec<String>,
    pub conversation_id: i64,
    /// Send it back in PATCH: a stale version gets 409.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    pub first_response_at: Option<String>,
    /// The desk's internal due times: staff only, absent for customers (they are the team's
    /// targets, not a promise made to the customer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<Sla>,
    /// The requester's satisfaction rating, once given (see `POST /tickets/{id}/csat`); null
    /// until then. A closed ticket with no rating is the app's cue to ask for one.
    #[serde(default)]
    pub csat: Option<CsatView>,
}

impl TicketView {
    /// The view as this reader may see it: customers don't get the SLA due times.
    pub fn seen_by(mut self, staff: bool) -> Self {
        if !staff {
            self.sla = None;
        }
        self
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct StatusCounts {
    pub open: u64,
    pub in_progress: u64,
    pub pending: u64,
    pub closed: u64,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<TicketView>,
    pub next_cursor: Option<String>,
    /// Tickets per status matching the same filters (the status filter aside).
    pub counts: StatusCounts,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TicketEventView {
    pub id: i64,
    pub ticket_id: i64,
    pub actor: UserSummary,
    /// `created`, `status`, `priority`, `assignee`, `team` or `tags`.
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub created_at: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TicketEventList {
    pub items: Vec<TicketEventView>,
}

pub fn sla(t: &ticket::Model, now: i64) -> Sla {
    Sla {
        first_response_due: to_rfc3339(t.first_response_due),
        resolution_due: to_rfc3339(t.resolution_due),
        first_response_breached: t.first_response_at.unwrap_or(now) > t.first_response_due,
        resolution_breached: Clock::of(t).resolution_breached(t.closed_at, now),
        resolution_paused_since: t.pending_since.map(to_rfc3339),
    }
}

/// Builds views for many tickets with two queries for the people and teams they name.
pub async fn render(
    db: &impl ConnectionTrait,
    tickets: &[ticket::Model],
) -> AppResult<Vec<TicketView>> {
    let mut user_ids: Vec<i64> = tickets.iter().map(|t| t.requester_id).collect();
    user_ids.extend(tickets.iter().filter_map(|t| t.assignee_id));
    let team_ids: Vec<i64> = tickets.iter().filter_map(|t| t.team_id).collect();
    let users: HashMap<i64, user::Model> = if user_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(user_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect()
    };
    let teams: HashMap<i64, team::Model> = if team_ids.is_empty() {
        HashMap::new()
    } else {
        team::Entity::find()
            .filter(team::Column::Id.is_in(team_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect()
    };
    let ids: Vec<i64> = tickets.iter().map(|t| t.id).collect();
    let mut ratings = ratings_of(db, &ids).await?;
    let now = now_ms();
    let summary = |id: i64| {
        users.get(&id).map(UserSummary::new).unwrap_or(UserSummary {
            id,
            display_name: "deleted user".into(),
            role: crate::domain::Role::Customer,
            avatar_url: format!("/api/v1/users/{id}/avatar"),
        })
    };
    Ok(tickets
        .iter()
        .map(|t| TicketView {
            id: t.id,
            number: t.number,
            subject: t.subject.clone(),
            status: t.status,
            priority: t.priority,
            requester: summary(t.requester_id),
            assignee: t.assignee_id.map(summary),
            team: t.team_id.and_then(|id| teams.get(&id)).map(|tm| TeamRef {
                id: tm.id,
                name: tm.name.clone(),
            }),
            tags: serde_json::from_str(&t.tags).unwrap_or_default(),
            conversation_id: t.conversation_id,
            version: t.version,
            created_at: to_rfc3339(t.created_at),
            updated_at: to_rfc3339(t.updated_at),
            closed_at: t.closed_at.map(to_rfc3339),
            first_response_at: t.first_response_at.map(to_rfc3339),
            sla: Some(sla(t, now)),
            csat: ratings.remove(&t.id),
        })
        .collect())
}

pub async fn render_one(db: &impl ConnectionTrait, t: &ticket::Model) -> AppResult<TicketView> {
    Ok(render(db, std::slice::from_ref(t)).await?.remove(0))
}

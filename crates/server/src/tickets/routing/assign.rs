//! Assigning by a team's rule, fairly when many tickets arrive at once on several nodes.
//!
//! Every routing decision in a team is a compare-and-set on the team's `team_routing` row
//! (`seq`), in the same transaction as the ticket's assignment: read the row, the online
//! agents and their loads, pick, then write "the row still has the `seq` I read → move the
//! round-robin pointer and `seq`" together with the ticket's conditional update. A decision
//! made on a stale view (another ticket was assigned in between, on any node) changes nothing
//! and is made again from fresh reads, so the pointer never skips or repeats an agent and the
//! cap is checked against loads no other routing decision has moved.

use std::time::Duration;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{Candidate, RoutingRule, pick};
use crate::db::entities::{team_member, team_routing, ticket, user};
use crate::domain::now_ms;
use crate::error::AppResult;
use crate::state::AppState;
use crate::tickets::domain::Status;
use crate::tickets::service::{Actor, Applied, Changes, apply};
use crate::tickets::view::TicketView;

/// Attempts before giving up (a ticket left unassigned stays in the team's queue).
const ATTEMPTS: usize = 200;
/// The name the system message gives the desk when it assigns: "Routing assigned this to Bo".
pub const ROUTING: &str = "Routing";

/// What a routing decision is for.
#[derive(Clone, Copy, Debug)]
pub enum Purpose {
    /// A ticket entered the team unassigned: the team's rule decides (manual: nobody).
    New,
    /// An SLA breach hands the ticket to someone else: the team's rule, round-robin when the
    /// rule is manual, never the current assignee.
    Reassign,
}

/// The online, active staff of `team_id` with their open tickets.
pub async fn candidates(state: &AppState, team_id: i64) -> AppResult<Vec<Candidate>> {
    let members: Vec<i64> = team_member::Entity::find()
        .select_only()
        .column(team_member::Column::UserId)
        .filter(team_member::Column::TeamId.eq(team_id))
        .into_tuple()
        .all(&state.db)
        .await?;
    let online: Vec<i64> = members
        .into_iter()
        .filter(|&id| state.realtime.is_online(id))
        .collect();
    if online.is_empty() {
        return Ok(Vec::new());
    }
    let active: Vec<i64> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Id.is_in(online))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Role.is_in([crate::domain::Role::Agent, crate::domain::Role::Admin]))
        .into_tuple()
        .all(&state.db)
        .await?;
    if active.is_empty() {
        return Ok(Vec::new());
    }
    let loads: Vec<(Option<i64>, i64)> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::AssigneeId)
        .column_as(Expr::col(ticket::Column::Id).count(), "open")
        .filter(ticket::Column::AssigneeId.is_in(active.clone()))
        .filter(ticket::Column::Status.ne(Status::Closed))
        .group_by(ticket::Column::AssigneeId)
        .into_tuple()
        .all(&state.db)
        .await?;
    Ok(active
        .into_iter()
        .map(|id| Candidate {
            id,
            open: loads
                .iter()
                .find(|(a, _)| *a == Some(id))
                .map_or(0, |(_, n)| *n),
        })
        .collect())
}

/// Assigns ticket `ticket_id` by its team's rule, as `actor_id` would by hand (history,
/// system message "Routing assigned this to …", `ticket` frames, the assignee's notification).
/// Returns the ticket after the assignment, or None when nobody was assigned: no team, no rule,
/// nobody online under the cap, or the ticket was assigned or left the team meanwhile.
pub async fn route(
    state: &AppState,
    actor_id: i64,
    ticket_id: i64,
    purpose: Purpose,
) -> AppResult<Option<TicketView>> {
    for attempt in 0..ATTEMPTS {
        let Some(t) = ticket::Entity::find_by_id(ticket_id).one(&state.db).await? else {
            return Ok(None);
        };
        let Some(team_id) = t.team_id else {
            return Ok(None);
        };
        if t.status == Status::Closed {
            return Ok(None);
        }
        let except = match purpose {
            Purpose::New if t.assignee_id.is_some() => return Ok(None),
            Purpose::New => None,
            Purpose::Reassign => t.assignee_id,
        };
        // No row (or a team deleted meanwhile): manual.
        let Some(rule) = team_routing::Entity::find_by_id(team_id)
            .one(&state.db)
            .await?
        else {
            return Ok(None);
        };
        let how = match (rule.rule, purpose) {
            (RoutingRule::Manual, Purpose::New) => return Ok(None),
            (RoutingRule::Manual, Purpose::Reassign) => RoutingRule::RoundRobin,
            (r, _) => r,
        };
        let able = candidates(state, team_id).await?;
        let Some(agent) = pick(how, &able, rule.max_open, rule.last_agent_id, except) else {
            return Ok(None);
        };
        let guard = team_routing::Entity::update_many()
            .col_expr(team_routing::Column::LastAgentId, Expr::value(agent))
            .col_expr(
                team_routing::Column::Seq,
                Expr::col(team_routing::Column::Seq).add(1),
            )
            .col_expr(team_routing::Column::UpdatedAt, Expr::value(now_ms()))
            .filter(team_routing::Column::TeamId.eq(team_id))
            .filter(team_routing::Column::Seq.eq(rule.seq));
        let changes = Changes {
            version: t.version,
            assignee_id: Some(Some(agent)),
            ..Default::default()
        };
        let actor = Actor {
            id: actor_id,
            name: ROUTING.to_string(),
            ip: None,
        };
        match apply(state, &actor, &t, changes, None, Some(guard)).await? {
            Applied::Done(view) => return Ok(Some(*view)),
            Applied::Lost => {
                // Someone else decided first: back off a little (more with each loss) so the
                // losers do not all come back at the same instant.
                let spread = 1 + std::cmp::Ord::min(attempt as u64, 20);
                let wait = rand::random::<u64>() % (spread * 3) + 1;
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
        }
    }
    tracing::warn!(ticket_id, "routing gave up after {ATTEMPTS} attempts");
    Ok(None)
}

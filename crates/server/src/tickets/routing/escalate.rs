//! Escalation and housekeeping, run by the SLA sweep (`tickets::sla`) every minute on every
//! node. Each action is claimed with a conditional UPDATE first, so however many nodes sweep
//! at once, one of them acts, once:
//!
//! - an SLA breach (claimed by the sweep's flags) also notifies the ticket's team, then does the
//!   team's `on_breach` (raise the priority one step, or hand the ticket to another agent);
//! - an unassigned ticket waiting in a team longer than the team's limit notifies the team and
//!   every admin, once per ticket (flag [`UNASSIGNED_ESCALATED`]);
//! - a ticket waiting on the customer (`pending`) longer than the desk's `pending_close_minutes`
//!   is closed (conditional on its version), with a system message telling the customer.

use std::collections::{BTreeSet, HashMap};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::OnBreach;
use super::assign::{Purpose, route};
use crate::db::entities::{team_member, team_routing, ticket, ticket_event, user};
use crate::domain::Role;
use crate::error::AppResult;
use crate::notifications::{Notice, notify};
use crate::state::AppState;
use crate::tickets::domain::{Priority, Status};
use crate::tickets::service::{Actor, Applied, Changes, apply, post_system_message};
use crate::tickets::targets;

/// `tickets.sla_notified` bit: the unassigned-wait escalation was sent (the SLA clocks use the
/// bits below it, see `tickets::sla`).
pub const UNASSIGNED_ESCALATED: i64 = 16;
/// The name automatic changes carry in their system messages: "Switchboard closed this ticket".
pub const DESK: &str = "Switchboard";

/// The user an automatic change is recorded as (history, system message sender): the assignee,
/// else the requester. There is no system account; the name says who really acted.
fn desk_actor(t: &ticket::Model) -> Actor {
    Actor {
        id: t.assignee_id.unwrap_or(t.requester_id),
        name: DESK.to_string(),
        ip: None,
    }
}

async fn team_members(state: &AppState, team_id: i64) -> AppResult<Vec<i64>> {
    Ok(team_member::Entity::find()
        .select_only()
        .column(team_member::Column::UserId)
        .filter(team_member::Column::TeamId.eq(team_id))
        .into_tuple()
        .all(&state.db)
        .await?)
}

/// After the sweep claimed a breach of `t` (and told the assignee or the queue): tells the
/// team's members it has not told yet, then does the team's `on_breach`.
pub async fn breached(
    state: &AppState,
    t: &ticket::Model,
    title: &str,
    told: &[i64],
) -> AppResult<()> {
    let Some(team_id) = t.team_id else {
        return Ok(());
    };
    let team: Vec<i64> = team_members(state, team_id)
        .await?
        .into_iter()
        .filter(|id| !told.contains(id))
        .collect();
    notify(
        state,
        &team,
        Notice {
            kind: "sla_breached",
            title: title.to_string(),
            body: t.subject.clone(),
            ticket_id: Some(t.id),
            conversation_id: Some(t.conversation_id),
        },
    )
    .await?;
    // A team deleted meanwhile has no row: only the notification.
    let on_breach = team_routing::Entity::find_by_id(team_id)
        .one(&state.db)
        .await?
        .map_or(OnBreach::Notify, |r| r.on_breach);
    match on_breach {
        OnBreach::Notify => Ok(()),
        OnBreach::RaisePriority => raise_priority(state, t.id).await,
        OnBreach::Reassign => {
            let actor = desk_actor(t);
            route(state, actor.id, t.id, Purpose::Reassign).await?;
            Ok(())
        }
    }
}

/// One step up, keeping the SLA flags the sweep just set: the new, shorter targets are already
/// missed, and the team heard of the breach once; without this every sweep would raise again.
async fn raise_priority(state: &AppState, ticket_id: i64) -> AppResult<()> {
    for _ in 0..3 {
        let Some(t) = ticket::Entity::find_by_id(ticket_id).one(&state.db).await? else {
            return Ok(());
        };
        let next = match t.priority {
            Priority::Low => Priority::Medium,
            Priority::Medium => Priority::High,
            Priority::High | Priority::Urgent => Priority::Urgent,
        };
        if next == t.priority || t.status == Status::Closed {
            return Ok(());
        }
        let changes = Changes {
            version: t.version,
            priority: Some(next),
            keep_sla_flags: true,
            ..Default::default()
        };
        if let Applied::Done(_) = apply(state, &desk_actor(&t), &t, changes, None, None).await? {
            return Ok(());
        }
    }
    Ok(())
}

/// The unassigned-wait escalations and the auto-closing due at `now`; returns how many
/// tickets were escalated or closed.
pub async fn sweep(state: &AppState, now: i64) -> AppResult<usize> {
    Ok(unassigned(state, now).await? + close_pending(state, now).await?)
}

/// When the ticket last entered its team: the newest `team` history entry, else its creation.
async fn in_team_since(state: &AppState, t: &ticket::Model) -> AppResult<i64> {
    let moved: Option<i64> = ticket_event::Entity::find()
        .select_only()
        .column_as(ticket_event::Column::CreatedAt.max(), "at")
        .filter(ticket_event::Column::TicketId.eq(t.id))
        .filter(ticket_event::Column::Field.eq("team"))
        .into_tuple::<Option<i64>>()
        .one(&state.db)
        .await?
        .flatten();
    Ok(moved.unwrap_or(t.created_at).max(t.created_at))
}

async fn unassigned(state: &AppState, now: i64) -> AppResult<usize> {
    let limits: HashMap<i64, i64> = team_routing::Entity::find()
        .filter(team_routing::Column::UnassignedLimitMinutes.is_not_null())
        .all(&state.db)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.team_id, r.unassigned_limit_minutes? * 60_000)))
        .collect();
    let Some(shortest) = limits.values().min().copied() else {
        return Ok(0);
    };
    let waiting = ticket::Entity::find()
        .filter(ticket::Column::TeamId.is_in(limits.keys().copied()))
        .filter(ticket::Column::AssigneeId.is_null())
        .filter(ticket::Column::Status.ne(Status::Closed))
        .filter(ticket::Column::CreatedAt.lt(now - shortest))
        .all(&state.db)
        .await?;
    let mut escalated = 0;
    for t in waiting {
        let Some((team, limit)) = t
            .team_id
            .and_then(|team| limits.get(&team).map(|&limit| (team, limit)))
        else {
            continue;
        };
        if t.sla_notified & UNASSIGNED_ESCALATED != 0
            || now - in_team_since(state, &t).await? <= limit
        {
            continue;
        }
        // Claim it (conditional on the flags read) so two nodes never both send it.
        let claimed = ticket::Entity::update_many()
            .col_expr(
                ticket::Column::SlaNotified,
                Expr::value(t.sla_notified | UNASSIGNED_ESCALATED),
            )
            .filter(ticket::Column::Id.eq(t.id))
            .filter(ticket::Column::SlaNotified.eq(t.sla_notified))
            .filter(ticket::Column::AssigneeId.is_null())
            .exec(&state.db)
            .await?;
        if claimed.rows_affected == 0 {
            continue;
        }
        let mut to: BTreeSet<i64> = team_members(state, team).await?.into_iter().collect();
        let admins: Vec<i64> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::Role.eq(Role::Admin))
            .filter(user::Column::Disabled.eq(false))
            .into_tuple()
            .all(&state.db)
            .await?;
        to.extend(admins);
        let to: Vec<i64> = to.into_iter().collect();
        notify(
            state,
            &to,
            Notice {
                kind: "ticket_unassigned",
                title: format!("#{} is waiting for an agent", t.number),
                body: t.subject.clone(),
                ticket_id: Some(t.id),
                conversation_id: Some(t.conversation_id),
            },
        )
        .await?;
        escalated += 1;
    }
    Ok(escalated)
}

/// The customer is told in the conversation; writing there again reopens the ticket.
pub fn closing_message(minutes: i64) -> String {
    let wait = if minutes % (24 * 60) == 0 {
        let days = minutes / (24 * 60);
        format!("{days} day{}", if days == 1 { "" } else { "s" })
    } else if minutes % 60 == 0 {
        let hours = minutes / 60;
        format!("{hours} hour{}", if hours == 1 { "" } else { "s" })
    } else {
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    };
    format!(
        "We have not heard from you for {wait}, so this ticket is now closed. Write here any \
         time to reopen it."
    )
}

async fn close_pending(state: &AppState, now: i64) -> AppResult<usize> {
    let Some(minutes) = targets::current(state).await?.pending_close_minutes else {
        return Ok(0);
    };
    let stale = ticket::Entity::find()
        .filter(ticket::Column::Status.eq(Status::Pending))
        .filter(ticket::Column::PendingSince.lte(now - minutes * 60_000))
        .all(&state.db)
        .await?;
    let mut closed = 0;
    for t in stale {
        let changes = Changes {
            version: t.version,
            status: Some(Status::Closed),
            ..Default::default()
        };
        let actor = desk_actor(&t);
        // Conditional on the version read: the node that loses (or a customer who wrote just
        // now) leaves it alone.
        match apply(state, &actor, &t, changes, None, None).await {
            Ok(Applied::Done(_)) => {}
            Ok(Applied::Lost) => continue,
            // One ticket that can't be closed must not keep the others open.
            Err(e) => {
                tracing::warn!(error = %e, ticket_id = t.id, "auto-closing failed");
                continue;
            }
        }
        post_system_message(state, &t, actor.id, &closing_message(minutes)).await?;
        closed += 1;
    }
    Ok(closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closing_message_says_how_long_in_round_units() {
        assert!(closing_message(7 * 24 * 60).contains("for 7 days,"));
        assert!(closing_message(24 * 60).contains("for 1 day,"));
        assert!(closing_message(120).contains("for 2 hours,"));
        assert!(closing_message(90).contains("for 90 minutes,"));
    }
}

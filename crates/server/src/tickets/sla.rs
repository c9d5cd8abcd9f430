//! SLA clocks: a sweep that notifies the assignee (or the team, or the queue's agents) once when
//! a ticket is within 15 minutes of a due time, and once when it passes it.

use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::db::entities::{ticket, user};
use crate::domain::now_ms;
use crate::error::AppResult;
use crate::notifications::{Notice, notify};
use crate::state::AppState;

const WARN_BEFORE_MS: i64 = 15 * 60_000;
const FIRST_WARNED: i64 = 1;
const FIRST_BREACHED: i64 = 2;
const RESOLUTION_WARNED: i64 = 4;
const RESOLUTION_BREACHED: i64 = 8;

/// Runs the sweep every minute until shutdown.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = state.shutdown.cancelled() => return,
                _ = tick.tick() => {
                    if let Err(e) = sweep(&state, now_ms()).await {
                        tracing::warn!(error = %e, "SLA sweep failed");
                    }
                }
            }
        }
    });
}

/// Sends the SLA notifications due at `now`; returns how many tickets were notified.
pub async fn sweep(state: &AppState, now: i64) -> AppResult<usize> {
    let soon = now + WARN_BEFORE_MS;
    let candidates = ticket::Entity::find()
        .filter(ticket::Column::Status.ne("closed"))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(ticket::Column::FirstResponseAt.is_null())
                        .add(ticket::Column::FirstResponseDue.lte(soon)),
                )
                .add(ticket::Column::ResolutionDue.lte(soon)),
        )
        .all(&state.db)
        .await?;
    let mut notified = 0;
    for t in candidates {
        let mut flags = t.sla_notified;
        let mut notices = Vec::new();
        let waiting_first = t.first_response_at.is_none();
        for (active, due, warned, breached, what) in [
            (
                waiting_first,
                t.first_response_due,
                FIRST_WARNED,
                FIRST_BREACHED,
                "first response",
            ),
            (
                true,
                t.resolution_due,
                RESOLUTION_WARNED,
                RESOLUTION_BREACHED,
                "resolution",
            ),
        ] {
            if !active {
                continue;
            }
            if now > due && flags & breached == 0 {
                flags |= breached | warned;
                notices.push((
                    "sla_breached",
                    format!("#{} missed its {what} target", t.number),
                ));
            } else if now <= due && due <= soon && flags & warned == 0 {
                flags |= warned;
                notices.push((
                    "sla_warning",
                    format!("#{} is due for {what} soon", t.number),
                ));
            }
        }
        if notices.is_empty() {
            continue;
        }
        // Claim the notification first (conditional on the flags we read) so two nodes never
        // both send it.
        let claimed = ticket::Entity::update_many()
            .col_expr(ticket::Column::SlaNotified, Expr::value(flags))
            .filter(ticket::Column::Id.eq(t.id))
            .filter(ticket::Column::SlaNotified.eq(t.sla_notified))
            .exec(&state.db)
            .await?;
        if claimed.rows_affected == 0 {
            continue;
        }
        let recipients: Vec<i64> = match t.assignee_id {
            Some(a) => vec![a],
            None => {
                let ids = state.audiences.ticket_audience(&state.db, &t).await?;
                user::Entity::find()
                    .filter(user::Column::Id.is_in(ids.iter().copied()))
                    .filter(user::Column::Role.eq("agent"))
                    .all(&state.db)
                    .await?
                    .into_iter()
                    .map(|u| u.id)
                    .collect()
            }
        };
        for (kind, title) in notices {
            notify(
                state,
                &recipients,
                Notice {
                    kind,
                    title,
                    body: t.subject.clone(),
                    ticket_id: Some(t.id),
                    conversation_id: Some(t.conversation_id),
                },
            )
            .await?;
        }
        notified += 1;
    }
    Ok(notified)
}

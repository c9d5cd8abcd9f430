//! SLA clocks: the resolution clock's pauses while a ticket is `pending`, and a sweep that
//! notifies the assignee (or the team, or the queue's agents) once when a ticket is within 15
//! minutes of a due time, and once when it passes it; a breach also goes to the ticket's team
//! (`routing::escalate`), which runs the unassigned-wait escalations and auto-closing after.
//!
//! The arithmetic, in one place ([`Clock`]): `resolution_due = created_at + target + paused`,
//! where `paused` is the time spent `pending`. Entering `pending` notes the time
//! (`pending_since`); leaving it for any status (the customer writes, or staff change it) adds the
//! spell to `resolution_due` and to `sla_paused_ms`. While a ticket is `pending` its resolution
//! clock is frozen: it is breached only if it already was when the pause began, and the sweep
//! leaves it alone. The first-response clock never pauses.

use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::domain::Status;
use crate::db::entities::{ticket, user};
use crate::domain::{Role, now_ms};
use crate::error::AppResult;
use crate::notifications::{Notice, notify};
use crate::state::AppState;
use crate::tickets::routing::escalate::{self, UNASSIGNED_ESCALATED};

const WARN_BEFORE_MS: i64 = 15 * 60_000;
const FIRST_WARNED: i64 = 1;
const FIRST_BREACHED: i64 = 2;
const RESOLUTION_WARNED: i64 = 4;
const RESOLUTION_BREACHED: i64 = 8;

/// The resolution clock's stored state (the columns a status or priority change may move).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    pub resolution_due: i64,
    pub pending_since: Option<i64>,
    pub paused_ms: i64,
    pub notified: i64,
}

impl Clock {
    pub fn of(t: &ticket::Model) -> Self {
        Self {
            resolution_due: t.resolution_due,
            pending_since: t.pending_since,
            paused_ms: t.sla_paused_ms,
            notified: t.sla_notified,
        }
    }

    /// New targets (a priority change): the due time counts from creation plus the time
    /// already paused, and notifications start over.
    pub fn retarget(self, created_at: i64, resolution_ms: i64) -> Self {
        Self {
            resolution_due: created_at + resolution_ms + self.paused_ms,
            // The unassigned-wait escalation is about the queue, not the clocks: it stays.
            notified: self.notified & UNASSIGNED_ESCALATED,
            ..self
        }
    }

    /// The clock after a change to status `to` at `now`: entering `pending` pauses it, leaving
    /// `pending` resumes it with the due time moved by the length of the pause.
    pub fn on_status(self, to: Status, now: i64) -> Self {
        match (self.pending_since, to) {
            (None, Status::Pending) => Self {
                pending_since: Some(now),
                ..self
            },
            (Some(since), to) if to != Status::Pending => {
                // The time left is what it was when the pause began, so the notifications
                // already sent (a warning, a breach) stay true and are not sent again.
                let spell = (now - since).max(0);
                Self {
                    resolution_due: self.resolution_due + spell,
                    pending_since: None,
                    paused_ms: self.paused_ms + spell,
                    ..self
                }
            }
            _ => self,
        }
    }

    /// A closed ticket opened again at `now`: the time it spent closed counts as paused, like a
    /// `pending` spell, so a ticket resolved in time is not breached by its reopening.
    pub fn reopened(self, closed_at: Option<i64>, now: i64) -> Self {
        let Some(closed) = closed_at else {
            return self;
        };
        let spell = (now - closed).max(0);
        Self {
            resolution_due: self.resolution_due + spell,
            paused_ms: self.paused_ms + spell,
            ..self
        }
    }

    /// Whether the resolution target is missed: measured at closing, at the start of the
    /// current pause, or now.
    pub fn resolution_breached(&self, closed_at: Option<i64>, now: i64) -> bool {
        closed_at.or(self.pending_since).unwrap_or(now) > self.resolution_due
    }
}

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
                    if let Err(e) = escalate::sweep(&state, now_ms()).await {
                        tracing::warn!(error = %e, "escalation sweep failed");
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
        .filter(ticket::Column::Status.ne(Status::Closed))
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
                // A pending ticket's resolution clock is paused.
                t.pending_since.is_none(),
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
                    .filter(user::Column::Role.eq(Role::Agent))
                    .all(&state.db)
                    .await?
                    .into_iter()
                    .map(|u| u.id)
                    .collect()
            }
        };
        let mut breach = None;
        for (kind, title) in notices {
            if kind == "sla_breached" && breach.is_none() {
                breach = Some(title.clone());
            }
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
        // A breach goes up to the team (once: the claim above is this breach's only one).
        // Its failure (a reassignment that could not be written) is logged, not allowed to stop
        // the sweep for the other tickets: the notification above was the breach's one.
        if let Some(title) = breach
            && let Err(e) = escalate::breached(state, &t, &title, &recipients).await
        {
            tracing::warn!(error = %e, ticket_id = t.id, "escalating a breach failed");
        }
        notified += 1;
    }
    Ok(notified)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn clock(due: i64) -> Clock {
        Clock {
            resolution_due: due,
            pending_since: None,
            paused_ms: 0,
            notified: 0,
        }
    }

    #[test]
    fn a_pending_spell_moves_the_due_time_by_its_length() {
        let c = clock(100 * MIN).on_status(Status::Pending, 10 * MIN);
        assert_eq!(c.pending_since, Some(10 * MIN));
        assert_eq!(c.resolution_due, 100 * MIN, "pausing moves nothing yet");
        // Still pending: setting it again changes nothing.
        assert_eq!(c.on_status(Status::Pending, 20 * MIN), c);
        let back = c.on_status(Status::Open, 40 * MIN);
        assert_eq!(back.pending_since, None);
        assert_eq!(back.resolution_due, 130 * MIN);
        assert_eq!(back.paused_ms, 30 * MIN);
        // A second spell adds up; closing from pending also resumes first.
        let closed = back
            .on_status(Status::Pending, 50 * MIN)
            .on_status(Status::Closed, 55 * MIN);
        assert_eq!(
            (closed.resolution_due, closed.paused_ms),
            (135 * MIN, 35 * MIN)
        );
        // Other moves leave the clock alone.
        assert_eq!(clock(5).on_status(Status::InProgress, 9), clock(5));
    }

    #[test]
    fn a_priority_change_keeps_the_time_already_paused() {
        let c = clock(100 * MIN)
            .on_status(Status::Pending, 0)
            .on_status(Status::Open, 30 * MIN);
        let r = Clock {
            notified: RESOLUTION_WARNED,
            ..c
        }
        .retarget(0, 60 * MIN);
        assert_eq!((r.resolution_due, r.notified), (90 * MIN, 0));
    }

    #[test]
    fn a_paused_clock_is_breached_only_if_it_was_when_the_pause_began() {
        let paused = clock(100).on_status(Status::Pending, 50);
        assert!(!paused.resolution_breached(None, 10_000));
        let late = clock(100).on_status(Status::Pending, 150);
        assert!(late.resolution_breached(None, 10_000));
        assert!(clock(100).resolution_breached(None, 101));
        assert!(!clock(100).resolution_breached(Some(99), 10_000));
    }

    #[test]
    fn a_resumed_clock_keeps_its_notifications_and_its_time_left() {
        let warned = Clock {
            notified: RESOLUTION_WARNED | FIRST_WARNED,
            ..clock(100 * MIN)
        };
        let back = warned
            .on_status(Status::Pending, 90 * MIN)
            .on_status(Status::Open, 150 * MIN);
        assert_eq!(back.notified, RESOLUTION_WARNED | FIRST_WARNED);
        assert_eq!(back.resolution_due - 150 * MIN, 10 * MIN);
    }
}

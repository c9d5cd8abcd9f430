//! Listing tickets: visibility, filters, sorting, keyset pagination and per-status counts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::domain::{Priority, Status};
use super::policy;
use super::view::{StatusCounts, TicketPage, render};
use crate::auth::AuthUser;
use crate::db::entities::ticket;
use crate::domain::{Role, parse_text};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::users::admin_routes::strip_like_wildcards;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// `open`, `in_progress`, `pending` or `closed`.
    pub status: Option<String>,
    pub priority: Option<String>,
    /// `me`, `none` or a user id.
    pub assignee: Option<String>,
    /// A team id, or `none`.
    pub team: Option<String>,
    pub requester: Option<i64>,
    /// Text in the subject (case-insensitive).
    pub q: Option<String>,
    /// `updated` (default), `created` or `priority`: newest / most urgent first; `sla`: the
    /// next due time first (the first-response due time until the first staff reply, then the
    /// resolution due time; closed tickets, and pending ones once answered, last).
    pub sort: Option<String>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
    /// 1 to 100, default 25.
    pub limit: Option<u64>,
}

#[derive(Clone, Copy, PartialEq)]
enum Sort {
    Updated,
    Created,
    Priority,
    Sla,
}

/// Where tickets with no running clock sort under `sort=sla`: after every real due time.
const NO_DUE: i64 = i64::MAX;

/// The due time `sort=sla` orders by (see [`TicketQuery::sort`]), as a column expression.
fn next_due() -> Expr {
    Expr::case(
        ticket::Column::Status.eq(Status::Closed),
        Expr::value(NO_DUE),
    )
    .case(
        ticket::Column::FirstResponseAt.is_null(),
        Expr::col(ticket::Column::FirstResponseDue),
    )
    .case(
        ticket::Column::PendingSince.is_not_null(),
        Expr::value(NO_DUE),
    )
    .finally(Expr::col(ticket::Column::ResolutionDue))
    .into()
}

/// The same value for a loaded row (for the cursor).
fn next_due_of(t: &ticket::Model) -> i64 {
    if t.status == Status::Closed {
        NO_DUE
    } else if t.first_response_at.is_none() {
        t.first_response_due
    } else if t.pending_since.is_some() {
        NO_DUE
    } else {
        t.resolution_due
    }
}

/// The keyset position after the last item of a page: (rank, time, id).
fn encode_cursor(rank: i64, time: i64, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{rank}:{time}:{id}"))
}

pub fn decode_cursor(cursor: &str) -> Result<(i64, i64, i64), AppError> {
    let bad = || AppError::field("cursor", "not a cursor from this API");
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let mut parts = text.split(':').map(|p| p.parse::<i64>());
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(Ok(a)), Some(Ok(b)), Some(Ok(c)), None) => Ok((a, b, c)),
        _ => Err(bad()),
    }
}

/// Only the tickets the user may see.
pub fn visible(me: &AuthUser, teams: &[i64]) -> Condition {
    match me.role {
        Role::Admin => Condition::all(),
        Role::Customer => Condition::all().add(ticket::Column::RequesterId.eq(me.id)),
        Role::Agent => {
            let mut c = Condition::any()
                .add(ticket::Column::RequesterId.eq(me.id))
                .add(ticket::Column::AssigneeId.eq(me.id))
                .add(
                    Condition::all()
                        .add(ticket::Column::AssigneeId.is_null())
                        .add(ticket::Column::TeamId.is_null()),
                );
            if !teams.is_empty() {
                c = c.add(ticket::Column::TeamId.is_in(teams.iter().copied()));
            }
            c
        }
    }
}

fn filters(me: &AuthUser, q: &TicketQuery) -> AppResult<Condition> {
    let mut c = Condition::all();
    if let Some(p) = &q.priority {
        let p: Priority = parse_text(p)
            .ok_or_else(|| AppError::field("priority", "low, medium, high or urgent"))?;
        c = c.add(ticket::Column::Priority.eq(p));
    }
    match q.assignee.as_deref() {
        None => {}
        Some("me") => c = c.add(ticket::Column::AssigneeId.eq(me.id)),
        Some("none") => c = c.add(ticket::Column::AssigneeId.is_null()),
        Some(id) => {
            let id: i64 = id
                .parse()
                .map_err(|_| AppError::field("assignee", "me, none or a user id"))?;
            c = c.add(ticket::Column::AssigneeId.eq(id));
        }
    }
    match q.team.as_deref() {
        None => {}
        Some("none") => c = c.add(ticket::Column::TeamId.is_null()),
        Some(id) => {
            let id: i64 = id
                .parse()
                .map_err(|_| AppError::field("team", "none or a team id"))?;
            c = c.add(ticket::Column::TeamId.eq(id));
        }
    }
    if let Some(r) = q.requester {
        c = c.add(ticket::Column::RequesterId.eq(r));
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", strip_like_wildcards(&text.to_lowercase()));
        c = c.add(Expr::expr(Func::lower(Expr::col(ticket::Column::Subject))).like(pattern));
    }
    Ok(c)
}

fn apply_keyset(
    query: Select<ticket::Entity>,
    sort: Sort,
    cursor: (i64, i64, i64),
) -> Select<ticket::Entity> {
    let (rank, time, id) = cursor;
    if sort == Sort::Sla {
        // Soonest first: after (due, id) in ascending order.
        return query.filter(
            Condition::any().add(next_due().gt(time)).add(
                Condition::all()
                    .add(next_due().eq(time))
                    .add(ticket::Column::Id.gt(id)),
            ),
        );
    }
    let time_col = if sort == Sort::Created {
        ticket::Column::CreatedAt
    } else {
        ticket::Column::UpdatedAt
    };
    let after_time = Condition::any().add(time_col.lt(time)).add(
        Condition::all()
            .add(time_col.eq(time))
            .add(ticket::Column::Id.lt(id)),
    );
    if sort == Sort::Priority {
        query.filter(
            Condition::any()
                .add(ticket::Column::PriorityRank.lt(rank))
                .add(
                    Condition::all()
                        .add(ticket::Column::PriorityRank.eq(rank))
                        .add(after_time),
                ),
        )
    } else {
        query.filter(after_time)
    }
}

pub async fn list(state: &AppState, me: &AuthUser, q: TicketQuery) -> AppResult<TicketPage> {
    let sort = match q.sort.as_deref() {
        None | Some("updated") => Sort::Updated,
        Some("created") => Sort::Created,
        Some("priority") => Sort::Priority,
        Some("sla") => Sort::Sla,
        Some(_) => {
            return Err(AppError::field("sort", "updated, created, priority or sla"));
        }
    };
    let status = match &q.status {
        None => None,
        Some(s) => Some(
            parse_text::<Status>(s)
                .ok_or_else(|| AppError::field("status", "open, in_progress, pending or closed"))?,
        ),
    };
    let limit = q.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return Err(AppError::field("limit", "must be 1 to 100"));
    }
    let cursor = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let teams = policy::team_ids(&state.db, me.id).await?;
    let base = Condition::all()
        .add(visible(me, &teams))
        .add(filters(me, &q)?);

    let mut query = ticket::Entity::find().filter(base.clone());
    if let Some(s) = status {
        query = query.filter(ticket::Column::Status.eq(s));
    }
    if let Some(cursor) = cursor {
        query = apply_keyset(query, sort, cursor);
    }
    if sort == Sort::Priority {
        query = query.order_by_desc(ticket::Column::PriorityRank);
    }
    let time_col = if sort == Sort::Created {
        ticket::Column::CreatedAt
    } else {
        ticket::Column::UpdatedAt
    };
    let query = if sort == Sort::Sla {
        query
            .order_by(next_due(), Order::Asc)
            .order_by_asc(ticket::Column::Id)
    } else {
        query
            .order_by_desc(time_col)
            .order_by_desc(ticket::Column::Id)
    };
    let mut rows = query.limit(limit + 1).all(&state.db).await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|t| {
            let time = match sort {
                Sort::Created => t.created_at,
                Sort::Sla => next_due_of(t),
                _ => t.updated_at,
            };
            encode_cursor(t.priority_rank, time, t.id)
        })
    } else {
        None
    };

    let counted: Vec<(Status, i64)> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Status)
        .column_as(ticket::Column::Id.count(), "n")
        .filter(base)
        .group_by(ticket::Column::Status)
        .into_tuple()
        .all(&state.db)
        .await?;
    let count = |s: Status| {
        counted
            .iter()
            .find(|(k, _)| *k == s)
            .map_or(0, |(_, n)| *n as u64)
    };
    Ok(TicketPage {
        items: render(&state.db, &rows)
            .await?
            .into_iter()
            .map(|v| v.seen_by(me.is_staff()))
            .collect(),
        next_cursor,
        counts: StatusCounts {
            open: count(Status::Open),
            in_progress: count(Status::InProgress),
            pending: count(Status::Pending),
            closed: count(Status::Closed),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode_cursor(4, 1_700_000_000_123, 42);
        assert_eq!(decode_cursor(&c).unwrap(), (4, 1_700_000_000_123, 42));
        for bad in [
            "",
            "!!",
            "MTox",
            &URL_SAFE_NO_PAD.encode("1:2:3:4"),
            &URL_SAFE_NO_PAD.encode("a:b:c"),
        ] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }
}

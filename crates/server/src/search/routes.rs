//! `GET /api/v1/search`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::query::{self, Filters, Key};
use super::snippet::snippet;
use super::terms::Terms;
use super::{HitKind, SearchHit, SearchPage};
use crate::auth::AuthUser;
use crate::domain::{parse_text, to_rfc3339};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiQuery;
use crate::state::AppState;
use crate::tickets::domain::Status;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The words to find, 1 to 200 characters, at most 8 words separated by spaces. Each word
    /// must occur (case-insensitive, anywhere in a word: `voic` finds "invoice"); every
    /// character is literal (no operators, no wildcards).
    pub q: Option<String>,
    /// Only this conversation.
    pub conversation: Option<i64>,
    /// Only tickets in this status (`open`, `in_progress`, `pending`, `closed`) and their
    /// messages.
    pub ticket_status: Option<String>,
    /// Only messages sent by this user (and tickets they opened).
    pub from: Option<i64>,
    /// Only what was written after this time (RFC 3339).
    pub after: Option<String>,
    /// Only what was written before this time (RFC 3339).
    pub before: Option<String>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
    /// 1 to 50, default 20.
    pub limit: Option<u64>,
}

fn parse_time(field: &str, raw: Option<&str>) -> AppResult<Option<i64>> {
    raw.map(|t| {
        chrono::DateTime::parse_from_rfc3339(t.trim())
            .map(|t| t.timestamp_millis())
            .map_err(|_| AppError::field(field, "an RFC 3339 time, e.g. 2026-01-31T09:00:00Z"))
    })
    .transpose()
}

/// Messages and ticket subjects you may see that contain every word of `q`, best match first.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", security(("bearer" = [])),
    params(SearchQuery),
    responses((status = 200, body = SearchPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    me: AuthUser,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> AppResult<Json<SearchPage>> {
    let terms = Terms::parse(q.q.as_deref().unwrap_or(""))?;
    let limit = q.limit.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return Err(AppError::field("limit", "must be 1 to 50"));
    }
    let ticket_status = q
        .ticket_status
        .as_deref()
        .map(|s| {
            parse_text::<Status>(s).ok_or_else(|| {
                AppError::field("ticket_status", "open, in_progress, pending or closed")
            })
        })
        .transpose()?;
    let filters = Filters {
        conversation: q.conversation,
        ticket_status,
        from: q.from,
        after: parse_time("after", q.after.as_deref())?,
        before: parse_time("before", q.before.as_deref())?,
    };
    let cursor = q.cursor.as_deref().map(Key::decode).transpose()?;
    let teams = state.audiences.teams_of(&state.db, me.id).await?;

    // The top of each source after the cursor; merged, the top `limit` of both.
    let fetch = limit + 1;
    let messages = query::messages(
        &state.db,
        &me,
        &teams,
        &terms,
        &filters,
        cursor.as_ref(),
        fetch,
    )
    .await?;
    let tickets = query::tickets(
        &state.db,
        &me,
        &teams,
        &terms,
        &filters,
        cursor.as_ref(),
        fetch,
    )
    .await?;
    let words = terms.words();
    let mut hits: Vec<(Key, SearchHit)> = Vec::with_capacity(messages.len() + tickets.len());
    for m in messages {
        let (ticket_id, ticket_number, ticket_subject) = match m.ticket {
            Some((id, number, subject)) => (Some(id), Some(number), Some(subject)),
            None => (None, None, None),
        };
        hits.push((
            m.key,
            SearchHit {
                kind: HitKind::Message,
                conversation_id: m.conversation_id,
                message_id: Some(m.key.id),
                seq: Some(m.seq),
                message_kind: Some(m.kind),
                sender_id: m.sender_id,
                ticket_id,
                ticket_number,
                ticket_subject,
                snippet: snippet(&m.body, words),
                score: m.key.score,
                created_at: to_rfc3339(m.key.created_at),
            },
        ));
    }
    for t in tickets {
        hits.push((
            t.key,
            SearchHit {
                kind: HitKind::Ticket,
                conversation_id: t.conversation_id,
                message_id: None,
                seq: None,
                message_kind: None,
                sender_id: t.requester_id,
                ticket_id: Some(t.key.id),
                ticket_number: Some(t.number),
                snippet: snippet(&t.subject, words),
                ticket_subject: Some(t.subject),
                score: t.key.score,
                created_at: to_rfc3339(t.key.created_at),
            },
        ));
    }
    hits.sort_by_key(|(key, _)| std::cmp::Reverse(*key));
    let next_cursor = if hits.len() as u64 > limit {
        hits.truncate(limit as usize);
        hits.last().map(|(key, _)| key.encode())
    } else {
        None
    };
    Ok(Json(SearchPage {
        items: hits.into_iter().map(|(_, hit)| hit).collect(),
        next_cursor,
    }))
}

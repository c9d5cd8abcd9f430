//! Customer satisfaction (CSAT): when a ticket closes, its requester is asked once to rate it
//! 1 to 5 with an optional comment. How they are asked: a system message in the ticket's
//! conversation at the first closing ([`INVITATION`]), and the app's rating card on the
//! ticket screen while the ticket is closed and unrated (`csat` is null in the ticket view).
//!
//! One rating per ticket, ever: a ticket reopened and closed again after it was rated is not
//! rated again (its rating stays, and a second rating answers 409); a ticket reopened before it
//! was rated may be rated at its next closing.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::domain::Status;
use super::policy;
use super::view::{TicketView, render_one};
use crate::auth::AuthUser;
use crate::db::entities::ticket_rating;
use crate::db::is_unique_violation;
use crate::domain::{now_ms, to_rfc3339};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;

/// The system message posted in the conversation when an unrated ticket closes.
pub const INVITATION: &str =
    "How did we do? The requester can rate this ticket from 1 to 5 on the ticket's page.";

/// Longest comment, in characters.
pub const MAX_COMMENT: usize = 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(rate_ticket))
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CsatView {
    /// 1 (very unhappy) to 5 (very happy).
    pub score: i64,
    pub comment: Option<String>,
    pub rated_at: String,
}

impl From<&ticket_rating::Model> for CsatView {
    fn from(r: &ticket_rating::Model) -> Self {
        Self {
            score: r.score,
            comment: r.comment.clone(),
            rated_at: to_rfc3339(r.created_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateTicketRequest {
    /// 1 to 5.
    pub score: i64,
    /// Optional, up to 1,000 characters; blank counts as none.
    pub comment: Option<String>,
}

/// A valid rating: the score in 1..=5, the comment trimmed, bounded, and None when blank.
pub fn parse_rating(score: i64, comment: Option<&str>) -> AppResult<(i64, Option<String>)> {
    if !(1..=5).contains(&score) {
        return Err(AppError::field("score", "must be 1 to 5"));
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT) {
        return Err(AppError::field("comment", "at most 1000 characters"));
    }
    Ok((score, comment.map(str::to_string)))
}

/// Ratings of these tickets, by ticket id.
pub async fn ratings_of(
    db: &impl ConnectionTrait,
    ticket_ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, CsatView>> {
    if ticket_ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(ticket_rating::Entity::find()
        .filter(ticket_rating::Column::TicketId.is_in(ticket_ids.iter().copied()))
        .all(db)
        .await?
        .iter()
        .map(|r| (r.ticket_id, CsatView::from(r)))
        .collect())
}

/// Whether the ticket has a rating (an unrated ticket's closing invites one).
pub async fn is_rated(db: &impl ConnectionTrait, ticket_id: i64) -> AppResult<bool> {
    Ok(ticket_rating::Entity::find_by_id(ticket_id)
        .one(db)
        .await?
        .is_some())
}

/// Rate your closed ticket, once (requester only).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/csat", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RateTicketRequest,
    responses((status = 201, body = TicketView, description = "The ticket with its rating"),
              (status = 400, body = ErrorBody, description = "Score outside 1..=5 or comment too long"),
              (status = 403, body = ErrorBody, description = "Not the ticket's requester"),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Not closed, or already rated")))]
pub async fn rate_ticket(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RateTicketRequest>,
) -> AppResult<(StatusCode, Json<TicketView>)> {
    let (t, _) = policy::visible_ticket(&state.db, &me, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if t.requester_id != me.id {
        return Err(AppError::Forbidden);
    }
    let (score, comment) = parse_rating(req.score, req.comment.as_deref())?;
    if t.status != Status::Closed {
        return Err(AppError::Conflict(
            "only a closed ticket can be rated".into(),
        ));
    }
    let inserted = ticket_rating::ActiveModel {
        ticket_id: Set(t.id),
        user_id: Set(me.id),
        score: Set(score),
        comment: Set(comment),
        created_at: Set(now_ms()),
    }
    .insert(&state.db)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict("this ticket is already rated".into()));
        }
        Err(e) => return Err(e.into()),
    }
    let view = render_one(&state.db, &t).await?.seen_by(me.is_staff());
    // Everyone who sees the ticket (the assignee, the team) gets its new state live.
    super::service::announce(&state, t.id).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_is_a_score_from_one_to_five_and_a_bounded_comment() {
        assert!(parse_rating(0, None).is_err());
        assert!(parse_rating(6, None).is_err());
        assert_eq!(parse_rating(1, None).unwrap(), (1, None));
        assert_eq!(parse_rating(5, Some("  ")).unwrap(), (5, None));
        assert_eq!(
            parse_rating(4, Some(" fine ")).unwrap(),
            (4, Some("fine".into()))
        );
        assert!(parse_rating(3, Some(&"x".repeat(1000))).is_ok());
        assert!(parse_rating(3, Some(&"x".repeat(1001))).is_err());
    }
}

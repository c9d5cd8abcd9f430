//! `/api/v1/conversations/*`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::service::{self, SendMessageRequest};
use super::unread::{self, UnreadSummary};
use super::view::{ConversationList, ConversationView, MessagePage, MessageView};
use super::{access, store};
use crate::auth::AuthUser;
use crate::chat::recent::{self, PageQuery};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversations))
        .routes(routes!(unread_counts))
        .routes(routes!(open_direct))
        .routes(routes!(get_conversation))
        .routes(routes!(list_messages, send_message))
        .routes(routes!(mark_read))
}

#[derive(Deserialize, ToSchema)]
pub struct OpenDirectRequest {
    pub user_id: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Messages with a seq greater than this (0 or more).
    #[param(minimum = 0)]
    pub after_seq: Option<i64>,
    /// Messages with a seq smaller than this (the newest `limit` of them; 0 or more).
    #[param(minimum = 0)]
    pub before_seq: Option<i64>,
    /// 1 to 200, default 50.
    pub limit: Option<u64>,
}

#[derive(Deserialize, ToSchema)]
pub struct ReadRequest {
    pub seq: i64,
}

/// Your conversations with members, last message and unread count.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", security(("bearer" = [])),
    responses((status = 200, body = ConversationList), (status = 401, body = ErrorBody)))]
pub async fn list_conversations(
    State(state): State<AppState>,
    me: AuthUser,
) -> AppResult<Json<ConversationList>> {
    Ok(Json(ConversationList {
        items: service::list(&state, &me).await?,
    }))
}

/// Your unread counts: every conversation that counts for you (direct ones you are in; tickets
/// you may see and take part in: yours, assigned to you, your teams', ones you wrote or read
/// in; closed tickets for their requester only) and the total. One query.
#[utoipa::path(get, path = "/api/v1/conversations/unread", tag = "conversations", security(("bearer" = [])),
    responses((status = 200, body = UnreadSummary), (status = 401, body = ErrorBody)))]
pub async fn unread_counts(
    State(state): State<AppState>,
    me: AuthUser,
) -> AppResult<Json<UnreadSummary>> {
    Ok(Json(unread::summary(&state, &me).await?))
}

/// The direct conversation with a user: the existing one (200) or a new one (201).
#[utoipa::path(post, path = "/api/v1/conversations/direct", tag = "conversations", security(("bearer" = [])),
    request_body = OpenDirectRequest,
    responses((status = 200, body = ConversationView), (status = 201, body = ConversationView),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn open_direct(
    State(state): State<AppState>,
    me: AuthUser,
    ApiJson(req): ApiJson<OpenDirectRequest>,
) -> AppResult<impl IntoResponse> {
    let (conv, created) = service::open_direct(&state, &me, req.user_id).await?;
    let access = access::check(&state.db, &me, conv.id).await?;
    let view = service::describe(&state, &me, &access).await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(view),
    ))
}

/// One conversation.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody)))]
pub async fn get_conversation(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<ConversationView>> {
    let access = access::check(&state.db, &me, id).await?;
    Ok(Json(service::describe(&state, &me, &access).await?))
}

/// A page of messages in seq order.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path), HistoryQuery),
    responses((status = 200, body = MessagePage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_messages(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> AppResult<Response> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "must be 1 to 200"));
    }
    for (field, bound) in [("after_seq", q.after_seq), ("before_seq", q.before_seq)] {
        if bound.is_some_and(|seq| seq < 0) {
            return Err(AppError::field(field, "must be 0 or more"));
        }
    }
    let allowed = state.audiences.allow(&state.db, &me, id).await?;
    // Only a page with no upper bound needs the last seq to be answered from memory.
    let last_seq = match (q.after_seq, q.before_seq) {
        (_, Some(_)) => None,
        _ => Some(store::last_seq(&state.db, id).await?),
    };
    let query = PageQuery {
        after: q.after_seq,
        before: q.before_seq,
        limit: limit as usize,
        with_notes: allowed.staff_view,
        last_seq,
    };
    if let Some(page) = state.recent.page(id, query) {
        let headers = [(header::CONTENT_TYPE, "application/json")];
        return Ok((headers, recent::page_json(&page)).into_response());
    }
    let bounds = store::PageBounds {
        conversation_id: id,
        after: q.after_seq,
        before: q.before_seq,
        limit,
        with_notes: allowed.staff_view,
    };
    let items = store::read_page(&state, bounds).await?;
    Ok(Json(MessagePage { items }).into_response())
}

/// Send a message: 201 when stored, 200 with the original when `client_id` repeats.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SendMessageRequest,
    responses((status = 201, body = MessageView), (status = 200, body = MessageView),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn send_message(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<SendMessageRequest>,
) -> AppResult<impl IntoResponse> {
    let (message, created) = service::send_message(&state, &me, id, req).await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(message),
    ))
}

/// Move your read position forward.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/read", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReadRequest,
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReadRequest>,
) -> AppResult<StatusCode> {
    service::mark_read(&state, &me, id, req.seq).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `/api/v1/friend-requests`, `/api/v1/contacts`, `/api/v1/blocks`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::service::{self, Answer};
use super::view::{ContactList, FriendRequestList, FriendRequestView};
use crate::auth::AuthUser;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendRequestBody {
    pub to_user_id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockBody {
    pub user_id: i64,
}

/// Send a friend request: 201 with the new request, or 200 with the other side's pending
/// request, now accepted, when the two cross.
#[utoipa::path(post, path = "/api/v1/friend-requests", tag = "social", security(("bearer" = [])),
    request_body = SendRequestBody,
    responses((status = 201, body = FriendRequestView), (status = 200, body = FriendRequestView),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn send_request(
    State(state): State<AppState>,
    me: AuthUser,
    ApiJson(body): ApiJson<SendRequestBody>,
) -> AppResult<(StatusCode, Json<FriendRequestView>)> {
    let (view, created) = service::send_request(&state, &me, body.to_user_id).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)))
}

/// Your pending friend requests, incoming and outgoing.
#[utoipa::path(get, path = "/api/v1/friend-requests", tag = "social", security(("bearer" = [])),
    responses((status = 200, body = FriendRequestList), (status = 401, body = ErrorBody)))]
pub async fn list_requests(
    State(state): State<AppState>,
    me: AuthUser,
) -> AppResult<Json<FriendRequestList>> {
    Ok(Json(service::list_requests(&state, &me).await?))
}

/// Accept a request sent to you: you become contacts.
#[utoipa::path(post, path = "/api/v1/friend-requests/{id}/accept", tag = "social",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = FriendRequestView), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept_request(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<FriendRequestView>> {
    Ok(Json(
        service::answer_request(&state, &me, id, Answer::Accept).await?,
    ))
}

/// Decline a request sent to you.
#[utoipa::path(post, path = "/api/v1/friend-requests/{id}/decline", tag = "social",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = FriendRequestView), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn decline_request(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<FriendRequestView>> {
    Ok(Json(
        service::answer_request(&state, &me, id, Answer::Decline).await?,
    ))
}

/// Cancel a request you sent.
#[utoipa::path(delete, path = "/api/v1/friend-requests/{id}", tag = "social",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel_request(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    service::answer_request(&state, &me, id, Answer::Cancel).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your contacts with their presence, by display name.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "social", security(("bearer" = [])),
    responses((status = 200, body = ContactList), (status = 401, body = ErrorBody)))]
pub async fn list_contacts(
    State(state): State<AppState>,
    me: AuthUser,
) -> AppResult<Json<ContactList>> {
    Ok(Json(ContactList {
        items: service::list_contacts(&state, &me).await?,
    }))
}

/// Stop being contacts (for both of you).
#[utoipa::path(delete, path = "/api/v1/contacts/{user_id}", tag = "social",
    security(("bearer" = [])), params(("user_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn remove_contact(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(user_id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    service::remove_contact(&state, &me, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Block a user: they can no longer send you friend requests or direct messages, your contact
/// ends, pending requests between you are cancelled and you stop seeing each other's presence.
#[utoipa::path(post, path = "/api/v1/blocks", tag = "social", security(("bearer" = [])),
    request_body = BlockBody,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn block_user(
    State(state): State<AppState>,
    me: AuthUser,
    ApiJson(body): ApiJson<BlockBody>,
) -> AppResult<StatusCode> {
    service::block_user(&state, &me, body.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lift your block of a user.
#[utoipa::path(delete, path = "/api/v1/blocks/{user_id}", tag = "social",
    security(("bearer" = [])), params(("user_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn unblock_user(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(user_id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    service::unblock_user(&state, &me, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

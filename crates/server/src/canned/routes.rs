//! `/api/v1/canned-responses`: staff only. Someone else's personal response is a 404, like an
//! unknown id; a shared one may be read by all staff and changed by admins.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use super::placeholders::{Values, fill};
use super::{
    CannedResponseChanges, CannedResponseList, CannedResponseView, MAX_PERSONAL, MAX_SHARED,
    NewCannedResponse, RenderRequest, RenderedResponse,
};
use crate::auth::AuthUser;
use crate::conversations::service::check_body;
use crate::db::entities::canned_response::{self, SHARED};
use crate::db::entities::{conversation_member, user};
use crate::db::is_unique_violation;
use crate::domain::now_ms;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;

fn parse_shortcut(raw: &str) -> AppResult<String> {
    let s = raw.trim().to_lowercase();
    let valid = (1..=32).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        return Err(AppError::field(
            "shortcut",
            "must be 1 to 32 of a-z, 0-9, - and _",
        ));
    }
    Ok(s)
}

fn parse_title(raw: &str) -> AppResult<String> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > 128 {
        return Err(AppError::field("title", "must be 1 to 128 characters"));
    }
    Ok(t.to_string())
}

fn require_staff(me: &AuthUser) -> AppResult<()> {
    if me.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn taken(e: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&e) {
        AppError::Conflict("a response with this shortcut exists".into())
    } else {
        e.into()
    }
}

async fn display_name(state: &AppState, id: i64) -> AppResult<Option<String>> {
    Ok(user::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .map(|u| u.display_name))
}

/// A response the caller may see: their own or a shared one.
async fn visible(state: &AppState, me: &AuthUser, id: i64) -> AppResult<canned_response::Model> {
    require_staff(me)?;
    canned_response::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|r| r.owner_id == me.id || r.owner_id == SHARED)
        .ok_or(AppError::NotFound)
}

/// One the caller may change: their own, or a shared one when they are an admin.
async fn editable(state: &AppState, me: &AuthUser, id: i64) -> AppResult<canned_response::Model> {
    let r = visible(state, me, id).await?;
    if r.owner_id == SHARED {
        me.require_admin()?;
    }
    Ok(r)
}

/// Your own canned responses and the desk's shared ones, by shortcut (staff only).
#[utoipa::path(get, path = "/api/v1/canned-responses", tag = "canned", security(("bearer" = [])),
    responses((status = 200, body = CannedResponseList), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    me: AuthUser,
) -> AppResult<Json<CannedResponseList>> {
    require_staff(&me)?;
    let items = canned_response::Entity::find()
        .filter(canned_response::Column::OwnerId.is_in([me.id, SHARED]))
        .order_by_asc(canned_response::Column::Shortcut)
        .order_by_desc(canned_response::Column::OwnerId)
        .all(&state.db)
        .await?
        .into_iter()
        .map(CannedResponseView::new)
        .collect();
    Ok(Json(CannedResponseList { items }))
}

/// Save a response: your own, or (admins) one shared by the whole desk.
#[utoipa::path(post, path = "/api/v1/canned-responses", tag = "canned", security(("bearer" = [])),
    request_body = NewCannedResponse,
    responses((status = 201, body = CannedResponseView), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    me: AuthUser,
    ApiJson(req): ApiJson<NewCannedResponse>,
) -> AppResult<impl IntoResponse> {
    require_staff(&me)?;
    if req.shared {
        me.require_admin()?;
    }
    let shortcut = parse_shortcut(&req.shortcut)?;
    let title = parse_title(&req.title)?;
    check_body(&req.body, None)?;
    let (owner, limit) = if req.shared {
        (SHARED, MAX_SHARED)
    } else {
        (me.id, MAX_PERSONAL)
    };
    let count = canned_response::Entity::find()
        .filter(canned_response::Column::OwnerId.eq(owner))
        .count(&state.db)
        .await?;
    if count >= limit {
        return Err(AppError::Conflict(format!(
            "at most {limit} responses here: delete one first"
        )));
    }
    let now = now_ms();
    let created = canned_response::ActiveModel {
        owner_id: Set(owner),
        shortcut: Set(shortcut),
        title: Set(title),
        body: Set(req.body),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&state.db)
    .await
    .map_err(taken)?;
    Ok((StatusCode::CREATED, Json(CannedResponseView::new(created))))
}

/// Change a response's shortcut, title or body (yours; shared ones: admins).
#[utoipa::path(patch, path = "/api/v1/canned-responses/{id}", tag = "canned", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CannedResponseChanges,
    responses((status = 200, body = CannedResponseView), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CannedResponseChanges>,
) -> AppResult<Json<CannedResponseView>> {
    let current = editable(&state, &me, id).await?;
    let mut model = current.into_active_model();
    if let Some(s) = &req.shortcut {
        model.shortcut = Set(parse_shortcut(s)?);
    }
    if let Some(t) = &req.title {
        model.title = Set(parse_title(t)?);
    }
    if let Some(b) = req.body {
        check_body(&b, None)?;
        model.body = Set(b);
    }
    model.updated_at = Set(now_ms());
    let updated = model.update(&state.db).await.map_err(taken)?;
    Ok(Json(CannedResponseView::new(updated)))
}

/// Delete a response (yours; shared ones: admins).
#[utoipa::path(delete, path = "/api/v1/canned-responses/{id}", tag = "canned", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    editable(&state, &me, id).await?;
    canned_response::Entity::delete_by_id(id)
        .exec(&state.db)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A response with its placeholders filled for a conversation you may see: what the composer
/// inserts. Placeholders without a value there stay as written.
#[utoipa::path(post, path = "/api/v1/canned-responses/{id}/render", tag = "canned", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RenderRequest,
    responses((status = 200, body = RenderedResponse), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn render(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RenderRequest>,
) -> AppResult<Json<RenderedResponse>> {
    let response = visible(&state, &me, id).await?;
    let access = crate::conversations::access::check(&state.db, &me, req.conversation_id).await?;
    let customer = match &access.ticket {
        Some(t) => Some(t.requester_id),
        // A direct conversation: the other member.
        None => conversation_member::Entity::find()
            .filter(conversation_member::Column::ConversationId.eq(req.conversation_id))
            .filter(conversation_member::Column::UserId.ne(me.id))
            .one(&state.db)
            .await?
            .map(|m| m.user_id),
    };
    let values = Values {
        customer_name: match customer {
            Some(id) => display_name(&state, id).await?,
            None => None,
        },
        ticket_number: access.ticket.as_ref().map(|t| t.number),
        // The caller's name comes with their session: no query.
        agent_name: Some(me.display_name.clone()),
    };
    Ok(Json(RenderedResponse {
        body: fill(&response.body, &values),
    }))
}

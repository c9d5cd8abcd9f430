//! `/api/v1/push/preferences` and `/api/v1/push/mutes`: what the caller wants pushed. Mutes are
//! read when a push is queued, preferences (hide previews, quiet hours) when it is sent, so they
//! apply at once, across devices, to pushes still queued too.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::db::entities::{push_mute, push_preference};
use crate::domain::now_ms;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;

use super::quiet::QuietHours;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_preferences, update_preferences))
        .routes(routes!(list_mutes))
        .routes(routes!(mute_conversation, unmute_conversation))
}

/// The whole of a user's push preferences: a `PUT` replaces them all.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushPreferences {
    /// Pushes carry no message text and no ticket subject, only a generic line ("New message").
    pub hide_previews: bool,
    /// "Do not disturb": a daily period in which nothing is pushed but call invites. Absent or
    /// `null`: none.
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
}

impl PushPreferences {
    fn of(row: Option<push_preference::Model>) -> Self {
        match row {
            Some(p) => Self {
                hide_previews: p.hide_previews,
                quiet_hours: QuietHours::from_columns(
                    p.quiet_start_minute,
                    p.quiet_end_minute,
                    p.quiet_utc_offset_minutes,
                ),
            },
            None => Self {
                hide_previews: false,
                quiet_hours: None,
            },
        }
    }
}

/// The caller's push preferences.
#[utoipa::path(get, path = "/api/v1/push/preferences", tag = "push", security(("bearer" = [])),
    responses((status = 200, body = PushPreferences), (status = 401, body = ErrorBody)))]
pub async fn get_preferences(
    State(state): State<AppState>,
    me: AuthUser,
) -> AppResult<Json<PushPreferences>> {
    let row = push_preference::Entity::find_by_id(me.id)
        .one(&state.db)
        .await?;
    Ok(Json(PushPreferences::of(row)))
}

/// Replace the caller's push preferences. Applies to pushes still queued, too.
#[utoipa::path(put, path = "/api/v1/push/preferences", tag = "push", security(("bearer" = [])),
    request_body = PushPreferences,
    responses((status = 200, body = PushPreferences), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub async fn update_preferences(
    State(state): State<AppState>,
    me: AuthUser,
    ApiJson(req): ApiJson<PushPreferences>,
) -> AppResult<Json<PushPreferences>> {
    if let Some(quiet) = &req.quiet_hours {
        quiet.check()?;
    }
    let quiet = req.quiet_hours;
    let start = Set(quiet.map(|q| q.start_minute));
    let end = Set(quiet.map(|q| q.end_minute));
    let offset = Set(quiet.map(|q| q.utc_offset_minutes));
    let now = now_ms();
    let existing = push_preference::Entity::find_by_id(me.id)
        .one(&state.db)
        .await?;
    match existing {
        Some(row) => {
            let mut active = row.into_active_model();
            active.hide_previews = Set(req.hide_previews);
            active.quiet_start_minute = start;
            active.quiet_end_minute = end;
            active.quiet_utc_offset_minutes = offset;
            active.updated_at = Set(now);
            active.update(&state.db).await?;
        }
        None => {
            push_preference::ActiveModel {
                user_id: Set(me.id),
                hide_previews: Set(req.hide_previews),
                quiet_start_minute: start,
                quiet_end_minute: end,
                quiet_utc_offset_minutes: offset,
                updated_at: Set(now),
            }
            .insert(&state.db)
            .await?;
        }
    }
    Ok(Json(req))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct MuteList {
    /// Conversations whose messages and replies are not pushed to you (mentions and assignments
    /// still are).
    pub conversation_ids: Vec<i64>,
}

/// The conversations the caller muted for push.
#[utoipa::path(get, path = "/api/v1/push/mutes", tag = "push", security(("bearer" = [])),
    responses((status = 200, body = MuteList), (status = 401, body = ErrorBody)))]
pub async fn list_mutes(State(state): State<AppState>, me: AuthUser) -> AppResult<Json<MuteList>> {
    let rows = push_mute::Entity::find()
        .filter(push_mute::Column::UserId.eq(me.id))
        .order_by_asc(push_mute::Column::ConversationId)
        .all(&state.db)
        .await?;
    Ok(Json(MuteList {
        conversation_ids: rows.iter().map(|m| m.conversation_id).collect(),
    }))
}

/// Mute a conversation you can see: its messages and replies are no longer pushed to you.
/// Muting again changes nothing.
#[utoipa::path(put, path = "/api/v1/push/mutes/{id}", tag = "push", security(("bearer" = [])),
    params(("id" = i64, Path, description = "a conversation id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn mute_conversation(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    crate::conversations::access::check(&state.db, &me, id).await?;
    let existing = push_mute::Entity::find_by_id((me.id, id))
        .one(&state.db)
        .await?;
    if existing.is_none() {
        let inserted = push_mute::ActiveModel {
            user_id: Set(me.id),
            conversation_id: Set(id),
            created_at: Set(now_ms()),
        }
        .insert(&state.db)
        .await;
        // Two requests at once: the other one stored it.
        if let Err(e) = inserted
            && push_mute::Entity::find_by_id((me.id, id))
                .one(&state.db)
                .await?
                .is_none()
        {
            return Err(e.into());
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Unmute a conversation (unmuting one that is not muted changes nothing).
#[utoipa::path(delete, path = "/api/v1/push/mutes/{id}", tag = "push", security(("bearer" = [])),
    params(("id" = i64, Path, description = "a conversation id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unmute_conversation(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    crate::conversations::access::check(&state.db, &me, id).await?;
    push_mute::Entity::delete_by_id((me.id, id))
        .exec(&state.db)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

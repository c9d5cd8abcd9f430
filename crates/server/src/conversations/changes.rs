//! Changing a stored message: edit, delete, react, and the staff's view of its versions.
//!
//! The routes check what needs no database (the text, the emoji) and who may see the message;
//! the message writer then decides the rest against the message as it is in its transaction
//! (own message, edit window, not deleted) and gives the change its number
//! (`chat::writer::changes`).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tokio::sync::oneshot;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::service::check_body;
use super::store;
use super::view::{MessageView, VersionList, VersionView};
use crate::auth::AuthUser;
use crate::chat::writer::{ChangeRequest, Edit};
use crate::db::entities::{message, message_change};
use crate::domain::{ChangeKind, MessageKind, Role, to_rfc3339};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(edit_message, delete_message))
        .routes(routes!(add_reaction, remove_reaction))
        .routes(routes!(message_versions))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditMessageRequest {
    /// The new text: 1 to 10,000 characters.
    pub body: String,
}

/// Edit your own message (within 15 minutes of sending it; admins at any time). Everyone who
/// hears the conversation gets `message_updated`.
#[utoipa::path(patch, path = "/api/v1/messages/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = EditMessageRequest,
    responses((status = 200, body = MessageView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn edit_message(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<EditMessageRequest>,
) -> AppResult<Json<MessageView>> {
    change(&state, &me, id, || {
        check_body(&req.body, None)?;
        Ok(Edit::Body(req.body))
    })
    .await
    .map(Json)
}

/// Delete a message: your own, or as staff any message of a ticket you can see. It stays as a
/// tombstone (same seq, empty body, no attachments); everyone gets `message_deleted`.
#[utoipa::path(delete, path = "/api/v1/messages/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_message(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<MessageView>> {
    change(&state, &me, id, || Ok(Edit::Delete)).await.map(Json)
}

/// React with one emoji (once per user per emoji; a repeat changes nothing).
#[utoipa::path(put, path = "/api/v1/messages/{id}/reactions/{emoji}", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path), ("emoji" = String, Path, description = "One emoji, percent-encoded")),
    responses((status = 200, body = MessageView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_reaction(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath((id, emoji)): ApiPath<(i64, String)>,
) -> AppResult<Json<MessageView>> {
    react(&state, &me, id, &emoji, true).await
}

/// Take your reaction back (nothing to take back changes nothing).
#[utoipa::path(delete, path = "/api/v1/messages/{id}/reactions/{emoji}", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path), ("emoji" = String, Path, description = "One emoji, percent-encoded")),
    responses((status = 200, body = MessageView), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove_reaction(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath((id, emoji)): ApiPath<(i64, String)>,
) -> AppResult<Json<MessageView>> {
    react(&state, &me, id, &emoji, false).await
}

async fn react(
    state: &AppState,
    me: &AuthUser,
    id: i64,
    emoji: &str,
    add: bool,
) -> AppResult<Json<MessageView>> {
    change(state, me, id, || {
        let emoji = check_emoji(emoji)?;
        Ok(Edit::React { emoji, add })
    })
    .await
    .map(Json)
}

/// Every text an edited message had, oldest first (staff only; none once deleted).
#[utoipa::path(get, path = "/api/v1/messages/{id}/versions", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = VersionList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn message_versions(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<VersionList>> {
    let (m, _) = visible_message(&state, &me, id).await?;
    if !me.is_staff() {
        return Err(AppError::Forbidden);
    }
    let edits = message_change::Entity::find()
        .filter(message_change::Column::MessageId.eq(id))
        .filter(message_change::Column::Kind.eq(ChangeKind::Edited))
        .order_by_asc(message_change::Column::ChangeSeq)
        .all(&state.db)
        .await?;
    let mut items = Vec::with_capacity(edits.len() + 1);
    if m.deleted_at.is_none() {
        if let Some(first) = edits.first() {
            items.push(VersionView {
                body: first.previous_body.clone().unwrap_or_default(),
                at: to_rfc3339(m.created_at),
                author_id: m.sender_id,
            });
        }
        items.extend(edits.iter().map(|e| VersionView {
            body: e.body.clone().unwrap_or_default(),
            at: to_rfc3339(e.created_at),
            author_id: e.actor_id,
        }));
        if items.is_empty() {
            items.push(VersionView {
                body: m.body.clone(),
                at: to_rfc3339(m.created_at),
                author_id: m.sender_id,
            });
        }
    }
    Ok(Json(VersionList { items }))
}

/// The message, if `me` may see it, and whether `me` sees the conversation as staff.
async fn visible_message(
    state: &AppState,
    me: &AuthUser,
    id: i64,
) -> AppResult<(message::Model, crate::chat::audience::Allowed)> {
    let m = message::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    // Someone outside the conversation learns nothing, not even that the message exists.
    let allowed = state
        .audiences
        .allow(&state.db, me, m.conversation_id)
        .await
        .map_err(|e| match e {
            AppError::Forbidden => AppError::NotFound,
            other => other,
        })?;
    if m.kind == MessageKind::Note && !allowed.staff_view {
        return Err(AppError::NotFound);
    }
    Ok((m, allowed))
}

/// Queues the change for the writer, waits for its commit, and returns the message as it is.
/// The change is built (and its input checked) once the message is known to be visible, so a
/// stranger gets the same `not_found` whatever they send.
async fn change(
    state: &AppState,
    me: &AuthUser,
    id: i64,
    edit: impl FnOnce() -> AppResult<Edit>,
) -> AppResult<MessageView> {
    let (_, allowed) = visible_message(state, me, id).await?;
    let edit = edit()?;
    if allowed.facts.blocked && matches!(edit, Edit::React { .. }) {
        return Err(AppError::Forbidden);
    }
    let (tx, rx) = oneshot::channel();
    state
        .writer
        .submit_change(ChangeRequest {
            actor_id: me.id,
            actor_is_admin: me.role == Role::Admin,
            staff_view: allowed.staff_view,
            conversation: allowed.facts,
            message_id: id,
            edit,
            reply: tx,
        })
        .await?;
    rx.await.map_err(|_| {
        AppError::Internal(anyhow::anyhow!("the message writer dropped a change"))
    })??;
    let m = message::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(store::views(&state.db, vec![m]).await?.remove(0))
}

/// One emoji (a single grapheme, skin tones and sequences included) from Unicode's list.
fn check_emoji(raw: &str) -> AppResult<String> {
    let problem = || AppError::field("emoji", "must be one emoji");
    if raw.len() > 64 {
        return Err(problem());
    }
    emojis::get(raw).ok_or_else(problem)?;
    // Stored as given (with its skin tone), but a variation selector is not a new reaction.
    Ok(raw.trim_end_matches('\u{FE0F}').to_string())
}

#[cfg(test)]
mod tests {
    use super::check_emoji;

    #[test]
    fn one_emoji_passes_and_anything_else_is_refused() {
        for ok in ["👍", "❤️", "🎉", "👍🏽", "👩‍💻", "🇫🇷"] {
            assert!(check_emoji(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a", "ok", "👍👍", ":+1:", "%", "\"", "👍 "] {
            assert!(check_emoji(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_emoji("❤️").unwrap(),
            "❤",
            "the variation selector is dropped"
        );
    }
}

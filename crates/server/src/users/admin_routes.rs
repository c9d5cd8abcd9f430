//! `/api/v1/admin/users`: admins list users, change roles, disable and re-enable accounts.

use axum::Json;
use axum::extract::State;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::account::{publish_account_updated, reconnect_after_demotion};
use super::routes::load_user;
use super::view::UserView;
use crate::audit::{self, action};
use crate::auth::AuthUser;
use crate::auth::service::revoke_all_sessions;
use crate::db::entities::user;
use crate::domain::{Role, now_ms};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::realtime::events::Control;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(update_user))
        .merge(super::admin_create::router())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// Email or display-name prefix.
    pub q: Option<String>,
    /// Return users with an id greater than this (from `next_cursor`).
    pub cursor: Option<i64>,
    /// 1 to 200, default 50.
    pub limit: Option<u64>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserView>,
    pub next_cursor: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminUpdateUser {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// All users (admin only).
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])),
    params(ListUsersQuery),
    responses((status = 200, body = UserPage), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    me: AuthUser,
    ApiQuery(q): ApiQuery<ListUsersQuery>,
) -> AppResult<Json<UserPage>> {
    me.require_admin()?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let mut query = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .limit(limit + 1);
    if let Some(cursor) = q.cursor {
        query = query.filter(user::Column::Id.gt(cursor));
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("{}%", strip_like_wildcards(&text.to_lowercase()));
        query = query.filter(
            sea_orm::Condition::any()
                .add(user::Column::Email.like(pattern.clone()))
                .add(user::Column::DisplayName.like(pattern)),
        );
    }
    let mut rows = query.all(&state.db).await?;
    let next_cursor = (rows.len() as u64 > limit).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|u| u.id).unwrap_or_default()
    });
    Ok(Json(UserPage {
        items: rows.iter().map(|u| UserView::new(u, true)).collect(),
        next_cursor,
    }))
}

/// Removes LIKE wildcards from user text so it matches literally (escape syntax differs
/// between the databases).
pub fn strip_like_wildcards(text: &str) -> String {
    text.replace(['\\', '%', '_'], "")
}

/// Change a user's role or disable/re-enable the account (admin only). Disabling ends every
/// session of the user at once.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AdminUpdateUser,
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AdminUpdateUser>,
) -> AppResult<Json<UserView>> {
    me.require_admin()?;
    if id == me.id && (req.disabled == Some(true) || req.role.is_some_and(|r| r != Role::Admin)) {
        return Err(AppError::BadRequest(
            "admins cannot disable or demote themselves".into(),
        ));
    }
    let current = load_user(&state, id).await?;
    let was_staff = current.role.is_staff();
    let entries = audit_entries(&me, &current, &req);
    let mut model = current.into_active_model();
    if let Some(role) = req.role {
        model.role = Set(role);
    }
    if let Some(disabled) = req.disabled {
        model.disabled = Set(disabled);
    }
    model.updated_at = Set(now_ms());
    let txn = state.db.begin().await?;
    let updated = model.update(&txn).await?;
    for entry in entries {
        audit::record(&txn, entry).await?;
    }
    txn.commit().await?;
    // Roles and disabling change who hears tickets (and who may see them).
    crate::chat::writer::forget_all(&state).await;
    state
        .realtime
        .publish_control(Control::UserChanged {
            user_id: updated.id,
        })
        .await;
    if updated.disabled {
        revoke_all_sessions(&state, updated.id).await?;
    } else if req.role.is_some() {
        publish_account_updated(&state, updated.id).await?;
        if was_staff && updated.role == Role::Customer {
            reconnect_after_demotion(&state, updated.id).await;
        }
    }
    Ok(Json(UserView::new(&updated, true)))
}

/// What the audit log keeps of this change: one entry per field that really changes.
fn audit_entries(me: &AuthUser, current: &user::Model, req: &AdminUpdateUser) -> Vec<audit::Entry> {
    let mut entries = Vec::new();
    if let Some(role) = req.role.filter(|&r| r != current.role) {
        entries.push(
            audit::Entry::by(me, action::USER_ROLE_CHANGED)
                .target("user", current.id)
                .details(audit::old_new(current.role, role)),
        );
    }
    if let Some(disabled) = req.disabled.filter(|&d| d != current.disabled) {
        let name = if disabled {
            action::USER_DISABLED
        } else {
            action::USER_ENABLED
        };
        entries.push(audit::Entry::by(me, name).target("user", current.id));
    }
    entries
}

//! `POST /api/v1/admin/users` and `.../{id}/invite`: admins create accounts (an agent, usually)
//! and hand out invites; the invitee chooses their own password (`auth::invite`).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::routes::load_user;
use super::view::UserView;
use crate::auth::AuthUser;
use crate::auth::invite::{self, InviteView, placeholder_password};
use crate::auth::service::{self, revoke_all_sessions};
use crate::domain::{DisplayName, Email, Role, now_ms};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_user))
        .routes(routes!(reinvite_user))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminCreateUser {
    pub email: String,
    /// 1 to 64 characters.
    pub display_name: String,
    pub role: Role,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct InvitedUser {
    pub user: UserView,
    pub invite: InviteView,
}

/// Create an account with a role and an invite for it (admin only). The account can't be
/// signed in to until the invite is accepted.
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])),
    request_body = AdminCreateUser,
    responses((status = 201, body = InvitedUser), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    me: AuthUser,
    ApiJson(req): ApiJson<AdminCreateUser>,
) -> AppResult<impl IntoResponse> {
    me.require_admin()?;
    let mut problems = BTreeMap::new();
    let email = Email::parse(&req.email)
        .map_err(|e| collect(&mut problems, e))
        .ok();
    let name = DisplayName::parse(&req.display_name)
        .map_err(|e| collect(&mut problems, e))
        .ok();
    let (Some(email), Some(name)) = (email, name) else {
        return Err(AppError::Validation(problems));
    };
    let created =
        service::create_user(&state, &email, &name, &placeholder_password(), req.role).await?;
    let invite = invite::issue(&state, &created)?;
    Ok((
        StatusCode::CREATED,
        Json(InvitedUser {
            user: UserView::new(&created, true),
            invite,
        }),
    ))
}

fn collect(problems: &mut BTreeMap<String, String>, err: AppError) {
    if let AppError::Validation(fields) = err {
        problems.extend(fields);
    }
}

/// A new invite for an account (admin only): for a lost or expired invite, or a forgotten
/// password. The account's password and every earlier invite stop working and its sessions
/// end.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/invite", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = InvitedUser), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reinvite_user(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<InvitedUser>> {
    me.require_admin()?;
    if id == me.id {
        return Err(AppError::BadRequest(
            "admins cannot invite themselves again (it would lock them out)".into(),
        ));
    }
    let current = load_user(&state, id).await?;
    let hash = state.hasher.hash(placeholder_password().expose()).await?;
    let mut model = current.into_active_model();
    model.password_hash = Set(hash);
    model.updated_at = Set(now_ms());
    let updated = model.update(&state.db).await?;
    revoke_all_sessions(&state, updated.id).await?;
    let invite = invite::issue(&state, &updated)?;
    Ok(Json(InvitedUser {
        user: UserView::new(&updated, true),
        invite,
    }))
}

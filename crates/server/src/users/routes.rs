//! `/api/v1/users/me`: your own profile.

use axum::Json;
use axum::extract::State;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::view::UserView;
use crate::auth::AuthUser;
use crate::db::entities::user;
use crate::domain::{DisplayName, Password, now_ms};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_me, update_me))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    pub display_name: Option<String>,
    /// A new password; requires `current_password`.
    pub password: Option<String>,
    pub current_password: Option<String>,
}

pub async fn load_user(state: &AppState, id: i64) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Your own account.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
pub async fn get_me(State(state): State<AppState>, me: AuthUser) -> AppResult<Json<UserView>> {
    Ok(Json(UserView::new(&load_user(&state, me.id).await?, true)))
}

/// Change your display name or password.
#[utoipa::path(patch, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses((status = 200, body = UserView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn update_me(
    State(state): State<AppState>,
    me: AuthUser,
    ApiJson(req): ApiJson<UpdateMeRequest>,
) -> AppResult<Json<UserView>> {
    let current = load_user(&state, me.id).await?;
    let mut model = current.clone().into_active_model();
    if let Some(name) = req.display_name {
        model.display_name = Set(DisplayName::parse(&name)?.as_str().to_string());
    }
    if let Some(new_password) = req.password {
        let new_password = Password::parse(new_password)?;
        let given = req
            .current_password
            .ok_or_else(|| AppError::field("current_password", "required"))?;
        if !state
            .hasher
            .verify(&given, Some(&current.password_hash))
            .await?
        {
            return Err(AppError::field("current_password", "is wrong"));
        }
        model.password_hash = Set(state.hasher.hash(new_password.expose()).await?);
    }
    model.updated_at = Set(now_ms());
    let updated = model.update(&state.db).await?;
    state
        .realtime
        .publish_control(crate::realtime::events::Control::UserChanged {
            user_id: updated.id,
        })
        .await;
    Ok(Json(UserView::new(&updated, true)))
}

//! `/api/v1/auth/*`: register, login, refresh, logout.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::service::{self, Issued};
use crate::domain::{DisplayName, Email, Password, Role};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::users::view::UserView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .merge(super::invite::router())
}

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    pub email: String,
    pub display_name: String,
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AuthResponse {
    pub user: UserView,
    pub access_token: String,
    pub refresh_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

pub(crate) fn answer(state: &AppState, issued: Issued) -> AuthResponse {
    AuthResponse {
        user: UserView::new(&issued.user, true),
        access_token: issued.access_token,
        refresh_token: issued.refresh_token,
        token_type: "bearer".into(),
        expires_in: state.keys.access_ttl_secs,
    }
}

/// Create a customer account and sign in.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = AuthResponse), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> AppResult<impl IntoResponse> {
    state
        .auth_limiter
        .check(addr.ip(), &req.email.trim().to_lowercase())
        .await?;
    let mut problems = std::collections::BTreeMap::new();
    let email = Email::parse(&req.email)
        .map_err(|e| collect(&mut problems, e))
        .ok();
    let name = DisplayName::parse(&req.display_name)
        .map_err(|e| collect(&mut problems, e))
        .ok();
    let password = Password::parse(req.password)
        .map_err(|e| collect(&mut problems, e))
        .ok();
    let (Some(email), Some(name), Some(password)) = (email, name, password) else {
        return Err(AppError::Validation(problems));
    };
    let user = service::create_user(&state, &email, &name, &password, Role::Customer).await?;
    let issued = service::start_session(&state, user).await?;
    Ok((StatusCode::CREATED, Json(answer(&state, issued))))
}

/// Gathers the field problems of several validations into one answer.
fn collect(problems: &mut std::collections::BTreeMap<String, String>, err: AppError) {
    if let AppError::Validation(fields) = err {
        problems.extend(fields);
    }
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = AuthResponse), (status = 401, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Json<AuthResponse>> {
    state
        .auth_limiter
        .check(addr.ip(), &req.email.trim().to_lowercase())
        .await?;
    if req.password.chars().count() > 128 {
        // Never hash unbounded input; answer like any wrong password.
        return Err(AppError::InvalidCredentials);
    }
    let issued = service::login(&state, &req.email, &req.password, Some(addr.ip())).await?;
    Ok(Json(answer(&state, issued)))
}

/// Exchange a refresh token for a new pair. The presented token is spent; presenting it again
/// revokes the whole session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = AuthResponse), (status = 401, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> AppResult<Json<AuthResponse>> {
    let issued = service::refresh(&state, &req.refresh_token, Some(addr.ip())).await?;
    Ok(Json(answer(&state, issued)))
}

/// End the session of this refresh token; its access tokens and WebSockets stop working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> AppResult<StatusCode> {
    service::logout(&state, &req.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

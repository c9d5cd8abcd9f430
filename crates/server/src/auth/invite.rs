//! Invites: how someone an admin created gets in. The account starts with a password nobody
//! knows (a random one, hashed with argon2id like any other); the admin hands the invitee a
//! signed, expiring token (the app puts it in a link's fragment, which no server or proxy log
//! sees), and the invitee chooses a password with it at `POST /api/v1/auth/accept-invite`.
//! The token is bound to the placeholder's hash, so choosing a password spends it, and a new
//! invite (a new placeholder) voids every earlier one.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::routes::AuthResponse;
use super::service;
use super::tokens::password_fingerprint;
use crate::db::entities::user;
use crate::domain::{Password, now_ms};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;

/// How long an invite stays valid.
pub const INVITE_TTL_SECS: u64 = 7 * 24 * 3600;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(accept_invite))
}

/// An invite to hand to the new person (shown to the admin once; never stored or logged).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct InviteView {
    pub token: String,
    /// Unix milliseconds.
    pub expires_at: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInviteRequest {
    pub token: String,
    /// 8 to 128 characters.
    pub password: String,
}

/// A password nobody knows: the account can't be signed in to until an invite is accepted.
pub fn placeholder_password() -> Password {
    let bytes: [u8; 32] = rand::random();
    Password::parse(hex::encode(bytes)).expect("64 characters is a valid password")
}

/// An invite for the account as it is now.
pub fn issue(state: &AppState, account: &user::Model) -> AppResult<InviteView> {
    let expires_at = jsonwebtoken::get_current_timestamp() + INVITE_TTL_SECS;
    let token = state
        .keys
        .issue_invite(account.id, &account.password_hash, expires_at)?;
    Ok(InviteView {
        token,
        expires_at: expires_at as i64 * 1000,
    })
}

fn invalid() -> AppError {
    AppError::field(
        "token",
        "this invite is not valid: it was used, replaced or has expired",
    )
}

/// Choose a password with an invite and sign in.
#[utoipa::path(post, path = "/api/v1/auth/accept-invite", tag = "auth", request_body = AcceptInviteRequest,
    responses((status = 200, body = AuthResponse), (status = 400, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn accept_invite(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<AcceptInviteRequest>,
) -> AppResult<Json<AuthResponse>> {
    state.auth_limiter.check(addr.ip(), "invite").await?;
    let password = Password::parse(req.password)?;
    let invite = state
        .keys
        .verify_invite(req.token.trim())
        .ok_or_else(invalid)?;
    let account = user::Entity::find_by_id(invite.user_id)
        .one(&state.db)
        .await?
        .filter(|u| {
            !u.disabled && password_fingerprint(&u.password_hash) == invite.password_fingerprint
        })
        .ok_or_else(invalid)?;
    let hash = state.hasher.hash(password.expose()).await?;
    // Compare-and-set on the old hash: of two acceptances racing, one wins.
    let changed = user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now_ms()))
        .filter(user::Column::Id.eq(account.id))
        .filter(user::Column::PasswordHash.eq(account.password_hash.as_str()))
        .exec(&state.db)
        .await?;
    if changed.rows_affected != 1 {
        return Err(invalid());
    }
    let account = user::Entity::find_by_id(account.id)
        .one(&state.db)
        .await?
        .ok_or_else(invalid)?;
    let issued = service::start_session(&state, account).await?;
    Ok(Json(super::routes::answer(&state, issued)))
}

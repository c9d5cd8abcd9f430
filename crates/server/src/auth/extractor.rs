//! `AuthUser`: the extractor every protected handler takes. It checks the bearer token, then the
//! session and the user (from memory, `auth::sessions`, else the database), so logging out or
//! disabling a user ends access at once and a role change applies to the next request: both
//! drop the cached entry on every node before they answer.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sea_orm::EntityTrait;

use crate::auth::sessions::CachedSession;
use crate::db::entities::{session, user};
use crate::domain::{Role, now_ms};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: i64,
    pub role: Role,
    pub session_id: String,
    pub display_name: String,
    /// Expiry of the access token, seconds since the epoch.
    pub token_exp: u64,
    /// The peer address of the request (for the audit log); `None` outside an HTTP request.
    pub client_ip: Option<IpAddr>,
}

impl AuthUser {
    pub fn is_staff(&self) -> bool {
        self.role.is_staff()
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Resolves an access token into the user it speaks for, or `None` when the token is invalid,
/// expired, or its session or user is no longer active.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Option<AuthUser>, AppError> {
    let Some((user_id, session_id, exp)) = state.keys.verify_access(token) else {
        return Ok(None);
    };
    if let Some(hit) = state.sessions.get(&session_id)
        && hit.user_id == user_id
        && hit.expires_at >= now_ms()
    {
        return Ok(Some(AuthUser {
            id: user_id,
            role: hit.role,
            session_id,
            display_name: hit.display_name,
            token_exp: exp,
            client_ip: None,
        }));
    }
    let generation = state.sessions.generation();
    let Some(session) = session::Entity::find_by_id(session_id.clone())
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    if session.user_id != user_id || session.revoked_at.is_some() || session.expires_at < now_ms() {
        return Ok(None);
    }
    let Some(user) = user::Entity::find_by_id(user_id).one(&state.db).await? else {
        return Ok(None);
    };
    if user.disabled {
        return Ok(None);
    }
    let role = user.role;
    state.sessions.insert(
        generation,
        session_id.clone(),
        CachedSession {
            user_id: user.id,
            expires_at: session.expires_at,
            role,
            display_name: user.display_name.clone(),
        },
    );
    Ok(Some(AuthUser {
        id: user.id,
        role,
        session_id,
        display_name: user.display_name,
        token_exp: exp,
        client_ip: None,
    }))
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or(AppError::Unauthorized)?;
        let mut user = authenticate(state, token.trim())
            .await?
            .ok_or(AppError::Unauthorized)?;
        user.client_ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

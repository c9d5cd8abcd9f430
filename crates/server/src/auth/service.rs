//! Account rules: registration, login, refresh-token rotation with theft detection, logout.

use std::net::IpAddr;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};

use super::tokens::{hash_refresh_token, new_refresh_token};
use crate::audit::{self, action};
use crate::db::entities::{refresh_token, session, user};
use crate::db::is_unique_violation;
use crate::domain::{DisplayName, Email, Password, Role, now_ms};
use crate::error::{AppError, AppResult};
use crate::realtime::events::Control;
use crate::state::AppState;

/// A freshly issued token pair.
pub struct Issued {
    pub user: user::Model,
    pub access_token: String,
    pub refresh_token: String,
}

pub async fn create_user(
    state: &AppState,
    email: &Email,
    display_name: &DisplayName,
    password: &Password,
    role: Role,
) -> AppResult<user::Model> {
    let hash = state.hasher.hash(password.expose()).await?;
    let now = now_ms();
    let model = user::ActiveModel {
        email: Set(email.as_str().to_string()),
        display_name: Set(display_name.as_str().to_string()),
        password_hash: Set(hash),
        role: Set(role),
        disabled: Set(false),
        avatar_key: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    // The user and its `user.created` webhook deliveries commit together.
    let txn = state.db.begin().await?;
    let inserted = match model.insert(&txn).await {
        Ok(u) => {
            let hook = crate::webhooks::events::Event::user(&u, now);
            crate::webhooks::outbox::queue(&txn, &[hook], now).await?;
            txn.commit().await?;
            state.webhooks.wake.notify_one();
            Ok(u)
        }
        Err(e) => Err(e),
    };
    match inserted {
        Ok(u) => {
            if role.is_staff() {
                // A new agent joins the shared queue's audience.
                crate::chat::writer::forget_all(state).await;
            }
            Ok(u)
        }
        Err(e) if is_unique_violation(&e) => Err(AppError::EmailTaken),
        Err(e) => Err(e.into()),
    }
}

pub async fn find_by_email(
    db: &DatabaseConnection,
    email: &Email,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?)
}

/// Starts a new session (a refresh-token family) and issues its first pair.
pub async fn start_session(state: &AppState, user: user::Model) -> AppResult<Issued> {
    let now = now_ms();
    let session_id = uuid::Uuid::new_v4().to_string();
    let ttl_ms = state.settings.refresh_token_ttl_days as i64 * 86_400_000;
    let refresh = new_refresh_token();
    let txn = state.db.begin().await?;
    session::ActiveModel {
        id: Set(session_id.clone()),
        user_id: Set(user.id),
        created_at: Set(now),
        expires_at: Set(now + ttl_ms),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    insert_refresh(&txn, &session_id, &refresh, now).await?;
    txn.commit().await?;
    let access_token = state.keys.issue_access(user.id, &session_id)?;
    Ok(Issued {
        user,
        access_token,
        refresh_token: refresh,
    })
}

async fn insert_refresh(
    db: &impl sea_orm::ConnectionTrait,
    session_id: &str,
    token: &str,
    now: i64,
) -> AppResult<()> {
    refresh_token::ActiveModel {
        session_id: Set(session_id.to_string()),
        token_hash: Set(hash_refresh_token(token)),
        created_at: Set(now),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Checks email and password. Unknown email and wrong password give the same answer and cost
/// the same time (the hasher verifies against a dummy hash).
/// Both outcomes go to the audit log, from `ip`.
pub async fn login(
    state: &AppState,
    email: &str,
    password: &str,
    ip: Option<IpAddr>,
) -> AppResult<Issued> {
    let user = match Email::parse(email) {
        Ok(email) => find_by_email(&state.db, &email).await?,
        Err(_) => None,
    };
    let ok = state
        .hasher
        .verify(password, user.as_ref().map(|u| u.password_hash.as_str()))
        .await?;
    let (user, reason) = match user {
        Some(user) if ok && !user.disabled => {
            let issued = start_session(state, user).await?;
            let entry = audit::Entry::by_user(issued.user.id, ip, action::SIGN_IN)
                .target("user", issued.user.id);
            audit::record(&state.db, entry).await?;
            return Ok(issued);
        }
        Some(user) if ok => (Some(user.id), "disabled"),
        Some(user) => (Some(user.id), "wrong_password"),
        None => (None, "unknown_email"),
    };
    // The client only ever hears "invalid credentials"; the admin reading the log sees why.
    let mut entry = audit::Entry::anonymous(email, ip, action::SIGN_IN_FAILED)
        .details(serde_json::json!({ "reason": reason }));
    if let Some(id) = user {
        entry = entry.target("user", id);
    }
    audit::record(&state.db, entry).await?;
    Err(AppError::InvalidCredentials)
}

/// Rotates a refresh token. Presenting a token that was already rotated means it was copied:
/// the whole family (session) is revoked.
pub async fn refresh(state: &AppState, presented: &str, ip: Option<IpAddr>) -> AppResult<Issued> {
    let now = now_ms();
    let hash = hash_refresh_token(presented);
    let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(&state.db)
        .await?
    else {
        return Err(AppError::Unauthorized);
    };
    let Some(session) = session::Entity::find_by_id(token.session_id.clone())
        .one(&state.db)
        .await?
    else {
        return Err(AppError::Unauthorized);
    };
    if session.revoked_at.is_some() || session.expires_at < now {
        return Err(AppError::Unauthorized);
    }
    // Spend the token; the `used_at IS NULL` condition makes two concurrent uses race safely.
    let spent = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(token.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&state.db)
        .await?;
    if spent.rows_affected != 1 {
        tracing::warn!(session = %session.id, user_id = session.user_id, "refresh token reuse: revoking the session");
        let entry = audit::Entry::by_user(session.user_id, ip, action::REFRESH_TOKEN_REUSED)
            .target("session", &session.id);
        audit::record(&state.db, entry).await?;
        revoke_session(state, &session.id, session.user_id).await?;
        return Err(AppError::Unauthorized);
    }
    let user = user::Entity::find_by_id(session.user_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if user.disabled {
        return Err(AppError::Unauthorized);
    }
    let refresh = new_refresh_token();
    insert_refresh(&state.db, &session.id, &refresh, now).await?;
    let access_token = state.keys.issue_access(user.id, &session.id)?;
    Ok(Issued {
        user,
        access_token,
        refresh_token: refresh,
    })
}

/// Ends the session the refresh token belongs to. Unknown tokens are ignored (logout is
/// idempotent and reveals nothing).
pub async fn logout(state: &AppState, presented: &str) -> AppResult<()> {
    let hash = hash_refresh_token(presented);
    if let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(&state.db)
        .await?
        && let Some(session) = session::Entity::find_by_id(token.session_id)
            .one(&state.db)
            .await?
    {
        revoke_session(state, &session.id, session.user_id).await?;
    }
    Ok(())
}

pub async fn revoke_session(state: &AppState, session_id: &str, user_id: i64) -> AppResult<()> {
    revoke(state, user_id, Some(session_id)).await
}

pub async fn revoke_all_sessions(state: &AppState, user_id: i64) -> AppResult<()> {
    revoke(state, user_id, None).await
}

/// Ends one session of the user, or all of them, and closes their sockets (4401) on every node.
async fn revoke(state: &AppState, user_id: i64, session_id: Option<&str>) -> AppResult<()> {
    let mut update = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now_ms()))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(id) = session_id {
        update = update.filter(session::Column::Id.eq(id));
    }
    update.exec(&state.db).await?;
    // The devices this session registered stop getting pushes (all of them when every session
    // ends: password change, disabling).
    crate::push::routes::forget_session(&state.db, user_id, session_id).await?;
    crate::push::nudge::devices_changed(state, user_id).await;
    let session_id = session_id.map(str::to_string);
    state
        .realtime
        .publish_control(Control::SessionRevoked {
            user_id,
            session_id,
        })
        .await;
    Ok(())
}

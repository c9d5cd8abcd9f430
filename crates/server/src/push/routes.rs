//! `/api/v1/push/*`: a device registers its push subscription (idempotent per endpoint or
//! token), lists and removes the caller's own; the VAPID public key the web app subscribes
//! with. The caller's preferences and mutes: `preferences`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::SubscriptionKind;
use crate::auth::AuthUser;
use crate::db::entities::{push_delivery, push_subscription};
use crate::domain::{now_ms, to_rfc3339};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;

/// Devices per user; registering one more removes the least recently registered (browsers
/// replace their endpoints without telling us).
const MAX_PER_USER: usize = 20;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(vapid_public_key))
        .routes(routes!(list_subscriptions, create_subscription))
        .routes(routes!(delete_subscription))
        .merge(super::preferences::router())
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct VapidKey {
    /// The server's P-256 public key (uncompressed point, base64url): the web app passes it as
    /// `applicationServerKey` to `pushManager.subscribe`.
    pub public_key: String,
}

/// The browser's subscription keys, as `PushSubscription.toJSON().keys` gives them.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebPushKeys {
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The 16-byte authentication secret, base64url.
    pub auth: String,
}

/// A device's subscription: `{"kind": "webpush", "endpoint", "keys": {"p256dh", "auth"}}` (the
/// browser's `PushSubscription.toJSON()` plus `kind`), or `{"kind": "expo", "token"}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    pub kind: SubscriptionKind,
    /// Web Push: the push service URL (HTTPS, public).
    pub endpoint: Option<String>,
    pub keys: Option<WebPushKeys>,
    /// The browser's `expirationTime` (accepted, not used).
    #[serde(default, rename = "expirationTime")]
    pub expiration_time: Option<serde_json::Value>,
    /// Expo: `ExponentPushToken[…]`.
    pub token: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SubscriptionView {
    pub id: i64,
    pub kind: SubscriptionKind,
    pub endpoint: Option<String>,
    pub token: Option<String>,
    /// Registered by the session making this request.
    pub this_session: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl SubscriptionView {
    fn new(s: &push_subscription::Model, session_id: &str) -> Self {
        Self {
            id: s.id,
            kind: s.kind,
            endpoint: s.endpoint.clone(),
            token: s.token.clone(),
            this_session: s.session_id == session_id,
            created_at: to_rfc3339(s.created_at),
            updated_at: to_rfc3339(s.updated_at),
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SubscriptionList {
    pub items: Vec<SubscriptionView>,
}

/// The server's VAPID public key, to subscribe with.
#[utoipa::path(get, path = "/api/v1/push/vapid-public-key", tag = "push", security(("bearer" = [])),
    responses((status = 200, body = VapidKey), (status = 401, body = ErrorBody)))]
pub async fn vapid_public_key(State(state): State<AppState>, _me: AuthUser) -> Json<VapidKey> {
    Json(VapidKey {
        public_key: state.push.vapid.public_key().to_string(),
    })
}

/// The caller's devices.
#[utoipa::path(get, path = "/api/v1/push/subscriptions", tag = "push", security(("bearer" = [])),
    responses((status = 200, body = SubscriptionList), (status = 401, body = ErrorBody)))]
pub async fn list_subscriptions(
    State(state): State<AppState>,
    me: AuthUser,
) -> AppResult<Json<SubscriptionList>> {
    let rows = push_subscription::Entity::find()
        .filter(push_subscription::Column::UserId.eq(me.id))
        .order_by_asc(push_subscription::Column::Id)
        .all(&state.db)
        .await?;
    Ok(Json(SubscriptionList {
        items: rows
            .iter()
            .map(|s| SubscriptionView::new(s, &me.session_id))
            .collect(),
    }))
}

/// What a valid registration stores.
struct Checked {
    device_key: String,
    endpoint: Option<String>,
    p256dh: Option<String>,
    auth: Option<String>,
    token: Option<String>,
}

async fn check(state: &AppState, req: &NewSubscription) -> AppResult<Checked> {
    match req.kind {
        SubscriptionKind::Webpush => {
            if req.token.is_some() {
                return Err(AppError::field("token", "only for kind expo"));
            }
            let Some(raw) = &req.endpoint else {
                return Err(AppError::field("endpoint", "required for kind webpush"));
            };
            let Some(keys) = &req.keys else {
                return Err(AppError::field("keys", "required for kind webpush"));
            };
            let allow = state.settings.push_allow_private;
            let url = crate::webhooks::target::check_url(raw, allow)
                .map_err(|p| AppError::field("endpoint", p))?;
            crate::webhooks::target::check_resolved(&url, allow)
                .await
                .map_err(|p| AppError::field("endpoint", p))?;
            super::webpush::parse_keys(&keys.p256dh, &keys.auth).map_err(|p| {
                let (field, problem) = p.split_once(": ").unwrap_or(("keys", p));
                AppError::field(&format!("keys.{field}"), problem)
            })?;
            let endpoint = url.to_string();
            Ok(Checked {
                device_key: device_key("webpush", &endpoint),
                endpoint: Some(endpoint),
                p256dh: Some(keys.p256dh.clone()),
                auth: Some(keys.auth.clone()),
                token: None,
            })
        }
        SubscriptionKind::Expo => {
            if req.endpoint.is_some() || req.keys.is_some() {
                return Err(AppError::field("endpoint", "only for kind webpush"));
            }
            let Some(token) = req.token.as_deref().map(str::trim) else {
                return Err(AppError::field("token", "required for kind expo"));
            };
            let well_formed = (token.starts_with("ExponentPushToken[")
                || token.starts_with("ExpoPushToken["))
                && token.ends_with(']')
                && token.len() <= 255
                && token.chars().all(|c| c.is_ascii_graphic());
            if !well_formed {
                return Err(AppError::field(
                    "token",
                    "must be an Expo push token (ExponentPushToken[…])",
                ));
            }
            Ok(Checked {
                device_key: device_key("expo", token),
                endpoint: None,
                p256dh: None,
                auth: None,
                token: Some(token.to_string()),
            })
        }
    }
}

fn device_key(kind: &str, address: &str) -> String {
    hex::encode(Sha256::digest(format!("{kind}:{address}").as_bytes()))
}

/// Register this device. Registering the same endpoint or token again (a refreshed key, another
/// account signing in on the same browser) updates it and answers 200; a new one answers 201.
/// It belongs to the calling session: logging that session out removes it.
#[utoipa::path(post, path = "/api/v1/push/subscriptions", tag = "push", security(("bearer" = [])),
    request_body = NewSubscription,
    responses((status = 201, body = SubscriptionView), (status = 200, body = SubscriptionView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_subscription(
    State(state): State<AppState>,
    me: AuthUser,
    ApiJson(req): ApiJson<NewSubscription>,
) -> AppResult<(StatusCode, Json<SubscriptionView>)> {
    let checked = check(&state, &req).await?;
    let now = now_ms();
    let existing = || {
        push_subscription::Entity::find()
            .filter(push_subscription::Column::DeviceKey.eq(checked.device_key.clone()))
            .one(&state.db)
    };
    if let Some(row) = existing().await? {
        let row = refresh(&state, &me, &checked, row, now).await?;
        return Ok((
            StatusCode::OK,
            Json(SubscriptionView::new(&row, &me.session_id)),
        ));
    }
    make_room(&state, me.id).await?;
    let inserted = push_subscription::ActiveModel {
        user_id: Set(me.id),
        session_id: Set(me.session_id.clone()),
        kind: Set(req.kind),
        device_key: Set(checked.device_key.clone()),
        endpoint: Set(checked.endpoint.clone()),
        p256dh: Set(checked.p256dh.clone()),
        auth: Set(checked.auth.clone()),
        token: Set(checked.token.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&state.db)
    .await;
    match inserted {
        Ok(row) => {
            super::nudge::devices_changed(&state, me.id).await;
            Ok((
                StatusCode::CREATED,
                Json(SubscriptionView::new(&row, &me.session_id)),
            ))
        }
        // The same device registering twice at once: the unique key let one in.
        Err(e) => match existing().await? {
            Some(row) => {
                let row = refresh(&state, &me, &checked, row, now).await?;
                Ok((
                    StatusCode::OK,
                    Json(SubscriptionView::new(&row, &me.session_id)),
                ))
            }
            None => Err(e.into()),
        },
    }
}

/// A device registering again: new keys, and the calling account and session. Pushes still
/// queued for another account that used this device are dropped.
async fn refresh(
    state: &AppState,
    me: &AuthUser,
    checked: &Checked,
    row: push_subscription::Model,
    now: i64,
) -> AppResult<push_subscription::Model> {
    let moved_from = (row.user_id != me.id).then_some(row.user_id);
    if moved_from.is_some() {
        push_delivery::Entity::delete_many()
            .filter(push_delivery::Column::SubscriptionId.eq(row.id))
            .exec(&state.db)
            .await?;
    }
    let mut active = row.into_active_model();
    active.user_id = Set(me.id);
    active.session_id = Set(me.session_id.clone());
    active.p256dh = Set(checked.p256dh.clone());
    active.auth = Set(checked.auth.clone());
    active.updated_at = Set(now);
    let row = active.update(&state.db).await?;
    if let Some(before) = moved_from {
        super::nudge::devices_changed(state, before).await;
        super::nudge::devices_changed(state, me.id).await;
    }
    Ok(row)
}

/// At `MAX_PER_USER` devices, the least recently registered goes.
async fn make_room(state: &AppState, user_id: i64) -> AppResult<()> {
    let rows = push_subscription::Entity::find()
        .filter(push_subscription::Column::UserId.eq(user_id))
        .order_by_asc(push_subscription::Column::UpdatedAt)
        .all(&state.db)
        .await?;
    for old in rows
        .iter()
        .take((rows.len() + 1).saturating_sub(MAX_PER_USER))
    {
        super::worker::remove_subscription(&state.db, old.id).await?;
    }
    Ok(())
}

/// Remove one of the caller's devices.
#[utoipa::path(delete, path = "/api/v1/push/subscriptions/{id}", tag = "push", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_subscription(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    let row = push_subscription::Entity::find_by_id(id)
        .filter(push_subscription::Column::UserId.eq(me.id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    super::worker::remove_subscription(&state.db, row.id).await?;
    super::nudge::devices_changed(&state, me.id).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes the subscriptions a session registered (`None`: every session of the user) and what
/// is queued for them. Called when sessions are revoked (logout).
pub async fn forget_session(
    db: &impl sea_orm::ConnectionTrait,
    user_id: i64,
    session_id: Option<&str>,
) -> AppResult<()> {
    let mut find =
        push_subscription::Entity::find().filter(push_subscription::Column::UserId.eq(user_id));
    if let Some(id) = session_id {
        find = find.filter(push_subscription::Column::SessionId.eq(id));
    }
    for row in find.all(db).await? {
        super::worker::remove_subscription(db, row.id).await?;
    }
    Ok(())
}

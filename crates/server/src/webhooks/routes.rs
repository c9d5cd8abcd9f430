//! `/api/v1/admin/webhooks`: admins only. Register, change, enable/disable and delete
//! endpoints; list an endpoint's recent deliveries; replay one; send a test event.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::events::Event;
use super::{DeliveryStatus, outbox, signature, target};
use crate::audit;
use crate::auth::AuthUser;
use crate::db::entities::{webhook_delivery, webhook_endpoint};
use crate::domain::{now_ms, to_rfc3339};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::realtime::events::Control;
use crate::state::AppState;

/// At most this many endpoints (each event becomes one row per endpoint).
const MAX_ENDPOINTS: usize = 20;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(update_webhook, delete_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(replay_delivery))
        .routes(routes!(test_webhook))
}

/// A registered endpoint (its secret is shown once, when it is created).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    /// `ticket.created`, `ticket.updated`, `message.created`, `user.created`.
    pub events: Vec<String>,
    /// Whether `message.created` includes internal notes (staff-only messages).
    pub include_notes: bool,
    pub enabled: bool,
    /// Why the server disabled it, if it did (failing for the whole retry window).
    pub disabled_reason: Option<String>,
    /// Since when its deliveries have been failing; null while they succeed.
    pub failing_since: Option<String>,
    pub created_at: String,
}

impl WebhookView {
    fn new(e: &webhook_endpoint::Model) -> Self {
        Self {
            id: e.id,
            url: e.url.clone(),
            events: e.events.split(',').map(str::to_string).collect(),
            include_notes: e.include_notes,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.clone(),
            failing_since: e.failing_since.map(to_rfc3339),
            created_at: to_rfc3339(e.created_at),
        }
    }
}

/// A new endpoint, with the secret that signs its deliveries: store it now, it is not shown
/// again.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CreatedWebhook {
    pub webhook: WebhookView,
    pub secret: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `https://…`, not resolving to a private, loopback or link-local address.
    pub url: String,
    pub events: Vec<String>,
    #[serde(default)]
    pub include_notes: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub include_notes: Option<bool>,
    /// Enabling again clears the failure record.
    pub enabled: Option<bool>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub webhook_id: i64,
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// The HTTP status of the last attempt, if it got an answer.
    pub response_status: Option<i64>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// Duration of the last attempt.
    pub latency_ms: Option<i64>,
    pub created_at: String,
    pub last_attempt_at: Option<String>,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    /// The JSON body, as signed and sent.
    pub payload: String,
}

impl DeliveryView {
    fn new(d: &webhook_delivery::Model) -> Self {
        Self {
            id: d.id,
            webhook_id: d.endpoint_id,
            event_id: d.event_id.clone(),
            event_type: d.event_type.clone(),
            status: d.status,
            attempts: d.attempts,
            response_status: d.response_status,
            error: d.error.clone(),
            latency_ms: d.latency_ms,
            created_at: to_rfc3339(d.created_at),
            last_attempt_at: d.last_attempt_at.map(to_rfc3339),
            next_attempt_at: (d.status == DeliveryStatus::Pending)
                .then(|| to_rfc3339(d.next_attempt_at)),
            delivered_at: d.delivered_at.map(to_rfc3339),
            payload: d.payload.clone(),
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookView>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<DeliveryView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// 1 to 200, default 50. Newest first.
    pub limit: Option<u64>,
    /// Deliveries with an id below this (the last id of the previous page).
    pub before: Option<i64>,
}

async fn checked_url(state: &AppState, raw: &str) -> AppResult<String> {
    let allow = state.settings.webhook_allow_private;
    let url = target::check_url(raw, allow).map_err(|p| AppError::field("url", p))?;
    target::check_resolved(&url, allow)
        .await
        .map_err(|p| AppError::field("url", p))?;
    Ok(url.to_string())
}

fn checked_events(events: &[String]) -> AppResult<String> {
    if events.is_empty() {
        return Err(AppError::field("events", "choose at least one event"));
    }
    if let Some(bad) = events.iter().find(|e| !outbox::subscribable(e)) {
        return Err(AppError::field(
            "events",
            format!(
                "`{}` is not one of ticket.created, ticket.updated, message.created, user.created",
                bad.chars().take(40).collect::<String>()
            ),
        ));
    }
    let mut list: Vec<&str> = events.iter().map(String::as_str).collect();
    list.sort_unstable();
    list.dedup();
    Ok(list.join(","))
}

async fn load(state: &AppState, id: i64) -> AppResult<webhook_endpoint::Model> {
    webhook_endpoint::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Every node reloads its `message.created` subscribers.
async fn changed(state: &AppState) {
    state
        .realtime
        .publish_control(Control::WebhooksChanged)
        .await;
}

/// Registered webhook endpoints (admin only).
#[utoipa::path(get, path = "/api/v1/admin/webhooks", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = WebhookList), (status = 403, body = ErrorBody)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    me: AuthUser,
) -> AppResult<Json<WebhookList>> {
    me.require_admin()?;
    let rows = webhook_endpoint::Entity::find()
        .order_by_asc(webhook_endpoint::Column::Id)
        .all(&state.db)
        .await?;
    Ok(Json(WebhookList {
        items: rows.iter().map(WebhookView::new).collect(),
    }))
}

/// Register an endpoint (admin only). The answer carries its signing secret, shown only now.
#[utoipa::path(post, path = "/api/v1/admin/webhooks", tag = "admin", security(("bearer" = [])),
    request_body = NewWebhook,
    responses((status = 201, body = CreatedWebhook), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_webhook(
    State(state): State<AppState>,
    me: AuthUser,
    ApiJson(req): ApiJson<NewWebhook>,
) -> AppResult<(StatusCode, Json<CreatedWebhook>)> {
    me.require_admin()?;
    let events = checked_events(&req.events)?;
    let url = checked_url(&state, &req.url).await?;
    let count = webhook_endpoint::Entity::find().all(&state.db).await?.len();
    if count >= MAX_ENDPOINTS {
        return Err(AppError::Conflict(format!(
            "at most {MAX_ENDPOINTS} webhook endpoints"
        )));
    }
    let now = now_ms();
    let secret = signature::new_secret();
    let txn = state.db.begin().await?;
    let created = webhook_endpoint::ActiveModel {
        url: Set(url),
        secret: Set(secret.clone()),
        events: Set(events),
        include_notes: Set(req.include_notes),
        enabled: Set(true),
        failing_since: Set(None),
        disabled_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry::by(&me, audit::action::WEBHOOK_CREATED)
            .target("webhook", created.id)
            .details(serde_json::json!({
                "url": created.url,
                "events": created.events,
                "include_notes": created.include_notes,
            })),
    )
    .await?;
    txn.commit().await?;
    changed(&state).await;
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhook {
            webhook: WebhookView::new(&created),
            secret,
        }),
    ))
}

/// Change an endpoint, or disable / enable it (admin only).
#[utoipa::path(patch, path = "/api/v1/admin/webhooks/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = WebhookChanges,
    responses((status = 200, body = WebhookView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_webhook(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<WebhookChanges>,
) -> AppResult<Json<WebhookView>> {
    me.require_admin()?;
    let current = load(&state, id).await?;
    let events = req.events.as_deref().map(checked_events).transpose()?;
    let url = match &req.url {
        Some(raw) => Some(checked_url(&state, raw).await?),
        None => None,
    };
    let mut model = current.into_active_model();
    if let Some(url) = url {
        model.url = Set(url);
    }
    if let Some(events) = events {
        model.events = Set(events);
    }
    if let Some(notes) = req.include_notes {
        model.include_notes = Set(notes);
    }
    if let Some(enabled) = req.enabled {
        model.enabled = Set(enabled);
        if enabled {
            model.failing_since = Set(None);
            model.disabled_reason = Set(None);
        }
    }
    model.updated_at = Set(now_ms());
    let txn = state.db.begin().await?;
    let updated = model.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry::by(&me, audit::action::WEBHOOK_CHANGED)
            .target("webhook", id)
            .details(serde_json::json!({
                "url": req.url.as_ref().map(|_| &updated.url),
                "events": req.events.as_ref().map(|_| &updated.events),
                "include_notes": req.include_notes,
                "enabled": req.enabled,
            })),
    )
    .await?;
    txn.commit().await?;
    changed(&state).await;
    state.webhooks.wake.notify_one();
    Ok(Json(WebhookView::new(&updated)))
}

/// Delete an endpoint and its delivery history (admin only).
#[utoipa::path(delete, path = "/api/v1/admin/webhooks/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    me.require_admin()?;
    let endpoint = load(&state, id).await?;
    let txn = state.db.begin().await?;
    audit::record(
        &txn,
        audit::Entry::by(&me, audit::action::WEBHOOK_DELETED)
            .target("webhook", id)
            .details(serde_json::json!({ "url": endpoint.url })),
    )
    .await?;
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::EndpointId.eq(id))
        .exec(&txn)
        .await?;
    webhook_endpoint::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    changed(&state).await;
    Ok(StatusCode::NO_CONTENT)
}

/// An endpoint's deliveries, newest first, with status, attempts and latency (admin only).
#[utoipa::path(get, path = "/api/v1/admin/webhooks/{id}/deliveries", tag = "admin",
    security(("bearer" = [])), params(("id" = i64, Path), DeliveriesQuery),
    responses((status = 200, body = DeliveryList), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<DeliveriesQuery>,
) -> AppResult<Json<DeliveryList>> {
    me.require_admin()?;
    load(&state, id).await?;
    let mut query = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::EndpointId.eq(id))
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(q.limit.unwrap_or(50).clamp(1, 200));
    if let Some(before) = q.before {
        query = query.filter(webhook_delivery::Column::Id.lt(before));
    }
    let rows = query.all(&state.db).await?;
    Ok(Json(DeliveryList {
        items: rows.iter().map(DeliveryView::new).collect(),
    }))
}

/// Send a delivery's event again, as a new delivery with the same event id and body (admin
/// only).
#[utoipa::path(post, path = "/api/v1/admin/webhooks/{id}/deliveries/{delivery_id}/replay",
    tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path), ("delivery_id" = i64, Path)),
    responses((status = 201, body = DeliveryView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn replay_delivery(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath((id, delivery_id)): ApiPath<(i64, i64)>,
) -> AppResult<(StatusCode, Json<DeliveryView>)> {
    me.require_admin()?;
    let original = webhook_delivery::Entity::find_by_id(delivery_id)
        .filter(webhook_delivery::Column::EndpointId.eq(id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = now_ms();
    let event = Event {
        id: original.event_id.clone(),
        kind: super::EventType::parse(&original.event_type)
            .unwrap_or(super::EventType::WebhookTest),
        // A replay waits for nothing and holds up nothing: a key of its own.
        order_key: format!("replay:{}", uuid::Uuid::new_v4().simple()),
        is_note: false,
        body: original.payload.clone(),
    };
    let txn = state.db.begin().await?;
    let row = outbox::queue_one(&txn, id, &event, now).await?;
    audit::record(
        &txn,
        audit::Entry::by(&me, audit::action::WEBHOOK_DELIVERY_REPLAYED)
            .target("webhook", id)
            .details(serde_json::json!({ "delivery_id": delivery_id, "event_id": event.id })),
    )
    .await?;
    txn.commit().await?;
    state.webhooks.wake.notify_one();
    Ok((StatusCode::CREATED, Json(DeliveryView::new(&row))))
}

/// Queue a `webhook.test` event for this endpoint (admin only).
#[utoipa::path(post, path = "/api/v1/admin/webhooks/{id}/test", tag = "admin",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 201, body = DeliveryView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn test_webhook(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<(StatusCode, Json<DeliveryView>)> {
    me.require_admin()?;
    load(&state, id).await?;
    let now = now_ms();
    let row = outbox::queue_one(&state.db, id, &Event::test(id, now), now).await?;
    state.webhooks.wake.notify_one();
    Ok((StatusCode::CREATED, Json(DeliveryView::new(&row))))
}

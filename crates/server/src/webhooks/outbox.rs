//! The outbox: one `webhook_deliveries` row per (event, subscribed endpoint), inserted in the
//! transaction of the change the event reports. The change and its deliveries commit together
//! or not at all, so a crash neither loses an event nor invents one.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::DeliveryStatus;
use super::events::{Event, EventType};
use super::subscribers::Subscriber;
use crate::db::entities::{webhook_delivery, webhook_endpoint};
use crate::error::AppResult;

/// Queues `events` for every enabled endpoint subscribed to them (read in `txn`). For the
/// occasional changes (tickets, users): one small read, then one insert if anyone listens.
pub async fn queue(txn: &impl ConnectionTrait, events: &[Event], now: i64) -> AppResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let endpoints = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .all(txn)
        .await?;
    let mut rows = Vec::new();
    for event in events {
        for e in endpoints
            .iter()
            .filter(|e| e.subscribes(event.kind.as_str()))
        {
            if event.is_note && !e.include_notes {
                continue;
            }
            rows.push(row(e.id, event, now));
        }
    }
    insert(txn, rows).await
}

/// Queues `events` (all `message.created`) for the given subscribers, without reading
/// anything: the chat writer's batch passes its in-memory list. One multi-row insert.
pub async fn queue_for(
    txn: &impl ConnectionTrait,
    subscribers: &[Subscriber],
    events: &[Event],
    now: i64,
) -> AppResult<()> {
    let rows = events
        .iter()
        .flat_map(|event| {
            subscribers
                .iter()
                .filter(|s| s.include_notes || !event.is_note)
                .map(move |s| row(s.endpoint_id, event, now))
        })
        .collect();
    insert(txn, rows).await
}

/// Queues one event for one endpoint (tests and replays).
pub async fn queue_one(
    txn: &impl ConnectionTrait,
    endpoint_id: i64,
    event: &Event,
    now: i64,
) -> AppResult<webhook_delivery::Model> {
    use sea_orm::ActiveModelTrait;
    Ok(row(endpoint_id, event, now).insert(txn).await?)
}

fn row(endpoint_id: i64, event: &Event, now: i64) -> webhook_delivery::ActiveModel {
    webhook_delivery::ActiveModel {
        endpoint_id: Set(endpoint_id),
        event_id: Set(event.id.clone()),
        event_type: Set(event.kind.as_str().to_string()),
        order_key: Set(event.order_key.clone()),
        payload: Set(event.body.clone()),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(0),
        response_status: Set(None),
        error: Set(None),
        latency_ms: Set(None),
        created_at: Set(now),
        last_attempt_at: Set(None),
        delivered_at: Set(None),
        ..Default::default()
    }
}

async fn insert(
    txn: &impl ConnectionTrait,
    rows: Vec<webhook_delivery::ActiveModel>,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    webhook_delivery::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Whether `kind` is one an endpoint may subscribe to.
pub fn subscribable(kind: &str) -> bool {
    EventType::SUBSCRIBABLE.iter().any(|e| e.as_str() == kind)
}

//! Which endpoints want `message.created`, in memory: the chat writer's batch (the benchmarked
//! hot path) reads this list instead of the database and does nothing more when it is empty.
//!
//! Every change of a webhook publishes `Control::WebhooksChanged` through the broker; each
//! node's hub wakes its `reload` task, which reads the list again. Between the change's commit
//! and the reload (a few milliseconds) a batch may use the old list: a new endpoint misses
//! those messages, and rows queued for an endpoint just deleted or disabled are dropped or
//! held by the worker.

use std::sync::{Arc, RwLock};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::sync::Notify;

use super::EventType;
use crate::db::entities::webhook_endpoint;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subscriber {
    pub endpoint_id: i64,
    pub include_notes: bool,
}

pub struct Webhooks {
    messages: RwLock<Arc<[Subscriber]>>,
    /// Woken by the hub on `Control::WebhooksChanged` (from any node).
    changed: Arc<Notify>,
    /// Wakes this node's delivery worker early (an event was just queued here).
    pub wake: Notify,
}

impl Webhooks {
    pub fn new(changed: Arc<Notify>) -> Self {
        Self {
            messages: RwLock::new(Arc::from(Vec::new())),
            changed,
            wake: Notify::new(),
        }
    }

    /// The current `message.created` subscribers (usually none: one atomic read).
    pub fn message_subscribers(&self) -> Arc<[Subscriber]> {
        self.messages
            .read()
            .map(|list| list.clone())
            .unwrap_or_else(|_| Arc::from(Vec::new()))
    }

    /// Reads the list from the database.
    pub async fn reload(&self, db: &DatabaseConnection) -> anyhow::Result<()> {
        let endpoints = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Enabled.eq(true))
            .all(db)
            .await?;
        let list: Vec<Subscriber> = endpoints
            .iter()
            .filter(|e| e.subscribes(EventType::MessageCreated.as_str()))
            .map(|e| Subscriber {
                endpoint_id: e.id,
                include_notes: e.include_notes,
            })
            .collect();
        if let Ok(mut slot) = self.messages.write() {
            *slot = Arc::from(list);
        }
        Ok(())
    }

    /// Reloads whenever a webhook changes, until shutdown. A change that arrives during a
    /// reload leaves a permit in the `Notify`: the list is read again.
    pub async fn follow(
        self: Arc<Self>,
        db: DatabaseConnection,
        shutdown: tokio_util::sync::CancellationToken,
    ) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = self.changed.notified() => {}
            }
            let mut delay = std::time::Duration::from_millis(100);
            while let Err(e) = self.reload(&db).await {
                tracing::warn!(error = %e, "reloading webhook subscribers failed; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(std::time::Duration::from_secs(5));
            }
        }
    }
}

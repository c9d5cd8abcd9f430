//! Everything a handler needs, cloned cheaply into each request.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use crate::auth::password::PasswordHasher;
use crate::auth::ratelimit::AuthRateLimiter;
use crate::auth::sessions::Sessions;
use crate::auth::tokens::TokenKeys;
use crate::chat::audience::Audiences;
use crate::chat::committed;
use crate::chat::recent::RecentMessages;
use crate::chat::writer::Writer;
use crate::config::Settings;
use crate::realtime::Realtime;
use crate::webhooks::subscribers::Webhooks;

/// The server's shared state behind one `Arc`: each request's extractors clone it, and every
/// WebSocket keeps one, for one atomic increment and 8 bytes (field by field it was ~20
/// increments and ~200 bytes: 2 % of the server's time at 10,000 history pages/s;
/// BENCHMARKS.md, session 20). Its fields are read through `Deref`.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    /// Shared: the state is cloned for every request and kept by every WebSocket, and the
    /// keys' byte copies and validation sets were a heap copy each time (~0.7 KiB).
    pub keys: Arc<TokenKeys>,
    pub hasher: PasswordHasher,
    pub auth_limiter: AuthRateLimiter,
    pub realtime: Realtime,
    /// Conversation audiences and access, in memory (`chat::audience`).
    pub audiences: Arc<Audiences>,
    /// Authenticated sessions, in memory (`auth::sessions`).
    pub sessions: Arc<Sessions>,
    /// Recent messages of active conversations, encoded (`chat::recent`).
    pub recent: Arc<RecentMessages>,
    /// The desk's SLA settings, in memory (`tickets::targets`).
    pub sla: Arc<crate::tickets::targets::SlaCache>,
    /// The one writer of chat messages (`chat::writer`).
    pub writer: Writer,
    /// What committed batches tell the rest of the server (`chat::committed`).
    pub committed: committed::Sender,
    /// SQLite (a file): the search indexer's handle (`search::index`); `None` elsewhere.
    pub search_index: Option<crate::search::index::Indexer>,
    /// SQLite (a file): read connections of our own for history pages
    /// (`db::sqlite_reader`); `None` elsewhere.
    pub sqlite_reader: Option<Arc<crate::db::sqlite_reader::SqliteReader>>,
    /// Calls in progress on this node (`calls`).
    pub calls: Arc<crate::calls::Calls>,
    /// Webhook subscribers in memory and the delivery worker's wake-up (`webhooks`).
    pub webhooks: Arc<Webhooks>,
    /// The VAPID key and the push worker's wake-up (`push`).
    pub push: Arc<crate::push::Push>,
    pub metrics: Option<PrometheusHandle>,
    /// Cancelled when the server starts shutting down.
    pub shutdown: CancellationToken,
}

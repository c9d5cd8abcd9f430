//! Push notifications for people whose app is closed.
//!
//! - `routes`: devices register their subscription (Web Push from the web app's service worker,
//!   Expo tokens from the Android app), list and remove them; the VAPID public key.
//!   `preferences`: "hide previews", quiet hours (`quiet`: "do not disturb") and muted
//!   conversations. Logging a session out removes the subscriptions it registered
//!   (`auth::service::revoke`).
//! - `outbox`: what is pushed, as `push_deliveries` rows written in the transaction of the change
//!   (a message in the chat writer's batch, a notification in `notifications::notify`; a call
//!   invite on its own, `calls::service`), one per
//!   subscription of each recipient who has no open socket at that moment.
//! - `worker`: claims due rows with a lease, sends them through a `provider`, retries with
//!   backoff, deletes a subscription the push service calls gone (404/410, Expo's
//!   `DeviceNotRegistered`). No request ever waits on a push service.
//! - `webpush`: RFC 8291 payload encryption (aes128gcm) and the request; `vapid`: the server's
//!   P-256 key (RFC 8292), generated on first run and kept in the data directory.
//! - `expo`: the Expo push API.
//! - `nudge`: a push for someone connected who leaves a message unread for
//!   `push_unread_delay_ms`, off the chat writer's path.

pub mod expo;
pub mod nudge;
pub mod outbox;
pub mod payload;
pub mod preferences;
pub mod provider;
pub mod quiet;
pub mod routes;
pub mod vapid;
pub mod webpush;
pub mod worker;

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use utoipa::ToSchema;

pub use routes::router;

/// How a device is reached.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionKind {
    /// A browser's Web Push subscription (endpoint and keys).
    Webpush,
    /// An Expo push token (`ExponentPushToken[…]`) of the Android app.
    Expo,
}

/// What the rest of the server holds of push: the VAPID key, the worker's wake-up and the
/// unread nudges' hand-over.
pub struct Push {
    pub vapid: vapid::Vapid,
    /// Wakes this node's worker early (a push was just queued here).
    pub wake: Notify,
    pub nudges: nudge::Nudges,
}

impl Push {
    pub fn new(vapid: vapid::Vapid, nudges: nudge::Nudges) -> Self {
        Self {
            vapid,
            wake: Notify::new(),
            nudges,
        }
    }
}

//! Webhooks: admins register HTTPS endpoints per event type; each event becomes one signed JSON
//! delivery per subscribed endpoint.
//!
//! - `events`: the event types and their payloads.
//! - `outbox`: delivery rows written in the transaction of the change (crash-safe).
//! - `subscribers`: which endpoints want `message.created`, kept in memory for the chat writer
//!   and reloaded on every node when webhooks change (`Control::WebhooksChanged`).
//! - `target`: which URLs may be called (HTTPS, no private addresses unless allowed).
//! - `signature`: the `Switchboard-Signature` header.
//! - `worker`: claims due deliveries with a lease, sends them in order per ticket, retries
//!   with backoff, disables endpoints failing for the whole retry window.
//! - `routes`: `/api/v1/admin/webhooks`.

pub mod events;
pub mod outbox;
pub mod routes;
pub mod signature;
pub mod subscribers;
pub mod target;
pub mod worker;

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use events::EventType;
pub use routes::router;

/// Where a delivery stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not sent yet, or to be retried.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt of the retry window failed (the admin can replay it).
    Failed,
}

//! Voice and video calls between two people of a conversation, signalled over the WebSocket.
//! The media goes peer to peer (WebRTC); the server only rings, relays the offer, answer and
//! ICE candidates between the two devices in the call, and records the call in the
//! conversation as system messages.
//!
//! - `registry`: the calls in progress, a pure state machine;
//! - `service`: the frames (`call_invite` …), their checks, what each transition tells whom;
//! - `remote`: several nodes: a call lives on its home node (the caller's), frames to devices
//!   go through the broker, frames from devices on other nodes are forwarded to the home node;
//! - `ice`: STUN/TURN servers for the app, with per-request TURN credentials.
//!
//! See README.md, "Calls", for what holds across nodes and what does not (busy detection).

pub mod ice;
pub mod registry;
pub mod remote;
pub mod routes;
pub mod service;

use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use routes::router;

/// What a call carries; the app starts with its camera on for `video`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Media {
    Audio,
    Video,
}

pub struct Calls {
    registry: tokio::sync::Mutex<registry::Registry>,
    /// Invitations per user and minute: a ring is intrusive, so it is limited on its own
    /// (every frame also counts against the connection's frame limit).
    invites: DefaultKeyedRateLimiter<i64>,
    ring_timeout: Duration,
    /// Connections of this node that accepted a call homed on another node: connection id →
    /// call id. Their disconnect is forwarded to that home node (`remote`).
    answered_remotely: dashmap::DashMap<String, String>,
}

impl Calls {
    pub fn new(ring_timeout: Duration, invites_per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(invites_per_minute.max(1)).expect("max(1)");
        Self {
            registry: Default::default(),
            invites: RateLimiter::keyed(Quota::per_minute(per_minute)),
            ring_timeout,
            answered_remotely: Default::default(),
        }
    }

    /// Calls ringing or answered on this node.
    pub async fn in_progress(&self) -> usize {
        self.registry.lock().await.len()
    }
}

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
use std::sync::atomic::{AtomicUsize, Ordering};
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
    invites: InviteLimits,
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
            invites: InviteLimits::new(Quota::per_minute(per_minute), PRUNE_FLOOR),
            ring_timeout,
            answered_remotely: Default::default(),
        }
    }

    /// Calls ringing or answered on this node.
    pub async fn in_progress(&self) -> usize {
        self.registry.lock().await.len()
    }
}

/// Below this many users in the invite limiter, it is never pruned.
const PRUNE_FLOOR: usize = 1024;

/// The per-user invite limit, whose map of users does not grow without bound: when it holds
/// twice as many users as after its last pruning (and more than `floor`), the users whose
/// limit has fully recovered (their state is that of a fresh key) are dropped. Pruning walks
/// the map, but at most once per doubling, so a check costs O(1) amortised.
pub struct InviteLimits {
    limiter: DefaultKeyedRateLimiter<i64>,
    prune_above: AtomicUsize,
    floor: usize,
}

impl InviteLimits {
    pub fn new(quota: Quota, floor: usize) -> Self {
        Self {
            limiter: RateLimiter::keyed(quota),
            prune_above: AtomicUsize::new(floor),
            floor,
        }
    }

    /// Counts one invitation of `user`; false when over the limit.
    pub fn check(&self, user: i64) -> bool {
        let allowed = self.limiter.check_key(&user).is_ok();
        if self.limiter.len() > self.prune_above.load(Ordering::Relaxed) {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
            let left = self.limiter.len();
            self.prune_above
                .store((left * 2).max(self.floor), Ordering::Relaxed);
        }
        allowed
    }

    /// Users the limiter holds state for.
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_whose_limit_recovered_are_forgotten() {
        let limits = InviteLimits::new(Quota::with_period(Duration::from_millis(20)).unwrap(), 16);
        for user in 0..16 {
            assert!(limits.check(user));
        }
        assert_eq!(limits.len(), 16);
        std::thread::sleep(Duration::from_millis(60));
        // The 17th user tips it over: the 16 stale ones go, the new one stays.
        assert!(limits.check(100));
        assert_eq!(limits.len(), 1);
        // New callers period after period: the map holds about the recent ones (at most
        // twice the last count plus one), not everyone who ever called (81 here).
        for round in 0..5 {
            std::thread::sleep(Duration::from_millis(60));
            for user in 0..16 {
                limits.check(1000 * (round + 1) + user);
            }
        }
        assert!(limits.len() <= 35, "{} users held", limits.len());
    }

    #[test]
    fn pruning_keeps_every_user_still_limited() {
        let limits = InviteLimits::new(Quota::per_minute(NonZeroU32::new(1).unwrap()), 4);
        for user in 0..50 {
            assert!(limits.check(user));
        }
        // Pruned several times on the way: nobody's exhausted limit was forgotten.
        assert_eq!(limits.len(), 50);
        for user in 0..50 {
            assert!(!limits.check(user), "user {user} may call again at once");
        }
    }
}

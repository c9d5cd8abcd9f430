//! Authenticated sessions in memory, so a request or a socket frame doesn't re-read its
//! session and user from the database.
//!
//! An entry is what `authenticate` read: the session's user and expiry and the user's role and
//! name. It is dropped on every node (through the broker) when the session is revoked (logout,
//! refresh-token reuse, disabling) or the user changes (role, name): `Control::SessionRevoked`
//! and `Control::UserChanged`. A generation counter keeps a load that raced with a drop from
//! storing what it read before it.

use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;

use crate::domain::Role;

#[derive(Clone, Debug)]
pub struct CachedSession {
    pub user_id: i64,
    pub expires_at: i64,
    pub role: Role,
    pub display_name: String,
}

/// Bounded: past this many entries the cache starts over (a cold cache only costs queries).
const MAX_ENTRIES: usize = 200_000;

#[derive(Default)]
pub struct Sessions {
    by_id: DashMap<String, CachedSession>,
    generation: AtomicU64,
}

impl Sessions {
    pub fn get(&self, session_id: &str) -> Option<CachedSession> {
        self.by_id.get(session_id).map(|e| e.clone())
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Stores an entry read at `generation`, unless something was dropped since.
    pub fn insert(&self, generation: u64, session_id: String, entry: CachedSession) {
        if self.by_id.len() >= MAX_ENTRIES {
            self.by_id.clear();
        }
        if self.generation() == generation {
            self.by_id.insert(session_id, entry);
        }
    }

    /// Drops one session, or every session of the user when `session_id` is `None`.
    pub fn forget(&self, user_id: i64, session_id: Option<&str>) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        match session_id {
            Some(id) => {
                self.by_id.remove(id);
            }
            None => self.by_id.retain(|_, s| s.user_id != user_id),
        }
    }
}

//! The audit log: an append-only record of security-relevant and administrative actions.
//!
//! Each entry says who acted (a user id, or none for a failed sign-in, with the email tried),
//! what they did (a stable action name from [`action`]), on what (a target kind and id), the
//! details (a small JSON object, usually old and new values), when, and from which address
//! (the peer address of the TCP connection: the server trusts no forwarded-for header).
//!
//! # Recording an entry
//! Write the entry with the same connection or transaction as the change it records, so both
//! commit or neither does:
//!
//! ```ignore
//! let txn = state.db.begin().await?;
//! // ... the change itself, on `txn` ...
//! audit::record(
//!     &txn,
//!     audit::Entry::by(&me, audit::action::USER_ROLE_CHANGED)
//!         .target("user", user_id)
//!         .details(serde_json::json!({ "old": "customer", "new": "agent" })),
//! )
//! .await?;
//! txn.commit().await?;
//! ```
//!
//! `me` is the handler's [`AuthUser`]: it carries the request's client address. Add new action
//! names to [`action`] (dotted, `domain.past_tense`; never rename one, old entries keep it).
//!
//! Nothing in the API updates or deletes entries, admins included: `GET /api/v1/admin/audit`
//! (`routes`) only reads them.

pub mod action;
pub mod routes;

use std::net::IpAddr;

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;

use crate::auth::AuthUser;
use crate::db::entities::audit_entry;
use crate::domain::now_ms;
use crate::error::AppResult;

/// One audit entry, built with [`Entry::by`] (or [`Entry::anonymous`]) and written by [`record`].
#[derive(Debug, Clone)]
pub struct Entry {
    actor_id: Option<i64>,
    actor_email: Option<String>,
    action: &'static str,
    target: Option<(&'static str, String)>,
    details: Value,
    ip: Option<IpAddr>,
}

impl Entry {
    /// An action by a signed-in user, from the address of their request.
    pub fn by(me: &AuthUser, action: &'static str) -> Self {
        Self::by_user(me.id, me.client_ip, action)
    }

    /// An action by a known user outside an authenticated request (a sign-in, a token refresh).
    pub fn by_user(user_id: i64, ip: Option<IpAddr>, action: &'static str) -> Self {
        Self {
            actor_id: Some(user_id),
            actor_email: None,
            action,
            target: None,
            details: Value::Object(Default::default()),
            ip,
        }
    }

    /// An action by nobody known: a failed sign-in, with the email it tried.
    pub fn anonymous(email: &str, ip: Option<IpAddr>, action: &'static str) -> Self {
        // Bounded: the column holds 254 characters and the text is the client's.
        let email: String = email.trim().chars().take(254).collect();
        Self {
            actor_id: None,
            actor_email: Some(email),
            ..Self::by_user(0, ip, action)
        }
    }

    /// What the action was done to, e.g. `("user", 42)`.
    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.target = Some((kind, id.to_string()));
        self
    }

    /// Old and new values, or whatever else identifies the change. Keep it small.
    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

/// Appends an entry. Pass the transaction of the change it records.
pub async fn record(db: &impl ConnectionTrait, entry: Entry) -> AppResult<()> {
    let (target_kind, target_id) = match entry.target {
        Some((kind, id)) => (Some(kind.to_string()), Some(id)),
        None => (None, None),
    };
    audit_entry::ActiveModel {
        created_at: Set(now_ms()),
        actor_id: Set(entry.actor_id),
        actor_email: Set(entry.actor_email),
        action: Set(entry.action.to_string()),
        target_kind: Set(target_kind),
        target_id: Set(target_id),
        details: Set(entry.details.to_string()),
        ip: Set(entry.ip.map(|ip| ip.to_canonical().to_string())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// `{"old": …, "new": …}`, the usual details of a change.
pub fn old_new(old: impl serde::Serialize, new: impl serde::Serialize) -> Value {
    serde_json::json!({ "old": old, "new": new })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_sign_in_has_no_actor_but_the_email_tried() {
        let ip: IpAddr = "10.1.2.3".parse().unwrap();
        let e = Entry::anonymous(" ana@x.com ", Some(ip), action::SIGN_IN_FAILED);
        assert_eq!(e.actor_id, None);
        assert_eq!(e.actor_email.as_deref(), Some("ana@x.com"));
        assert_eq!(e.ip, Some(ip));
        let long = "a".repeat(1000);
        let e = Entry::anonymous(&long, None, action::SIGN_IN_FAILED);
        assert_eq!(e.actor_email.unwrap().len(), 254);
    }
}

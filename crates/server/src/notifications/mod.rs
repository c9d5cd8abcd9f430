//! A per-user notification feed, stored and pushed live as `notification` frames.

pub mod routes;

use sea_orm::{ActiveModelTrait, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::entities::notification;
use crate::domain::{now_ms, to_rfc3339};
use crate::error::AppResult;
use crate::realtime::events::{Envelope, EventKind, ServerFrame};
use crate::state::AppState;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// `ticket_created`, `ticket_assigned`, `ticket_reply`, `ticket_status`, `sla_warning`,
    /// `sla_breached`, `ticket_unassigned` (waiting in a team past its limit), `mention` (an `@`
    /// mention in an internal note), `webhook_disabled` (admins: a webhook endpoint failed for its
    /// whole retry window).
    pub kind: String,
    pub title: String,
    pub body: String,
    pub ticket_id: Option<i64>,
    pub conversation_id: Option<i64>,
    pub read: bool,
    pub created_at: String,
}

impl NotificationView {
    pub fn new(n: &notification::Model) -> Self {
        Self {
            id: n.id,
            kind: n.kind.clone(),
            title: n.title.clone(),
            body: n.body.clone(),
            ticket_id: n.ticket_id,
            conversation_id: n.conversation_id,
            read: n.read,
            created_at: to_rfc3339(n.created_at),
        }
    }
}

pub struct Notice<'a> {
    pub kind: &'a str,
    pub title: String,
    pub body: String,
    pub ticket_id: Option<i64>,
    pub conversation_id: Option<i64>,
}

impl Notice<'_> {
    /// The row to store for one recipient.
    pub fn row(&self, user_id: i64, now: i64) -> notification::ActiveModel {
        notification::ActiveModel {
            user_id: Set(user_id),
            kind: Set(self.kind.to_string()),
            title: Set(truncate(&self.title, 255)),
            body: Set(truncate(&self.body, 1000)),
            ticket_id: Set(self.ticket_id),
            conversation_id: Set(self.conversation_id),
            read: Set(false),
            created_at: Set(now),
            ..Default::default()
        }
    }
}

/// Stores one notification per recipient (one transaction: one disk sync however many agents
/// a queue has) and then pushes each live.
pub async fn notify(state: &AppState, recipients: &[i64], notice: Notice<'_>) -> AppResult<()> {
    if recipients.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let txn = state.db.begin().await?;
    let mut stored = Vec::with_capacity(recipients.len());
    for &user_id in recipients {
        let row = notice.row(user_id, now).insert(&txn).await?;
        stored.push(row);
    }
    // Pushed kinds (an assignment) also reach the recipients' devices while they are offline.
    let candidates = stored
        .iter()
        .filter_map(crate::push::outbox::Candidate::notice)
        .collect();
    let pushed = crate::push::outbox::queue(&txn, &state.realtime, candidates, now).await?;
    txn.commit().await?;
    if pushed {
        state.push.wake.notify_one();
    }
    for row in &stored {
        push(state, row).await;
    }
    Ok(())
}

/// Pushes a stored notification to its user's connections. Call after its commit.
pub async fn push(state: &AppState, row: &notification::Model) {
    let notification = NotificationView::new(row);
    let payload = ServerFrame::Notification {
        notification: &notification,
    }
    .encode();
    state
        .realtime
        .publish(Envelope::new(
            vec![row.user_id],
            EventKind::Important,
            payload,
        ))
        .await;
}

pub fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

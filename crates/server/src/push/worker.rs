//! The push worker: one per node, polling the outbox like the webhook worker does.
//!
//! 1. Scan: rows that are due and not leased.
//! 2. Claim each with a lease (`UPDATE … WHERE id = ? AND lease_until <= now`): one node wins. A
//!    node that dies mid-send loses its leases after `LEASE_MS` and the row goes out again:
//!    delivery is at least once (a repeated push replaces the first on the device: same tag
//!    and `Topic`).
//! 3. Drop it unsent if the user's quiet hours hold now (`push::quiet`; not for calls) or if it
//!    is a call that stopped ringing. Else send through the subscription's provider, then: delivered → the row is deleted; gone →
//!    the subscription and its rows are deleted; failed for good → the row is dropped; else a
//!    retry after an exponential backoff with jitter, until `push_retry_window_secs` has passed
//!    (a notification hours late is noise: it is dropped then).

use std::time::Duration;

use futures::StreamExt;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::payload::PushPayload;
use super::provider::{Outcome, Providers};
use super::quiet::{QuietHours, silences};
use crate::db::entities::{push_delivery, push_preference, push_subscription};
use crate::domain::now_ms;
use crate::state::AppState;

const CONCURRENCY: usize = 8;
const SCAN_LIMIT: u64 = 100;
/// Three request timeouts (10 s) and a margin: how long a claimed row belongs to its worker.
const LEASE_MS: i64 = 35_000;
const ERROR_LEN: usize = 250;

/// Runs until shutdown.
pub async fn run(state: AppState, providers: Providers) {
    let poll = Duration::from_millis(state.settings.push_poll_ms);
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = state.push.wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
        loop {
            match pass(&state, &providers).await {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "push pass failed");
                    break;
                }
            }
            if state.shutdown.is_cancelled() {
                return;
            }
        }
    }
}

/// One scan and the sends it found. Returns how many rows it claimed.
async fn pass(state: &AppState, providers: &Providers) -> anyhow::Result<usize> {
    let db = &state.db;
    let now = now_ms();
    let due: Vec<i64> = push_delivery::Entity::find()
        .select_only()
        .column(push_delivery::Column::Id)
        .filter(push_delivery::Column::NextAttemptAt.lte(now))
        .filter(push_delivery::Column::LeaseUntil.lte(now))
        .order_by_asc(push_delivery::Column::Id)
        .limit(SCAN_LIMIT)
        .into_tuple()
        .all(db)
        .await?;
    let mut claimed = Vec::with_capacity(due.len());
    for id in due {
        let lease = now + LEASE_MS;
        let won = push_delivery::Entity::update_many()
            .col_expr(push_delivery::Column::LeaseUntil, Expr::value(lease))
            .filter(push_delivery::Column::Id.eq(id))
            .filter(push_delivery::Column::LeaseUntil.lte(now))
            .exec(db)
            .await?;
        if won.rows_affected == 1 {
            claimed.push((id, lease));
        }
    }
    let count = claimed.len();
    futures::stream::iter(claimed)
        .for_each_concurrent(CONCURRENCY, |(id, lease)| async move {
            if let Err(e) = deliver(state, providers, id, lease).await {
                tracing::warn!(error = %e, delivery = id, "recording a push failed");
            }
        })
        .await;
    Ok(count)
}

async fn deliver(
    state: &AppState,
    providers: &Providers,
    id: i64,
    lease: i64,
) -> anyhow::Result<()> {
    let db = &state.db;
    let Some(row) = push_delivery::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    let Some(sub) = push_subscription::Entity::find_by_id(row.subscription_id)
        .one(db)
        .await?
    else {
        // Removed since it was queued (logout, the user, the push service).
        push_delivery::Entity::delete_by_id(id).exec(db).await?;
        return Ok(());
    };
    let now = now_ms();
    // A call rings for `call_ring_timeout_secs`: after that its push announces nothing.
    if row.kind == "call"
        && now - row.created_at >= state.settings.call_ring_timeout_secs as i64 * 1000
    {
        push_delivery::Entity::delete_by_id(id).exec(db).await?;
        return Ok(());
    }
    // Read at send time, not when queued: turning previews off or a quiet period that began
    // while the row waited (a retry) also covers pushes already queued, and the chat writer's
    // transaction reads nothing more (this read was here already for the previews).
    let prefs = push_preference::Entity::find_by_id(row.user_id)
        .one(db)
        .await?;
    let quiet = prefs.as_ref().and_then(|p| {
        QuietHours::from_columns(
            p.quiet_start_minute,
            p.quiet_end_minute,
            p.quiet_utc_offset_minutes,
        )
    });
    if silences(quiet.as_ref(), &row.kind, now) {
        // Dropped, not postponed (`push::quiet`).
        push_delivery::Entity::delete_by_id(id).exec(db).await?;
        return Ok(());
    }
    let hide = prefs.is_some_and(|p| p.hide_previews);
    let payload = PushPayload::new(&row, hide);
    let outcome = providers.of(sub.kind).send(&sub, &payload).await;
    let mine = || {
        push_delivery::Entity::delete_many()
            .filter(push_delivery::Column::Id.eq(id))
            .filter(push_delivery::Column::LeaseUntil.eq(lease))
    };
    match outcome {
        Outcome::Delivered => {
            mine().exec(db).await?;
        }
        Outcome::Gone(why) => {
            tracing::info!(subscription = sub.id, user = sub.user_id, reason = %why, "push subscription gone; removing it");
            remove_subscription(db, sub.id).await?;
        }
        Outcome::Failed(why) => {
            tracing::warn!(subscription = sub.id, reason = %why, "push refused; dropping it");
            mine().exec(db).await?;
        }
        Outcome::Retry(why) => {
            let now = now_ms();
            let window = state.settings.push_retry_window_secs as i64 * 1000;
            if now - row.created_at >= window {
                tracing::warn!(subscription = sub.id, reason = %why, "push failed for its whole retry window; dropping it");
                mine().exec(db).await?;
                return Ok(());
            }
            let attempts = row.attempts + 1;
            let next = now
                + crate::webhooks::worker::backoff_ms(
                    state.settings.push_retry_base_ms as i64,
                    attempts,
                );
            push_delivery::Entity::update_many()
                .col_expr(push_delivery::Column::Attempts, Expr::value(attempts))
                .col_expr(push_delivery::Column::NextAttemptAt, Expr::value(next))
                .col_expr(push_delivery::Column::LeaseUntil, Expr::value(0))
                .col_expr(
                    push_delivery::Column::LastError,
                    Expr::value(crate::notifications::truncate(&why, ERROR_LEN)),
                )
                .filter(push_delivery::Column::Id.eq(id))
                .filter(push_delivery::Column::LeaseUntil.eq(lease))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// Web Push and Expo, as the settings configure them.
pub fn providers(state: &AppState) -> anyhow::Result<Providers> {
    let settings = &state.settings;
    Ok(Providers {
        webpush: Box::new(super::webpush::WebPush {
            client: super::webpush::client(settings.push_allow_private)?,
            push: state.push.clone(),
            subject: settings.push_vapid_subject.clone(),
            allow_private: settings.push_allow_private,
            call_ttl_secs: settings.call_ring_timeout_secs,
        }),
        expo: Box::new(super::expo::Expo {
            // The operator's URL: any address, no redirects.
            client: super::webpush::client(true)?,
            url: settings.push_expo_url.clone(),
            call_ttl_secs: settings.call_ring_timeout_secs,
        }),
    })
}

/// Deletes a subscription and what is queued for it.
pub async fn remove_subscription(
    db: &impl sea_orm::ConnectionTrait,
    id: i64,
) -> crate::error::AppResult<()> {
    push_subscription::Entity::delete_by_id(id).exec(db).await?;
    push_delivery::Entity::delete_many()
        .filter(push_delivery::Column::SubscriptionId.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

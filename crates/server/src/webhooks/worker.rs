//! The delivery worker: one per node, polling the outbox.
//!
//! 1. Scan: pending rows that are due, whose endpoint is enabled, and with no earlier pending
//!    row of the same endpoint and order key (a ticket's event N+1 waits while N is pending,
//!    retries included).
//! 2. Claim each with a lease: `UPDATE … SET lease_until = now + LEASE WHERE id = ? AND
//!    lease_until <= now`. One node wins; the others skip it. A node that dies mid-delivery
//!    loses its leases after `LEASE` and another node (or it, restarted) sends the row again:
//!    delivery is at least once, and receivers deduplicate on the event id.
//! 3. Send (signed, with a timeout, redirects not followed), then record the outcome: delivered;
//!    or a retry after an exponential backoff with jitter; or, past the retry window, failed.
//!    An endpoint whose failures have lasted the whole window is disabled and the admins are
//!    notified.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Statement,
};

use super::DeliveryStatus;
use super::signature;
use crate::db::entities::{user, webhook_delivery, webhook_endpoint};
use crate::domain::{Role, now_ms};
use crate::realtime::events::Control;
use crate::state::AppState;

/// Rows sent at once by one node.
const CONCURRENCY: usize = 8;
const SCAN_LIMIT: u64 = 100;
/// The longest pause between two attempts.
const MAX_BACKOFF_MS: i64 = 60 * 60 * 1000;
/// Response bodies are not kept; the error text is cut to fit its column.
const ERROR_LEN: usize = 250;

/// The HTTP client deliveries use: rustls, a timeout, no redirects, and (unless private
/// targets are allowed) a resolver that returns only public addresses.
pub fn client(settings: &crate::config::Settings) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(settings.webhook_timeout_secs))
        .connect_timeout(Duration::from_secs(settings.webhook_timeout_secs.min(10)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Switchboard-Webhooks/", env!("CARGO_PKG_VERSION")));
    if !settings.webhook_allow_private {
        builder = builder.dns_resolver(Arc::new(super::target::PublicResolver));
    }
    Ok(builder.build()?)
}

/// Runs until shutdown.
pub async fn run(state: AppState, client: reqwest::Client) {
    let poll = Duration::from_millis(state.settings.webhook_poll_ms);
    let mut last_sweep = Instant::now();
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = state.webhooks.wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
        // Drain what is due (a long outage leaves many rows), then wait again.
        loop {
            match pass(&state, &client).await {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "webhook delivery pass failed");
                    break;
                }
            }
            if state.shutdown.is_cancelled() {
                return;
            }
        }
        if last_sweep.elapsed() > Duration::from_secs(60) {
            last_sweep = Instant::now();
            if let Err(e) = drop_orphans(&state).await {
                tracing::warn!(error = %e, "dropping deliveries of deleted webhooks failed");
            }
        }
    }
}

#[derive(FromQueryResult)]
struct Due {
    id: i64,
}

/// One scan and the deliveries it found. Returns how many rows it sent.
async fn pass(state: &AppState, client: &reqwest::Client) -> anyhow::Result<usize> {
    let db = &state.db;
    let now = now_ms();
    // Only integers of ours and fixed words in the text: no placeholders needed, and the same
    // SQL runs on the three databases.
    let sql = format!(
        "SELECT d.id FROM webhook_deliveries d \
         WHERE d.status = 'pending' AND d.next_attempt_at <= {now} AND d.lease_until <= {now} \
         AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.id = d.endpoint_id AND w.enabled = {yes}) \
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.endpoint_id = d.endpoint_id \
           AND e.order_key = d.order_key AND e.status = 'pending' AND e.id < d.id) \
         ORDER BY d.id LIMIT {SCAN_LIMIT}",
        yes = true_literal(db.get_database_backend()),
    );
    let due = Due::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let mut claimed = Vec::with_capacity(due.len());
    let lease_ms = lease_ms(state.settings.webhook_timeout_secs);
    for Due { id } in due {
        let lease = now + lease_ms;
        let won = webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::LeaseUntil, Expr::value(lease))
            .filter(webhook_delivery::Column::Id.eq(id))
            .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
            .filter(webhook_delivery::Column::LeaseUntil.lte(now))
            .exec(db)
            .await?;
        if won.rows_affected == 1 {
            claimed.push((id, lease));
        }
    }
    let sent = claimed.len();
    futures::stream::iter(claimed)
        .for_each_concurrent(CONCURRENCY, |(id, lease)| async move {
            if let Err(e) = deliver(state, client, id, lease).await {
                tracing::warn!(error = %e, delivery = id, "recording a webhook delivery failed");
            }
        })
        .await;
    Ok(sent)
}

fn true_literal(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Sqlite | DbBackend::MySql => "1",
        _ => "TRUE",
    }
}

/// Sends one claimed row and records what happened.
async fn deliver(
    state: &AppState,
    client: &reqwest::Client,
    id: i64,
    lease: i64,
) -> anyhow::Result<()> {
    let db = &state.db;
    let Some(row) = webhook_delivery::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    let Some(endpoint) = webhook_endpoint::Entity::find_by_id(row.endpoint_id)
        .one(db)
        .await?
    else {
        webhook_delivery::Entity::delete_by_id(id).exec(db).await?;
        return Ok(());
    };
    let started = Instant::now();
    let outcome = send(state, client, &endpoint, &row).await;
    let latency = started.elapsed().as_millis() as i64;
    let now = now_ms();
    let attempts = row.attempts + 1;
    let mut update = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts))
        .col_expr(webhook_delivery::Column::LastAttemptAt, Expr::value(now))
        .col_expr(webhook_delivery::Column::LatencyMs, Expr::value(latency))
        .col_expr(webhook_delivery::Column::LeaseUntil, Expr::value(0))
        .col_expr(
            webhook_delivery::Column::ResponseStatus,
            Expr::value(outcome.status.map(i64::from)),
        )
        .filter(webhook_delivery::Column::Id.eq(id))
        .filter(webhook_delivery::Column::LeaseUntil.eq(lease));
    let delivered = outcome.error.is_none();
    let mut gave_up = false;
    if delivered {
        update = update
            .col_expr(
                webhook_delivery::Column::Status,
                Expr::value(DeliveryStatus::Delivered),
            )
            .col_expr(webhook_delivery::Column::DeliveredAt, Expr::value(now))
            .col_expr(webhook_delivery::Column::Error, Expr::value(None::<String>));
    } else {
        let window = state.settings.webhook_retry_window_secs as i64 * 1000;
        gave_up = now - row.created_at >= window;
        let status = if gave_up {
            DeliveryStatus::Failed
        } else {
            DeliveryStatus::Pending
        };
        let next = now + backoff_ms(state.settings.webhook_retry_base_ms as i64, attempts);
        update = update
            .col_expr(webhook_delivery::Column::Status, Expr::value(status))
            .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next))
            .col_expr(
                webhook_delivery::Column::Error,
                Expr::value(outcome.error.clone()),
            );
    }
    update.exec(db).await?;
    endpoint_health(state, &endpoint, delivered, gave_up, now).await
}

struct Outcome {
    status: Option<u16>,
    /// None when delivered.
    error: Option<String>,
}

async fn send(
    state: &AppState,
    client: &reqwest::Client,
    endpoint: &webhook_endpoint::Model,
    row: &webhook_delivery::Model,
) -> Outcome {
    let failed = |status: Option<u16>, error: String| Outcome {
        status,
        error: Some(cut(&error)),
    };
    // The URL is checked again: the setting may have changed since it was saved.
    let url = match super::target::check_url(&endpoint.url, state.settings.webhook_allow_private) {
        Ok(url) => url,
        Err(refusal) => return failed(None, format!("url {refusal}")),
    };
    let t = now_ms() / 1000;
    let request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(
            signature::HEADER,
            signature::header(&endpoint.secret, t, &row.payload),
        )
        .header("Switchboard-Event", &row.event_type)
        .header("Switchboard-Event-Id", &row.event_id)
        .header("Switchboard-Delivery", row.id.to_string())
        .body(row.payload.clone());
    match request.send().await {
        Ok(resp) if resp.status().is_success() => Outcome {
            status: Some(resp.status().as_u16()),
            error: None,
        },
        Ok(resp) if resp.status().is_redirection() => failed(
            Some(resp.status().as_u16()),
            "redirect not followed: answer with 2xx at the registered URL".into(),
        ),
        Ok(resp) => failed(
            Some(resp.status().as_u16()),
            format!("HTTP {}", resp.status()),
        ),
        Err(e) if e.is_timeout() => failed(None, "timed out".into()),
        Err(e) => failed(None, crate::error::describe(&e)),
    }
}

/// The error and its causes on one line ("error sending request: … connection refused").
fn cut(text: &str) -> String {
    crate::notifications::truncate(text, ERROR_LEN)
}

/// How long a claimed row belongs to its worker: three request timeouts and a margin for the
/// reads and the write around the send. Short on purpose: a node killed mid-send (or between
/// claim and send) holds its rows this long, and then they go out again, from it restarted or
/// from another node.
pub fn lease_ms(timeout_secs: u64) -> i64 {
    (timeout_secs.saturating_mul(3).saturating_add(5) as i64).saturating_mul(1000)
}

/// `base · 2^(attempt-1)`, at most an hour, with "equal jitter": half fixed, half random, so
/// endpoints that failed together don't retry together.
pub fn backoff_ms(base: i64, attempt: i64) -> i64 {
    let exp = base.saturating_mul(1 << (attempt - 1).clamp(0, 30));
    let delay = exp.clamp(1, MAX_BACKOFF_MS);
    delay / 2 + rand::random_range(0..=delay / 2)
}

/// Tracks how long an endpoint has been failing; past the retry window (or when a delivery
/// gives up while nothing succeeded since its first failure) it is disabled and the admins are
/// told.
async fn endpoint_health(
    state: &AppState,
    endpoint: &webhook_endpoint::Model,
    delivered: bool,
    gave_up: bool,
    now: i64,
) -> anyhow::Result<()> {
    let db = &state.db;
    if delivered {
        if endpoint.failing_since.is_some() {
            webhook_endpoint::Entity::update_many()
                .col_expr(
                    webhook_endpoint::Column::FailingSince,
                    Expr::value(None::<i64>),
                )
                .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
                .exec(db)
                .await?;
        }
        return Ok(());
    }
    let Some(since) = endpoint.failing_since else {
        webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(now))
            .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
            .filter(webhook_endpoint::Column::FailingSince.is_null())
            .exec(db)
            .await?;
        return Ok(());
    };
    let window = state.settings.webhook_retry_window_secs as i64 * 1000;
    if !endpoint.enabled || (now - since < window && !gave_up) {
        return Ok(());
    }
    let reason = "every delivery failed for the whole retry window";
    let disabled = webhook_endpoint::Entity::update_many()
        .col_expr(webhook_endpoint::Column::Enabled, Expr::value(false))
        .col_expr(
            webhook_endpoint::Column::DisabledReason,
            Expr::value(reason),
        )
        .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .exec(db)
        .await?;
    if disabled.rows_affected == 0 {
        return Ok(()); // another node (or an admin) did it first
    }
    tracing::warn!(endpoint = endpoint.id, url = %endpoint.url, "webhook endpoint disabled after failing for the retry window");
    state
        .realtime
        .publish_control(Control::WebhooksChanged)
        .await;
    let admins: Vec<i64> = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin))
        .filter(user::Column::Disabled.eq(false))
        .all(db)
        .await?
        .iter()
        .map(|u| u.id)
        .collect();
    crate::notifications::notify(
        state,
        &admins,
        crate::notifications::Notice {
            kind: "webhook_disabled",
            title: "A webhook endpoint was disabled".into(),
            body: format!(
                "{} failed every delivery for {} hours. Fix it, then enable it again; failed deliveries can be replayed.",
                endpoint.url,
                state.settings.webhook_retry_window_secs / 3600
            ),
            ticket_id: None,
            conversation_id: None,
        },
    )
    .await?;
    Ok(())
}

/// Deliveries queued for an endpoint deleted meanwhile (the writer's list was a moment stale).
async fn drop_orphans(state: &AppState) -> anyhow::Result<()> {
    state
        .db
        .execute_unprepared(
            "DELETE FROM webhook_deliveries WHERE endpoint_id NOT IN (SELECT id FROM webhook_endpoints)",
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        for attempt in 1..40 {
            let full = (30_000i64 << (attempt - 1).min(30)).min(MAX_BACKOFF_MS);
            let d = backoff_ms(30_000, attempt);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d}");
        }
        assert!(backoff_ms(30_000, 40) <= MAX_BACKOFF_MS);
    }
}

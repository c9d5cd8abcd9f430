//! The message search index's queue (SQLite). New messages wait in `messages_fts_pending`
//! (migration m0019: the insert trigger notes the id) and the chat writer indexes the waiting
//! rows in chunks, in a transaction of their own between two batches: one FTS5 segment per
//! chunk instead of one per batch (about 3 µs a message; BENCHMARKS.md, session 11). Search
//! stays exact while rows wait: `search::query` matches them by a scan of their text.
//!
//! PostgreSQL keeps its trigram index in the writer's transaction: measured, dropping it did not
//! change the writer's rate (its GIN index collects new entries in a pending list already).
//! MySQL/MariaDB has no index. There is nothing to do on either.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait};

use crate::error::AppResult;

/// Waiting rows that make a chunk: larger chunks write fewer, larger segments. A chunk this
/// size took the writer about 7 ms at 10,000 msg/s (BENCHMARKS.md, session 11).
pub const CHUNK_ROWS: usize = 2_000;
/// While the writer is idle, how often (at least) it looks for rows that other paths (a ticket's
/// first message, system messages) left waiting.
const IDLE_LOOK: Duration = Duration::from_secs(10);

/// The writer's view of the queue: how many rows it left waiting, and since when.
pub struct Queue {
    enabled: bool,
    /// The longest a stored message waits for the index when fewer than a chunk arrive
    /// (`SWITCHBOARD_SEARCH_INDEX_WAIT_MS`).
    max_wait: Duration,
    waiting: usize,
    since: Option<Instant>,
    looked: Instant,
    /// After a failed flush: no new try before then.
    not_before: Option<Instant>,
}

impl Queue {
    pub fn new(backend: DbBackend, max_wait: Duration) -> Self {
        Self {
            enabled: backend == DbBackend::Sqlite,
            max_wait,
            waiting: 0,
            // Rows a previous run left waiting (a crash, a stop) are indexed at once.
            since: Some(
                Instant::now()
                    .checked_sub(max_wait)
                    .unwrap_or_else(Instant::now),
            ),
            looked: Instant::now(),
            not_before: None,
        }
    }

    /// The writer stored `n` more messages.
    pub fn stored(&mut self, n: usize) {
        if self.enabled && n > 0 {
            self.waiting += n;
            self.since.get_or_insert_with(Instant::now);
        }
    }

    /// A chunk is ready, or rows have waited long enough.
    pub fn due(&self) -> bool {
        self.enabled
            && self.not_before.is_none_or(|t| Instant::now() >= t)
            && (self.waiting >= CHUNK_ROWS
                || self.since.is_some_and(|t| t.elapsed() >= self.max_wait))
    }

    /// How long an idle writer may wait for the next send before it indexes; `None`: it
    /// looks for rows others left waiting after `IDLE_LOOK`.
    pub fn idle_wait(&self) -> Option<Duration> {
        if !self.enabled {
            return None;
        }
        let wait = match self.since {
            Some(t) => self.max_wait.saturating_sub(t.elapsed()),
            None => self
                .max_wait
                .max(IDLE_LOOK)
                .saturating_sub(self.looked.elapsed()),
        };
        let backoff = self.not_before.map_or(Duration::ZERO, |t| {
            t.saturating_duration_since(Instant::now())
        });
        Some(wait.max(backoff))
    }

    /// A flush failed: the rows stay waiting; the next try comes a second later at the soonest.
    pub fn retry_later(&mut self) {
        self.not_before = Some(Instant::now() + Duration::from_secs(1));
    }

    /// Indexes every waiting row (whoever stored it) in one transaction.
    pub async fn flush(&mut self, db: &DatabaseConnection) -> AppResult<()> {
        let txn = db.begin().await?;
        let rows = index_waiting(&txn).await?;
        crate::db::sqlite_writer::commit(txn).await?;
        metrics::histogram!("switchboard_search_index_chunk_rows").record(rows as f64);
        self.waiting = 0;
        self.since = None;
        self.looked = Instant::now();
        self.not_before = None;
        Ok(())
    }
}

/// Moves the waiting rows into the FTS5 index, in the caller's transaction. Returns how many.
pub async fn index_waiting(txn: &impl ConnectionTrait) -> AppResult<u64> {
    let indexed = txn
        .execute_unprepared(
            "INSERT INTO messages_fts(rowid, body) \
             SELECT m.id, m.body FROM messages_fts_pending p JOIN messages m ON m.id = p.id \
             ORDER BY p.id",
        )
        .await?
        .rows_affected();
    txn.execute_unprepared("DELETE FROM messages_fts_pending")
        .await?;
    Ok(indexed)
}

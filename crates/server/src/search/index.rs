//! SQLite: the message search index, in a database file of its own kept by a thread of its
//! own, so indexing never holds up the chat writer.
//!
//! The FTS5 trigram index used to live in the main database, filled by the chat writer in
//! chunks between two batches (migration m0019). Every chunk held the one write lock: 2.5–5 ms
//! for 2,000 rows, and 10–25 ms when FTS5 merged its segments (about one chunk in five), while
//! every send arriving meanwhile waited (BENCHMARKS.md, session 19). Now the index is a
//! contentless FTS5 table in `<database>-search` (its own file, lock and WAL), and the
//! `search-indexer` thread reads the new messages from the main database (a read transaction:
//! it never blocks the writer) and indexes them there.
//!
//! What is indexed is kept as two positions in the search file (`index_progress`), written in the
//! same transaction as the index itself:
//! - `indexed_up_to`: every message with a lower or equal id is indexed. SQLite has one writer,
//!   so ids grow in commit order and a new message is simply one above it.
//! - `changes_up_to`: the last row of `message_search_changes` (main database, migration m0020)
//!   applied. Its triggers note every edit, delete, and an insert that reuses a deleted id.
//!
//! Search stays exact in between (`search::query`): rows above `indexed_up_to` and rows with a
//! change not yet applied are matched by a scan of their text, and the latter are left out of
//! the index's answer.
//!
//! The file is derived data: `synchronous=NORMAL`, and when it is missing, or does not match the
//! main database (its positions are past the main database's last message or change: a restore),
//! it is built again from the messages.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use anyhow::Context;
use rusqlite::{Connection, params};

use crate::error::{AppError, AppResult};

/// Messages indexed in one transaction at most: larger chunks write fewer, larger segments (one
/// segment per transaction; about 3 µs a message at 2,000, BENCHMARKS.md session 11).
pub const CHUNK_ROWS: usize = 2_000;
/// The indexer looks at least this often whether its handles are gone (the server stopped).
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// While nothing is known to wait, how often (at least) it looks for messages that other
/// paths (a ticket's first message, system messages) stored.
const IDLE_LOOK: Duration = Duration::from_secs(10);
/// After a failed pass, the next try comes this much later at the soonest.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The schema of the search file, its tables named with `schema` in front (`""` in the file
/// itself, `"search."` where it is attached).
fn schema(schema: &str) -> String {
    format!(
        "CREATE VIRTUAL TABLE IF NOT EXISTS {schema}message_index USING fts5(
            body, content='', contentless_delete=1, tokenize='trigram');
        CREATE TABLE IF NOT EXISTS {schema}index_progress (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            indexed_up_to INTEGER NOT NULL,
            changes_up_to INTEGER NOT NULL);
        INSERT OR IGNORE INTO {schema}index_progress (id, indexed_up_to, changes_up_to)
            VALUES (1, 0, 0);"
    )
}

/// The search file beside the main database file.
pub fn search_file(database: &str) -> String {
    format!("{database}-search")
}

/// What every pooled connection runs once: the search file attached as `search`. An in-memory
/// database gets an empty index of its own on each connection: nothing is indexed, every
/// message counts as waiting and is found by a scan of its text.
pub fn attach_sql(database: Option<&str>) -> String {
    match database {
        Some(path) => format!(
            "ATTACH DATABASE '{}' AS search",
            search_file(path).replace('\'', "''")
        ),
        None => format!(
            "ATTACH DATABASE ':memory:' AS search; {}",
            schema("search.")
        ),
    }
}

/// Creates the search file's schema if it is new (before any connection attaches it).
pub fn prepare(database: &str) -> anyhow::Result<()> {
    open(database).map(drop)
}

/// The search file, in WAL mode, its schema in place.
fn open(database: &str) -> anyhow::Result<Connection> {
    let path = search_file(database);
    let conn = Connection::open(&path).with_context(|| format!("opening {path}"))?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // Derived data: a power cut may lose the last chunks; the positions go with them (one
    // transaction), and the indexer indexes those messages again.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(&schema(""))?;
    Ok(conn)
}

/// The indexer's handle: the writer tells it how many messages it stored; tests ask for a pass.
/// The thread stops once every handle is gone.
#[derive(Clone)]
pub struct Indexer {
    inner: Arc<Inner>,
}

struct Inner {
    signal: Mutex<Signal>,
    wake: Condvar,
}

#[derive(Default)]
struct Signal {
    /// Messages stored since the last pass began.
    stored: usize,
    /// When the oldest of them was stored.
    since: Option<Instant>,
    /// A pass was asked for (`index_now`).
    asked: bool,
    running: bool,
    /// Passes finished, and whether the last one failed.
    passes: u64,
    failed: Option<String>,
}

impl Inner {
    fn signal(&self) -> MutexGuard<'_, Signal> {
        self.signal.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Starts the indexer of the SQLite database file `database`; a new message waits at most
/// `max_wait` (`SWITCHBOARD_SEARCH_INDEX_WAIT_MS`) unless a chunk fills first.
pub fn start(database: &str, max_wait: Duration) -> anyhow::Result<Indexer> {
    let mut conn = open(database)?;
    // Only read: the indexer's transactions write the search file alone, so they never take
    // the main database's write lock.
    conn.execute("ATTACH DATABASE ?1 AS chat", [database])?;
    if rebuild_if_stale(&conn)? {
        tracing::info!("the search index did not match the database; building it again");
    }
    let inner = Arc::new(Inner {
        signal: Mutex::new(Signal {
            // Whatever a previous run left waiting is indexed at once.
            asked: true,
            ..Signal::default()
        }),
        wake: Condvar::new(),
    });
    let weak = Arc::downgrade(&inner);
    std::thread::Builder::new()
        .name("search-indexer".into())
        .spawn(move || {
            // The index may lag (searches scan what waits); sends must not wait for it. After
            // a burst it has a backlog to catch up on while the next messages arrive.
            crate::sched::make_this_thread_background();
            run(&mut conn, &weak, max_wait)
        })?;
    Ok(Indexer { inner })
}

impl Indexer {
    /// The writer stored `n` more messages: a full chunk wakes the indexer early.
    pub fn stored(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut s = self.inner.signal();
        s.stored += n;
        // The first waiting message sets the indexer's clock; a full chunk is due at once.
        if s.since.is_none() || s.stored >= CHUNK_ROWS {
            s.since.get_or_insert_with(Instant::now);
            self.inner.wake.notify_one();
        }
    }

    /// Indexes everything committed before the call; returns once a pass that began after it
    /// has finished (for tests and tools: the server never waits for the index).
    pub async fn index_now(&self) -> AppResult<()> {
        let target = {
            let mut s = self.inner.signal();
            s.asked = true;
            self.inner.wake.notify_one();
            // A pass already running may have read the messages before the call.
            s.passes + 1 + u64::from(s.running)
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            {
                let s = self.inner.signal();
                if s.passes >= target {
                    return match &s.failed {
                        None => Ok(()),
                        Some(e) => Err(AppError::Internal(anyhow::anyhow!("indexing: {e}"))),
                    };
                }
            }
            if Instant::now() > deadline {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "the search indexer did not finish a pass within 30 s"
                )));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

fn run(conn: &mut Connection, inner: &Weak<Inner>, max_wait: Duration) {
    let mut last_pass = Instant::now();
    // After a failed pass: no new try before then.
    let mut not_before: Option<Instant> = None;
    loop {
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let mut s = inner.signal();
        let until_due = |s: &Signal| -> Duration {
            let wait = if s.asked || s.stored >= CHUNK_ROWS {
                Duration::ZERO
            } else if let Some(t) = s.since {
                max_wait.saturating_sub(t.elapsed())
            } else {
                // Messages stored by other paths (a ticket's first message, system messages)
                // are found by an idle look now and then.
                max_wait.max(IDLE_LOOK).saturating_sub(last_pass.elapsed())
            };
            let backoff = not_before.map_or(Duration::ZERO, |t| {
                t.saturating_duration_since(Instant::now())
            });
            wait.max(backoff)
        };
        let wait = until_due(&s);
        if !wait.is_zero() {
            s = inner
                .wake
                .wait_timeout(s, wait.min(LOOK_EVERY))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            if !until_due(&s).is_zero() {
                continue;
            }
        }
        s.asked = false;
        s.stored = 0;
        s.since = None;
        s.running = true;
        drop(s);
        let started = Instant::now();
        let result = index_waiting(conn);
        metrics::histogram!("switchboard_search_index_pass_seconds")
            .record(started.elapsed().as_secs_f64());
        last_pass = Instant::now();
        let mut s = inner.signal();
        s.running = false;
        s.passes += 1;
        s.failed = match result {
            Ok(_) => {
                not_before = None;
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, "indexing new messages for search failed; will retry");
                // They stay waiting (search still finds them by their text).
                not_before = Some(Instant::now() + RETRY_AFTER);
                s.since.get_or_insert(started);
                Some(e.to_string())
            }
        };
    }
}

/// Where the index stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Progress {
    indexed_up_to: i64,
    changes_up_to: i64,
}

fn index_progress(conn: &Connection) -> rusqlite::Result<Progress> {
    conn.query_row(
        "SELECT indexed_up_to, changes_up_to FROM index_progress WHERE id = 1",
        [],
        |r| {
            Ok(Progress {
                indexed_up_to: r.get(0)?,
                changes_up_to: r.get(1)?,
            })
        },
    )
}

/// Indexes every waiting message and applies every waiting change, a chunk per transaction.
/// Returns how many messages and changes it took.
pub(crate) fn index_waiting(conn: &mut Connection) -> rusqlite::Result<usize> {
    let mut total = 0;
    loop {
        let txn = conn.transaction()?;
        let (rows, changes) = index_chunk(&txn)?;
        txn.commit()?;
        metrics::histogram!("switchboard_search_index_chunk_rows").record(rows as f64);
        total += rows + changes;
        if rows < CHUNK_ROWS && changes < CHUNK_ROWS {
            return Ok(total);
        }
    }
}

/// A message's entry in the index.
const INSERT_ENTRY: &str = "INSERT INTO message_index (rowid, body) VALUES (?1, ?2)";

/// One chunk: the next new messages, then the next changes, in the caller's transaction.
fn index_chunk(conn: &Connection) -> rusqlite::Result<(usize, usize)> {
    let before = index_progress(conn)?;
    let mut after = before;
    let mut rows = 0;
    {
        let mut read = conn.prepare_cached(
            "SELECT id, body FROM chat.messages WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let mut insert = conn.prepare_cached(INSERT_ENTRY)?;
        let mut found = read.query(params![before.indexed_up_to, CHUNK_ROWS as i64])?;
        while let Some(row) = found.next()? {
            let id: i64 = row.get(0)?;
            let body: String = row.get(1)?;
            if !body.is_empty() {
                insert.execute(params![id, body])?;
            }
            after.indexed_up_to = id;
            rows += 1;
        }
    }
    let mut changes = 0;
    {
        // A change of a message not indexed yet needs nothing: it is indexed as it is then.
        let mut read = conn.prepare_cached(
            "SELECT c.id, c.message_id, m.body FROM chat.message_search_changes c \
             LEFT JOIN chat.messages m ON m.id = c.message_id \
             WHERE c.id > ?1 ORDER BY c.id LIMIT ?2",
        )?;
        let mut delete = conn.prepare_cached("DELETE FROM message_index WHERE rowid = ?1")?;
        let mut insert = conn.prepare_cached(INSERT_ENTRY)?;
        let mut found = read.query(params![before.changes_up_to, CHUNK_ROWS as i64])?;
        while let Some(row) = found.next()? {
            let change: i64 = row.get(0)?;
            let id: i64 = row.get(1)?;
            let body: Option<String> = row.get(2)?;
            if id <= after.indexed_up_to {
                delete.execute([id])?;
                if let Some(body) = body.filter(|b| !b.is_empty()) {
                    insert.execute(params![id, body])?;
                }
            }
            after.changes_up_to = change;
            changes += 1;
        }
    }
    if after != before {
        conn.execute(
            "UPDATE index_progress SET indexed_up_to = ?1, changes_up_to = ?2 WHERE id = 1",
            params![after.indexed_up_to, after.changes_up_to],
        )?;
    }
    Ok((rows, changes))
}

/// Empties the index when its positions are past what the main database holds (the file
/// belongs to another copy of it: a restore, a file copied by hand). Returns whether it did.
/// (A deleted message may leave the last id below `indexed_up_to`: its deletion is a change.)
fn rebuild_if_stale(conn: &Connection) -> rusqlite::Result<bool> {
    let at = index_progress(conn)?;
    let (last_message, last_change, last_changed): (i64, i64, i64) = conn.query_row(
        "SELECT (SELECT coalesce(max(id), 0) FROM chat.messages), \
                (SELECT coalesce(max(id), 0) FROM chat.message_search_changes), \
                (SELECT coalesce(max(message_id), 0) FROM chat.message_search_changes)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if at.indexed_up_to <= last_message.max(last_changed) && at.changes_up_to <= last_change {
        return Ok(false);
    }
    conn.execute_batch(
        "BEGIN;
         INSERT INTO message_index (message_index) VALUES ('delete-all');
         UPDATE index_progress SET indexed_up_to = 0, changes_up_to = 0 WHERE id = 1;
         COMMIT;",
    )?;
    Ok(true)
}

/// With the server stopped (tests and tools): indexes whatever waits in the search file of
/// `database`, then [`check`]s it.
pub fn catch_up_and_check(database: &str) -> anyhow::Result<()> {
    let mut conn = open(database)?;
    conn.execute("ATTACH DATABASE ?1 AS chat", [database])?;
    rebuild_if_stale(&conn)?;
    index_waiting(&mut conn).context("indexing the waiting messages")?;
    check_indexed(&conn)
}

/// Checks the search file of `database` (tests and tools; with nothing waiting to be indexed):
/// FTS5's own structure, exactly one entry for each indexed message with a text and none for
/// any other id, and each such message found by its whole text (FTS5 keeps no copy of the text
/// to compare).
pub fn check(database: &str) -> anyhow::Result<()> {
    let conn = open(database)?;
    conn.execute("ATTACH DATABASE ?1 AS chat", [database])?;
    check_indexed(&conn)
}

fn check_indexed(conn: &Connection) -> anyhow::Result<()> {
    conn.execute_batch("INSERT INTO message_index (message_index) VALUES ('integrity-check')")
        .context("the search index's structure")?;
    let indexed = "SELECT id FROM chat.messages WHERE body <> '' \
                   AND id <= (SELECT indexed_up_to FROM index_progress)";
    let (missing, extra): (i64, i64) = conn.query_row(
        &format!(
            "SELECT (SELECT count(*) FROM ({indexed} EXCEPT SELECT rowid FROM message_index)), \
                    (SELECT count(*) FROM (SELECT rowid FROM message_index EXCEPT {indexed}))"
        ),
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    anyhow::ensure!(
        missing == 0 && extra == 0,
        "the search index misses {missing} messages and holds {extra} ids that are not messages"
    );
    let mut texts = conn.prepare(&format!(
        "SELECT id, body FROM chat.messages WHERE id IN ({indexed})"
    ))?;
    let mut finds = conn.prepare(
        "SELECT count(*) FROM message_index WHERE message_index MATCH ?1 AND rowid = ?2",
    )?;
    let mut rows = texts.query([])?;
    while let Some(row) = rows.next()? {
        let (id, body): (i64, String) = (row.get(0)?, row.get(1)?);
        // The trigram tokenizer matches texts of three characters or more.
        if body.chars().count() < 3 {
            continue;
        }
        let phrase = format!("\"{}\"", body.replace('"', "\"\""));
        let found: i64 = finds.query_row(rusqlite::params![phrase, id], |r| r.get(0))?;
        anyhow::ensure!(
            found == 1,
            "message {id} is not indexed with its text {body:?}"
        );
    }
    Ok(())
}

/// Removes the search file of `database` and its WAL (`restore`: the index is built again).
pub fn remove_files(database: &Path) -> std::io::Result<()> {
    let base = search_file(&database.to_string_lossy());
    for suffix in ["", "-wal", "-shm"] {
        match std::fs::remove_file(format!("{base}{suffix}")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A main database with the messages' columns the indexer reads and the change log of
    /// migration m0020, and an indexer's connection to its search file.
    fn databases(dir: &Path) -> (Connection, Connection) {
        let path = dir.join("main.db").to_string_lossy().into_owned();
        let main = Connection::open(&path).unwrap();
        main.pragma_update(None, "journal_mode", "WAL").unwrap();
        main.execute_batch("CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            .unwrap();
        for sql in crate::db::migrations::SEARCH_CHANGE_LOG {
            main.execute_batch(sql).unwrap();
        }
        let index = open(&path).unwrap();
        index
            .execute("ATTACH DATABASE ?1 AS chat", [&path])
            .unwrap();
        (main, index)
    }

    fn found(index: &Connection, word: &str) -> Vec<i64> {
        let mut q = index
            .prepare("SELECT rowid FROM message_index WHERE message_index MATCH ?1 ORDER BY rowid")
            .unwrap();
        q.query_map([format!("\"{word}\"")], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn new_messages_edits_deletions_and_a_reused_id_reach_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let (main, mut index) = databases(dir.path());
        main.execute_batch(
            "INSERT INTO messages (id, body) VALUES
                (1, 'the kettle'), (2, 'a parcel'), (3, ''), (4, 'ok')",
        )
        .unwrap();
        assert_eq!(index_waiting(&mut index).unwrap(), 4);
        assert_eq!(found(&index, "kettle"), [1]);
        assert_eq!(
            index_progress(&index).unwrap(),
            Progress {
                indexed_up_to: 4,
                changes_up_to: 0
            }
        );

        // Edited, emptied (a deleted message's body), the last row deleted and its id used again.
        main.execute_batch(
            "UPDATE messages SET body = 'the teapot' WHERE id = 1;
             UPDATE messages SET body = '' WHERE id = 2;
             DELETE FROM messages WHERE id = 3;
             INSERT INTO messages (id, body) VALUES (3, 'a new parcel');",
        )
        .unwrap();
        index_waiting(&mut index).unwrap();
        assert!(found(&index, "kettle").is_empty());
        assert_eq!(found(&index, "teapot"), [1]);
        assert_eq!(found(&index, "parcel"), [3]);
        let entries: i64 = index
            .query_row("SELECT count(*) FROM message_index", [], |r| r.get(0))
            .unwrap();
        // A text too short for any trigram has its entry all the same.
        assert_eq!(entries, 3);
        index
            .execute_batch("INSERT INTO message_index (message_index) VALUES ('integrity-check')")
            .unwrap();
        // Nothing new: a pass takes nothing and changes nothing.
        assert_eq!(index_waiting(&mut index).unwrap(), 0);
    }

    #[test]
    fn a_chunk_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let (main, mut index) = databases(dir.path());
        main.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             INSERT INTO messages (id, body) SELECT i, 'note ' || i FROM n",
            [CHUNK_ROWS as i64 * 2 + 5],
        )
        .unwrap();
        let txn = index.transaction().unwrap();
        assert_eq!(index_chunk(&txn).unwrap(), (CHUNK_ROWS, 0));
        txn.commit().unwrap();
        assert_eq!(index_waiting(&mut index).unwrap(), CHUNK_ROWS + 5);
        assert_eq!(
            index_progress(&index).unwrap().indexed_up_to,
            CHUNK_ROWS as i64 * 2 + 5
        );
    }

    #[test]
    fn an_index_of_another_copy_of_the_database_is_emptied() {
        let dir = tempfile::tempdir().unwrap();
        let (main, mut index) = databases(dir.path());
        main.execute_batch("INSERT INTO messages (id, body) VALUES (1, 'one'), (2, 'two')")
            .unwrap();
        index_waiting(&mut index).unwrap();
        assert!(!rebuild_if_stale(&index).unwrap(), "it matches");

        // The last message deleted: its id is in the change log, still a match.
        main.execute_batch("DELETE FROM messages WHERE id = 2")
            .unwrap();
        assert!(!rebuild_if_stale(&index).unwrap());

        // An older copy of the database (a restore): fewer messages and no such change.
        main.execute_batch("DELETE FROM message_search_changes; DELETE FROM messages")
            .unwrap();
        assert!(rebuild_if_stale(&index).unwrap());
        assert_eq!(
            index_progress(&index).unwrap(),
            Progress {
                indexed_up_to: 0,
                changes_up_to: 0
            }
        );
        assert!(found(&index, "one").is_empty());
    }

    #[tokio::test]
    async fn the_thread_indexes_when_asked_and_when_a_message_has_waited() {
        let dir = tempfile::tempdir().unwrap();
        let (main, _) = databases(dir.path());
        let path = dir.path().join("main.db").to_string_lossy().into_owned();
        let indexer = start(&path, Duration::from_millis(50)).unwrap();
        main.execute_batch("INSERT INTO messages (id, body) VALUES (1, 'asked for')")
            .unwrap();
        indexer.index_now().await.unwrap();
        let search = open(&path).unwrap();
        assert_eq!(found(&search, "asked"), [1]);

        // Reported by the writer: indexed once it has waited 50 ms, unasked.
        main.execute_batch("INSERT INTO messages (id, body) VALUES (2, 'waited for')")
            .unwrap();
        indexer.stored(1);
        let mut seen = Vec::new();
        for _ in 0..200 {
            seen = found(&search, "waited");
            if !seen.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(seen, [2]);
    }
}

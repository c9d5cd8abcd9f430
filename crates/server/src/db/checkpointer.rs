//! Checkpoints of the SQLite write-ahead log, on a thread and a connection of their own.
//!
//! A commit only appends to the WAL; a checkpoint copies the WAL's pages back into the database
//! file and syncs it. SQLite runs one after the commit that takes the WAL past
//! `wal_autocheckpoint` pages, on the committing connection: the chat writer's, whose next
//! batch then waits for the copies and a second sync. At 5,000 msg/s that was every ~0.4 s,
//! and commits over 25 ms were twice as many as with this thread (BENCHMARKS.md, session 13,
//! four pairs of runs). Here a connection of its own
//! copies what the WAL holds every [`EVERY`] (a `PASSIVE` checkpoint: it never waits for, nor
//! holds up, the writer or a reader), so the writer's commits only append and sync the WAL.
//!
//! The writer keeps its `wal_autocheckpoint` as a backstop. The WAL file restarts from its
//! beginning at a commit that finds every frame copied; should these checkpoints fall behind
//! for long, the writer's own still bounds the file.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context;

/// How often the WAL is copied back while it grows.
const EVERY: Duration = Duration::from_millis(100);
/// How often it is looked at while nothing is written.
const IDLE: Duration = Duration::from_secs(1);

/// The running checkpointer. Dropping it stops the thread (after the checkpoint it may be in).
#[derive(Debug)]
pub struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

/// Starts checkpointing the database file at `path` (already in WAL mode).
pub fn start(path: &str) -> anyhow::Result<Checkpointer> {
    let conn = rusqlite::Connection::open(path)
        .with_context(|| format!("opening {path} for the checkpointer"))?;
    // As the writer: the database file is synced after every copy, so a checkpoint never
    // leaves a committed page only in the page cache of the OS.
    conn.pragma_update(None, "synchronous", "FULL")?;
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("sqlite-checkpointer".into())
        .spawn(move || run(&conn, &stopped))?;
    Ok(Checkpointer { _stop: stop })
}

fn run(conn: &rusqlite::Connection, stopped: &mpsc::Receiver<()>) {
    let mut wait = EVERY;
    let mut last = Wal::default();
    while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(wait) {
        let start = Instant::now();
        super::wal_gather::report();
        wait = match checkpoint(conn) {
            Ok(wal) => {
                let copied = wal.copied_since(&last);
                last = wal;
                if copied == 0 {
                    IDLE
                } else {
                    metrics::histogram!("switchboard_sqlite_checkpoint_seconds")
                        .record(start.elapsed().as_secs_f64());
                    metrics::counter!("switchboard_sqlite_checkpoint_pages_total")
                        .increment(copied);
                    EVERY
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "checkpointing the SQLite WAL failed; will retry");
                IDLE
            }
        };
    }
}

/// The WAL after a checkpoint: its frames, and how many of them are in the database file.
#[derive(Debug, Default, PartialEq)]
pub struct Wal {
    pub frames: i64,
    pub copied: i64,
}

impl Wal {
    /// Frames copied since `before` (the WAL may have restarted from its beginning since).
    fn copied_since(&self, before: &Wal) -> u64 {
        let restarted = self.frames < before.frames;
        let since = if restarted { 0 } else { before.copied };
        (self.copied - since).max(0) as u64
    }
}

/// Copies into the database file what the WAL holds that no reader still needs from it,
/// without waiting for (or holding up) the writer or any reader.
pub fn checkpoint(conn: &rusqlite::Connection) -> rusqlite::Result<Wal> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok(Wal {
            frames: r.get(1)?,
            copied: r.get(2)?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows in the database file alone, as a copy of it without its WAL shows them.
    fn rows_in_file(dir: &std::path::Path, db: &std::path::Path) -> i64 {
        let copy = dir.join("copy.db");
        let _ = std::fs::remove_file(dir.join("copy.db-wal"));
        std::fs::copy(db, &copy).expect("copy the database file");
        let conn = rusqlite::Connection::open(&copy).expect("open the copy");
        conn.query_row("SELECT count(*) FROM items", [], |r| r.get(0))
            .unwrap_or(0)
    }

    #[test]
    fn committed_pages_reach_the_database_file_without_the_writer_checkpointing() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("c.db");
        let writer = rusqlite::Connection::open(&db).expect("open");
        writer.pragma_update(None, "journal_mode", "WAL").unwrap();
        // The writer never checkpoints by itself here.
        writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        writer
            .execute_batch("CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            .unwrap();
        for i in 0..500 {
            writer
                .execute(
                    "INSERT INTO items (body) VALUES (?1)",
                    [format!("item {i}")],
                )
                .unwrap();
        }
        assert_eq!(
            rows_in_file(dir.path(), &db),
            0,
            "all of it is still in the WAL"
        );

        let _checkpointer = start(db.to_str().unwrap()).expect("start");
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut rows = 0;
        while rows < 500 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            rows = rows_in_file(dir.path(), &db);
        }
        assert_eq!(rows, 500);
    }

    #[test]
    fn pages_copied_are_counted_across_a_restart_of_the_wal() {
        let before = Wal {
            frames: 100,
            copied: 60,
        };
        let grown = Wal {
            frames: 150,
            copied: 150,
        };
        assert_eq!(grown.copied_since(&before), 90);
        let restarted = Wal {
            frames: 20,
            copied: 20,
        };
        assert_eq!(restarted.copied_since(&grown), 20);
        assert_eq!(grown.copied_since(&grown), 0);
    }
}

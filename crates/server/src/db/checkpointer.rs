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
//! The WAL file restarts from its beginning only at a write transaction that finds every frame
//! copied. Under steady load that never happens by itself: the writer commits again while this
//! thread copies, so the WAL grew until the writer's own `wal_autocheckpoint` fired, a
//! checkpoint on the writer's thread of everything since this thread's last pass and a sync of
//! the database file, 7–12 ms every ~0.4 s at 5,000 msg/s, during which every send waited: the
//! delivery p99 (BENCHMARKS.md, session 18). So once a pass has copied a WAL of at least
//! [`RESTART_FRAMES`], this thread raises a flag ([`WalRestart`]), and the writer, before its next
//! batch, copies the few frames it committed since (`sqlite_writer::Raw::restart_wal_if_due`):
//! its next transaction finds the WAL all copied and starts it again. The writer's
//! `wal_autocheckpoint` stays as a backstop (a reader holding an old snapshot can keep the WAL
//! from restarting).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use anyhow::Context;

/// How often the WAL is copied back while it grows.
const EVERY: Duration = Duration::from_millis(100);
/// How often it is looked at while nothing is written.
const IDLE: Duration = Duration::from_secs(1);
/// A WAL this long (16 MiB of 4 KiB pages), once copied, is started again by the writer.
pub const RESTART_FRAMES: i64 = 4_096;

/// The running checkpointer. Dropping it stops the thread (after the checkpoint it may be in).
#[derive(Debug)]
pub struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

/// Raised by the checkpointer when the WAL is worth starting again, taken by the writer.
#[derive(Clone, Debug, Default)]
pub struct WalRestart(Arc<AtomicBool>);

impl WalRestart {
    pub(crate) fn raise(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    #[cfg(test)]
    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Whether it was raised; lowers it.
    pub fn take(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

/// Whether a pass that left the WAL as `wal` should have the writer start it again: it is long,
/// and every frame of it was copied (no reader held a frame back).
fn worth_restarting(wal: &Wal) -> bool {
    wal.frames >= RESTART_FRAMES && wal.copied == wal.frames
}

/// Starts checkpointing the database file at `path` (already in WAL mode); raises `restart`
/// after a pass that copied a long WAL whole.
pub fn start(path: &str, restart: WalRestart) -> anyhow::Result<Checkpointer> {
    let conn = rusqlite::Connection::open(path)
        .with_context(|| format!("opening {path} for the checkpointer"))?;
    // As the writer. SQLite syncs the database file only after a checkpoint that copied the
    // WAL up to its live end, which under load a pass rarely does; until one does, the WAL
    // keeps every frame (it can't start again), so nothing committed rests on the OS's cache.
    conn.pragma_update(None, "synchronous", "FULL")?;
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("sqlite-checkpointer".into())
        .spawn(move || run(&conn, &stopped, &restart))?;
    Ok(Checkpointer { _stop: stop })
}

fn run(conn: &rusqlite::Connection, stopped: &mpsc::Receiver<()>, restart: &WalRestart) {
    let mut wait = EVERY;
    let mut last = Wal::default();
    while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(wait) {
        let start = Instant::now();
        super::wal_gather::report();
        wait = match checkpoint(conn) {
            Ok(mut wal) => {
                if worth_restarting(&wal) {
                    match catch_up(conn) {
                        Ok(caught_up) => {
                            wal = caught_up;
                            restart.raise();
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "syncing the SQLite database file failed")
                        }
                    }
                }
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

/// Before the writer starts a long WAL again: syncs the pages copied so far, then copies and
/// syncs what was committed meanwhile, so the writer's own copy before the restart is a batch
/// or two. Without it that copy synced every page copied since the last full checkpoint (SQLite
/// syncs the database file only after a checkpoint that reached the WAL's live end): 8 ms a
/// restart at 5,000 msg/s, and 3 ms with the first sync alone (BENCHMARKS.md, session 18).
fn catch_up(conn: &rusqlite::Connection) -> rusqlite::Result<Wal> {
    sync_database_file(conn)?;
    let wal = checkpoint(conn)?;
    sync_database_file(conn)?;
    Ok(wal)
}

/// Syncs the database file through the connection's own handle (SQLite's VFS `xSync`): a
/// second descriptor opened and closed here would drop the process's POSIX locks on the file,
/// SQLite's included.
fn sync_database_file(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::ffi;
    let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
    // SAFETY: the handle is this connection's, used on this thread only; the file control
    // writes one pointer into `file`.
    let rc = unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            ffi::SQLITE_FCNTL_FILE_POINTER,
            (&mut file as *mut *mut ffi::sqlite3_file).cast(),
        )
    };
    if rc != ffi::SQLITE_OK {
        return Err(rusqlite::Error::SqliteFailure(ffi::Error::new(rc), None));
    }
    // SAFETY: a file SQLite opened has its methods; one not opened yet has none (nothing to sync).
    let sync = unsafe {
        file.as_ref()
            .and_then(|f| f.pMethods.as_ref())
            .and_then(|m| m.xSync)
    };
    let Some(sync) = sync else {
        return Ok(());
    };
    // SAFETY: `file` is the connection's open database file and `sync` its VFS's own method.
    match unsafe { sync(file, ffi::SQLITE_SYNC_NORMAL) } {
        ffi::SQLITE_OK => Ok(()),
        rc => Err(rusqlite::Error::SqliteFailure(ffi::Error::new(rc), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new database in WAL mode, and a connection to it.
    fn wal_database() -> (tempfile::TempDir, std::path::PathBuf, rusqlite::Connection) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("c.db");
        let conn = rusqlite::Connection::open(&db).expect("open");
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        (dir, db, conn)
    }

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
        let (dir, db, writer) = wal_database();
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

        let _checkpointer = start(db.to_str().unwrap(), WalRestart::default()).expect("start");
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut rows = 0;
        while rows < 500 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            rows = rows_in_file(dir.path(), &db);
        }
        assert_eq!(rows, 500);
    }

    #[test]
    fn the_database_file_is_synced_through_sqlites_own_handle_and_keeps_its_locks() {
        let (_dir, db, writer) = wal_database();
        writer
            .execute_batch(
                "CREATE TABLE items (id INTEGER PRIMARY KEY); INSERT INTO items VALUES (1)",
            )
            .unwrap();
        let other = rusqlite::Connection::open(&db).expect("open");
        // Not opened yet: nothing to sync.
        sync_database_file(&other).unwrap();
        let _: i64 = other
            .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
            .unwrap();
        writer.execute_batch("BEGIN IMMEDIATE").unwrap();
        sync_database_file(&other).unwrap();
        // The writer's lock held across the sync: another writer is still refused.
        other.busy_timeout(Duration::ZERO).unwrap();
        assert!(other.execute_batch("BEGIN IMMEDIATE").is_err());
        writer.execute_batch("COMMIT").unwrap();
        other.execute_batch("BEGIN IMMEDIATE; COMMIT").unwrap();
    }

    #[test]
    fn only_a_long_wal_copied_whole_is_worth_restarting() {
        let wal = |frames, copied| Wal { frames, copied };
        assert!(worth_restarting(&wal(RESTART_FRAMES, RESTART_FRAMES)));
        assert!(worth_restarting(&wal(
            RESTART_FRAMES * 3,
            RESTART_FRAMES * 3
        )));
        // Short: restarting it would sync the database file for little.
        assert!(!worth_restarting(&wal(
            RESTART_FRAMES - 1,
            RESTART_FRAMES - 1
        )));
        // A reader still needs frames from it: the writer could not restart it.
        assert!(!worth_restarting(&wal(RESTART_FRAMES * 2, RESTART_FRAMES)));
        let flag = WalRestart::default();
        assert!(!flag.take());
        flag.raise();
        assert!(flag.clone().take());
        assert!(!flag.take(), "taken once");
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

//! Read connections of our own for the hot reads of a SQLite file (history pages).
//!
//! Through sqlx every row and every statement crosses between the runtime's threads and the
//! connection's worker thread, and every query checks a connection out of the pool and back
//! (with a `ROLLBACK` after it). A 50-message page took three queries and ~60 such hand-offs:
//! ~2,000 pages/s on two cores with the server at 172 % CPU, most of it threads waking each
//! other (BENCHMARKS.md, session 19). Here a whole page is one closure run against a plain
//! rusqlite connection (the same libsqlite3), in one read transaction, so the page's queries
//! see one snapshot.
//!
//! The closure runs on the calling thread, a runtime worker, without a hand-off: a 50-message
//! page is ~60 µs of SQLite's work on pages already in memory, within tokio's guidance for code
//! between two awaits (10–100 µs). Handing it to a blocking thread and back cost a fifth of the
//! pages/s (BENCHMARKS.md, session 20). A read that must wait for the disk holds its worker
//! meanwhile; the other workers take over its queued tasks.
//!
//! The file is read through a memory map: no `pread` copy per page, +70 % pages/s. A page's
//! messages are scattered over the table (conversations interleave), so each is a B-tree
//! descent; with reads through the page cache most of them missed it and copied the page in.
//! Connections are opened when first needed (at most one per thread reading at once) and kept.

use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::AppResult;

/// How much of the database file each reader maps (address space, not memory: the pages are
/// the OS's file cache, shared by all). Beyond it, pages are read with `pread`.
const MMAP_BYTES: i64 = 1 << 30;

/// Statements kept prepared per connection: a history page's text varies with its order, its
/// notes and its length (clients ask for a few lengths).
const STATEMENT_CACHE: usize = 64;

pub struct SqliteReader {
    path: String,
    idle: Mutex<Vec<Connection>>,
}

impl SqliteReader {
    pub fn new(path: &str) -> Self {
        Self {
            path: path.to_string(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on one of the connections, inside a read transaction, on this thread.
    pub fn read<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> AppResult<T> {
        let taken = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match taken {
            Some(conn) => conn,
            None => open(&self.path).map_err(|e| {
                anyhow::Error::new(e).context(format!("opening {} for reading", self.path))
            })?,
        };
        let result = in_read_transaction(&conn, read);
        // A connection whose transaction could not be ended is dropped, not reused.
        if conn.is_autocommit() {
            self.idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(conn);
        }
        Ok(result.map_err(|e| anyhow::Error::new(e).context("reading the database"))?)
    }
}

/// `read` between a BEGIN and a COMMIT (ROLLBACK after an error), both kept prepared.
fn in_read_transaction<T>(
    conn: &Connection,
    read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached("BEGIN")?.execute([])?;
    let value = read(conn);
    let end = if value.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = conn.prepare_cached(end).and_then(|mut s| s.execute([]));
    let value = value?;
    ended?;
    Ok(value)
}

fn open(path: &str) -> rusqlite::Result<Connection> {
    // Read-write flags so SQLite may use the WAL's shared memory as usual; `query_only`
    // keeps this connection from ever writing.
    let conn = Connection::open_with_flags(path, OpenFlags::default())?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "query_only", true)?;
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAL database holding `t (v)` with the row 1: a writer's connection and a reader.
    fn a_table_of_one_row(dir: &std::path::Path) -> (Connection, SqliteReader) {
        let path = dir.join("r.db").to_string_lossy().into_owned();
        let writer = Connection::open(&path).unwrap();
        writer.pragma_update(None, "journal_mode", "WAL").unwrap();
        writer
            .execute_batch("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)")
            .unwrap();
        (writer, SqliteReader::new(&path))
    }

    #[test]
    fn reads_see_commits_and_never_write() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, reader) = a_table_of_one_row(dir.path());
        let sum = |r: &SqliteReader| {
            r.read(|c| c.query_row("SELECT sum(v) FROM t", [], |row| row.get::<_, i64>(0)))
        };
        assert_eq!(sum(&reader).unwrap(), 1);
        writer.execute("INSERT INTO t VALUES (2)", []).unwrap();
        assert_eq!(sum(&reader).unwrap(), 3);
        let write = reader.read(|c| c.execute("INSERT INTO t VALUES (3)", []));
        assert!(write.is_err(), "a reader wrote: {write:?}");
        // The failed read ended its transaction and left the connection usable, and kept.
        assert_eq!(sum(&reader).unwrap(), 3);
        assert_eq!(reader.idle.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_read_sees_one_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, reader) = a_table_of_one_row(dir.path());
        let (before, after) = reader
            .read(|c| {
                let count = |c: &Connection| {
                    c.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))
                };
                let before = count(c)?;
                writer.execute("INSERT INTO t VALUES (2)", []).unwrap();
                Ok((before, count(c)?))
            })
            .unwrap();
        assert_eq!((before, after), (1, 1), "a commit in between is not seen");
        assert_eq!(
            reader
                .read(|c| c.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0)))
                .unwrap(),
            2
        );
    }
}

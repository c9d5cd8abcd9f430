//! The chat writer's own SQLite connection, run on the writer's thread.
//!
//! Through sqlx every statement crosses to the connection's worker thread and back; a batch of
//! a dozen statements paid a dozen thread hand-offs, and under load each waited for a core
//! (BENCHMARKS.md, session 9: 8 ms of steps per batch, 0.09 ms of it SQLite's own work). Here
//! the same libsqlite3 (the one sqlx links, through rusqlite) runs each statement on the thread
//! that asks for it: the writer's thread, which does nothing else. The writer's SeaORM code is
//! unchanged: this is a SeaORM proxy connection, so the statements it builds for PostgreSQL and
//! MySQL are the ones that run here.
//!
//! Two things a proxy differs in, which the writer's code respects:
//! - Rows are read by column name. A positional read (`into_tuple` of several columns) sees
//!   the columns in name order, not select order: read such rows into a named model.
//! - SeaORM's proxy `commit` can't return an error. A failed COMMIT is rolled back and kept;
//!   [`commit`] (used for every writer transaction) returns it, so nothing is acknowledged
//!   that did not reach the disk.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use rusqlite::types::{Value as Sql, ValueRef};
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ProxyDatabaseTrait, ProxyExecResult,
    ProxyRow, RuntimeErr, Statement, Value,
};

/// Prepared statements kept per connection. A batch's multi-row statements have one text per
/// row count (up to `MAX_BATCH` rows), so under load more than a thousand texts are in use at
/// once; with 512 SQLite parsed and planned them again and again (12 % of the writer's time on
/// a core at 5,000 msg/s). 4,096 holds them all, for about 50 MB more at 5,000 msg/s
/// (BENCHMARKS.md, session 13); a quiet server prepares only the few texts it uses.
const STATEMENT_CACHE: usize = 4096;

/// The writer connection's page cache, in KiB: 2,048 pages. SQLite's default (2 MiB) spilled the
/// pages a batch touches and read them back for every batch; a larger one costs at every
/// commit: a page split renumbers a page through the locking page's number (262,145) for a
/// moment, and the commit that follows then walks the cache's whole hash table, whose size
/// follows the pages cached (64 MiB: 10 % of the writer's time on a core at 5,000 msg/s;
/// BENCHMARKS.md, session 16).
const CACHE_KIB: i64 = 8 * 1024;
/// WAL pages (4 KiB each) that trigger a checkpoint: about 40 MiB.
const CHECKPOINT_PAGES: i64 = 10_000;

thread_local! {
    /// A COMMIT that failed on this thread, until [`commit`] reports it.
    static FAILED_COMMIT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Commits `txn` and reports a failed COMMIT of the writer's SQLite connection too (see the
/// module's notes). The same as `txn.commit()` on other connections.
pub async fn commit(txn: DatabaseTransaction) -> Result<(), DbErr> {
    txn.commit().await?;
    match FAILED_COMMIT.with(|f| f.borrow_mut().take()) {
        Some(e) => Err(DbErr::Exec(RuntimeErr::Internal(e))),
        None => Ok(()),
    }
}

/// The writer's connection itself, for the statements of a batch that run on it directly
/// (`chat::writer::sqlite`): inside a transaction begun through the SeaORM side, on the same
/// thread, so both sides see one transaction.
#[derive(Clone)]
pub struct Raw {
    inner: Arc<Mutex<Inner>>,
    wal_restart: super::checkpointer::WalRestart,
}

impl Raw {
    /// Runs `f` on the connection: in the open transaction if there is one. After a BEGIN
    /// that failed, nothing runs until that transaction ends (as on the SeaORM side).
    pub fn run<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> Result<T, DbErr> {
        let inner = lock(&self.inner);
        inner.usable()?;
        f(&inner.conn).map_err(failed)
    }

    /// Between two batches: when the checkpointer has just copied a long WAL whole, copies the
    /// frames committed since (a batch or two, and one sync of the database file) so that the
    /// next transaction finds the WAL all copied and starts it again from its beginning
    /// (`checkpointer`: otherwise the writer's own autocheckpoint copies everything since the
    /// last pass, 7–12 ms every ~0.4 s under load). Returns whether it ran.
    pub fn restart_wal_if_due(&self) -> Result<bool, DbErr> {
        if !self.wal_restart.take() {
            return Ok(false);
        }
        let inner = lock(&self.inner);
        if inner.depth > 0 {
            // Inside a transaction the WAL can't restart; the next pass raises the flag again.
            return Ok(false);
        }
        super::checkpointer::checkpoint(&inner.conn).map_err(failed)?;
        Ok(true)
    }
}

/// Opens the database file at `path` for the writer: WAL, `synchronous=FULL` (an ack survives
/// a power cut), foreign keys on, and the pool's busy timeout. Its statements run on whichever
/// thread calls them: only the writer's own thread must use it. The same connection comes
/// back twice: behind SeaORM, and as itself.
pub async fn open(path: &str) -> anyhow::Result<(DatabaseConnection, Raw)> {
    open_waiting(path, Duration::from_secs(10)).await
}

/// `open`, waiting at most `busy` for another connection's write lock.
async fn open_waiting(path: &str, busy: Duration) -> anyhow::Result<(DatabaseConnection, Raw)> {
    // Through `wal_gather`: a commit's WAL frames in a few writes, not two per page.
    let conn = rusqlite::Connection::open_with_flags_and_vfs(
        path,
        rusqlite::OpenFlags::default(),
        super::wal_gather::register()?,
    )
    .with_context(|| format!("opening {path} for the chat writer"))?;
    conn.busy_timeout(busy)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // A multi-row insert's statement journal in memory, not in a temporary file written page
    // by page (9 % of the writer's time at 10,000 msg/s): it only serves a statement's own
    // rollback inside the transaction, never durability.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // The pages a batch touches (the messages' indexes, the search index) stay cached here
    // instead of being read back from the OS for every batch.
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    // A backstop only: the checkpointer copies the WAL back long before it holds this many
    // pages (SQLite's default is 1,000). Should it fall behind, the writer checkpoints itself
    // after the commit that crosses it.
    conn.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Pages go back into the database file on another thread (`checkpointer`): a commit
    // here only appends to the WAL and syncs it.
    let wal_restart = super::checkpointer::WalRestart::default();
    let checkpointer = super::checkpointer::start(path, wal_restart.clone())?;
    let kinds = column_kinds(&conn)?;
    let inner = Arc::new(Mutex::new(Inner {
        conn,
        depth: 0,
        failed_begin: None,
    }));
    let proxy: Box<dyn ProxyDatabaseTrait> = Box::new(InPlace {
        inner: inner.clone(),
        kinds,
        _checkpointer: checkpointer,
    });
    let db = sea_orm::Database::connect_proxy(DbBackend::Sqlite, Arc::new(proxy))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((db, Raw { inner, wal_restart }))
}

/// How a column's values are typed for SeaORM (which wants a `bool` as `Bool`, not as the
/// integer SQLite stores).
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    BigInt,
    Bool,
    Text,
    Double,
    Bytes,
}

/// Every column name of the schema and its kind, from the declared types. A name declared with
/// two kinds in two tables is left out: its values go by their storage class. SQLite declares
/// every integer column `INTEGER`, so integers are read as `i64`: an `i32` field can't be read
/// here (none is on the writer's path; it would fail loudly, as a decoding error).
fn column_kinds(conn: &rusqlite::Connection) -> anyhow::Result<HashMap<String, Kind>> {
    let mut kinds: HashMap<String, Option<Kind>> = HashMap::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    for table in tables {
        let mut info = conn.prepare("SELECT name, type FROM pragma_table_info(?1)")?;
        let columns = info.query_map([&table], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        for column in columns {
            let (name, declared) = column?;
            let Some(kind) = declared_kind(&declared) else {
                continue;
            };
            kinds
                .entry(name)
                .and_modify(|k| {
                    if *k != Some(kind) {
                        *k = None;
                    }
                })
                .or_insert(Some(kind));
        }
    }
    Ok(kinds
        .into_iter()
        .filter_map(|(name, kind)| Some((name, kind?)))
        .collect())
}

fn declared_kind(declared: &str) -> Option<Kind> {
    let t = declared.to_ascii_lowercase();
    Some(if t.contains("bool") {
        Kind::Bool
    } else if t.contains("int") {
        Kind::BigInt
    } else if t.contains("char") || t.contains("text") || t.contains("clob") {
        Kind::Text
    } else if t.contains("real") || t.contains("floa") || t.contains("doub") {
        Kind::Double
    } else if t.contains("blob") {
        Kind::Bytes
    } else {
        return None;
    })
}

#[derive(Debug)]
struct InPlace {
    inner: Arc<Mutex<Inner>>,
    kinds: HashMap<String, Kind>,
    /// Runs as long as this connection does.
    _checkpointer: super::checkpointer::Checkpointer,
}

struct Inner {
    conn: rusqlite::Connection,
    /// Open transactions: the first is a `BEGIN IMMEDIATE`, nested ones savepoints.
    depth: u32,
    /// A BEGIN that failed: every statement fails until that transaction ends, so nothing
    /// runs outside a transaction (autocommit) by mistake.
    failed_begin: Option<String>,
}

impl Inner {
    fn usable(&self) -> Result<(), DbErr> {
        match &self.failed_begin {
            Some(e) => Err(DbErr::Query(RuntimeErr::Internal(e.clone()))),
            None => Ok(()),
        }
    }
}

fn lock(inner: &Mutex<Inner>) -> std::sync::MutexGuard<'_, Inner> {
    // Poisoned only if a statement panicked; the connection itself is still whole.
    inner.lock().unwrap_or_else(|e| e.into_inner())
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner").field("depth", &self.depth).finish()
    }
}

impl InPlace {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    fn row(&self, names: &[String], row: &rusqlite::Row<'_>) -> rusqlite::Result<ProxyRow> {
        let mut values = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            let kind = self.kinds.get(name).copied();
            values.insert(name.clone(), typed(row.get_ref(i)?, kind));
        }
        Ok(ProxyRow { values })
    }

    /// Ends the innermost transaction: COMMIT (or RELEASE) when `keep`, else ROLLBACK.
    fn finish(&self, keep: bool) {
        let mut inner = self.inner();
        if inner.depth == 0 {
            return;
        }
        inner.depth -= 1;
        if let Some(e) = inner.failed_begin.clone() {
            if inner.depth == 0 {
                inner.failed_begin = None;
                if keep {
                    FAILED_COMMIT.with(|f| *f.borrow_mut() = Some(e));
                }
            }
            return;
        }
        let savepoint = format!("sp{}", inner.depth);
        let sql = match (keep, inner.depth) {
            (true, 0) => "COMMIT".to_string(),
            (false, 0) => "ROLLBACK".to_string(),
            (true, _) => format!("RELEASE {savepoint}"),
            (false, _) => format!("ROLLBACK TO {savepoint}; RELEASE {savepoint}"),
        };
        if let Err(e) = inner.conn.execute_batch(&sql) {
            if keep {
                // A failed COMMIT (disk full, I/O error) leaves the transaction open: end it,
                // and let `commit` report the failure.
                let _ = inner.conn.execute_batch("ROLLBACK");
                inner.depth = 0;
                FAILED_COMMIT.with(|f| *f.borrow_mut() = Some(format!("{sql} failed: {e}")));
            } else {
                tracing::warn!(error = %e, "rolling back the writer's transaction failed");
            }
        }
    }
}

/// A column value as SeaORM expects it: by the column's declared kind where the schema names
/// it, else by the value's storage class.
fn typed(value: ValueRef<'_>, kind: Option<Kind>) -> Value {
    match (value, kind) {
        (ValueRef::Null, Some(Kind::Bool)) => Value::Bool(None),
        (ValueRef::Null, Some(Kind::Text)) => Value::String(None),
        (ValueRef::Null, Some(Kind::Double)) => Value::Double(None),
        (ValueRef::Null, Some(Kind::Bytes)) => Value::Bytes(None),
        (ValueRef::Null, _) => Value::BigInt(None),
        (ValueRef::Integer(i), Some(Kind::Bool)) => Value::Bool(Some(i != 0)),
        (ValueRef::Integer(i), Some(Kind::Text)) => Value::String(Some(i.to_string())),
        (ValueRef::Integer(i), Some(Kind::Double)) => Value::Double(Some(i as f64)),
        (ValueRef::Integer(i), _) => Value::BigInt(Some(i)),
        (ValueRef::Real(f), _) => Value::Double(Some(f)),
        (ValueRef::Text(t), _) => Value::String(Some(String::from_utf8_lossy(t).into_owned())),
        (ValueRef::Blob(b), _) => Value::Bytes(Some(b.to_vec())),
    }
}

/// A SeaORM value as SQLite stores it (as sqlx's SQLite driver binds it).
fn bound(value: Value) -> Result<Sql, DbErr> {
    fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Sql) -> Sql {
        v.map_or(Sql::Null, f)
    }
    Ok(match value {
        Value::Bool(v) => opt(v, |b| Sql::Integer(b as i64)),
        Value::TinyInt(v) => opt(v, |i| Sql::Integer(i.into())),
        Value::SmallInt(v) => opt(v, |i| Sql::Integer(i.into())),
        Value::Int(v) => opt(v, |i| Sql::Integer(i.into())),
        Value::BigInt(v) => opt(v, Sql::Integer),
        Value::TinyUnsigned(v) => opt(v, |i| Sql::Integer(i.into())),
        Value::SmallUnsigned(v) => opt(v, |i| Sql::Integer(i.into())),
        Value::Unsigned(v) => opt(v, |i| Sql::Integer(i.into())),
        Value::BigUnsigned(v) => match v.map(i64::try_from) {
            None => Sql::Null,
            Some(Ok(i)) => Sql::Integer(i),
            Some(Err(_)) => return Err(unsupported("an unsigned integer above i64")),
        },
        Value::Float(v) => opt(v, |f| Sql::Real(f.into())),
        Value::Double(v) => opt(v, Sql::Real),
        Value::String(v) => opt(v, Sql::Text),
        Value::Char(v) => opt(v, |c| Sql::Text(c.to_string())),
        Value::Enum(v) => match v {
            sea_orm::sea_query::OptionEnum::Some(e) => Sql::Text(e.value.into_owned()),
            sea_orm::sea_query::OptionEnum::None(_) => Sql::Null,
        },
        Value::Bytes(v) => opt(v, Sql::Blob),
        Value::Json(v) => opt(v, |j| Sql::Text(j.to_string())),
        other => return Err(unsupported(&format!("{other:?}"))),
    })
}

fn unsupported(what: &str) -> DbErr {
    DbErr::Query(RuntimeErr::Internal(format!(
        "the writer's SQLite connection does not bind {what}"
    )))
}

fn failed(e: rusqlite::Error) -> DbErr {
    DbErr::Query(RuntimeErr::Internal(e.to_string()))
}

fn params(statement: Statement) -> Result<(String, Vec<Sql>), DbErr> {
    let values = match statement.values {
        Some(values) => values.0.into_iter().map(bound).collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    Ok((statement.sql, values))
}

#[async_trait::async_trait]
impl ProxyDatabaseTrait for InPlace {
    async fn query(&self, statement: Statement) -> Result<Vec<ProxyRow>, DbErr> {
        let (sql, values) = params(statement)?;
        let inner = self.inner();
        inner.usable()?;
        let mut stmt = inner.conn.prepare_cached(&sql).map_err(failed)?;
        let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(values))
            .map_err(failed)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(failed)? {
            out.push(self.row(&names, row).map_err(failed)?);
        }
        Ok(out)
    }

    async fn execute(&self, statement: Statement) -> Result<ProxyExecResult, DbErr> {
        let unprepared = statement.values.is_none();
        let (sql, values) = params(statement)?;
        let inner = self.inner();
        inner.usable()?;
        if unprepared {
            // `execute_unprepared`: may hold several statements.
            inner.conn.execute_batch(&sql).map_err(failed)?;
        } else {
            let mut stmt = inner.conn.prepare_cached(&sql).map_err(failed)?;
            // A statement that returns rows (RETURNING) runs to its end all the same.
            let mut rows = stmt
                .query(rusqlite::params_from_iter(values))
                .map_err(failed)?;
            while rows.next().map_err(failed)?.is_some() {}
        }
        Ok(ProxyExecResult {
            last_insert_id: inner.conn.last_insert_rowid() as u64,
            rows_affected: inner.conn.changes(),
        })
    }

    async fn begin(&self) {
        let mut inner = self.inner();
        let sql = match inner.depth {
            // IMMEDIATE: the write lock now (waiting out other writers for the busy timeout),
            // not at the first write.
            0 => "BEGIN IMMEDIATE".to_string(),
            n => format!("SAVEPOINT sp{n}"),
        };
        if inner.failed_begin.is_none()
            && let Err(e) = inner.conn.execute_batch(&sql)
        {
            inner.failed_begin = Some(format!("{sql} failed: {e}"));
        }
        inner.depth += 1;
    }

    async fn commit(&self) {
        self.finish(true);
    }

    async fn rollback(&self) {
        self.finish(false);
    }

    fn start_rollback(&self) {
        self.finish(false);
    }

    async fn ping(&self) -> Result<(), DbErr> {
        let inner = self.inner();
        inner
            .conn
            .query_row("SELECT 1", [], |_| Ok(()))
            .map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectionTrait, TransactionTrait};

    const SCHEMA: &str = "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, \
        flag boolean NOT NULL, name varchar(16) NOT NULL, note TEXT NULL)";

    fn database() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("w.db").display().to_string();
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(SCHEMA).expect("schema");
        (dir, path)
    }

    fn insert(name: &str) -> Statement {
        Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO items (flag, name, note) VALUES (?, ?, ?) RETURNING id, flag, note",
            [true.into(), name.into(), Value::String(None)],
        )
    }

    /// A WAL longer than `RESTART_FRAMES`, in one commit through `raw` (a page a row).
    fn fill_wal(raw: &Raw) -> i64 {
        let rows = crate::db::checkpointer::RESTART_FRAMES + 500;
        let big = "x".repeat(3_000);
        raw.run(|c| {
            c.execute_batch("BEGIN")?;
            for _ in 0..rows {
                c.execute(
                    "INSERT INTO items (flag, name, note) VALUES (1, 'big', ?1)",
                    [&big],
                )?;
            }
            c.execute_batch("COMMIT")
        })
        .unwrap();
        rows
    }

    fn wal_frames(path: &str) -> i64 {
        let other = rusqlite::Connection::open(path).unwrap();
        other
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
            .unwrap()
    }

    #[tokio::test]
    async fn the_checkpointer_asks_for_a_restart_once_it_has_copied_a_long_wal() {
        let (_dir, path) = database();
        let (_db, raw) = open(&path).await.expect("open");
        fill_wal(&raw);
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !raw.wal_restart.is_raised() {
            assert!(
                std::time::Instant::now() < deadline,
                "the checkpointer never raised the flag"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(raw.restart_wal_if_due().unwrap());
        assert!(!raw.restart_wal_if_due().unwrap(), "once per raise");
    }

    #[tokio::test]
    async fn the_writers_copy_lets_a_long_wal_start_again_though_commits_followed_the_pass() {
        let (_dir, path) = database();
        let (db, raw) = open(&path).await.expect("open");
        let rows = fill_wal(&raw);
        // A pass that can't copy the frames committed after it began (as under load): a
        // reader's snapshot holds them back.
        let reader = rusqlite::Connection::open(&path).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let _: i64 = reader
            .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
            .unwrap();
        db.execute_raw(insert("after")).await.unwrap();
        wal_frames(&path);
        reader.execute_batch("COMMIT").unwrap();
        raw.wal_restart.raise();

        assert!(raw.restart_wal_if_due().unwrap());
        db.execute_raw(insert("restarted")).await.unwrap();
        let frames = wal_frames(&path);
        assert!(frames < 16, "the WAL started again: {frames} frames");
        let names = names(&path);
        assert_eq!(names.len() as i64, rows + 2);
        assert_eq!(names[names.len() - 2..], ["after", "restarted"]);
    }

    fn names(path: &str) -> Vec<String> {
        let conn = rusqlite::Connection::open(path).expect("open");
        let mut stmt = conn.prepare("SELECT name FROM items ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[tokio::test]
    async fn transactions_and_savepoints_commit_and_roll_back_in_place() {
        let (_dir, path) = database();
        let (db, _) = open(&path).await.expect("open the writer's connection");

        let txn = db.begin().await.unwrap();
        let row = txn.query_one_raw(insert("a")).await.unwrap().unwrap();
        // Typed as SeaORM decodes them: a boolean column is a bool, NULL text an Option.
        assert_eq!(row.try_get::<i64>("", "id").unwrap(), 1);
        assert!(row.try_get::<bool>("", "flag").unwrap());
        assert_eq!(row.try_get::<Option<String>>("", "note").unwrap(), None);
        let inner = txn.begin().await.unwrap();
        inner.execute_raw(insert("dropped")).await.unwrap();
        inner.rollback().await.unwrap();
        let inner = txn.begin().await.unwrap();
        inner.execute_raw(insert("b")).await.unwrap();
        commit(inner).await.unwrap();
        commit(txn).await.unwrap();

        let txn = db.begin().await.unwrap();
        txn.execute_raw(insert("never")).await.unwrap();
        drop(txn); // dropped open: rolled back
        assert_eq!(names(&path), ["a", "b"]);
    }

    #[tokio::test]
    async fn a_transaction_that_could_not_begin_stores_nothing_and_fails_its_commit() {
        let (_dir, path) = database();
        let (db, _) = open_waiting(&path, Duration::from_millis(50))
            .await
            .unwrap();
        let holder = rusqlite::Connection::open(&path).unwrap();
        holder.execute_batch("BEGIN IMMEDIATE").unwrap();

        let txn = db.begin().await.unwrap();
        // Not run in autocommit behind the failed BEGIN's back.
        assert!(txn.execute_raw(insert("lost")).await.is_err());
        let err = commit(txn)
            .await
            .expect_err("the commit reports the failed BEGIN");
        assert!(err.to_string().contains("BEGIN IMMEDIATE"), "{err}");

        holder.execute_batch("ROLLBACK").unwrap();
        let txn = db.begin().await.unwrap();
        txn.execute_raw(insert("kept")).await.unwrap();
        commit(txn).await.unwrap();
        assert_eq!(names(&path), ["kept"]);
    }

    #[test]
    fn declared_types_pick_the_kind_seaorm_decodes() {
        assert_eq!(declared_kind("INTEGER"), Some(Kind::BigInt));
        assert_eq!(declared_kind("boolean"), Some(Kind::Bool));
        assert_eq!(declared_kind("varchar(64)"), Some(Kind::Text));
        assert_eq!(declared_kind("TEXT"), Some(Kind::Text));
        assert_eq!(declared_kind(""), None);
    }

    #[test]
    fn values_are_typed_by_their_column() {
        assert_eq!(
            typed(ValueRef::Integer(1), Some(Kind::Bool)),
            Value::Bool(Some(true))
        );
        assert_eq!(typed(ValueRef::Integer(7), None), Value::BigInt(Some(7)));
        assert_eq!(typed(ValueRef::Null, Some(Kind::Text)), Value::String(None));
    }
}

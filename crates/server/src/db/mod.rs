//! Database connection and migrations. The URL scheme picks the database: `sqlite:`,
//! `postgres:` or `mysql:`; the same SeaORM code and migrations run on all three.

pub mod checkpointer;
pub mod entities;
pub mod migrations;
pub mod sqlite_reader;
pub mod sqlite_rows;
pub mod sqlite_writer;
pub mod wal_gather;

use std::time::Duration;

use anyhow::Context;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;

pub use migrations::Migrator;

/// Connects to the database named by `url`. SQLite files (and their directory) are created on
/// first use, in WAL mode with foreign keys on.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    connect_with(url, if url.starts_with("sqlite:") { 8 } else { 20 }).await
}

async fn connect_with(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    let url = normalise_url(url);
    if let Some(path) = sqlite_path(&url)
        && let Some(dir) = std::path::Path::new(&path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the database directory {}", dir.display()))?;
    }
    // SQLite: the message search index is a file of its own, attached to every connection as
    // `search` (`search::index`).
    let attach: std::sync::Arc<str> = if url.starts_with("sqlite:") {
        crate::search::index::attach_sql(sqlite_path(&url).as_deref()).into()
    } else {
        "".into()
    };
    if let Some(file) = sqlite_path(&url) {
        crate::search::index::prepare(&file)?;
    }
    let mut opts = ConnectOptions::new(url.clone());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(max_connections)
        .map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: an acknowledged message survives a power cut, not only a crash.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        })
        .map_sqlx_sqlite_pool_opts(move |o| {
            let attach = attach.clone();
            o.after_connect(move |conn, _| {
                // Our own statement, built from the configured path (quotes doubled).
                let sql = sea_orm::sqlx::AssertSqlSafe(attach.clone());
                Box::pin(async move { sea_orm::sqlx::raw_sql(sql).execute(conn).await.map(drop) })
            })
            .after_release(|conn, _| {
                Box::pin(async move {
                    // A COMMIT that fails with SQLITE_FULL (disk full) leaves the transaction
                    // open and the write lock held; a connection must never go back to the pool
                    // like that. Outside a transaction this is a no-op error, ignored.
                    use sea_orm::sqlx::Executor;
                    let _ = conn.execute("ROLLBACK").await;
                    Ok(true)
                })
            })
        });
    let db = Database::connect(opts)
        .await
        .with_context(|| format!("connecting to the database at {}", redact(&url)))?;
    Ok(db)
}

/// The chat writer's connection. SQLite: one connection of its own, run on the writer's own
/// thread (`sqlite_writer`: no per-statement thread hand-off), and the same connection without
/// SeaORM for a batch's hot statements; PostgreSQL and MySQL: the shared pool.
#[derive(Clone)]
pub struct WriterDb {
    pub conn: DatabaseConnection,
    pub sqlite: Option<sqlite_writer::Raw>,
}

pub async fn connect_writer(url: &str, shared: &DatabaseConnection) -> anyhow::Result<WriterDb> {
    let (conn, sqlite) = if !is_sqlite(shared) {
        (shared.clone(), None)
    } else if let Some(path) = sqlite_path(&normalise_url(url)) {
        let (conn, raw) = sqlite_writer::open(&path).await?;
        (conn, Some(raw))
    } else {
        // In memory: only the pool's own connection sees the database.
        (connect_with(url, 1).await?, None)
    };
    Ok(WriterDb { conn, sqlite })
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("applying database migrations")
}

/// Takes an exclusive lock beside a SQLite database file, held for the life of the process, so
/// a second server on the same file stops at start with a clear error (SQLite is one node).
pub fn lock_sqlite(url: &str) -> anyhow::Result<Option<std::fs::File>> {
    let Some(path) = sqlite_path(&normalise_url(url)) else {
        return Ok(None);
    };
    if let Some(dir) = std::path::Path::new(&path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let lock_path = format!("{path}.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("opening {lock_path}"))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another switchboard server is already using {path}: SQLite can't be shared by several nodes \
             (use PostgreSQL or MySQL with SWITCHBOARD_REDIS_URL to run more than one)"
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {lock_path}"))
        }
    }
}

/// `mariadb://` is accepted as a synonym of `mysql://`.
pub fn normalise_url(url: &str) -> String {
    match url.strip_prefix("mariadb:") {
        Some(rest) => format!("mysql:{rest}"),
        None => url.to_string(),
    }
}

/// The file of a `sqlite:` URL; `None` for other databases and in-memory SQLite.
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}

/// The URL without its password, for error messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..s + 3], &creds[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// True when the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

pub fn is_sqlite(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
}

/// True when `err` is a unique-constraint violation, on any of the three databases.
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://./data/x.db"), "sqlite://./data/x.db");
    }

    #[test]
    fn sqlite_paths_are_found() {
        assert_eq!(
            sqlite_path("sqlite://./data/x.db?mode=rwc").as_deref(),
            Some("./data/x.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}

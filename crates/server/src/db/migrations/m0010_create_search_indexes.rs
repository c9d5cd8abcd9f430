//! Full-text search indexes over message bodies and ticket subjects, kept by the database
//! itself so that every write path (send, edit, delete, ticket rename, and whatever comes later)
//! re-indexes in its own transaction with no code of ours on the write path.
//!
//! - SQLite: FTS5 external-content tables with the `trigram` tokenizer (substrings of three
//!   characters or more in any script, case-insensitive), filled by triggers.
//! - PostgreSQL: `pg_trgm` GIN indexes, which serve `ILIKE '%…%'`.
//! - MySQL/MariaDB: nothing. InnoDB FULLTEXT splits words on spaces (no CJK, no partial words)
//!   and MariaDB has no ngram parser; search there is a substring scan of the messages the
//!   caller may see (see `search::query`), which needs no index to stay correct.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The triggers that index every message write in its own transaction (m0019 replaces them
/// with a queue for new messages, and restores them when it is rolled back).
pub(super) const SQLITE_MESSAGE_TRIGGERS: [&str; 3] = [
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
    END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
        INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
    END",
];

pub(super) const SQLITE_MESSAGES_FTS: &str = "CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id', tokenize='trigram')";

const SQLITE_UP: &[&str] = &[
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, content='tickets', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
        INSERT INTO tickets_fts(rowid, subject) VALUES (new.id, new.subject);
    END",
    "CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
        INSERT INTO tickets_fts(tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
    END",
    "CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject ON tickets BEGIN
        INSERT INTO tickets_fts(tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
        INSERT INTO tickets_fts(rowid, subject) VALUES (new.id, new.subject);
    END",
    "INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild')",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS messages_fts_insert",
    "DROP TRIGGER IF EXISTS messages_fts_delete",
    "DROP TRIGGER IF EXISTS messages_fts_update",
    "DROP TABLE IF EXISTS messages_fts",
    "DROP TRIGGER IF EXISTS tickets_fts_insert",
    "DROP TRIGGER IF EXISTS tickets_fts_delete",
    "DROP TRIGGER IF EXISTS tickets_fts_update",
    "DROP TABLE IF EXISTS tickets_fts",
];

// pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
const POSTGRES_UP: &[&str] = &[
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX idx_messages_body_trgm ON messages USING gin (body gin_trgm_ops)",
    "CREATE INDEX idx_tickets_subject_trgm ON tickets USING gin (subject gin_trgm_ops)",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS idx_messages_body_trgm",
    "DROP INDEX IF EXISTS idx_tickets_subject_trgm",
];

async fn run(m: &SchemaManager<'_>, sql: &[&str]) -> Result<(), DbErr> {
    for statement in sql {
        m.get_connection().execute_unprepared(statement).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        match m.get_database_backend() {
            DbBackend::Sqlite => {
                run(m, &[SQLITE_MESSAGES_FTS]).await?;
                run(m, &SQLITE_MESSAGE_TRIGGERS).await?;
                run(m, SQLITE_UP).await
            }
            DbBackend::Postgres => run(m, POSTGRES_UP).await,
            _ => Ok(()),
        }
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        match m.get_database_backend() {
            DbBackend::Sqlite => run(m, SQLITE_DOWN).await,
            DbBackend::Postgres => run(m, POSTGRES_DOWN).await,
            _ => Ok(()),
        }
    }
}

//! SQLite: new messages wait in `messages_fts_pending` for the search index instead of entering
//! it row by row inside the chat writer's transaction.
//!
//! The FTS5 trigram index cost a third of the writer's work per message (BENCHMARKS.md,
//! session 10): every transaction wrote a small index segment of its own and merged it into
//! the larger ones. Now the insert trigger only notes the id (one small B-tree insert), and the
//! writer indexes the waiting rows in chunks (`search::index::flush`): one larger segment per
//! chunk. Search stays exact meanwhile: waiting rows are matched by a scan of their text
//! (`search::query`), so a message is found from the moment it is stored.
//!
//! Edits and deletions keep the index right either way: a row already indexed is re-indexed (or
//! dropped) by its trigger as before; a waiting row is indexed later with whatever its text is
//! then, and a deleted waiting row just leaves the queue.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use super::m0010_create_search_indexes::SQLITE_MESSAGE_TRIGGERS;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Whether `old` is still waiting (not in the index yet).
const WAITING: &str = "EXISTS (SELECT 1 FROM messages_fts_pending WHERE id = old.id)";

pub(super) const UP: &[&str] = &[
    "CREATE TABLE messages_fts_pending (id INTEGER PRIMARY KEY NOT NULL)",
    "DROP TRIGGER messages_fts_insert",
    "DROP TRIGGER messages_fts_delete",
    "DROP TRIGGER messages_fts_update",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts_pending(id) VALUES (new.id);
    END",
];

/// The triggers that depend on whether the row is waiting, written with [`WAITING`]. A deletion
/// is one trigger, its statements in order (look, then take off the list): SQLite runs two
/// triggers of one event newest first, so a second trigger would see the row already gone from
/// the list and drop from the index a row that was never in it (FTS5: "database disk image is
/// malformed").
pub(super) fn conditional_triggers() -> [String; 2] {
    [
        format!(
            "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
                INSERT INTO messages_fts(messages_fts, rowid, body)
                    SELECT 'delete', old.id, old.body WHERE NOT {WAITING};
                DELETE FROM messages_fts_pending WHERE id = old.id;
            END"
        ),
        format!(
            "CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages WHEN NOT {WAITING} BEGIN
                INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
                INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
            END"
        ),
    ]
}

/// Back to indexing in every transaction (m0010's triggers), the waiting rows indexed first.
const DOWN: &[&str] = &[
    "INSERT INTO messages_fts(rowid, body)
        SELECT m.id, m.body FROM messages_fts_pending p JOIN messages m ON m.id = p.id",
    "DROP TRIGGER messages_fts_insert",
    "DROP TRIGGER messages_fts_delete",
    "DROP TRIGGER messages_fts_update",
    "DROP TABLE messages_fts_pending",
];

/// Runs the statements as one script, so on one pooled connection: a trigger dropped on one
/// connection and created again on another failed now and then with "already exists" (the
/// second connection's copy of the schema was older).
pub(super) async fn one_script(m: &SchemaManager<'_>, statements: &[String]) -> Result<(), DbErr> {
    m.get_connection()
        .execute_unprepared(&statements.join(";\n"))
        .await
        .map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        let mut script: Vec<String> = UP.iter().map(|s| String::from(*s)).collect();
        script.extend(conditional_triggers());
        one_script(m, &script).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        let script: Vec<String> = DOWN
            .iter()
            .chain(&SQLITE_MESSAGE_TRIGGERS)
            .map(|s| String::from(*s))
            .collect();
        one_script(m, &script).await
    }
}

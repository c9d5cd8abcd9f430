//! SQLite: the message search index moves to a database file of its own (`search::index`),
//! kept by the `search-indexer` thread instead of the chat writer.
//!
//! The main database keeps no index of message bodies any more, only a log of the changes the
//! indexer must apply to what it indexed: `message_search_changes`, filled by triggers on an
//! edit (or an emptied body), a deletion, and an insert that reuses the id of a deleted
//! message (ids are rowids: after the last message is deleted its id comes back, and the
//! indexer, past that id, would not see the new message as new). New messages need no trigger:
//! the indexer reads what is above the last id it indexed.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

use super::m0010_create_search_indexes::{SQLITE_MESSAGE_TRIGGERS, SQLITE_MESSAGES_FTS};
use super::m0019_defer_message_search_index as m0019;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The index in the main database, dropped.
const DROP_INDEX: &[&str] = &[
    "DROP TRIGGER messages_fts_insert",
    "DROP TRIGGER messages_fts_delete",
    "DROP TRIGGER messages_fts_update",
    "DROP TABLE messages_fts_pending",
    "DROP TABLE messages_fts",
];

/// The log of changes and its triggers.
pub(crate) const CHANGE_LOG: &[&str] = &[
    "CREATE TABLE message_search_changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id INTEGER NOT NULL)",
    "CREATE INDEX idx_message_search_changes_message ON message_search_changes (message_id)",
    "CREATE TRIGGER message_search_update AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO message_search_changes (message_id) VALUES (new.id);
    END",
    "CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
        INSERT INTO message_search_changes (message_id) VALUES (old.id);
    END",
    "CREATE TRIGGER message_search_reused_id AFTER INSERT ON messages
        WHEN new.id <= (SELECT max(message_id) FROM message_search_changes) BEGIN
        INSERT INTO message_search_changes (message_id) VALUES (new.id);
    END",
];

/// Back to m0019: the index in the main database again, rebuilt from the messages, and its
/// queue of new messages (empty: everything was just indexed).
const DOWN: &[&str] = &[
    "DROP TRIGGER message_search_update",
    "DROP TRIGGER message_search_delete",
    "DROP TRIGGER message_search_reused_id",
    "DROP TABLE message_search_changes",
    SQLITE_MESSAGES_FTS,
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        let script: Vec<String> = DROP_INDEX
            .iter()
            .chain(CHANGE_LOG)
            .map(|s| String::from(*s))
            .collect();
        m0019::one_script(m, &script).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        // m0010's triggers first: m0019's script replaces them.
        let mut script: Vec<String> = DOWN
            .iter()
            .chain(&SQLITE_MESSAGE_TRIGGERS)
            .chain(m0019::UP)
            .map(|s| String::from(*s))
            .collect();
        script.extend(m0019::conditional_triggers());
        m0019::one_script(m, &script).await
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait;
    use sea_orm_migration::MigratorTrait;

    use crate::db::Migrator;

    async fn tables(db: &sea_orm::DatabaseConnection) -> Vec<String> {
        db.query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT name FROM sqlite_schema WHERE name LIKE 'message%' ORDER BY name",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .collect()
    }

    /// Down to m0019 (the index back in the main database, rebuilt) and up again.
    #[tokio::test]
    async fn down_and_up_again() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/m.db", dir.path().display());
        let db = crate::db::connect(&url).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        let up = tables(&db).await;
        assert!(up.contains(&"message_search_changes".to_string()), "{up:?}");
        assert!(!up.iter().any(|t| t.starts_with("messages_fts")), "{up:?}");

        Migrator::down(&db, Some(1)).await.unwrap();
        let down = tables(&db).await;
        assert!(down.contains(&"messages_fts".to_string()), "{down:?}");
        assert!(
            down.contains(&"messages_fts_pending".to_string()),
            "{down:?}"
        );
        assert!(
            !down.contains(&"message_search_changes".to_string()),
            "{down:?}"
        );
        db.execute_unprepared(
            "INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)",
        )
        .await
        .unwrap();

        Migrator::up(&db, None).await.unwrap();
        assert_eq!(tables(&db).await, up);
    }
}

//! A batch's hot statements on SQLite, straight on the writer's connection
//! (`db::sqlite_writer::Raw`), inside the transaction `batch::store` began.
//!
//! Why not through SeaORM like the other databases: on the writer's connection every SeaORM
//! statement was built as text with its values (one text per row count of a multi-row
//! statement), then converted value by value for rusqlite, and every row it returned came back
//! as a map of column names; that was about 40 % of the writer thread's time on a core at
//! 5,000 msg/s (BENCHMARKS.md, session 14), more than SQLite's own work. Here each statement is
//! one fixed text, prepared once and kept (`prepare_cached`), run once per row with its values
//! bound in place; a new row's id is `last_insert_rowid`, nothing is read back.
//!
//! The statements are those of `batch.rs` for one row each, with the same effects: the seq
//! counters, the messages, the senders' read positions, the reopening check, the
//! notifications, and the lookup of sends already stored (idempotency).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};
use sea_orm::{ActiveEnum, ActiveValue, DbErr};

use crate::db::entities::{message, notification};
use crate::db::sqlite_rows::{self, MESSAGE_COLUMNS};
use crate::db::sqlite_writer::Raw;
use crate::error::{AppError, AppResult};
use crate::tickets::domain::Status;

/// The messages already stored under these `(sender, client_id)` pairs: one index lookup each,
/// all in one read transaction. On its own, each lookup would be a transaction of its own that
/// takes and releases the database's and the WAL's locks: five or six `fcntl` calls per send,
/// 6 % of the writer thread's time at 5,000 msg/s (BENCHMARKS.md, session 17).
pub fn stored_sends(
    raw: &Raw,
    pairs: &BTreeSet<(i64, &str)>,
) -> Result<Vec<message::Model>, DbErr> {
    raw.run(|conn| {
        if !conn.is_autocommit() {
            // Inside the caller's transaction already: its locks are held.
            return find_stored(conn, pairs);
        }
        let read = conn.unchecked_transaction()?;
        let found = find_stored(&read, pairs)?;
        read.commit()?;
        Ok(found)
    })
}

fn find_stored(
    conn: &Connection,
    pairs: &BTreeSet<(i64, &str)>,
) -> rusqlite::Result<Vec<message::Model>> {
    let mut find = conn.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE sender_id = ?1 AND client_id = ?2"
    ))?;
    let mut found = Vec::new();
    for &(sender_id, client_id) in pairs {
        if let Some(m) = find
            .query_row(params![sender_id, client_id], sqlite_rows::message)
            .optional()?
        {
            found.push(m);
        }
    }
    Ok(found)
}

/// Adds `counts[id]` to each conversation's `last_seq` (and stamps `last_message_at`); returns
/// the new values. A conversation that is gone fails the batch (as `batch::allocate` does).
pub fn allocate_seqs(
    raw: &Raw,
    counts: &BTreeMap<i64, i64>,
    now: i64,
) -> AppResult<HashMap<i64, i64>> {
    let last = raw.run(|conn| {
        let mut bump = conn.prepare_cached(
            "UPDATE conversations SET last_seq = last_seq + ?2, last_message_at = ?3 \
             WHERE id = ?1 RETURNING last_seq",
        )?;
        let mut last = HashMap::with_capacity(counts.len());
        for (&id, &n) in counts {
            if let Some(seq) = bump
                .query_row(params![id, n, now], |row| row.get::<_, i64>(0))
                .optional()?
            {
                last.insert(id, seq);
            }
        }
        Ok(last)
    })?;
    if last.len() != counts.len() {
        // A conversation vanished between the access check and here.
        return Err(AppError::NotFound);
    }
    Ok(last)
}

/// Inserts `rows` (their `id` ignored) and returns them with the ids the database gave.
pub fn insert_messages(
    raw: &Raw,
    mut rows: Vec<message::Model>,
) -> Result<Vec<message::Model>, DbErr> {
    raw.run(|conn| {
        let mut insert = conn.prepare_cached(
            "INSERT INTO messages (conversation_id, seq, sender_id, kind, body, client_id, \
             created_at, edited_at, deleted_at, reply_to_id, reply_to_seq) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for m in &mut rows {
            insert.execute(params![
                m.conversation_id,
                m.seq,
                m.sender_id,
                m.kind.to_value(),
                m.body,
                m.client_id,
                m.created_at,
                m.edited_at,
                m.deleted_at,
                m.reply_to_id,
                m.reply_to_seq,
            ])?;
            m.id = conn.last_insert_rowid();
        }
        Ok(rows)
    })
}

/// Moves read positions forward (never back), creating member rows where missing.
pub fn advance_reads(raw: &Raw, read: &BTreeMap<(i64, i64), i64>, now: i64) -> Result<(), DbErr> {
    raw.run(|conn| {
        let mut upsert = conn.prepare_cached(
            "INSERT INTO conversation_members (conversation_id, user_id, last_read_seq, joined_at) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (conversation_id, user_id) DO UPDATE SET \
             last_read_seq = MAX(conversation_members.last_read_seq, excluded.last_read_seq)",
        )?;
        for (&(conversation_id, user_id), &seq) in read {
            upsert.execute(params![conversation_id, user_id, seq, now])?;
        }
        Ok(())
    })
}

/// Of these tickets, those `pending` or `closed` now (a requester's message reopens them).
pub fn reopening_tickets(raw: &Raw, ids: &[i64]) -> Result<HashSet<i64>, DbErr> {
    let (pending, closed) = (Status::Pending.to_value(), Status::Closed.to_value());
    raw.run(|conn| {
        let mut parked =
            conn.prepare_cached("SELECT 1 FROM tickets WHERE id = ?1 AND status IN (?2, ?3)")?;
        let mut found = HashSet::new();
        for &id in ids {
            if parked.exists(params![id, pending, closed])? {
                found.insert(id);
            }
        }
        Ok(found)
    })
}

/// Inserts the notifications and returns them as stored (with their ids).
pub fn insert_notifications(
    raw: &Raw,
    rows: Vec<notification::ActiveModel>,
) -> Result<Vec<notification::Model>, DbErr> {
    let rows: Vec<notification::Model> = rows
        .into_iter()
        .map(|row| {
            Ok(notification::Model {
                id: 0,
                user_id: set(row.user_id)?,
                kind: set(row.kind)?,
                title: set(row.title)?,
                body: set(row.body)?,
                ticket_id: set(row.ticket_id)?,
                conversation_id: set(row.conversation_id)?,
                read: set(row.read)?,
                created_at: set(row.created_at)?,
            })
        })
        .collect::<Result<_, DbErr>>()?;
    if rows.is_empty() {
        return Ok(rows);
    }
    raw.run(|conn| insert_notification_rows(conn, rows))
}

fn insert_notification_rows(
    conn: &Connection,
    mut rows: Vec<notification::Model>,
) -> rusqlite::Result<Vec<notification::Model>> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO notifications (user_id, kind, title, body, ticket_id, conversation_id, \
         read, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for n in &mut rows {
        insert.execute(params![
            n.user_id,
            n.kind,
            n.title,
            n.body,
            n.ticket_id,
            n.conversation_id,
            n.read,
            n.created_at,
        ])?;
        n.id = conn.last_insert_rowid();
    }
    Ok(rows)
}

/// A value the caller set (a notification row's columns are all set but its id).
fn set<T: Into<sea_orm::Value>>(value: ActiveValue<T>) -> Result<T, DbErr> {
    match value {
        ActiveValue::Set(v) | ActiveValue::Unchanged(v) => Ok(v),
        ActiveValue::NotSet => Err(DbErr::Custom(
            "a notification row without all its values".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::sqlite_writer;

    /// The columns `stored_sends` reads, and the index it looks up.
    const SCHEMA: &str = "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, \
        conversation_id integer NOT NULL, seq integer NOT NULL, sender_id integer NOT NULL, \
        kind varchar(16) NOT NULL, body text NOT NULL, client_id varchar(36) NOT NULL, \
        created_at integer NOT NULL, edited_at integer NULL, deleted_at integer NULL, \
        reply_to_id integer NULL, reply_to_seq integer NULL); \
        CREATE UNIQUE INDEX uq_sender_client ON messages (sender_id, client_id); \
        INSERT INTO messages (conversation_id, seq, sender_id, kind, body, client_id, created_at) \
        VALUES (7, 1, 3, 'text', 'hello', 'a', 0), (7, 2, 4, 'text', 'again', 'b', 0);";

    async fn writer() -> (tempfile::TempDir, Raw) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("w.db").display().to_string();
        rusqlite::Connection::open(&path)
            .expect("open")
            .execute_batch(SCHEMA)
            .expect("schema");
        let (_conn, raw) = sqlite_writer::open(&path).await.expect("writer");
        (dir, raw)
    }

    fn in_transaction(raw: &Raw) -> bool {
        raw.run(|conn| Ok(!conn.is_autocommit())).expect("query")
    }

    #[tokio::test]
    async fn stored_sends_are_found_in_one_read_transaction_that_ends() {
        let (dir, raw) = writer().await;
        let pairs = BTreeSet::from([(3, "a"), (3, "b"), (4, "b"), (5, "a")]);
        let found = stored_sends(&raw, &pairs).expect("lookup");
        let mut keys: Vec<_> = found.iter().map(|m| (m.sender_id, m.seq)).collect();
        keys.sort();
        assert_eq!(keys, vec![(3, 1), (4, 2)]);
        assert!(!in_transaction(&raw), "the read transaction was left open");
        // Another connection's later commit is seen: no snapshot of the lookup lingers.
        rusqlite::Connection::open(dir.path().join("w.db"))
            .expect("open")
            .execute(
                "INSERT INTO messages (conversation_id, seq, sender_id, kind, body, client_id, \
                 created_at) VALUES (7, 3, 5, 'text', 'late', 'a', 0)",
                [],
            )
            .expect("insert");
        assert_eq!(stored_sends(&raw, &pairs).expect("lookup").len(), 3);
    }

    #[tokio::test]
    async fn stored_sends_inside_an_open_transaction_leave_it_open() {
        let (_dir, raw) = writer().await;
        raw.run(|conn| conn.execute_batch("BEGIN; DELETE FROM messages WHERE sender_id = 4;"))
            .expect("begin");
        let found = stored_sends(&raw, &BTreeSet::from([(3, "a"), (4, "b")])).expect("lookup");
        assert_eq!(found.len(), 1, "sees the open transaction's own delete");
        assert!(in_transaction(&raw), "the caller's transaction was ended");
        raw.run(|conn| conn.execute_batch("ROLLBACK"))
            .expect("rollback");
        assert_eq!(
            stored_sends(&raw, &BTreeSet::from([(4, "b")]))
                .expect("lookup")
                .len(),
            1
        );
    }
}

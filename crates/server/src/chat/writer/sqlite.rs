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

use rusqlite::{Connection, OptionalExtension, Row, params};
use sea_orm::{ActiveEnum, ActiveValue, DbErr};

use crate::db::entities::{message, notification};
use crate::db::sqlite_writer::Raw;
use crate::domain::MessageKind;
use crate::error::{AppError, AppResult};
use crate::tickets::domain::Status;

/// The messages already stored under these `(sender, client_id)` pairs: one index lookup each.
pub fn stored_sends(
    raw: &Raw,
    pairs: &BTreeSet<(i64, &str)>,
) -> Result<Vec<message::Model>, DbErr> {
    raw.run(|conn| {
        let mut find = conn.prepare_cached(
            "SELECT id, conversation_id, seq, sender_id, kind, body, client_id, created_at, \
             edited_at, deleted_at, reply_to_id, reply_to_seq \
             FROM messages WHERE sender_id = ?1 AND client_id = ?2",
        )?;
        let mut found = Vec::new();
        for &(sender_id, client_id) in pairs {
            if let Some(m) = find
                .query_row(params![sender_id, client_id], message_row)
                .optional()?
            {
                found.push(m);
            }
        }
        Ok(found)
    })
}

fn message_row(row: &Row<'_>) -> rusqlite::Result<message::Model> {
    let kind: String = row.get(4)?;
    Ok(message::Model {
        id: row.get(0)?,
        conversation_id: row.get(1)?,
        seq: row.get(2)?,
        sender_id: row.get(3)?,
        kind: MessageKind::try_from_value(&kind).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, e.into())
        })?,
        body: row.get(5)?,
        client_id: row.get(6)?,
        created_at: row.get(7)?,
        edited_at: row.get(8)?,
        deleted_at: row.get(9)?,
        reply_to_id: row.get(10)?,
        reply_to_seq: row.get(11)?,
    })
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

//! [`store::page`](super::store::page) on a SQLite file, read through one of the server's own
//! connections (`db::sqlite_reader`): the same messages, files and reactions in three
//! statements, run back to back on the calling thread inside one read transaction.
//!
//! The files and reactions are found through the page's seq range in the messages' index on
//! `(conversation_id, seq)`, which holds each message's id: one fixed text per statement (not
//! one per list of ids), and no message row read twice. The messages' rows are scattered over
//! the table (conversations interleave), so each row read is a B-tree descent: they are the
//! page's main cost.

use std::collections::HashMap;

use rusqlite::{Connection, params};
use sea_orm::ActiveEnum;

use super::store::{PageBounds, add_reaction, assemble};
use super::view::{FileView, MessageView, ReactionView};
use crate::db::sqlite_rows::{self, FILE_COLUMNS, MESSAGE_COLUMNS};
use crate::domain::MessageKind;

pub fn page(conn: &Connection, bounds: &PageBounds) -> rusqlite::Result<Vec<MessageView>> {
    let rows = messages(conn, bounds)?;
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(Vec::new());
    };
    let files = files(conn, bounds.conversation_id, first.seq, last.seq)?;
    let mut reactions = reactions(conn, bounds.conversation_id, first.seq, last.seq)?;
    // A deleted message shows no reactions (left to here: asking the query would read every
    // message's row, not only the index).
    for m in rows.iter().filter(|m| m.deleted_at.is_some()) {
        reactions.remove(&m.id);
    }
    Ok(assemble(&rows, files, reactions))
}

/// The page's messages in seq order.
fn messages(
    conn: &Connection,
    b: &PageBounds,
) -> rusqlite::Result<Vec<crate::db::entities::message::Model>> {
    // With only an upper bound: the newest `limit` below it, read newest first.
    let newest_first = b.before.is_some() && b.after.is_none();
    let order = if newest_first { "DESC" } else { "ASC" };
    // The notes' filter and the limit are in the text, not parameters: SQLite prepares a
    // statement again at every run when a bound value may change its plan, as a bound LIMIT
    // does (13 % of the server's time under the history benchmark; BENCHMARKS.md, session 20).
    // The limit is a number from 1 to 200, so the texts are few.
    let notes = if b.with_notes {
        String::new()
    } else {
        format!(" AND kind <> '{}'", MessageKind::Note.to_value())
    };
    let mut q = conn.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages \
         WHERE conversation_id = ?1 AND seq > ?2 AND seq < ?3{notes} \
         ORDER BY seq {order} LIMIT {}",
        b.limit
    ))?;
    let found = q.query_map(
        params![
            b.conversation_id,
            b.after.unwrap_or(i64::MIN),
            b.before.unwrap_or(i64::MAX),
        ],
        sqlite_rows::message,
    )?;
    let mut rows = found.collect::<rusqlite::Result<Vec<_>>>()?;
    if newest_first {
        rows.reverse();
    }
    Ok(rows)
}

/// The files of the conversation's messages with seqs `low..=high`, per message id.
fn files(
    conn: &Connection,
    conversation_id: i64,
    low: i64,
    high: i64,
) -> rusqlite::Result<HashMap<i64, Vec<FileView>>> {
    let mut q = conn.prepare_cached(&format!(
        "SELECT a.message_id, {FILE_COLUMNS} FROM messages m \
         JOIN message_attachments a ON a.message_id = m.id \
         JOIN files f ON f.id = a.file_id \
         WHERE m.conversation_id = ?1 AND m.seq BETWEEN ?2 AND ?3 \
         ORDER BY a.message_id, a.file_id"
    ))?;
    let mut by_message: HashMap<i64, Vec<FileView>> = HashMap::new();
    let mut found = q.query(params![conversation_id, low, high])?;
    while let Some(row) = found.next()? {
        let file = sqlite_rows::file(row, 1)?;
        by_message
            .entry(row.get(0)?)
            .or_default()
            .push(FileView::new(&file));
    }
    Ok(by_message)
}

/// The reactions to the conversation's messages with seqs `low..=high`.
fn reactions(
    conn: &Connection,
    conversation_id: i64,
    low: i64,
    high: i64,
) -> rusqlite::Result<HashMap<i64, Vec<ReactionView>>> {
    let mut q = conn.prepare_cached(
        "SELECT r.message_id, r.user_id, r.emoji FROM messages m \
         JOIN message_reactions r ON r.message_id = m.id \
         WHERE m.conversation_id = ?1 AND m.seq BETWEEN ?2 AND ?3 \
         ORDER BY r.created_at, r.user_id, r.emoji",
    )?;
    let mut by_message = HashMap::new();
    let mut found = q.query(params![conversation_id, low, high])?;
    while let Some(row) = found.next()? {
        add_reaction(&mut by_message, row.get(0)?, row.get(1)?, row.get(2)?);
    }
    Ok(by_message)
}

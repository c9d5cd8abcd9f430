//! Rows of the SQLite file read straight through rusqlite (the chat writer's lookups,
//! history pages), without SeaORM: the columns in one fixed order, read by position.

use rusqlite::Row;
use sea_orm::ActiveEnum;

use crate::db::entities::{file, message};
use crate::domain::MessageKind;

/// A message's columns, in the order [`message`] reads them.
pub const MESSAGE_COLUMNS: &str = "id, conversation_id, seq, sender_id, kind, body, client_id, \
     created_at, edited_at, deleted_at, reply_to_id, reply_to_seq";

/// A file's columns (of `files` named `f` in the query), in the order [`file`] reads them.
pub const FILE_COLUMNS: &str = "f.id, f.uploader_id, f.name, f.content_type, f.size, f.sha256, \
     f.is_image, f.has_thumbnail, f.created_at";

/// A row of [`MESSAGE_COLUMNS`].
pub fn message(row: &Row<'_>) -> rusqlite::Result<message::Model> {
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

/// [`FILE_COLUMNS`], starting at column `first` of `row`.
pub fn file(row: &Row<'_>, first: usize) -> rusqlite::Result<file::Model> {
    Ok(file::Model {
        id: row.get(first)?,
        uploader_id: row.get(first + 1)?,
        name: row.get(first + 2)?,
        content_type: row.get(first + 3)?,
        size: row.get(first + 4)?,
        sha256: row.get(first + 5)?,
        is_image: row.get(first + 6)?,
        has_thumbnail: row.get(first + 7)?,
        created_at: row.get(first + 8)?,
    })
}

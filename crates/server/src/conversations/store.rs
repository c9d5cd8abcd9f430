//! Queries for conversations and messages. The sequencing transaction lives here: it is the one
//! place that decides a message's `seq`.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::sqlite_page;
use super::view::{ChangeView, FileView, MessageView, ReactionView};
use crate::db::entities::{
    conversation, conversation_member, file, message, message_attachment, message_change,
    message_reaction,
};
use crate::db::is_unique_violation;
use crate::domain::{MessageKind, now_ms};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub struct NewMessage<'a> {
    pub conversation_id: i64,
    pub sender_id: i64,
    pub kind: MessageKind,
    pub body: &'a str,
    pub client_id: &'a str,
    pub attachment_ids: &'a [i64],
}

pub async fn find_by_client_id(
    db: &impl ConnectionTrait,
    sender_id: i64,
    client_id: &str,
) -> AppResult<Option<message::Model>> {
    Ok(message::Entity::find()
        .filter(message::Column::SenderId.eq(sender_id))
        .filter(message::Column::ClientId.eq(client_id))
        .one(db)
        .await?)
}

/// Stores a message with the next seq of its conversation. The first statement is the UPDATE
/// of the conversation row: it takes the row lock (PostgreSQL, MySQL) or the write lock
/// (SQLite) so concurrent senders queue there and seqs follow commit order without gaps; a
/// failed insert rolls the increment back with everything else.
///
/// Returns `(message, true)` when stored, `(original, false)` when `(sender, client_id)`
/// already exists.
///
/// `db` may itself be a transaction: the message then commits with it (through a savepoint).
pub async fn insert_message<C>(db: &C, new: NewMessage<'_>) -> AppResult<(message::Model, bool)>
where
    C: ConnectionTrait + TransactionTrait,
{
    let now = now_ms();
    let txn = db.begin().await?;
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::LastSeq,
            Expr::col(conversation::Column::LastSeq).add(1),
        )
        .col_expr(conversation::Column::LastMessageAt, Expr::value(now))
        .filter(conversation::Column::Id.eq(new.conversation_id))
        .exec(&txn)
        .await?;
    let seq: i64 = conversation::Entity::find_by_id(new.conversation_id)
        .select_only()
        .column(conversation::Column::LastSeq)
        .into_tuple()
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let inserted = message::ActiveModel {
        conversation_id: Set(new.conversation_id),
        seq: Set(seq),
        sender_id: Set(new.sender_id),
        kind: Set(new.kind),
        body: Set(new.body.to_string()),
        client_id: Set(new.client_id.to_string()),
        created_at: Set(now),
        edited_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let msg = match inserted {
        Ok(m) => m,
        Err(e) if is_unique_violation(&e) => {
            txn.rollback().await?;
            let original = find_by_client_id(db, new.sender_id, new.client_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("unique violation without an original message"))?;
            return Ok((original, false));
        }
        Err(e) => return Err(e.into()),
    };
    if !new.attachment_ids.is_empty() {
        message_attachment::Entity::insert_many(new.attachment_ids.iter().map(|&file_id| {
            message_attachment::ActiveModel {
                message_id: Set(msg.id),
                file_id: Set(file_id),
            }
        }))
        .exec(&txn)
        .await?;
    }
    // The sender has read their own message.
    upsert_member(&txn, new.conversation_id, new.sender_id, seq).await?;
    txn.commit().await?;
    Ok((msg, true))
}

/// Makes sure `user_id` has a member row (ticket participants get one lazily) and moves its
/// read position forward to `read_seq` if that is further.
pub async fn upsert_member(
    db: &impl ConnectionTrait,
    conversation_id: i64,
    user_id: i64,
    read_seq: i64,
) -> AppResult<()> {
    conversation_member::Entity::insert(conversation_member::ActiveModel {
        conversation_id: Set(conversation_id),
        user_id: Set(user_id),
        last_read_seq: Set(read_seq),
        joined_at: Set(now_ms()),
    })
    .on_conflict(
        // A no-op update rather than DO NOTHING: sea-query's MySQL form of the latter is
        // rejected by MariaDB.
        OnConflict::columns([
            conversation_member::Column::ConversationId,
            conversation_member::Column::UserId,
        ])
        .value(
            conversation_member::Column::JoinedAt,
            Expr::col((
                conversation_member::Entity,
                conversation_member::Column::JoinedAt,
            )),
        )
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    advance_read(db, conversation_id, user_id, read_seq).await?;
    Ok(())
}

/// Moves a read position forward, never back. Returns true when it moved.
pub async fn advance_read(
    db: &impl ConnectionTrait,
    conversation_id: i64,
    user_id: i64,
    seq: i64,
) -> AppResult<bool> {
    let res = conversation_member::Entity::update_many()
        .col_expr(conversation_member::Column::LastReadSeq, Expr::value(seq))
        .filter(conversation_member::Column::ConversationId.eq(conversation_id))
        .filter(conversation_member::Column::UserId.eq(user_id))
        .filter(conversation_member::Column::LastReadSeq.lt(seq))
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// [`page`] for a reader: on a SQLite file through the server's own read connections, the
/// whole page in one call on this thread (`db::sqlite_reader`); elsewhere through the pool.
pub async fn read_page(state: &AppState, bounds: PageBounds) -> AppResult<Vec<MessageView>> {
    match &state.sqlite_reader {
        Some(reader) => reader.read(|conn| sqlite_page::page(conn, &bounds)),
        None => page(&state.db, &bounds).await,
    }
}

/// Which messages a page holds, in seq order. `after`/`before` are exclusive bounds; with only
/// `before`, the newest `limit` below it. Internal notes only when `with_notes`.
#[derive(Clone, Copy)]
pub struct PageBounds {
    pub conversation_id: i64,
    pub after: Option<i64>,
    pub before: Option<i64>,
    pub limit: u64,
    pub with_notes: bool,
}

/// The messages of a page (see [`PageBounds`]), through SeaORM.
pub async fn page(db: &impl ConnectionTrait, bounds: &PageBounds) -> AppResult<Vec<MessageView>> {
    let PageBounds {
        conversation_id,
        after,
        before,
        limit,
        with_notes,
    } = *bounds;
    let mut q = message::Entity::find().filter(message::Column::ConversationId.eq(conversation_id));
    if let Some(a) = after {
        q = q.filter(message::Column::Seq.gt(a));
    }
    if let Some(b) = before {
        q = q.filter(message::Column::Seq.lt(b));
    }
    if !with_notes {
        q = q.filter(message::Column::Kind.ne(MessageKind::Note));
    }
    let newest_first = before.is_some() && after.is_none();
    q = if newest_first {
        q.order_by_desc(message::Column::Seq)
    } else {
        q.order_by_asc(message::Column::Seq)
    };
    let mut rows = q.limit(limit).all(db).await?;
    if newest_first {
        rows.reverse();
    }
    views(db, rows).await
}

/// The views of stored messages, with their attachments and reactions (two queries for any
/// number of messages, three when some have files).
pub async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<message::Model>,
) -> AppResult<Vec<MessageView>> {
    let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
    let mut files: HashMap<i64, Vec<FileView>> = HashMap::new();
    if !ids.is_empty() {
        let links = message_attachment::Entity::find()
            .filter(message_attachment::Column::MessageId.is_in(ids))
            .order_by_asc(message_attachment::Column::MessageId)
            .order_by_asc(message_attachment::Column::FileId)
            .all(db)
            .await?;
        if !links.is_empty() {
            let file_ids: Vec<i64> = links.iter().map(|l| l.file_id).collect();
            let by_id: HashMap<i64, file::Model> = file::Entity::find()
                .filter(file::Column::Id.is_in(file_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|f| (f.id, f))
                .collect();
            for link in links {
                if let Some(f) = by_id.get(&link.file_id) {
                    files
                        .entry(link.message_id)
                        .or_default()
                        .push(FileView::new(f));
                }
            }
        }
    }
    let reactions = reactions_of(db, &rows).await?;
    Ok(assemble(&rows, files, reactions))
}

/// Each message's view with its files and reactions.
pub fn assemble(
    rows: &[message::Model],
    mut files: HashMap<i64, Vec<FileView>>,
    mut reactions: HashMap<i64, Vec<ReactionView>>,
) -> Vec<MessageView> {
    rows.iter()
        .map(|m| {
            let mut view = MessageView::new(m, files.remove(&m.id).unwrap_or_default());
            view.reactions = reactions.remove(&m.id).unwrap_or_default();
            view
        })
        .collect()
}

/// Reactions per message, grouped by emoji in the order each was first given.
async fn reactions_of(
    db: &impl ConnectionTrait,
    rows: &[message::Model],
) -> AppResult<HashMap<i64, Vec<ReactionView>>> {
    let ids: Vec<i64> = rows
        .iter()
        .filter(|m| m.deleted_at.is_none())
        .map(|m| m.id)
        .collect();
    let mut by_message: HashMap<i64, Vec<ReactionView>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_message);
    }
    let found = message_reaction::Entity::find()
        .filter(message_reaction::Column::MessageId.is_in(ids))
        .order_by_asc(message_reaction::Column::CreatedAt)
        .order_by_asc(message_reaction::Column::UserId)
        .order_by_asc(message_reaction::Column::Emoji)
        .all(db)
        .await?;
    for r in found {
        add_reaction(&mut by_message, r.message_id, r.user_id, r.emoji);
    }
    Ok(by_message)
}

/// Counts one reaction into its message's list: grouped by emoji, in the order each emoji was
/// first given (reactions come in `(created_at, user_id, emoji)` order).
pub fn add_reaction(
    by_message: &mut HashMap<i64, Vec<ReactionView>>,
    message_id: i64,
    user_id: i64,
    emoji: String,
) {
    let list = by_message.entry(message_id).or_default();
    match list.iter_mut().find(|v| v.emoji == emoji) {
        Some(v) => {
            v.count += 1;
            v.user_ids.push(user_id);
        }
        None => list.push(ReactionView {
            emoji,
            count: 1,
            user_ids: vec![user_id],
        }),
    }
}

/// The conversation's last committed seq.
pub async fn last_seq(db: &impl ConnectionTrait, conversation_id: i64) -> AppResult<i64> {
    conversation::Entity::find_by_id(conversation_id)
        .select_only()
        .column(conversation::Column::LastSeq)
        .into_tuple()
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The conversation's last committed change number.
pub async fn last_change(db: &impl ConnectionTrait, conversation_id: i64) -> AppResult<i64> {
    conversation::Entity::find_by_id(conversation_id)
        .select_only()
        .column(conversation::Column::LastChange)
        .into_tuple()
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes of a conversation's messages with numbers strictly between `after` and `before`,
/// oldest first. Changes of internal notes only when `with_notes`.
pub async fn changes(
    db: &impl ConnectionTrait,
    conversation_id: i64,
    after: i64,
    before: Option<i64>,
    limit: u64,
    with_notes: bool,
) -> AppResult<Vec<ChangeView>> {
    let mut q = message_change::Entity::find()
        .filter(message_change::Column::ConversationId.eq(conversation_id))
        .filter(message_change::Column::ChangeSeq.gt(after));
    if let Some(b) = before {
        q = q.filter(message_change::Column::ChangeSeq.lt(b));
    }
    if !with_notes {
        q = q.filter(message_change::Column::StaffOnly.eq(false));
    }
    Ok(q.order_by_asc(message_change::Column::ChangeSeq)
        .limit(limit)
        .all(db)
        .await?
        .iter()
        .map(ChangeView::new)
        .collect())
}

pub async fn member_ids(db: &impl ConnectionTrait, conversation_id: i64) -> AppResult<Vec<i64>> {
    Ok(conversation_member::Entity::find()
        .select_only()
        .column(conversation_member::Column::UserId)
        .filter(conversation_member::Column::ConversationId.eq(conversation_id))
        .into_tuple()
        .all(db)
        .await?)
}

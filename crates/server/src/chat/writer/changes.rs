//! Changes of stored messages (edits, deletions, reactions), stored by the same writer as the
//! messages, a batch in one transaction:
//!
//! 1. a no-op `UPDATE` of the batch's conversations takes their locks first (as a send batch
//!    does), so changes from several nodes queue there and their numbers follow commit order;
//! 2. the messages and their reactions are read, and each change is checked against them in
//!    order (a change may depend on the one before it in the same batch);
//! 3. the conversations' `last_change` grows by the number of changes that passed, and each
//!    takes the next number: refused changes take none, so numbers have no gaps;
//! 4. the changes are applied and recorded (`message_changes`), then one commit.
//!
//! A deletion empties the body, drops the attachments and reactions, and empties the texts
//! that earlier edits recorded: nothing of a deleted message stays readable.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, Set,
    Statement, TransactionTrait,
};
use tokio::sync::oneshot;

use super::batch::{Counter, allocate};
use crate::chat::audience::ConversationFacts;
use crate::conversations::view::ChangeView;
use crate::db::entities::{message, message_attachment, message_change, message_reaction};
use crate::domain::{ChangeKind, MessageKind, now_ms};
use crate::error::{AppError, AppResult};
use crate::realtime::events::{Envelope, EventKind, ServerFrame};
use crate::state::AppState;

/// How long after sending its sender may edit a message (admins: always).
pub const EDIT_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Distinct emoji on one message.
pub const MAX_REACTION_KINDS: usize = 20;

/// What to do to a message.
#[derive(Clone, Debug)]
pub enum Edit {
    Body(String),
    Delete,
    React { emoji: String, add: bool },
}

/// A change, validated and access-checked by its caller (who may see the message).
pub struct ChangeRequest {
    pub actor_id: i64,
    pub actor_is_admin: bool,
    /// The actor sees internal notes (and may delete others' messages in tickets).
    pub staff_view: bool,
    pub conversation: Arc<ConversationFacts>,
    pub message_id: i64,
    pub edit: Edit,
    /// The stored change, or `None` when there was nothing to change (the same reaction
    /// twice, an edit to the same text).
    pub reply: oneshot::Sender<AppResult<Option<ChangeView>>>,
}

/// A stored batch of changes, waiting to be answered and published.
pub struct Committed {
    requests: Vec<ChangeRequest>,
    outcomes: Vec<AppResult<Option<Stored>>>,
}

struct Stored {
    view: ChangeView,
    staff_only: bool,
}

/// Stores a batch; a batch whose transaction fails is retried change by change.
pub async fn commit(db: &DatabaseConnection, requests: Vec<ChangeRequest>) -> Committed {
    let outcomes = match store(db, &requests.iter().collect::<Vec<_>>()).await {
        Ok(outcomes) => outcomes,
        Err(e) if requests.len() == 1 => vec![Err(e)],
        Err(e) => {
            tracing::warn!(error = %e, size = requests.len(), "change batch failed; retrying one by one");
            let mut outcomes = Vec::with_capacity(requests.len());
            for r in &requests {
                outcomes.push(match store(db, &[r]).await {
                    Ok(mut one) => one.remove(0),
                    Err(e) => Err(e),
                });
            }
            outcomes
        }
    };
    Committed { requests, outcomes }
}

impl Committed {
    /// Publishes each stored change to the message's audience (a note's to staff only), in
    /// change order, then answers its caller.
    pub async fn tell(self, state: &AppState) {
        for (request, outcome) in self.requests.into_iter().zip(self.outcomes) {
            if let Ok(Some(stored)) = &outcome {
                let conversation = &request.conversation;
                // Pages and replays must not serve the message as it was.
                state.recent.forget(conversation.id);
                let payload = ServerFrame::change(&stored.view).encode();
                let kind = EventKind::Change {
                    conversation_id: conversation.id,
                    change_seq: stored.view.change_seq,
                };
                let to = conversation.audience.clone();
                let envelope = if stored.staff_only {
                    Envelope::staff(to, kind, payload)
                } else {
                    Envelope::new(to, kind, payload)
                };
                state.realtime.publish(envelope).await;
                metrics::counter!("switchboard_message_changes_total").increment(1);
            }
            let _ = request
                .reply
                .send(outcome.map(|o| o.map(|stored| stored.view)));
        }
    }
}

/// A change that passed its checks, with the row it will record.
struct Planned {
    index: usize,
    actor_id: i64,
    conversation_id: i64,
    message: message::Model,
    kind: ChangeKind,
    body: Option<String>,
    previous_body: Option<String>,
    emoji: Option<String>,
}

async fn store(
    db: &DatabaseConnection,
    requests: &[&ChangeRequest],
) -> AppResult<Vec<AppResult<Option<Stored>>>> {
    let backend = db.get_database_backend();
    let now = now_ms();
    let txn = db.begin().await?;

    // 1. The conversations' locks, in id order.
    let conversation_ids: Vec<i64> = requests
        .iter()
        .map(|r| r.conversation.id)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    conversation_lock(&txn, backend, &conversation_ids).await?;

    // 2. What the changes apply to, read under those locks.
    let message_ids: Vec<i64> = requests.iter().map(|r| r.message_id).collect();
    let mut messages: HashMap<i64, message::Model> = message::Entity::find()
        .filter(message::Column::Id.is_in(message_ids.clone()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut reactions: HashSet<(i64, i64, String)> = message_reaction::Entity::find()
        .filter(message_reaction::Column::MessageId.is_in(message_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| (r.message_id, r.user_id, r.emoji))
        .collect();
    let mut outcomes: Vec<AppResult<Option<Stored>>> = Vec::with_capacity(requests.len());
    let mut planned = Vec::new();
    for (index, r) in requests.iter().enumerate() {
        match check(r, &mut messages, &mut reactions, now) {
            Ok(Some(p)) => {
                planned.push(Planned { index, ..p });
                outcomes.push(Ok(None));
            }
            Ok(None) => outcomes.push(Ok(None)),
            Err(e) => outcomes.push(Err(e)),
        }
    }
    if planned.is_empty() {
        crate::db::sqlite_writer::commit(txn).await?;
        return Ok(outcomes);
    }

    // 3. Numbers for the changes that passed.
    let mut counts: BTreeMap<i64, i64> = BTreeMap::new();
    for p in &planned {
        *counts.entry(p.conversation_id).or_default() += 1;
    }
    let last = allocate(&txn, backend, Counter::Change, &counts, now).await?;
    let mut next: HashMap<i64, i64> = counts
        .iter()
        .map(|(id, n)| (*id, last[id] - n + 1))
        .collect();

    // 4. Apply and record.
    let mut rows = Vec::with_capacity(planned.len());
    for p in planned {
        apply(&txn, &p, now).await?;
        let slot = next.get_mut(&p.conversation_id).expect("counted above");
        let change_seq = *slot;
        *slot += 1;
        let row = message_change::Model {
            id: 0,
            conversation_id: p.conversation_id,
            change_seq,
            message_id: p.message.id,
            message_seq: p.message.seq,
            kind: p.kind,
            actor_id: p.actor_id,
            body: p.body,
            previous_body: p.previous_body,
            emoji: p.emoji,
            staff_only: p.message.kind == MessageKind::Note,
            created_at: now,
        };
        outcomes[p.index] = Ok(Some(Stored {
            view: ChangeView::new(&row),
            staff_only: row.staff_only,
        }));
        rows.push(message_change::ActiveModel {
            conversation_id: Set(row.conversation_id),
            change_seq: Set(row.change_seq),
            message_id: Set(row.message_id),
            message_seq: Set(row.message_seq),
            kind: Set(row.kind),
            actor_id: Set(row.actor_id),
            body: Set(row.body),
            previous_body: Set(row.previous_body),
            emoji: Set(row.emoji),
            staff_only: Set(row.staff_only),
            created_at: Set(row.created_at),
            ..Default::default()
        });
    }
    message_change::Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    crate::db::sqlite_writer::commit(txn).await?;
    Ok(outcomes)
}

/// Decides one change against the messages as the batch has left them so far, and updates
/// them. `Ok(None)`: nothing to change.
fn check(
    r: &ChangeRequest,
    messages: &mut HashMap<i64, message::Model>,
    reactions: &mut HashSet<(i64, i64, String)>,
    now: i64,
) -> AppResult<Option<Planned>> {
    let m = messages
        .get_mut(&r.message_id)
        .filter(|m| m.conversation_id == r.conversation.id)
        .filter(|m| r.staff_view || m.kind != MessageKind::Note)
        .ok_or(AppError::NotFound)?;
    if m.kind == MessageKind::System {
        return Err(AppError::Conflict(
            "messages written by the server can't be changed".into(),
        ));
    }
    if m.deleted_at.is_some() {
        return Err(AppError::Conflict("the message was deleted".into()));
    }
    let plan = |kind, body, previous_body, emoji, m: &message::Model| Planned {
        index: 0,
        actor_id: r.actor_id,
        conversation_id: m.conversation_id,
        message: m.clone(),
        kind,
        body,
        previous_body,
        emoji,
    };
    match &r.edit {
        Edit::Body(body) => {
            if m.sender_id != r.actor_id {
                return Err(AppError::Forbidden);
            }
            if !r.actor_is_admin && now - m.created_at > EDIT_WINDOW_MS {
                return Err(AppError::Conflict(
                    "a message can be edited for 15 minutes after it was sent".into(),
                ));
            }
            if *body == m.body {
                return Ok(None);
            }
            let previous = std::mem::replace(&mut m.body, body.clone());
            m.edited_at = Some(now);
            Ok(Some(plan(
                ChangeKind::Edited,
                Some(body.clone()),
                Some(previous),
                None,
                m,
            )))
        }
        Edit::Delete => {
            let staff_in_ticket = r.staff_view && !r.conversation.is_direct();
            if m.sender_id != r.actor_id && !staff_in_ticket {
                return Err(AppError::Forbidden);
            }
            m.deleted_at = Some(now);
            m.body.clear();
            reactions.retain(|(id, _, _)| *id != m.id);
            Ok(Some(plan(ChangeKind::Deleted, None, None, None, m)))
        }
        Edit::React { emoji, add } => {
            let key = (m.id, r.actor_id, emoji.clone());
            if *add {
                if reactions.contains(&key) {
                    return Ok(None);
                }
                let kinds: HashSet<&str> = reactions
                    .iter()
                    .filter(|(id, _, _)| *id == m.id)
                    .map(|(_, _, e)| e.as_str())
                    .collect();
                if !kinds.contains(emoji.as_str()) && kinds.len() >= MAX_REACTION_KINDS {
                    return Err(AppError::Conflict(format!(
                        "a message takes at most {MAX_REACTION_KINDS} different reactions"
                    )));
                }
                reactions.insert(key);
                Ok(Some(plan(
                    ChangeKind::ReactionAdded,
                    None,
                    None,
                    Some(emoji.clone()),
                    m,
                )))
            } else {
                if !reactions.remove(&key) {
                    return Ok(None);
                }
                Ok(Some(plan(
                    ChangeKind::ReactionRemoved,
                    None,
                    None,
                    Some(emoji.clone()),
                    m,
                )))
            }
        }
    }
}

async fn apply(txn: &impl ConnectionTrait, p: &Planned, now: i64) -> AppResult<()> {
    let id = p.message.id;
    match p.kind {
        ChangeKind::Edited => {
            message::Entity::update_many()
                .col_expr(message::Column::Body, Expr::value(p.message.body.clone()))
                .col_expr(message::Column::EditedAt, Expr::value(now))
                .filter(message::Column::Id.eq(id))
                .exec(txn)
                .await?;
        }
        ChangeKind::Deleted => {
            message::Entity::update_many()
                .col_expr(message::Column::Body, Expr::value(""))
                .col_expr(message::Column::DeletedAt, Expr::value(now))
                .filter(message::Column::Id.eq(id))
                .exec(txn)
                .await?;
            message_attachment::Entity::delete_many()
                .filter(message_attachment::Column::MessageId.eq(id))
                .exec(txn)
                .await?;
            message_reaction::Entity::delete_many()
                .filter(message_reaction::Column::MessageId.eq(id))
                .exec(txn)
                .await?;
            message_change::Entity::update_many()
                .col_expr(message_change::Column::Body, Expr::value(""))
                .col_expr(
                    message_change::Column::PreviousBody,
                    Expr::value(Option::<String>::None),
                )
                .filter(message_change::Column::MessageId.eq(id))
                .exec(txn)
                .await?;
        }
        ChangeKind::ReactionAdded => {
            message_reaction::Entity::insert(message_reaction::ActiveModel {
                message_id: Set(id),
                user_id: Set(p.actor_id),
                emoji: Set(p.emoji.clone().unwrap_or_default()),
                created_at: Set(now),
            })
            .exec_without_returning(txn)
            .await?;
        }
        ChangeKind::ReactionRemoved => {
            message_reaction::Entity::delete_many()
                .filter(message_reaction::Column::MessageId.eq(id))
                .filter(message_reaction::Column::UserId.eq(p.actor_id))
                .filter(message_reaction::Column::Emoji.eq(p.emoji.clone().unwrap_or_default()))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

/// Takes the conversations' row locks (the write lock on SQLite) without changing them.
async fn conversation_lock(
    txn: &impl ConnectionTrait,
    backend: DbBackend,
    ids: &[i64],
) -> AppResult<()> {
    let list: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
    txn.execute_raw(Statement::from_string(
        backend,
        format!(
            "UPDATE conversations SET last_change = last_change WHERE id IN ({})",
            list.join(", ")
        ),
    ))
    .await?;
    Ok(())
}

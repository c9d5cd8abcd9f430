//! The rules of conversations, shared by the REST routes and the WebSocket: one service, two
//! doors. Events are published only after the transaction that caused them has committed.

use sea_orm::ActiveModelTrait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

use super::access::{self, Access};
use super::store;
use super::unread;
use super::view::{ConversationView, MemberView, MessageView};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::chat::writer::{Reply, SendRequest};
use crate::db::entities::{contact, conversation, conversation_member, message, user};
use crate::db::is_unique_violation;
use crate::domain::{ConversationKind, MessageKind, Role, now_ms};
use crate::error::{AppError, AppResult};
use crate::realtime::events::{Activity, Envelope, EventKind, ServerFrame};
use crate::state::AppState;
use crate::users::view::avatar_url;

pub const MAX_BODY_CHARS: usize = 10_000;
pub const MAX_ATTACHMENTS: usize = 10;

/// A message to send: the body of `POST /conversations/{id}/messages`, and what a `send`
/// frame carries besides its conversation. The one shape every path validates (once, in
/// `prepare_send`) before the writer stores it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessageRequest {
    /// 1 to 10,000 characters.
    pub body: String,
    /// A UUID chosen by the sender; a repeat returns the original message.
    pub client_id: String,
    /// `text` (default) or `note` (agents and admins, ticket conversations only).
    pub kind: Option<String>,
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
    /// The id of the message (same conversation, not deleted) this one answers. A `text`
    /// can't answer an internal note.
    #[serde(default)]
    pub reply_to: Option<i64>,
}

/// A message body: 1 to 10,000 characters, not only blanks. `attachments`: where a message
/// may carry files (sends, not a ticket's first message), a picture needs no caption, so the
/// body may be empty when there are some.
pub fn check_body(body: &str, attachments: Option<&[i64]>) -> AppResult<()> {
    let captionless = attachments.is_some_and(|a| !a.is_empty());
    if body.chars().count() > MAX_BODY_CHARS || body.trim().is_empty() && !captionless {
        let problem = match attachments {
            Some(_) => "must be 1 to 10000 characters (or empty with attachments)",
            None => "must be 1 to 10000 characters",
        };
        return Err(AppError::field("body", problem));
    }
    Ok(())
}

/// Validates the parts of a send that don't need the database.
fn validate(input: &SendMessageRequest) -> AppResult<MessageKind> {
    check_body(&input.body, Some(&input.attachment_ids))?;
    if uuid::Uuid::parse_str(&input.client_id).is_err() {
        return Err(AppError::field("client_id", "must be a UUID"));
    }
    if input.attachment_ids.len() > MAX_ATTACHMENTS {
        return Err(AppError::field("attachment_ids", "at most 10 attachments"));
    }
    match input.kind.as_deref() {
        None | Some("text") => Ok(MessageKind::Text),
        Some("note") => Ok(MessageKind::Note),
        Some(_) => Err(AppError::field("kind", "must be text or note")),
    }
}

/// Checks a send (validation, access, notes only by staff in tickets, blocks) and builds the
/// writer's request; the caller decides where the answer goes.
pub async fn prepare_send(
    state: &AppState,
    user: &AuthUser,
    conversation_id: i64,
    input: SendMessageRequest,
    reply: Reply,
) -> AppResult<SendRequest> {
    let accepted = std::time::Instant::now();
    let kind = validate(&input)?;
    let allowed = state
        .audiences
        .allow(&state.db, user, conversation_id)
        .await?;
    crate::chat::writer::stage("checked", accepted);
    if kind == MessageKind::Note && !allowed.staff_view {
        return Err(AppError::Forbidden);
    }
    if allowed.facts.blocked {
        return Err(AppError::Forbidden);
    }
    let reply_to = match input.reply_to {
        None => None,
        Some(id) => Some(answered(state, conversation_id, id, kind, allowed.staff_view).await?),
    };
    Ok(SendRequest {
        sender_id: user.id,
        sender_is_staff: user.is_staff(),
        kind,
        body: input.body,
        client_id: input.client_id,
        attachment_ids: input.attachment_ids,
        reply_to,
        conversation: allowed.facts,
        reply,
        accepted,
    })
}

/// The message a send answers, as `(id, seq)`: it must be in the same conversation, visible to
/// the sender and not deleted; a customer-visible text can't quote an internal note.
async fn answered(
    state: &AppState,
    conversation_id: i64,
    message_id: i64,
    kind: MessageKind,
    staff_view: bool,
) -> AppResult<(i64, i64)> {
    let original = message::Entity::find_by_id(message_id)
        .one(&state.db)
        .await?
        .filter(|m| m.conversation_id == conversation_id)
        .filter(|m| staff_view || m.kind != MessageKind::Note)
        .ok_or_else(|| AppError::field("reply_to", "no such message in this conversation"))?;
    if original.deleted_at.is_some() {
        return Err(AppError::field("reply_to", "that message was deleted"));
    }
    if original.kind == MessageKind::Note && kind != MessageKind::Note {
        return Err(AppError::field(
            "reply_to",
            "only an internal note can answer an internal note",
        ));
    }
    Ok((original.id, original.seq))
}

/// Stores and delivers a message, waiting for its commit (REST, seeding). Returns the message
/// and whether it was new.
pub async fn send_message(
    state: &AppState,
    user: &AuthUser,
    conversation_id: i64,
    input: SendMessageRequest,
) -> AppResult<(MessageView, bool)> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let request = prepare_send(state, user, conversation_id, input, Reply::Caller(tx)).await?;
    state.writer.submit(request).await?;
    rx.await
        .map_err(|_| AppError::Internal(anyhow::anyhow!("the message writer dropped a send")))?
}

/// Stores a read position (never backwards) and tells the other members and devices.
pub async fn mark_read(
    state: &AppState,
    user: &AuthUser,
    conversation_id: i64,
    seq: i64,
) -> AppResult<()> {
    let allowed = state
        .audiences
        .allow(&state.db, user, conversation_id)
        .await?;
    if seq < 0 {
        return Err(AppError::field("seq", "must not be negative"));
    }
    let seq = Ord::min(seq, store::last_seq(&state.db, conversation_id).await?);
    let moved = {
        // Writes first, so the transaction holds SQLite's write lock before it reads anything:
        // a deferred read-then-write transaction fails (SQLITE_BUSY_SNAPSHOT) when another
        // connection, such as the message writer's, commits in between.
        let txn = state.db.begin().await?;
        store::upsert_member(&txn, conversation_id, user.id, 0).await?;
        let moved = store::advance_read(&txn, conversation_id, user.id, seq).await?;
        txn.commit().await?;
        moved
    };
    if moved {
        let to = allowed.facts.audience.clone();
        state
            .realtime
            .publish(Envelope::new(
                to,
                EventKind::Important,
                ServerFrame::Read {
                    conversation_id,
                    user_id: user.id,
                    seq,
                }
                .encode(),
            ))
            .await;
        // The reader's own devices (this one included) get the exact count left, so every
        // badge drops at once; counted after the commit, with the last seq it covers.
        if let Some(left) = unread::one(&state.db, user, conversation_id).await? {
            state
                .realtime
                .publish(Envelope::new(
                    vec![user.id],
                    EventKind::Important,
                    ServerFrame::Unread {
                        conversation_id,
                        last_seq: left.last_seq,
                        last_read_seq: left.last_read_seq,
                        unread_count: left.unread_count,
                    }
                    .encode(),
                ))
                .await;
        }
    }
    Ok(())
}

/// Who else hears the conversation: the audience but `user` (for frames about what they do).
async fn everyone_else(
    state: &AppState,
    user: &AuthUser,
    conversation_id: i64,
) -> AppResult<Vec<i64>> {
    let allowed = state
        .audiences
        .allow(&state.db, user, conversation_id)
        .await?;
    Ok(allowed
        .facts
        .audience
        .iter()
        .copied()
        .filter(|&id| id != user.id)
        .collect())
}

/// Relays a typing indicator to the other members (shed first under load).
pub async fn typing(state: &AppState, user: &AuthUser, conversation_id: i64) -> AppResult<()> {
    let to = everyone_else(state, user, conversation_id).await?;
    state
        .realtime
        .publish(Envelope::new(
            to,
            EventKind::Volatile,
            ServerFrame::Typing {
                conversation_id,
                user_id: user.id,
            }
            .encode(),
        ))
        .await;
    Ok(())
}

/// "Alex is viewing / replying": relayed to the other staff who may see the conversation (never
/// to customers). Like `typing`, nothing is stored; a connection that closes says `left`.
pub async fn here(
    state: &AppState,
    user: &AuthUser,
    conversation_id: i64,
    activity: Activity,
) -> AppResult<()> {
    if !user.is_staff() {
        return Err(AppError::Forbidden);
    }
    let to = everyone_else(state, user, conversation_id).await?;
    state
        .realtime
        .publish(Envelope::staff(
            to,
            EventKind::Volatile,
            ServerFrame::Here {
                conversation_id,
                user_id: user.id,
                display_name: &user.display_name,
                activity,
            }
            .encode(),
        ))
        .await;
    Ok(())
}

/// The direct conversation between the user and `other_id`, created on first use. Customers
/// may start one with a contact; agents and admins with anyone.
pub async fn open_direct(
    state: &AppState,
    me: &AuthUser,
    other_id: i64,
) -> AppResult<(conversation::Model, bool)> {
    if other_id == me.id {
        return Err(AppError::field(
            "user_id",
            "cannot start a conversation with yourself",
        ));
    }
    let other = user::Entity::find_by_id(other_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if other.disabled {
        return Err(AppError::NotFound);
    }
    if crate::social::store::blocked_between(&state.db, me.id, other_id).await? {
        return Err(AppError::Forbidden);
    }
    let key = format!(
        "{}:{}",
        Ord::min(me.id, other_id),
        Ord::max(me.id, other_id)
    );
    if let Some(c) = find_direct(state, &key).await? {
        return Ok((c, false));
    }
    if me.role == Role::Customer {
        let is_contact = contact::Entity::find_by_id((me.id, other_id))
            .one(&state.db)
            .await?
            .is_some();
        if !is_contact {
            return Err(AppError::Forbidden);
        }
    }
    let now = now_ms();
    let txn = state.db.begin().await?;
    let created = conversation::ActiveModel {
        kind: Set(ConversationKind::Direct),
        direct_key: Set(Some(key.clone())),
        last_seq: Set(0),
        created_at: Set(now),
        last_message_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let conv = match created {
        Ok(c) => c,
        Err(e) if is_unique_violation(&e) => {
            txn.rollback().await?;
            return find_direct(state, &key)
                .await?
                .map(|c| (c, false))
                .ok_or(AppError::NotFound);
        }
        Err(e) => return Err(e.into()),
    };
    for uid in [me.id, other_id] {
        store::upsert_member(&txn, conv.id, uid, 0).await?;
    }
    txn.commit().await?;
    Ok((conv, true))
}

async fn find_direct(state: &AppState, key: &str) -> AppResult<Option<conversation::Model>> {
    Ok(conversation::Entity::find()
        .filter(conversation::Column::DirectKey.eq(key))
        .one(&state.db)
        .await?)
}

/// One conversation as the user sees it.
pub async fn describe(
    state: &AppState,
    user: &AuthUser,
    access: &Access,
) -> AppResult<ConversationView> {
    describe_counted(state, user, access, None).await
}

/// [`describe`], with the unread count when the caller has it already (the list counts every
/// conversation in one query).
async fn describe_counted(
    state: &AppState,
    user: &AuthUser,
    access: &Access,
    unread_count: Option<i64>,
) -> AppResult<ConversationView> {
    let conv = &access.conversation;
    let rows = conversation_member::Entity::find()
        .filter(conversation_member::Column::ConversationId.eq(conv.id))
        .all(&state.db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|m| m.user_id).collect();
    let users: std::collections::HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let members: Vec<MemberView> = rows
        .iter()
        .filter_map(|m| {
            let u = users.get(&m.user_id)?;
            Some(MemberView {
                user_id: u.id,
                display_name: u.display_name.clone(),
                role: u.role,
                avatar_url: avatar_url(u),
                last_read_seq: m.last_read_seq,
            })
        })
        .collect();
    let last_read_seq = rows
        .iter()
        .find(|m| m.user_id == user.id)
        .map(|m| m.last_read_seq)
        .unwrap_or(0);
    let mut last = message::Entity::find().filter(message::Column::ConversationId.eq(conv.id));
    if !access.staff_view {
        last = last.filter(message::Column::Kind.ne(MessageKind::Note));
    }
    let last_message = match last
        .order_by_desc(message::Column::Seq)
        .one(&state.db)
        .await?
    {
        Some(m) => store::views(&state.db, vec![m]).await?.pop(),
        None => None,
    };
    let unread_count = match unread_count {
        Some(n) => n,
        None => unread::one(&state.db, user, conv.id)
            .await?
            .map_or(0, |u| u.unread_count),
    };
    let title = match &access.ticket {
        Some(t) => format!("#{} {}", t.number, t.subject),
        None => members
            .iter()
            .find(|m| m.user_id != user.id)
            .map(|m| m.display_name.clone())
            .unwrap_or_default(),
    };
    Ok(ConversationView {
        id: conv.id,
        kind: conv.kind,
        ticket_id: access.ticket.as_ref().map(|t| t.id),
        title,
        members,
        last_message,
        last_seq: conv.last_seq,
        last_read_seq,
        unread_count,
    })
}

/// The user's conversations (those they are a member of), newest activity first.
pub async fn list(state: &AppState, user: &AuthUser) -> AppResult<Vec<ConversationView>> {
    let ids: Vec<i64> = conversation_member::Entity::find()
        .filter(conversation_member::Column::UserId.eq(user.id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| m.conversation_id)
        .collect();
    let convs = conversation::Entity::find()
        .filter(conversation::Column::Id.is_in(ids))
        .order_by_desc(conversation::Column::LastMessageAt)
        .all(&state.db)
        .await?;
    let counts = unread::member_counts(&state.db, user).await?;
    let mut out = Vec::with_capacity(convs.len());
    for conv in convs {
        // Re-check access: a ticket may have moved out of the user's sight since they joined.
        match access::check(&state.db, user, conv.id).await {
            Ok(access) => {
                let count = counts.get(&conv.id).copied().unwrap_or(0);
                out.push(describe_counted(state, user, &access, Some(count)).await?)
            }
            Err(AppError::NotFound) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

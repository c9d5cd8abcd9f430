//! How conversations and messages are shown on the wire.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::entities::{file, message, message_change};
use crate::domain::{ChangeKind, ConversationKind, MessageKind, Role, to_rfc3339};

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FileView {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub is_image: bool,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    pub created_at: String,
}

impl FileView {
    pub fn new(f: &file::Model) -> Self {
        Self {
            id: f.id,
            name: f.name.clone(),
            content_type: f.content_type.clone(),
            size: f.size,
            is_image: f.is_image,
            url: format!("/api/v1/files/{}", f.id),
            thumbnail_url: f
                .has_thumbnail
                .then(|| format!("/api/v1/files/{}/thumbnail", f.id)),
            created_at: to_rfc3339(f.created_at),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MessageView {
    pub id: i64,
    pub conversation_id: i64,
    /// 1, 2, 3 … per conversation, in commit order, without gaps.
    pub seq: i64,
    pub sender_id: i64,
    /// `text`, `note` (agents only) or `system`.
    pub kind: MessageKind,
    pub body: String,
    pub client_id: String,
    pub attachments: Vec<FileView>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<String>,
    /// Set when the message was deleted: its body is then empty and its attachments gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// The message of the same conversation this one answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ReplyTo>,
    /// Reactions, one entry per emoji, in the order they were first given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<ReactionView>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ReplyTo {
    pub id: i64,
    pub seq: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ReactionView {
    pub emoji: String,
    pub count: usize,
    pub user_ids: Vec<i64>,
}

impl MessageView {
    pub fn new(m: &message::Model, attachments: Vec<FileView>) -> Self {
        Self {
            id: m.id,
            conversation_id: m.conversation_id,
            seq: m.seq,
            sender_id: m.sender_id,
            kind: m.kind,
            body: m.body.clone(),
            client_id: m.client_id.clone(),
            attachments,
            created_at: to_rfc3339(m.created_at),
            edited_at: m.edited_at.map(to_rfc3339),
            deleted_at: m.deleted_at.map(to_rfc3339),
            reply_to: m
                .reply_to_id
                .zip(m.reply_to_seq)
                .map(|(id, seq)| ReplyTo { id, seq }),
            reactions: Vec::new(),
        }
    }
}

/// One change of a stored message: what the `message_updated`, `message_deleted` and
/// `reaction` frames carry, live and when a `resume` replays the changes a client missed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ChangeView {
    pub conversation_id: i64,
    /// 1, 2, 3 … per conversation, in commit order, without gaps (beside `seq`).
    pub change_seq: i64,
    pub message_id: i64,
    pub message_seq: i64,
    pub kind: ChangeKind,
    /// Who edited, deleted or reacted.
    pub actor_id: i64,
    /// `edited`: the new text (empty once the message has been deleted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `reaction_added` / `reaction_removed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    pub at: String,
}

impl ChangeView {
    pub fn new(c: &message_change::Model) -> Self {
        Self {
            conversation_id: c.conversation_id,
            change_seq: c.change_seq,
            message_id: c.message_id,
            message_seq: c.message_seq,
            kind: c.kind,
            actor_id: c.actor_id,
            body: match c.kind {
                ChangeKind::Edited => Some(c.body.clone().unwrap_or_default()),
                _ => None,
            },
            emoji: c.emoji.clone(),
            at: to_rfc3339(c.created_at),
        }
    }
}

/// One version of an edited message (staff see the history).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct VersionView {
    pub body: String,
    /// When this text was written: the message's time for the first, the edit's for the rest.
    pub at: String,
    pub author_id: i64,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct VersionList {
    pub items: Vec<VersionView>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberView {
    pub user_id: i64,
    pub display_name: String,
    pub role: Role,
    pub avatar_url: String,
    pub last_read_seq: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationView {
    pub id: i64,
    /// `ticket` or `direct`.
    pub kind: ConversationKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<i64>,
    pub title: String,
    pub members: Vec<MemberView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_message: Option<MessageView>,
    pub last_seq: i64,
    pub last_read_seq: i64,
    pub unread_count: i64,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ConversationList {
    pub items: Vec<ConversationView>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct MessagePage {
    pub items: Vec<MessageView>,
}

//! How conversations and messages are shown on the wire.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::entities::{file, message};
use crate::domain::{ConversationKind, MessageKind, Role, to_rfc3339};

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
        }
    }
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

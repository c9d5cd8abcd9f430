//! Full-text search over the message bodies and ticket subjects the caller may see:
//! `GET /api/v1/search`. Every word of the query must occur in the text as a case-insensitive
//! substring ("voic" finds "invoice", 请求 finds 请求书); nothing in the query is syntax, so
//! quotes, `*`, `NEAR`, `:`, `%` and `_` are searched for literally.
//!
//! PostgreSQL's indexes are kept by the database (migration m0010) in the writer's own
//! transaction. On SQLite the message index is a file of its own, kept by a thread of its own
//! (`index`, migration m0020): a new, edited or deleted message waits for it a moment and is
//! found meanwhile by its text. Visibility reuses the ticket rule (`tickets::query::visible`)
//! and direct-conversation membership; notes only for staff.

pub mod index;
mod query;
mod routes;
pub mod snippet;
mod terms;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::MessageKind;
use crate::state::AppState;

pub use snippet::SnippetPart;
pub use terms::{MAX_QUERY_CHARS, MAX_TERMS, Terms};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(routes::search))
}

/// What a hit is: a message, or a ticket whose subject matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Message,
    Ticket,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SearchHit {
    pub kind: HitKind,
    /// Where to open it: the message's conversation, or the ticket's.
    pub conversation_id: i64,
    /// Messages: the message and its place in the conversation (open the history at `seq`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    /// Messages: `text`, `note` (staff only) or `system`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_kind: Option<MessageKind>,
    /// The sender of the message, or the requester of the ticket.
    pub sender_id: i64,
    /// The ticket of the conversation, when it is a ticket's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_subject: Option<String>,
    /// An excerpt of the text around the first match (at most about 160 characters, `…` where
    /// cut), in parts; the parts with `hit` are the matched words, to highlight.
    pub snippet: Vec<SnippetPart>,
    /// Relevance: the share of the text the query's words cover, in thousandths (summed over
    /// the words). Higher first; ties newest first.
    pub score: i64,
    pub created_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SearchPage {
    pub items: Vec<SearchHit>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

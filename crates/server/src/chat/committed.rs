//! What the chat write path tells the rest of the server once a batch has committed. The ticket
//! desk follows it (`tickets::follow`), so the writer never calls into the ticket service: chat
//! knows nothing of what tickets do with a reply. The push service's unread nudges follow the
//! batches' new messages (`Batch`, `push::nudge`) the same way, off the write path.

use tokio::sync::mpsc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Committed {
    /// Staff answered the ticket for the first time: its first-response clock stopped.
    FirstResponse { ticket_id: i64 },
    /// The requester wrote on a `pending` or `closed` ticket: it goes back to `open`.
    CustomerReplied { ticket_id: i64 },
}

/// Rare events (at most one per ticket per batch), never worth waiting for: unbounded.
pub type Sender = mpsc::UnboundedSender<Committed>;
pub type Receiver = mpsc::UnboundedReceiver<Committed>;

pub fn channel() -> (Sender, Receiver) {
    mpsc::unbounded_channel()
}

/// The new messages of one committed batch, for whoever follows messages after the fact (the
/// unread nudges, `push::nudge`). Built only while someone follows them, from what the writer
/// holds anyway: per message an `Arc` and three small values, nothing per recipient.
pub struct Batch {
    pub messages: Vec<StoredMessage>,
    /// The batch's `ticket_reply` and `mention` notifications (rows the batch inserted).
    pub notifications: Vec<crate::db::entities::notification::Model>,
}

pub struct StoredMessage {
    pub conversation: std::sync::Arc<super::audience::ConversationFacts>,
    pub seq: i64,
    pub sender_id: i64,
    pub kind: crate::domain::MessageKind,
}

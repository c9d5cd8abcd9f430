//! What the chat write path tells the rest of the server once a batch has committed. The ticket
//! desk follows it (`tickets::follow`), so the writer never calls into the ticket service: chat
//! knows nothing of what tickets do with a reply.

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

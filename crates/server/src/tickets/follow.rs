//! The ticket desk follows the chat write path: what a committed batch of messages means for its
//! tickets (`chat::committed`), handled off the write path, one event after the other.

use crate::chat::committed::{Committed, Receiver};
use crate::state::AppState;

/// Runs until the writer's side of the channel is gone.
pub async fn run(state: AppState, mut rx: Receiver) {
    while let Some(event) = rx.recv().await {
        let (ticket_id, outcome) = match &event {
            // Everyone looking at the ticket sees its clock stop.
            Committed::FirstResponse { ticket_id } => (
                *ticket_id,
                super::service::announce(&state, *ticket_id).await,
            ),
            Committed::CustomerReplied { ticket_id } => (
                *ticket_id,
                super::service::customer_replied(&state, *ticket_id).await,
            ),
        };
        if let Err(e) = outcome {
            tracing::warn!(error = %e, ticket_id, ?event, "a ticket's follow-up to a message failed");
        }
    }
}

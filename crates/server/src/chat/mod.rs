//! The chat write path, in the order a message travels:
//!
//! 1. `realtime::ws::reader` (or the REST route) parses and validates a `send`, and checks
//!    access against `audience` (memory; the database only on a miss);
//! 2. `writer` queues it; the writer task stores whole batches in one transaction
//!    (`writer::batch`) and commits once;
//! 3. after the commit the writer acks each send and publishes each message to the
//!    conversation's audience through the broker, in seq order;
//! 4. `realtime::hub` hands the one encoded frame to every local connection of the audience,
//!    and `realtime::ws::writer` writes queued frames with one flush.
//!
//! Ticket side effects of a message (first-response stamp, reply and mention notifications)
//! are part of the same batch; afterwards the ticket desk follows the commit through
//! `committed` (`tickets::follow`), so the writer never calls into the ticket service.
//! Changes of stored messages (edits, deletions, reactions) travel the same way:
//! `conversations::changes` checks who may see the message, `writer::changes` stores a batch
//! of them with their change numbers, and they fan out like messages.

pub mod audience;
pub mod committed;
pub mod mentions;
pub mod recent;
pub mod writer;

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
//! Ticket side effects of a message (first-response stamp, reply notifications) are part of
//! the same batch; the ticket is told afterwards (`tickets::service::announce`).

pub mod audience;
pub mod mentions;
pub mod recent;
pub mod writer;

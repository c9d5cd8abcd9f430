//! Per-connection delivery order. Each connection remembers the last seq it has delivered per
//! conversation so that, whatever order the broker hands events over in, the client sees every
//! message of a conversation once and in strictly increasing seq.
//!
//! Seqs are assigned under the conversation's row lock, so when seq `n` is committed every seq
//! below it is committed too: a hole can always be filled from the database at once.

use std::collections::HashMap;

/// A conversation has two numbered streams: its messages (`seq`) and the changes of its
/// messages (`change_seq`). Each is delivered in order on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stream {
    Messages,
    Changes,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Send it now.
    Deliver,
    /// Already delivered (a replay and a live event overlapped): drop it.
    Duplicate,
    /// Numbers `after < n < before` are missing: fetch and send them first, then this one.
    FillGap { after: i64, before: i64 },
}

type Key = (i64, Stream);

#[derive(Default)]
pub struct Cursors {
    last: HashMap<Key, i64>,
    /// For streams whose position came from a live event rather than a resume, the first
    /// number delivered that way: a later resume must not send `first..=last` again.
    first_live: HashMap<Key, i64>,
}

impl Cursors {
    /// Decides what to do with number `n` of a conversation's stream, and records it as
    /// delivered (unless it is a duplicate).
    pub fn on_event(&mut self, conversation_id: i64, stream: Stream, n: i64) -> Decision {
        let key = (conversation_id, stream);
        match self.last.get(&key).copied() {
            // No baseline yet: the client never resumed this conversation, start here.
            None => {
                self.last.insert(key, n);
                self.first_live.insert(key, n);
                Decision::Deliver
            }
            Some(last) if n <= last => Decision::Duplicate,
            Some(last) => {
                self.last.insert(key, n);
                if n == last + 1 {
                    Decision::Deliver
                } else {
                    Decision::FillGap {
                        after: last,
                        before: n,
                    }
                }
            }
        }
    }

    /// [`on_event`](Self::on_event) for a message.
    pub fn on_message(&mut self, conversation_id: i64, seq: i64) -> Decision {
        self.on_event(conversation_id, Stream::Messages, seq)
    }

    /// Sets the position a resume ended at.
    pub fn reset(&mut self, conversation_id: i64, stream: Stream, n: i64) {
        self.last.insert((conversation_id, stream), n);
        self.first_live.remove(&(conversation_id, stream));
    }

    /// The numbers already delivered live before any resume (a resume skips them).
    pub fn delivered_live(&self, conversation_id: i64, stream: Stream) -> Option<(i64, i64)> {
        let key = (conversation_id, stream);
        let first = *self.first_live.get(&key)?;
        Some((first, *self.last.get(&key)?))
    }

    /// Moves the message position forward (never back).
    pub fn advance(&mut self, conversation_id: i64, seq: i64) {
        let entry = self
            .last
            .entry((conversation_id, Stream::Messages))
            .or_insert(seq);
        *entry = (*entry).max(seq);
    }

    pub fn position(&self, conversation_id: i64) -> Option<i64> {
        self.last.get(&(conversation_id, Stream::Messages)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_messages_are_delivered_and_repeats_dropped() {
        let mut c = Cursors::default();
        assert_eq!(c.on_message(1, 5), Decision::Deliver);
        assert_eq!(c.on_message(1, 6), Decision::Deliver);
        assert_eq!(c.on_message(1, 6), Decision::Duplicate);
        assert_eq!(c.on_message(1, 3), Decision::Duplicate);
        assert_eq!(
            c.on_message(2, 1),
            Decision::Deliver,
            "conversations are independent"
        );
    }

    #[test]
    fn a_hole_asks_for_a_fill_and_late_arrivals_are_then_dropped() {
        let mut c = Cursors::default();
        c.reset(1, Stream::Messages, 2);
        assert_eq!(
            c.on_message(1, 5),
            Decision::FillGap {
                after: 2,
                before: 5
            }
        );
        assert_eq!(c.on_message(1, 3), Decision::Duplicate);
        assert_eq!(c.on_message(1, 4), Decision::Duplicate);
        assert_eq!(c.on_message(1, 6), Decision::Deliver);
    }

    #[test]
    fn without_a_position_the_first_message_seen_is_the_start() {
        // Seq 2, committed on this node, overtakes seq 1 from another node: a connection with no
        // position takes 2 as its start, so 1 counts as old. That is why clients resume from 0.
        let mut c = Cursors::default();
        assert_eq!(c.on_message(1, 2), Decision::Deliver);
        assert_eq!(c.on_message(1, 1), Decision::Duplicate);

        let mut resumed = Cursors::default();
        resumed.reset(1, Stream::Messages, 0);
        assert_eq!(
            resumed.on_message(1, 2),
            Decision::FillGap {
                after: 0,
                before: 2
            },
            "with a position the same race is filled from the database"
        );
        assert_eq!(resumed.on_message(1, 1), Decision::Duplicate);
    }

    #[test]
    fn live_deliveries_before_a_resume_are_remembered() {
        let mut c = Cursors::default();
        assert_eq!(c.on_message(1, 10), Decision::Deliver);
        assert_eq!(c.on_message(1, 11), Decision::Deliver);
        assert_eq!(c.delivered_live(1, Stream::Messages), Some((10, 11)));
        c.reset(1, Stream::Messages, 11);
        assert_eq!(c.delivered_live(1, Stream::Messages), None);
    }

    #[test]
    fn messages_and_changes_are_numbered_apart() {
        let mut c = Cursors::default();
        c.reset(1, Stream::Messages, 4);
        c.reset(1, Stream::Changes, 2);
        assert_eq!(c.on_event(1, Stream::Changes, 3), Decision::Deliver);
        assert_eq!(c.on_message(1, 5), Decision::Deliver);
        assert_eq!(
            c.on_event(1, Stream::Changes, 5),
            Decision::FillGap {
                after: 3,
                before: 5
            }
        );
        assert_eq!(c.on_event(1, Stream::Changes, 4), Decision::Duplicate);
    }

    #[test]
    fn advance_never_moves_back() {
        let mut c = Cursors::default();
        c.advance(1, 7);
        c.advance(1, 4);
        assert_eq!(c.position(1), Some(7));
    }
}

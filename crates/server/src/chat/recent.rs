//! The recent messages of active conversations, in memory, already encoded as JSON.
//!
//! History pages and replays (resume, gap fill) are served from here when the answer is known
//! for certain, and from the database otherwise. The writer appends each message after its
//! commit, in seq order, so a ring only ever holds committed messages.
//!
//! The one rule that keeps it correct: a ring holds a *contiguous* run of seqs. A message whose
//! seq is not the next one (another node's writer, a ticket's system message, a restart) starts
//! the ring again from that message. Anything outside the run, and "is there anything newer
//! than the ring's last?", is answered by the database. A change of a stored message (edit,
//! deletion, reaction) drops its conversation's ring (`forget`): the writer after the commit,
//! every node's hub when the change's event arrives.
//!
//! Bounded twice: at most `per_conversation` messages per ring, and at most `budget_bytes` in
//! all, the least recently used rings going first.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::conversations::view::MessageView;
use crate::domain::MessageKind;

/// One stored message, encoded once for history pages, replays and fan-out.
#[derive(Debug)]
pub struct Recent {
    pub seq: i64,
    pub sender_id: i64,
    pub note: bool,
    pub client_id: Box<str>,
    /// The `MessageView` as JSON.
    pub json: Box<str>,
}

impl Recent {
    pub fn new(view: &MessageView) -> Self {
        Self {
            seq: view.seq,
            sender_id: view.sender_id,
            note: view.kind == MessageKind::Note,
            client_id: view.client_id.as_str().into(),
            json: serde_json::to_string(view)
                .expect("a message view always serialises")
                .into(),
        }
    }

    /// Rough heap size, for the budget.
    fn bytes(&self) -> usize {
        self.json.len() + self.client_id.len() + std::mem::size_of::<Self>() + 16
    }

    /// The `message` frame carrying it (the same bytes `ServerFrame::Message` would encode).
    pub fn frame(&self) -> String {
        format!(r#"{{"type":"message","message":{}}}"#, self.json)
    }
}

/// Which messages a page asks for: seqs strictly between `after` and `before`, the oldest
/// `limit` of them when `after` is given, else the newest `limit`.
#[derive(Clone, Copy, Debug)]
pub struct PageQuery {
    pub after: Option<i64>,
    pub before: Option<i64>,
    pub limit: usize,
    pub with_notes: bool,
    /// The conversation's last committed seq, when the caller read it: needed to know that
    /// nothing newer than the ring exists.
    pub last_seq: Option<i64>,
}

struct Ring {
    first_seq: i64,
    messages: VecDeque<Arc<Recent>>,
    bytes: usize,
    used: u64,
}

impl Ring {
    fn last_seq(&self) -> i64 {
        self.first_seq + self.messages.len() as i64 - 1
    }

    fn get(&self, seq: i64) -> &Arc<Recent> {
        &self.messages[(seq - self.first_seq) as usize]
    }
}

#[derive(Default)]
struct Rings {
    by_conversation: HashMap<i64, Ring>,
    bytes: usize,
    tick: u64,
}

pub struct RecentMessages {
    rings: Mutex<Rings>,
    per_conversation: usize,
    budget_bytes: usize,
}

impl RecentMessages {
    pub fn new(per_conversation: usize, budget_bytes: usize) -> Self {
        Self {
            rings: Mutex::default(),
            per_conversation,
            budget_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rings> {
        // A panic while holding the lock leaves consistent data: every update is one push/pop.
        self.rings.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a committed message. Call in seq order per conversation.
    pub fn append(&self, conversation_id: i64, message: Arc<Recent>) {
        if self.per_conversation == 0 {
            return;
        }
        let mut rings = self.lock();
        rings.tick += 1;
        let tick = rings.tick;
        let size = message.bytes();
        let mut freed = 0;
        let ring = rings
            .by_conversation
            .entry(conversation_id)
            .or_insert_with(|| Ring {
                first_seq: message.seq,
                messages: VecDeque::new(),
                bytes: 0,
                used: tick,
            });
        if !ring.messages.is_empty() && message.seq <= ring.last_seq() {
            return; // already here
        }
        if ring.messages.is_empty() || message.seq != ring.last_seq() + 1 {
            // Not the next seq: start again from this one, so the run stays contiguous.
            freed += ring.bytes;
            ring.messages.clear();
            ring.bytes = 0;
            ring.first_seq = message.seq;
        }
        ring.messages.push_back(message);
        ring.bytes += size;
        ring.used = tick;
        while ring.messages.len() > self.per_conversation {
            if let Some(old) = ring.messages.pop_front() {
                ring.first_seq += 1;
                ring.bytes -= old.bytes();
                freed += old.bytes();
            }
        }
        rings.bytes = rings.bytes + size - freed;
        if rings.bytes > self.budget_bytes {
            self.evict(&mut rings, conversation_id);
        }
    }

    /// Drops least recently used rings (never `keep`) until 90 % of the budget is used.
    fn evict(&self, rings: &mut Rings, keep: i64) {
        let target = self.budget_bytes / 10 * 9;
        let mut by_age: Vec<(u64, i64)> = rings
            .by_conversation
            .iter()
            .filter(|(id, _)| **id != keep)
            .map(|(id, r)| (r.used, *id))
            .collect();
        by_age.sort_unstable();
        for (_, id) in by_age {
            if rings.bytes <= target {
                break;
            }
            if let Some(ring) = rings.by_conversation.remove(&id) {
                rings.bytes -= ring.bytes;
            }
        }
        metrics::counter!("switchboard_recent_evictions_total").increment(1);
    }

    /// Forgets a conversation (its messages changed, or it is gone).
    pub fn forget(&self, conversation_id: i64) {
        let mut rings = self.lock();
        if let Some(ring) = rings.by_conversation.remove(&conversation_id) {
            rings.bytes -= ring.bytes;
        }
    }

    /// The page, in seq order, when the ring can answer it for certain; `None` sends the
    /// caller to the database.
    pub fn page(&self, conversation_id: i64, q: PageQuery) -> Option<Vec<Arc<Recent>>> {
        let mut rings = self.lock();
        rings.tick += 1;
        let tick = rings.tick;
        let ring = rings.by_conversation.get_mut(&conversation_id)?;
        let answer = page_of(ring, q);
        if answer.is_some() {
            ring.used = tick;
        }
        metrics::counter!(
            "switchboard_recent_pages_total",
            "served" => if answer.is_some() { "memory" } else { "database" }
        )
        .increment(1);
        answer
    }
}

fn page_of(ring: &Ring, q: PageQuery) -> Option<Vec<Arc<Recent>>> {
    let (first, last) = (ring.first_seq, ring.last_seq());
    let wanted = |m: &Arc<Recent>| q.with_notes || !m.note;
    // Everything up to `top` exists and nothing else below `before` does, when the caller
    // knows the last seq; otherwise only what the ring holds is known.
    let known_top = match q.last_seq {
        Some(l) if l == last => i64::MAX,
        _ => last,
    };
    let mut out = Vec::with_capacity(q.limit.min(ring.messages.len()));
    match q.after {
        Some(after) => {
            // The oldest `limit` above `after`.
            if after.saturating_add(1) < first {
                return None;
            }
            let end = q.before.unwrap_or(i64::MAX); // exclusive
            let mut seq = after.saturating_add(1);
            while seq < end && seq <= last && out.len() < q.limit {
                let m = ring.get(seq);
                if wanted(m) {
                    out.push(m.clone());
                }
                seq += 1;
            }
            let complete =
                out.len() == q.limit || end.saturating_sub(1) <= known_top.min(last) || {
                    // Reached the ring's end: complete only if nothing newer exists.
                    seq > last && known_top == i64::MAX
                };
            complete.then_some(out)
        }
        None => {
            // The newest `limit` below `before` (or of all).
            let end = match q.before {
                Some(b) if b.saturating_sub(1) <= last => b,
                Some(_) | None if known_top == i64::MAX => last + 1,
                _ => return None,
            };
            let mut seq = end - 1;
            while seq >= first && out.len() < q.limit {
                let m = ring.get(seq);
                if wanted(m) {
                    out.push(m.clone());
                }
                seq -= 1;
            }
            if out.len() < q.limit && seq >= 1 {
                return None; // older messages would be needed
            }
            out.reverse();
            Some(out)
        }
    }
}

/// `{"items":[…]}`: the JSON of a `MessagePage` made of these messages.
pub fn page_json(messages: &[Arc<Recent>]) -> String {
    let len: usize = messages.iter().map(|m| m.json.len() + 1).sum();
    let mut out = String::with_capacity(len + 12);
    out.push_str(r#"{"items":["#);
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&m.json);
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(seq: i64, note: bool) -> Arc<Recent> {
        Arc::new(Recent {
            seq,
            sender_id: 1,
            note,
            client_id: format!("c{seq}").into(),
            json: format!(r#"{{"seq":{seq}}}"#).into(),
        })
    }

    fn seqs(page: Option<Vec<Arc<Recent>>>) -> Option<Vec<i64>> {
        page.map(|p| p.iter().map(|m| m.seq).collect())
    }

    fn q(after: Option<i64>, before: Option<i64>, limit: usize) -> PageQuery {
        PageQuery {
            after,
            before,
            limit,
            with_notes: true,
            last_seq: None,
        }
    }

    fn filled(from: i64, to: i64) -> RecentMessages {
        let r = RecentMessages::new(100, 1 << 20);
        for s in from..=to {
            r.append(7, msg(s, false));
        }
        r
    }

    #[test]
    fn newest_below_a_bound_inside_the_ring() {
        let r = filled(1, 10);
        assert_eq!(seqs(r.page(7, q(None, Some(6), 3))), Some(vec![3, 4, 5]));
        // Fewer than `limit` exist below 3, and the ring starts at 1: complete.
        assert_eq!(seqs(r.page(7, q(None, Some(3), 5))), Some(vec![1, 2]));
    }

    #[test]
    fn a_ring_that_starts_late_sends_older_pages_to_the_database() {
        let r = filled(5, 10);
        assert_eq!(seqs(r.page(7, q(None, Some(8), 3))), Some(vec![5, 6, 7]));
        assert_eq!(seqs(r.page(7, q(None, Some(8), 4))), None);
        assert_eq!(seqs(r.page(7, q(Some(3), None, 2))), None);
        assert_eq!(seqs(r.page(7, q(Some(4), None, 2))), Some(vec![5, 6]));
    }

    #[test]
    fn the_newest_page_needs_the_last_seq_from_the_caller() {
        let r = filled(1, 10);
        assert_eq!(seqs(r.page(7, q(None, None, 3))), None);
        let known = PageQuery {
            last_seq: Some(10),
            ..q(None, None, 3)
        };
        assert_eq!(seqs(r.page(7, known)), Some(vec![8, 9, 10]));
        // Another node wrote 11: the ring can't answer the newest page.
        let stale = PageQuery {
            last_seq: Some(11),
            ..q(None, None, 3)
        };
        assert_eq!(seqs(r.page(7, stale)), None);
        // Nor a page that reaches above its last seq, unless bounded below it.
        assert_eq!(seqs(r.page(7, q(Some(8), None, 5))), None);
        assert_eq!(seqs(r.page(7, q(Some(8), Some(12), 5))), None);
        assert_eq!(seqs(r.page(7, q(Some(8), Some(11), 5))), Some(vec![9, 10]));
        assert_eq!(seqs(r.page(7, q(Some(8), Some(10), 5))), Some(vec![9]));
        let after_known = PageQuery {
            last_seq: Some(10),
            ..q(Some(8), None, 5)
        };
        assert_eq!(seqs(r.page(7, after_known)), Some(vec![9, 10]));
    }

    #[test]
    fn a_seq_that_is_not_the_next_starts_the_ring_again() {
        let r = filled(1, 10);
        r.append(7, msg(12, false)); // 11 was written elsewhere
        assert_eq!(seqs(r.page(7, q(None, Some(12), 1))), None);
        assert_eq!(seqs(r.page(7, q(Some(11), Some(13), 5))), Some(vec![12]));
        r.append(7, msg(12, false)); // a repeat changes nothing
        r.append(7, msg(13, false));
        assert_eq!(
            seqs(r.page(7, q(Some(11), Some(14), 5))),
            Some(vec![12, 13])
        );
    }

    #[test]
    fn notes_are_skipped_for_customers_and_the_walk_goes_further_back() {
        let r = RecentMessages::new(100, 1 << 20);
        for s in 1..=6 {
            r.append(7, msg(s, s % 2 == 0));
        }
        let customer = PageQuery {
            with_notes: false,
            ..q(None, Some(7), 2)
        };
        assert_eq!(seqs(r.page(7, customer)), Some(vec![3, 5]));
        let customer_after = PageQuery {
            with_notes: false,
            ..q(Some(1), None, 2)
        };
        assert_eq!(seqs(r.page(7, customer_after)), Some(vec![3, 5]));
    }

    #[test]
    fn bounded_per_conversation_and_in_bytes() {
        let r = RecentMessages::new(4, 1 << 20);
        for s in 1..=10 {
            r.append(7, msg(s, false));
        }
        assert_eq!(
            seqs(r.page(7, q(Some(6), Some(11), 9))),
            Some(vec![7, 8, 9, 10])
        );
        assert_eq!(seqs(r.page(7, q(Some(5), Some(11), 9))), None);

        let one = msg(1, false).bytes();
        let r = RecentMessages::new(100, one * 5);
        for s in 1..=3 {
            r.append(1, msg(s, false));
        }
        for s in 1..=3 {
            r.append(2, msg(s, false));
        }
        // Over budget: the least recently used ring (1) went.
        assert_eq!(seqs(r.page(1, q(None, Some(2), 1))), None);
        assert_eq!(seqs(r.page(2, q(None, Some(4), 3))), Some(vec![1, 2, 3]));
        assert!(r.lock().bytes <= one * 5);
    }

    #[test]
    fn page_json_is_a_message_page() {
        let page = page_json(&[msg(1, false), msg(2, false)]);
        assert_eq!(page, r#"{"items":[{"seq":1},{"seq":2}]}"#);
        assert_eq!(page_json(&[]), r#"{"items":[]}"#);
    }
}

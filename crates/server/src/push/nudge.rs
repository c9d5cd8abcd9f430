//! Unread nudges: someone **connected** who has not read a message `push_unread_delay_ms` after
//! it arrived (the web app open in a background tab, a phone in a pocket whose socket is still
//! up) gets one push for that conversation after all. The push for someone with no open socket
//! is queued in the message's own transaction (`outbox`); this is the other half of "no open
//! socket, or not read within a short delay".
//!
//! Off the chat writer's path: the writer hands each committed batch's new messages over
//! (`chat::committed::Batch`: an `Arc` and three small values per message, and only while anyone has
//! a push device at all), and this task does the rest: who the message pushes to (the same
//! rules as the immediate push: `outbox::direct_recipients` and the batch's `ticket_reply` and
//! `mention` notifications, so a note never reaches a customer), kept to the few who have a
//! push device (`Owners`, memory) and are connected. For each of them one pending nudge per
//! conversation: later messages in it join the pending one instead of starting another.
//!
//! At the deadline the read position is read from the database (`conversation_members`, where
//! every node writes it, so a read on any device on any node counts): read up to the last
//! message → nothing; read part of it → the rest waits another delay (they are reading along);
//! read none → one push through `outbox::queue_devices`, so mutes, quiet hours and hidden
//! previews apply exactly as to any push, and delivery is the outbox's (retries, leases).
//!
//! A pending nudge lives in this node's memory until its deadline: a crash or restart before it
//! drops that nudge (the message itself is stored, and shows as unread when the app opens).
//! On several nodes the node that stored the message (its writer) keeps the nudge; `Owners`
//! is kept on every node by `Control::PushDevices` and reloaded from the database every few
//! minutes, so a change missed during a Redis outage heals.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use dashmap::DashSet;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::outbox::{self, Candidate};
use crate::chat::committed::Batch;
use crate::db::entities::{conversation_member, message, notification, push_subscription};
use crate::domain::{MessageKind, now_ms};
use crate::error::AppResult;
use crate::realtime::events::Control;
use crate::state::AppState;

/// Batches waiting for the nudge task; beyond this they are dropped (counted), never waited for.
const QUEUE: usize = 1024;
/// How often the whole `Owners` set is read again from the database.
const RELOAD: Duration = Duration::from_secs(300);

/// The users who have at least one push device: only they can be nudged. A hint, never the
/// truth: one too many costs a read that finds no device; one missing costs a nudge.
#[derive(Default)]
pub struct Owners {
    users: DashSet<i64>,
    count: AtomicUsize,
}

impl Owners {
    pub fn contains(&self, user_id: i64) -> bool {
        self.users.contains(&user_id)
    }

    pub fn is_empty(&self) -> bool {
        self.count.load(Ordering::Relaxed) == 0
    }

    /// Whether `user_id` has a device now (`Control::PushDevices`, from any node).
    pub fn set(&self, user_id: i64, any: bool) {
        if any {
            if self.users.insert(user_id) {
                self.count.fetch_add(1, Ordering::Relaxed);
            }
        } else if self.users.remove(&user_id).is_some() {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Replaces the set with the database's.
    pub async fn load(&self, db: &DatabaseConnection) -> AppResult<()> {
        let now: BTreeSet<i64> = push_subscription::Entity::find()
            .select_only()
            .column(push_subscription::Column::UserId)
            .distinct()
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        self.users.retain(|id| now.contains(id));
        for id in now {
            self.users.insert(id);
        }
        self.count.store(self.users.len(), Ordering::Relaxed);
        Ok(())
    }
}

/// The writer's side: whether to follow batches at all, and the hand-over.
pub struct Nudges {
    pub owners: std::sync::Arc<Owners>,
    /// `None` when nudges are off (`push_unread_delay_ms` = 0).
    tx: Option<mpsc::Sender<Batch>>,
}

impl Nudges {
    pub fn new(owners: std::sync::Arc<Owners>, delay_ms: u64) -> (Nudges, Option<Receiver>) {
        if delay_ms == 0 {
            return (Nudges { owners, tx: None }, None);
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        (
            Nudges {
                owners,
                tx: Some(tx),
            },
            Some(Receiver(rx)),
        )
    }

    /// Whether a committed batch is worth handing over: nudges are on and someone has a device.
    pub fn following(&self) -> bool {
        self.tx.is_some() && !self.owners.is_empty()
    }

    /// Hands a committed batch to the nudge task without waiting.
    pub fn committed(&self, batch: Batch) {
        if let Some(tx) = &self.tx
            && tx.try_send(batch).is_err()
        {
            metrics::counter!("switchboard_push_nudge_batches_dropped_total").increment(1);
        }
    }
}

/// The nudge task's end of the hand-over.
pub struct Receiver(mpsc::Receiver<Batch>);

/// Tells every node whether `user_id` has push devices, after they changed (registered,
/// removed, logged out). One count in the database.
pub async fn devices_changed(state: &AppState, user_id: i64) {
    let any = push_subscription::Entity::find()
        .filter(push_subscription::Column::UserId.eq(user_id))
        .select_only()
        .column(push_subscription::Column::Id)
        .into_tuple::<i64>()
        .one(&state.db)
        .await;
    match any {
        Ok(any) => {
            state
                .realtime
                .publish_control(Control::PushDevices {
                    user_id,
                    any: any.is_some(),
                })
                .await
        }
        Err(e) => tracing::warn!(error = %e, user_id, "push: could not recount a user's devices"),
    }
}

/// What a pending nudge will say.
#[derive(Clone, Debug)]
enum Source {
    /// A direct message from `from`; its text is read at the deadline (the latest message).
    Direct { from: i64 },
    /// A `ticket_reply` or `mention` notification.
    Notice(Box<notification::Model>),
}

impl Source {
    fn is_mention(&self) -> bool {
        matches!(self, Source::Notice(n) if n.kind == "mention")
    }
}

#[derive(Debug)]
struct Pending {
    due: Instant,
    /// The first message not read when the wait began, and the last one so far.
    first_seq: i64,
    last_seq: i64,
    source: Source,
}

/// One recipient of a committed message who may be nudged.
#[derive(Debug, PartialEq)]
struct Wait {
    user_id: i64,
    conversation_id: i64,
    seq: i64,
    source: Source,
}

impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Source::Direct { from: a }, Source::Direct { from: b }) => a == b,
            (Source::Notice(a), Source::Notice(b)) => a.id == b.id,
            _ => false,
        }
    }
}

/// Who of a batch's recipients may be nudged: those `wanted` (a device, connected). A ticket's
/// notification waits for the last message of the batch its recipient can see: the text ones
/// for a reply (a customer never sees notes), any for a mention (staff only).
fn waits(batch: &Batch, wanted: impl Fn(i64) -> bool) -> Vec<Wait> {
    let mut out = Vec::new();
    for m in &batch.messages {
        for to in outbox::direct_recipients(&m.conversation, m.sender_id, m.kind) {
            if wanted(to) {
                out.push(Wait {
                    user_id: to,
                    conversation_id: m.conversation.id,
                    seq: m.seq,
                    source: Source::Direct { from: m.sender_id },
                });
            }
        }
    }
    for n in &batch.notifications {
        let Some(conversation_id) = n.conversation_id else {
            continue;
        };
        if !outbox::PUSHED_NOTICES.contains(&n.kind.as_str()) || !wanted(n.user_id) {
            continue;
        }
        let mention = n.kind == "mention";
        let seq = batch
            .messages
            .iter()
            .filter(|m| m.conversation.id == conversation_id && m.sender_id != n.user_id)
            .filter(|m| mention || m.kind == MessageKind::Text)
            .map(|m| m.seq)
            .max();
        if let Some(seq) = seq {
            out.push(Wait {
                user_id: n.user_id,
                conversation_id,
                seq,
                source: Source::Notice(Box::new(n.clone())),
            });
        }
    }
    out
}

/// The pending nudges of this node, by `(user, conversation)`, and their deadlines in order.
#[derive(Default)]
struct Schedule {
    pending: HashMap<(i64, i64), Pending>,
    due: BTreeSet<(Instant, i64, i64)>,
}

impl Schedule {
    /// A new wait starts a nudge, or joins the pending one of its conversation (a mention is
    /// kept over a plain message: it passes a mute).
    fn add(&mut self, w: Wait, due: Instant) {
        let key = (w.user_id, w.conversation_id);
        match self.pending.get_mut(&key) {
            Some(p) => {
                p.first_seq = p.first_seq.min(w.seq);
                if w.seq >= p.last_seq && (w.source.is_mention() || !p.source.is_mention()) {
                    p.source = w.source;
                }
                p.last_seq = p.last_seq.max(w.seq);
            }
            None => {
                self.due.insert((due, key.0, key.1));
                self.pending.insert(
                    key,
                    Pending {
                        due,
                        first_seq: w.seq,
                        last_seq: w.seq,
                        source: w.source,
                    },
                );
            }
        }
    }

    fn next_due(&self) -> Option<Instant> {
        self.due.first().map(|(at, ..)| *at)
    }

    /// Takes the nudges due at `now`.
    fn take_due(&mut self, now: Instant) -> Vec<((i64, i64), Pending)> {
        let mut out = Vec::new();
        while let Some(&(at, user, conv)) = self.due.first() {
            if at > now {
                break;
            }
            self.due.pop_first();
            if let Some(p) = self.pending.remove(&(user, conv)) {
                out.push(((user, conv), p));
            }
        }
        out
    }

    fn put_back(&mut self, key: (i64, i64), p: Pending) {
        self.due.insert((p.due, key.0, key.1));
        self.pending.insert(key, p);
    }
}

/// The nudge task: runs until shutdown.
pub async fn run(state: AppState, rx: Receiver) {
    let mut rx = rx.0;
    let delay = Duration::from_millis(state.settings.push_unread_delay_ms);
    let owners = state.push.nudges.owners.clone();
    let mut schedule = Schedule::default();
    let mut reload = tokio::time::interval(RELOAD);
    reload.tick().await; // loaded at startup
    loop {
        let next = schedule.next_due();
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            batch = rx.recv() => {
                let Some(batch) = batch else { return };
                let due = Instant::now() + delay;
                let wanted = |user: i64| owners.contains(user) && state.realtime.is_online(user);
                for w in waits(&batch, wanted) {
                    schedule.add(w, due);
                }
            }
            _ = tokio::time::sleep_until(next.unwrap_or_else(Instant::now)), if next.is_some() => {
                for (key, p) in schedule.take_due(Instant::now()) {
                    match fire(&state, key, p).await {
                        Ok(Some(again)) => schedule.put_back(key, Pending {
                            due: Instant::now() + delay,
                            ..again
                        }),
                        Ok(None) => {}
                        Err(e) => tracing::warn!(error = %e, user = key.0, conversation = key.1, "push: an unread nudge failed"),
                    }
                }
            }
            _ = reload.tick() => {
                if let Err(e) = owners.load(&state.db).await {
                    tracing::warn!(error = %e, "push: could not reload who has devices");
                }
            }
        }
    }
}

/// A nudge's deadline: pushes if nothing was read, waits again if part of it was. Returns the
/// nudge to wait for again.
async fn fire(
    state: &AppState,
    (user_id, conversation_id): (i64, i64),
    p: Pending,
) -> AppResult<Option<Pending>> {
    let read: i64 = conversation_member::Entity::find()
        .select_only()
        .column(conversation_member::Column::LastReadSeq)
        .filter(conversation_member::Column::ConversationId.eq(conversation_id))
        .filter(conversation_member::Column::UserId.eq(user_id))
        .into_tuple()
        .one(&state.db)
        .await?
        .unwrap_or(0);
    if read >= p.last_seq {
        return Ok(None);
    }
    if read >= p.first_seq {
        // Reading along: the rest gets a delay of its own.
        return Ok(Some(Pending {
            first_seq: read + 1,
            ..p
        }));
    }
    let candidate = match &p.source {
        Source::Notice(n) => Candidate::notice(n),
        Source::Direct { from } => {
            let body: Option<(String, Option<i64>)> = message::Entity::find()
                .select_only()
                .column(message::Column::Body)
                .column(message::Column::DeletedAt)
                .filter(message::Column::ConversationId.eq(conversation_id))
                .filter(message::Column::Seq.eq(p.last_seq))
                .into_tuple()
                .one(&state.db)
                .await?;
            match body {
                Some((body, None)) => {
                    Some(Candidate::direct(user_id, *from, conversation_id, &body))
                }
                // Deleted meanwhile: nothing to say.
                _ => None,
            }
        }
    };
    let Some(candidate) = candidate else {
        return Ok(None);
    };
    if outbox::queue_devices(&state.db, vec![candidate], now_ms()).await? {
        metrics::counter!("switchboard_push_nudges_total").increment(1);
        state.push.wake.notify_one();
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::chat::audience::ConversationFacts;
    use crate::chat::committed::StoredMessage;
    use crate::domain::ConversationKind;

    fn direct(id: i64, members: &[i64]) -> Arc<ConversationFacts> {
        Arc::new(ConversationFacts {
            id,
            kind: ConversationKind::Direct,
            ticket: None,
            members: members.into(),
            audience: members.into(),
            blocked: false,
        })
    }

    fn stored(
        c: &Arc<ConversationFacts>,
        seq: i64,
        sender_id: i64,
        kind: MessageKind,
    ) -> StoredMessage {
        StoredMessage {
            conversation: c.clone(),
            seq,
            sender_id,
            kind,
        }
    }

    fn notice(user_id: i64, conversation_id: i64, kind: &str) -> notification::Model {
        notification::Model {
            id: user_id * 100,
            user_id,
            kind: kind.into(),
            title: "t".into(),
            body: "b".into(),
            ticket_id: Some(9),
            conversation_id: Some(conversation_id),
            read: false,
            created_at: 0,
        }
    }

    #[test]
    fn only_wanted_recipients_of_text_wait_and_never_the_sender() {
        let c = direct(1, &[10, 20, 30]);
        let batch = Batch {
            messages: vec![
                stored(&c, 5, 10, MessageKind::Text),
                stored(&c, 6, 10, MessageKind::System),
            ],
            notifications: Vec::new(),
        };
        let got = waits(&batch, |u| u != 30);
        assert_eq!(
            got,
            vec![Wait {
                user_id: 20,
                conversation_id: 1,
                seq: 5,
                source: Source::Direct { from: 10 },
            }]
        );
    }

    #[test]
    fn a_reply_waits_for_the_text_its_customer_sees_a_mention_for_the_note() {
        let ticket = Arc::new(ConversationFacts {
            id: 2,
            kind: ConversationKind::Ticket,
            ticket: None,
            members: Arc::from([]),
            audience: Arc::from([1, 7]),
            blocked: false,
        });
        let batch = Batch {
            messages: vec![
                stored(&ticket, 3, 7, MessageKind::Text),
                stored(&ticket, 4, 7, MessageKind::Note),
            ],
            notifications: vec![notice(1, 2, "ticket_reply"), notice(8, 2, "mention")],
        };
        let got = waits(&batch, |_| true);
        let seqs: Vec<(i64, i64)> = got.iter().map(|w| (w.user_id, w.seq)).collect();
        assert_eq!(seqs, [(1, 3), (8, 4)]);
    }

    #[test]
    fn later_messages_join_the_pending_nudge_of_their_conversation() {
        let mut s = Schedule::default();
        let t0 = Instant::now();
        let wait = |seq, source| Wait {
            user_id: 1,
            conversation_id: 2,
            seq,
            source,
        };
        s.add(
            wait(5, Source::Notice(Box::new(notice(1, 2, "mention")))),
            t0,
        );
        s.add(
            wait(6, Source::Direct { from: 3 }),
            t0 + Duration::from_secs(1),
        );
        s.add(
            Wait {
                conversation_id: 3,
                ..wait(1, Source::Direct { from: 3 })
            },
            t0 + Duration::from_secs(1),
        );
        assert_eq!(s.pending.len(), 2);
        assert!(s.take_due(t0 - Duration::from_millis(1)).is_empty());
        let due = s.take_due(t0);
        assert_eq!(due.len(), 1);
        let (key, p) = &due[0];
        assert_eq!(*key, (1, 2));
        assert_eq!((p.first_seq, p.last_seq), (5, 6));
        assert!(p.source.is_mention(), "the mention is kept: {p:?}");
        assert_eq!(s.next_due(), Some(t0 + Duration::from_secs(1)));
    }

    #[test]
    fn owners_count_what_they_hold() {
        let o = Owners::default();
        assert!(o.is_empty());
        o.set(1, true);
        o.set(1, true);
        o.set(2, true);
        o.set(3, false);
        assert!(o.contains(1) && o.contains(2) && !o.contains(3));
        o.set(1, false);
        o.set(2, false);
        assert!(o.is_empty());
    }
}

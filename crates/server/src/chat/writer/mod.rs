//! The one writer of chat messages, with group commit.
//!
//! Every send (WebSocket or REST) is validated and access-checked by its caller, then queued
//! here. The writer task takes everything that is queued (no timer: when idle it waits for
//! the next send, under load it takes up to `MAX_BATCH` at once), stores the batch in one
//! transaction (`batch::store`), commits once, and only then answers each send and publishes
//! the messages in seq order. One commit, so one disk sync, for the whole batch: that is what
//! lifts the ceiling of one fsync per message.
//!
//! A batch that fails as a whole is retried send by send, so one bad send can't fail the
//! others silently: each gets its own answer.

mod batch;
mod changes;
mod sqlite;

pub use changes::{ChangeRequest, EDIT_WINDOW_MS, Edit, MAX_REACTION_KINDS};

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DatabaseConnectionType, EntityTrait, QueryFilter,
};

use crate::db::WriterDb;
use tokio::sync::{mpsc, oneshot};

use super::audience::ConversationFacts;
use super::committed::{Batch, StoredMessage};
use super::recent::Recent;
use crate::conversations::store;
use crate::conversations::view::MessageView;
use crate::db::entities::{file, message};
use crate::domain::MessageKind;
use crate::error::{AppError, AppResult};
use crate::realtime::close;
use crate::realtime::events::{Control, Envelope, EventKind, ServerFrame};
use crate::realtime::hub::{ConnHandle, Outbound, QueuedAck, set_in_flight};
use crate::state::AppState;
use crate::webhooks::subscribers::Subscriber;

/// The most sends stored in one transaction. Measured (BENCHMARKS.md): batches at 10,000
/// msg/s stay far below it; it bounds the statement size and one batch's latency.
pub const MAX_BATCH: usize = 256;
/// Sends waiting for the writer before callers wait to queue more.
const QUEUE: usize = 16 * 1024;

/// A validated send, access already checked by the caller.
pub struct SendRequest {
    pub sender_id: i64,
    pub sender_is_staff: bool,
    pub kind: MessageKind,
    pub body: String,
    pub client_id: String,
    pub attachment_ids: Vec<i64>,
    /// The message it answers, `(id, seq)`, checked by the caller.
    pub reply_to: Option<(i64, i64)>,
    pub conversation: Arc<ConversationFacts>,
    pub reply: Reply,
    /// When it was accepted: its time in the pipeline is measured from here
    /// (`switchboard_message_stage_seconds`).
    pub accepted: std::time::Instant,
}

/// Where the answer to a send goes.
pub enum Reply {
    /// A REST request (or the seeder) waits for it: the message and whether it was new.
    Caller(oneshot::Sender<AppResult<(MessageView, bool)>>),
    /// A WebSocket connection: its `ack` (or `error`) is queued behind what it already has,
    /// and the message goes to everyone else in the audience.
    Connection(ConnHandle),
}

/// What the writer stores: new messages, and changes of stored ones.
pub enum Job {
    Send(SendRequest),
    Change(ChangeRequest),
}

#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    /// The writer's queue; `run` consumes the other end.
    pub fn channel() -> (Writer, mpsc::Receiver<Job>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (Writer { tx }, rx)
    }

    /// Queues a send. Waits only when the queue is full (back-pressure on the socket reader).
    pub async fn submit(&self, request: SendRequest) -> AppResult<()> {
        self.queue(Job::Send(request)).await
    }

    /// Queues a change of a stored message; the answer comes through its `reply`.
    pub async fn submit_change(&self, request: ChangeRequest) -> AppResult<()> {
        self.queue(Job::Change(request)).await
    }

    async fn queue(&self, job: Job) -> AppResult<()> {
        self.tx
            .send(job)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the message writer has stopped")))
    }
}

/// Starts the writer. On SQLite its connection runs statements on the calling thread
/// (`db::sqlite_writer`), so the writer gets a thread of its own, which waits for the disk
/// sync without holding up the runtime's workers; elsewhere it is a task like any other.
pub fn start(state: AppState, db: WriterDb, rx: mpsc::Receiver<Job>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Handle::current();
    if !matches!(
        db.conn.inner,
        DatabaseConnectionType::ProxyDatabaseConnection(_)
    ) {
        runtime.spawn(run(state, db, rx, runtime.clone()));
        return Ok(());
    }
    let own = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("chat-writer".into())
        .spawn(move || {
            crate::sched::apply_to_this_thread();
            own.block_on(run(state, db, rx, runtime))
        })?;
    Ok(())
}

/// The writer task: runs until every `Writer` handle is gone. Storing and telling are two
/// tasks in a pipeline: while the publisher (on `runtime`, the server's) answers and fans out
/// batch n, the writer already stores batch n + 1 (and waits for its disk sync). One
/// publisher, so batches go out in commit order.
async fn run(
    state: AppState,
    db: WriterDb,
    mut rx: mpsc::Receiver<Job>,
    runtime: tokio::runtime::Handle,
) {
    let (committed_tx, mut committed_rx) = mpsc::channel::<Committed>(4);
    let publisher_state = state.clone();
    let publisher = runtime.spawn(async move {
        while let Some(committed) = committed_rx.recv().await {
            committed.tell(&publisher_state).await;
        }
    });
    let mut queued = Vec::with_capacity(MAX_BATCH);
    loop {
        if let Some(raw) = &db.sqlite {
            restart_wal_if_due(raw);
        }
        let taken = tokio::select! {
            taken = rx.recv_many(&mut queued, MAX_BATCH) => taken,
            // The server's runtime stopped, and its publisher with it: so does a writer on a
            // thread of its own (whose state, holding a `Writer`, keeps `rx` open).
            () = committed_tx.closed() => 0,
        };
        if taken == 0 {
            break;
        }
        let mut batch = Vec::with_capacity(queued.len());
        let mut changes = Vec::new();
        for job in queued.drain(..) {
            match job {
                Job::Send(send) => {
                    stage("queued", send.accepted);
                    batch.push(send)
                }
                Job::Change(change) => changes.push(change),
            }
        }
        metrics::histogram!("switchboard_writer_batch_size").record(batch.len() as f64);
        // Who wants `message.created` (usually nobody: an empty list, nothing more is done).
        let hooks = state.webhooks.message_subscribers();
        let mut committed = commit(&db, batch, &hooks, &state.realtime).await;
        for send in &committed.batch {
            stage("stored", send.accepted);
        }
        // SQLite: the search indexer's thread indexes them (`search::index`), off this path.
        if let Some(index) = &state.search_index {
            index.stored(committed.stored());
        }
        // Changes after the sends: a change refers to a message stored before it.
        if !changes.is_empty() {
            committed.changes = Some(changes::commit(&db.conn, changes).await);
        }
        let mut clock = batch::StepClock::start();
        let sent = committed_tx.send(committed).await;
        // Time spent waiting for the publisher: back-pressure from the fan-out.
        clock.step("handoff");
        if sent.is_err() {
            break;
        }
    }
    drop(committed_tx);
    let _ = publisher.await;
}

/// SQLite: starts the WAL again when the checkpointer has just copied it (`db::checkpointer`).
/// A failure changes nothing (the backstop autocheckpoint still bounds the WAL).
fn restart_wal_if_due(raw: &crate::db::sqlite_writer::Raw) {
    let mut clock = batch::StepClock::start();
    match raw.restart_wal_if_due() {
        Ok(true) => clock.step("wal_restart"),
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "copying the WAL before its restart failed"),
    }
}

/// Records how long after its acceptance a send reached a stage of the pipeline: `checked`
/// (access, from the in-memory audiences or the database), `queued`, `stored`, `published`.
pub fn stage(name: &'static str, accepted: std::time::Instant) {
    metrics::histogram!("switchboard_message_stage_seconds", "stage" => name)
        .record(accepted.elapsed().as_secs_f64());
}

/// A stored batch, waiting to be answered and published.
struct Committed {
    batch: Vec<SendRequest>,
    outcomes: Vec<Outcome>,
    effects: batch::Effects,
    changes: Option<changes::Committed>,
}

impl Committed {
    /// How many new messages the batch stored.
    fn stored(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Stored(_)))
            .count()
    }

    async fn tell(self, state: &AppState) {
        let mut clock = batch::StepClock::start();
        // Only while someone with a push device may be nudged (`push::nudge`): one flag read.
        let follow = state.push.nudges.following();
        let mut stored = Vec::new();
        for (request, outcome) in self.batch.into_iter().zip(self.outcomes) {
            if follow && let Outcome::Stored(view) = &outcome {
                stored.push(StoredMessage {
                    conversation: request.conversation.clone(),
                    seq: view.seq,
                    sender_id: request.sender_id,
                    kind: request.kind,
                });
            }
            answer(state, request, outcome).await;
        }
        if !stored.is_empty() {
            state.push.nudges.committed(Batch {
                messages: stored,
                notifications: self.effects.notifications().to_vec(),
            });
        }
        self.effects.publish(state).await;
        if let Some(changes) = self.changes {
            changes.tell(state).await;
        }
        clock.step("publish");
    }
}

/// What became of one send.
enum Outcome {
    Stored(Box<MessageView>),
    /// `(sender, client_id)` was stored before: the original, not published again.
    Repeat(Box<MessageView>),
    Failed(AppError),
}

async fn commit(
    db: &WriterDb,
    batch: Vec<SendRequest>,
    hooks: &[Subscriber],
    realtime: &crate::realtime::Realtime,
) -> Committed {
    if batch.is_empty() {
        // Only changes were queued.
        return Committed {
            batch,
            outcomes: Vec::new(),
            effects: batch::Effects::default(),
            changes: None,
        };
    }
    let mut outcomes: Vec<Option<Outcome>> = (0..batch.len()).map(|_| None).collect();
    let mut repeat_of = vec![None; batch.len()];
    let mut clock = batch::StepClock::start();
    let checked = precheck(db, &batch, &mut outcomes, &mut repeat_of).await;
    clock.step("precheck");
    let files = match checked {
        Ok(files) => files,
        Err(e) => {
            for slot in outcomes.iter_mut().filter(|o| o.is_none()) {
                *slot = Some(Outcome::Failed(AppError::Internal(anyhow::anyhow!("{e}"))));
            }
            HashMap::new()
        }
    };
    let fresh: Vec<usize> = (0..batch.len())
        .filter(|&i| outcomes[i].is_none() && repeat_of[i].is_none())
        .collect();
    let mut effects = batch::Effects::default();
    if !fresh.is_empty() {
        let requests: Vec<&SendRequest> = fresh.iter().map(|&i| &batch[i]).collect();
        match batch::store(db, &requests, &files, hooks, realtime).await {
            Ok((views, fx)) => {
                for (&i, view) in fresh.iter().zip(views) {
                    outcomes[i] = Some(Outcome::Stored(Box::new(view)));
                }
                effects = fx;
            }
            Err(e) if fresh.len() == 1 => {
                outcomes[fresh[0]] = Some(retry_outcome(&db.conn, &batch[fresh[0]], e).await);
            }
            Err(e) => {
                // Retry the survivors one by one: each gets its own answer.
                tracing::warn!(error = %e, size = fresh.len(), "message batch failed; retrying its sends one by one");
                for &i in &fresh {
                    outcomes[i] = Some(
                        match batch::store(db, &[&batch[i]], &files, hooks, realtime).await {
                            Ok((mut views, fx)) => {
                                effects.merge(fx);
                                Outcome::Stored(Box::new(views.remove(0)))
                            }
                            Err(e) => retry_outcome(&db.conn, &batch[i], e).await,
                        },
                    );
                }
            }
        }
    }
    // The same send twice in one batch: the second is answered like a later retry would be.
    for (i, first) in repeat_of.iter().enumerate() {
        if let Some(first) = *first {
            if batch[first].conversation.id != batch[i].conversation.id {
                outcomes[i] = Some(Outcome::Failed(AppError::Conflict(
                    "client_id was already used for another conversation".into(),
                )));
                continue;
            }
            outcomes[i] = Some(match &outcomes[first] {
                Some(Outcome::Stored(v) | Outcome::Repeat(v)) => Outcome::Repeat(v.clone()),
                Some(Outcome::Failed(e)) => Outcome::Failed(again(e)),
                None => Outcome::Failed(AppError::Internal(anyhow::anyhow!("unanswered send"))),
            });
        }
    }
    let outcomes = outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| {
                Outcome::Failed(AppError::Internal(anyhow::anyhow!("send left unanswered")))
            })
        })
        .collect();
    Committed {
        batch,
        outcomes,
        effects,
        changes: None,
    }
}

/// A send whose own transaction failed: a repeat that raced in from another node is answered
/// with the original; anything else with its error.
async fn retry_outcome(db: &DatabaseConnection, request: &SendRequest, err: AppError) -> Outcome {
    if let Ok(Some(original)) =
        store::find_by_client_id(db, request.sender_id, &request.client_id).await
    {
        return repeat_outcome(db, request, original).await;
    }
    Outcome::Failed(err)
}

async fn repeat_outcome(
    db: &DatabaseConnection,
    request: &SendRequest,
    original: message::Model,
) -> Outcome {
    if original.conversation_id != request.conversation.id {
        return Outcome::Failed(AppError::Conflict(
            "client_id was already used for another conversation".into(),
        ));
    }
    match store::views(db, vec![original]).await {
        Ok(mut views) => Outcome::Repeat(Box::new(views.remove(0))),
        Err(e) => Outcome::Failed(e),
    }
}

/// Everything decided before the transaction: repeats of stored sends (one query for the
/// batch), repeats inside the batch, and attachments that are not the sender's.
async fn precheck(
    db: &WriterDb,
    batch: &[SendRequest],
    outcomes: &mut [Option<Outcome>],
    repeat_of: &mut [Option<usize>],
) -> AppResult<HashMap<i64, file::Model>> {
    // One index lookup per send on the unique (sender_id, client_id) index. (Two IN lists
    // would make SQLite probe every sender × client id pair.)
    let pairs: BTreeSet<(i64, &str)> = batch
        .iter()
        .map(|r| (r.sender_id, r.client_id.as_str()))
        .collect();
    let stored = match &db.sqlite {
        Some(raw) => sqlite::stored_sends(raw, &pairs)?,
        None => {
            let mut any = Condition::any();
            for &(sender_id, client_id) in &pairs {
                any = any.add(
                    Condition::all()
                        .add(message::Column::SenderId.eq(sender_id))
                        .add(message::Column::ClientId.eq(client_id)),
                );
            }
            message::Entity::find().filter(any).all(&db.conn).await?
        }
    };
    let stored: HashMap<(i64, String), message::Model> = stored
        .into_iter()
        .map(|m| ((m.sender_id, m.client_id.clone()), m))
        .collect();
    let file_ids: Vec<i64> = batch
        .iter()
        .flat_map(|r| r.attachment_ids.iter().copied())
        .collect();
    let files: HashMap<i64, file::Model> = if file_ids.is_empty() {
        HashMap::new()
    } else {
        file::Entity::find()
            .filter(file::Column::Id.is_in(file_ids))
            .all(&db.conn)
            .await?
            .into_iter()
            .map(|f| (f.id, f))
            .collect()
    };
    let mut first_in_batch: HashMap<(i64, &str), usize> = HashMap::new();
    for (i, request) in batch.iter().enumerate() {
        let key = (request.sender_id, request.client_id.clone());
        if let Some(original) = stored.get(&key) {
            outcomes[i] = Some(repeat_outcome(&db.conn, request, original.clone()).await);
            continue;
        }
        if let Some(&first) = first_in_batch.get(&(request.sender_id, request.client_id.as_str())) {
            repeat_of[i] = Some(first);
            continue;
        }
        first_in_batch.insert((request.sender_id, request.client_id.as_str()), i);
        if !attachments_owned(request, &files) {
            outcomes[i] = Some(Outcome::Failed(AppError::field(
                "attachment_ids",
                "unknown file or not yours",
            )));
        }
    }
    Ok(files)
}

/// The same error again, for a repeat of a failed send in the same batch.
fn again(e: &AppError) -> AppError {
    match e {
        AppError::Validation(fields) => AppError::Validation(fields.clone()),
        AppError::Conflict(m) => AppError::Conflict(m.clone()),
        AppError::Forbidden => AppError::Forbidden,
        AppError::NotFound => AppError::NotFound,
        other => AppError::Internal(anyhow::anyhow!("{other}")),
    }
}

/// Attachments must be distinct files the sender uploaded.
fn attachments_owned(request: &SendRequest, files: &HashMap<i64, file::Model>) -> bool {
    let distinct: BTreeSet<_> = request.attachment_ids.iter().collect();
    distinct.len() == request.attachment_ids.len()
        && request.attachment_ids.iter().all(|id| {
            files
                .get(id)
                .is_some_and(|f| f.uploader_id == request.sender_id)
        })
}

/// Tells the audience of a new message, then answers the sender (the sending connection is
/// left out of the publish: it gets the `ack`).
async fn answer(state: &AppState, request: SendRequest, outcome: Outcome) {
    if let Outcome::Stored(view) = &outcome {
        let origin = match &request.reply {
            Reply::Connection(conn) => Some(conn.id.clone()),
            Reply::Caller(_) => None,
        };
        metrics::counter!("switchboard_messages_stored_total").increment(1);
        publish_message(state, &request.conversation, view, origin).await;
        stage("published", request.accepted);
    }
    match request.reply {
        Reply::Caller(tx) => {
            let _ = tx.send(match outcome {
                Outcome::Stored(v) => Ok((*v, true)),
                Outcome::Repeat(v) => Ok((*v, false)),
                Outcome::Failed(e) => Err(e),
            });
        }
        Reply::Connection(conn) => match outcome {
            Outcome::Stored(v) | Outcome::Repeat(v) => queue_ack(&conn, &request.client_id, &v),
            Outcome::Failed(e) => {
                set_in_flight(&conn.in_flight, &request.client_id, false);
                crate::realtime::ws::send_app_error(&conn, &e, Some(&request.client_id));
            }
        },
    }
}

fn queue_ack(conn: &ConnHandle, client_id: &str, message: &MessageView) {
    let payload = ServerFrame::Ack { client_id, message }.encode();
    let ack = Outbound::Ack(Box::new(QueuedAck {
        conversation_id: message.conversation_id,
        seq: message.seq,
        client_id: client_id.to_string(),
        payload: payload.as_ref().into(),
    }));
    if conn.queue.try_send(ack).is_err() {
        // No ack will be written: the writer must not wait for one. The message is stored;
        // the client reconnects, resumes and retries, and the retry is acked as a repeat.
        set_in_flight(&conn.in_flight, client_id, false);
        conn.closer.close(close::SLOW_CONSUMER);
    }
}

/// Publishes a stored message to its conversation's audience (notes to staff only); the
/// connection that sent it gets its `ack` instead. The message is encoded once, kept in the
/// conversation's recent messages (`chat::recent`) and sent as the same bytes to everyone.
pub async fn publish_message(
    state: &AppState,
    conversation: &ConversationFacts,
    view: &MessageView,
    origin: Option<String>,
) {
    let recent = Arc::new(Recent::new(view));
    state.recent.append(conversation.id, recent.clone());
    state
        .realtime
        .publish(Envelope {
            to: conversation.audience.clone(),
            staff_only: recent.note,
            except_connection: origin,
            kind: EventKind::Message {
                conversation_id: conversation.id,
                seq: view.seq,
            },
            payload: recent.frame().into(),
        })
        .await;
}

/// Drops a conversation's cached facts on every node (its ticket changed).
pub async fn forget_conversation(state: &AppState, conversation_id: i64) {
    state.audiences.forget_conversation(conversation_id);
    state
        .realtime
        .publish_control(Control::Invalidate {
            conversation_id: Some(conversation_id),
        })
        .await;
}

/// Drops every cached audience on every node (roles, teams, blocks changed).
pub async fn forget_all(state: &AppState) {
    state.audiences.forget_all();
    state
        .realtime
        .publish_control(Control::Invalidate {
            conversation_id: None,
        })
        .await;
}

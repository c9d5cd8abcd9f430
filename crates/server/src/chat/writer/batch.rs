//! One batch of sends in one transaction: a handful of statements however many messages.
//!
//! 1. `UPDATE conversations … last_seq = last_seq + n` for every conversation of the batch at
//!    once. It is the first statement, so it takes the write lock (SQLite) or the rows' locks
//!    (PostgreSQL, MySQL, in id order) before anything is read: concurrent writers on other
//!    nodes queue here, and seqs follow commit order without gaps.
//! 2. One multi-row insert of the messages, one of their attachments.
//! 3. The senders' read positions (they have read their own messages), one upsert.
//! 4. Ticket side effects: the `ticket_reply` and `mention` notifications (one insert) and the
//!    first-response stamp (rare: once per ticket). A requester's message on a `pending`
//!    ticket (status read in this transaction, one query) is only noted here: the ticket
//!    returns to `open` after the commit.
//! 5. Only when a webhook endpoint subscribes to `message.created` (a list in memory,
//!    `webhooks::subscribers`): the outbox rows of the batch's ticket messages, one insert.
//! 6. Only when a recipient of a direct message or of a pushed notification has no open socket
//!    (`Realtime::is_online`, memory): the push outbox rows for their devices (`push::outbox`:
//!    one read of their subscriptions, one insert if they have any).
//!
//! Then one commit. Nothing is published before it.

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel,
    NotSet, QueryFilter, QuerySelect, QueryTrait, Set, Statement, TransactionTrait, Value,
};

use super::{SendRequest, sqlite};
use crate::chat::committed::Committed;
use crate::conversations::view::FileView;
use crate::conversations::view::MessageView;
use crate::db::WriterDb;
use crate::db::entities::{file, message, message_attachment, notification, ticket};
use crate::db::sqlite_writer::Raw;
use crate::domain::{MessageKind, now_ms};
use crate::error::AppResult;
use crate::notifications::{Notice, truncate};
use crate::push::outbox::Candidate;
use crate::realtime::Realtime;
use crate::state::AppState;
use crate::tickets::domain::Status;
use crate::webhooks::events::Event;
use crate::webhooks::subscribers::Subscriber;

/// What a committed batch still has to tell people.
#[derive(Default)]
pub struct Effects {
    notifications: Vec<notification::Model>,
    /// Tickets whose first-response clock this batch stopped.
    first_responses: Vec<(i64, i64)>,
    /// `pending` or `closed` tickets whose requester wrote: they return to `open`.
    customer_replies: Vec<i64>,
    /// Pushes were queued: wake the push worker.
    pushed: bool,
}

impl Effects {
    /// The notifications the batch inserted.
    pub fn notifications(&self) -> &[notification::Model] {
        &self.notifications
    }

    pub fn merge(&mut self, other: Effects) {
        self.notifications.extend(other.notifications);
        self.first_responses.extend(other.first_responses);
        self.customer_replies.extend(other.customer_replies);
        self.pushed |= other.pushed;
    }

    pub async fn publish(self, state: &AppState) {
        if self.pushed {
            state.push.wake.notify_one();
        }
        for row in &self.notifications {
            crate::notifications::push(state, row).await;
        }
        for (ticket_id, conversation_id) in self.first_responses {
            super::forget_conversation(state, conversation_id).await;
            // Whoever follows commits (the ticket desk) tells everyone; off the write path.
            let _ = state.committed.send(Committed::FirstResponse { ticket_id });
        }
        for ticket_id in self.customer_replies {
            let _ = state
                .committed
                .send(Committed::CustomerReplied { ticket_id });
        }
    }
}

/// Stores `requests` (in this order) in one transaction. Returns the stored messages, one per
/// request, and the side effects to publish after the commit.
/// `files`: the attachments' rows, read by the pre-check. `hooks`: the webhook endpoints that
/// subscribe to `message.created` (usually none).
pub async fn store(
    db: &WriterDb,
    requests: &[&SendRequest],
    files: &HashMap<i64, file::Model>,
    hooks: &[Subscriber],
    realtime: &Realtime,
) -> AppResult<(Vec<MessageView>, Effects)> {
    let backend = db.conn.get_database_backend();
    // SQLite: the hot statements straight on the writer's connection (`super::sqlite`).
    let raw = db.sqlite.as_ref();
    let now = now_ms();
    let mut clock = StepClock::start();
    let txn = db.conn.begin().await?;
    clock.step("begin");

    // 1. Seqs: n per conversation, allocated in the database (several nodes may write).
    let mut counts: BTreeMap<i64, i64> = BTreeMap::new();
    for r in requests {
        *counts.entry(r.conversation.id).or_default() += 1;
    }
    let last_seqs = match raw {
        Some(raw) => sqlite::allocate_seqs(raw, &counts, now)?,
        None => allocate(&txn, backend, Counter::Seq, &counts, now).await?,
    };
    clock.step("seqs");
    let mut next: HashMap<i64, i64> = counts
        .iter()
        .map(|(id, n)| (*id, last_seqs[id] - n + 1))
        .collect();
    let seqs: Vec<i64> = requests
        .iter()
        .map(|r| {
            let slot = next.get_mut(&r.conversation.id).expect("counted above");
            *slot += 1;
            *slot - 1
        })
        .collect();

    // 2. The messages, then their attachments.
    let stored = insert_messages(&txn, raw, requests, &seqs, now, &counts, &last_seqs).await?;
    clock.step("messages");
    let ids: HashMap<(i64, i64), &message::Model> = stored
        .iter()
        .map(|m| ((m.conversation_id, m.seq), m))
        .collect();
    let models: Vec<&message::Model> = requests
        .iter()
        .zip(&seqs)
        .map(|(r, &seq)| {
            ids.get(&(r.conversation.id, seq))
                .copied()
                .ok_or_else(|| anyhow::anyhow!("stored message not returned"))
        })
        .collect::<Result<_, _>>()?;
    let links: Vec<message_attachment::ActiveModel> = requests
        .iter()
        .zip(&models)
        .flat_map(|(r, m)| {
            r.attachment_ids
                .iter()
                .map(|&file_id| message_attachment::ActiveModel {
                    message_id: Set(m.id),
                    file_id: Set(file_id),
                })
        })
        .collect();
    if !links.is_empty() {
        message_attachment::Entity::insert_many(links)
            .exec_without_returning(&txn)
            .await?;
    }

    // 3. Read positions: each sender has read up to their last message.
    let mut read: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for (r, &seq) in requests.iter().zip(&seqs) {
        let slot = read.entry((r.conversation.id, r.sender_id)).or_default();
        *slot = (*slot).max(seq);
    }
    match raw {
        Some(raw) => sqlite::advance_reads(raw, &read, now)?,
        None => advance_reads(&txn, backend, &read, now).await?,
    }
    clock.step("reads");

    // 4. Ticket side effects.
    let waiting = pending_tickets(&txn, raw, requests).await?;
    let mut effects = Effects::default();
    let mut notices = Vec::new();
    for (r, m) in requests.iter().zip(&models) {
        let Some(t) = &r.conversation.ticket else {
            continue;
        };
        if r.kind != MessageKind::Text {
            continue;
        }
        if r.sender_is_staff
            && r.sender_id != t.requester_id
            && t.first_response_at.is_none()
            && !effects.first_responses.iter().any(|&(id, _)| id == t.id)
        {
            let stopped = ticket::Entity::update_many()
                .col_expr(ticket::Column::FirstResponseAt, Expr::value(now))
                .filter(ticket::Column::Id.eq(t.id))
                .filter(ticket::Column::FirstResponseAt.is_null())
                .exec(&txn)
                .await?;
            if stopped.rows_affected > 0 {
                effects.first_responses.push((t.id, r.conversation.id));
            }
        }
        if r.sender_id == t.requester_id
            && waiting.contains(&t.id)
            && !effects.customer_replies.contains(&t.id)
        {
            effects.customer_replies.push(t.id);
        }
        // Replies notify the other side: the requester, or the assignee.
        let recipient = if r.sender_id == t.requester_id {
            t.assignee_id
        } else {
            Some(t.requester_id)
        };
        if let Some(to) = recipient.filter(|&id| id != r.sender_id) {
            let notice = Notice {
                kind: "ticket_reply",
                title: format!("New reply on #{}: {}", t.number, t.subject),
                body: truncate(&m.body, 200),
                ticket_id: Some(t.id),
                conversation_id: Some(r.conversation.id),
            };
            notices.push(notice.row(to, now));
        }
    }
    // `@` mentions in notes (`chat::mentions`).
    notices.extend(crate::chat::mentions::notices(&txn, requests, &models, now).await?);
    effects.notifications = match raw {
        Some(raw) => sqlite::insert_notifications(raw, notices)?,
        None => insert_notifications(&txn, notices).await?,
    };
    clock.step("tickets");

    // 5. Webhooks, in this transaction (an outbox: committed with the messages or not at all).
    if !hooks.is_empty() {
        let events: Vec<Event> = requests
            .iter()
            .zip(&models)
            .filter_map(|(r, m)| {
                let t = r.conversation.ticket.as_ref()?;
                Some(Event::message(m, Some(t.id), now))
            })
            .collect();
        crate::webhooks::outbox::queue_for(&txn, hooks, &events, now).await?;
        clock.step("webhooks");
    }

    // 6. Pushes to devices of recipients who are not connected. Notes push only as mentions.
    // Online recipients (the usual case) are skipped before a candidate and its copy of the
    // body are built.
    let mut candidates: Vec<Candidate> = effects
        .notifications
        .iter()
        .filter_map(Candidate::notice)
        .collect();
    for (r, m) in requests.iter().zip(&models) {
        for to in crate::push::outbox::direct_recipients(&r.conversation, r.sender_id, r.kind)
            .filter(|&id| !realtime.is_online(id))
        {
            candidates.push(Candidate::direct(
                to,
                r.sender_id,
                r.conversation.id,
                &m.body,
            ));
        }
    }
    if !candidates.is_empty() {
        effects.pushed = crate::push::outbox::queue(&txn, realtime, candidates, now).await?;
        clock.step("push");
    }
    crate::db::sqlite_writer::commit(txn).await?;
    clock.step("commit");
    let views = requests
        .iter()
        .zip(models)
        .map(|(r, m)| MessageView::new(m, file_views(&r.attachment_ids, files)))
        .collect();
    Ok((views, effects))
}

/// Of the tickets whose requester writes in this batch, those `pending` or `closed` now (both
/// reopen). Read in the batch's
/// transaction, not from the cached facts: a ticket parked a moment ago (its cache entry not yet
/// dropped) must still return to `open` when the customer's message commits after it. One
/// query, and only when a requester writes.
async fn pending_tickets(
    txn: &impl ConnectionTrait,
    raw: Option<&Raw>,
    requests: &[&SendRequest],
) -> AppResult<std::collections::HashSet<i64>> {
    let asked: Vec<i64> = requests
        .iter()
        .filter_map(|r| r.conversation.ticket.as_ref().map(|t| (r, t)))
        .filter(|(r, t)| r.sender_id == t.requester_id && r.kind == MessageKind::Text)
        .map(|(_, t)| t.id)
        .collect();
    if asked.is_empty() {
        return Ok(Default::default());
    }
    if let Some(raw) = raw {
        return Ok(sqlite::reopening_tickets(raw, &asked)?);
    }
    let ids: Vec<i64> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Id)
        .filter(ticket::Column::Id.is_in(asked))
        .filter(ticket::Column::Status.is_in([Status::Pending, Status::Closed]))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(ids.into_iter().collect())
}

/// `?` on SQLite and MySQL, `$n` on PostgreSQL.
/// Times the steps of a batch (`switchboard_writer_step_seconds{step}` in /metrics), so a
/// slow database step shows without a profiler.
pub(super) struct StepClock(std::time::Instant);

impl StepClock {
    pub(super) fn start() -> Self {
        Self(std::time::Instant::now())
    }

    pub(super) fn step(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        metrics::histogram!("switchboard_writer_step_seconds", "step" => name)
            .record((now - self.0).as_secs_f64());
        self.0 = now;
    }
}

fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".into(),
    }
}

/// A conversation's numbered streams.
#[derive(Clone, Copy)]
pub enum Counter {
    /// Messages: `last_seq` (and `last_message_at`).
    Seq,
    /// Changes of messages: `last_change`.
    Change,
}

/// Adds `counts[id]` to each conversation's counter in one statement and returns the new
/// values.
pub async fn allocate(
    txn: &impl ConnectionTrait,
    backend: DbBackend,
    counter: Counter,
    counts: &BTreeMap<i64, i64>,
    now: i64,
) -> AppResult<HashMap<i64, i64>> {
    let column = match counter {
        Counter::Seq => "last_seq",
        Counter::Change => "last_change",
    };
    let mut values: Vec<Value> = Vec::with_capacity(counts.len() * 3 + 1);
    let mut cases = String::new();
    for (&id, &n) in counts {
        values.push(id.into());
        let a = placeholder(backend, values.len());
        values.push(n.into());
        let b = placeholder(backend, values.len());
        cases.push_str(&format!(" WHEN {a} THEN {b}"));
    }
    let touch = match counter {
        Counter::Seq => {
            values.push(now.into());
            format!(", last_message_at = {}", placeholder(backend, values.len()))
        }
        Counter::Change => String::new(),
    };
    let mut ids = Vec::with_capacity(counts.len());
    for &id in counts.keys() {
        values.push(id.into());
        ids.push(placeholder(backend, values.len()));
    }
    let mut sql = format!(
        "UPDATE conversations SET {column} = {column} + CASE id{cases} ELSE 0 END{touch} \
         WHERE id IN ({})",
        ids.join(", ")
    );
    let returning = backend != DbBackend::MySql;
    if returning {
        sql.push_str(&format!(" RETURNING id, {column}"));
    }
    let rows = if returning {
        txn.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?
    } else {
        let res = txn
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        if res.rows_affected() != counts.len() as u64 {
            return Err(crate::error::AppError::NotFound);
        }
        // Our own update is visible to us, and the rows stay locked until the commit.
        let ids: Vec<String> = counts.keys().map(|id| id.to_string()).collect();
        txn.query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT id, {column} FROM conversations WHERE id IN ({})",
                ids.join(", ")
            ),
        ))
        .await?
    };
    let mut last = HashMap::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("", "id")?;
        let seq: i64 = row.try_get("", column)?;
        last.insert(id, seq);
    }
    if last.len() != counts.len() {
        // A conversation vanished between the access check and here.
        return Err(crate::error::AppError::NotFound);
    }
    Ok(last)
}

/// One multi-row insert. Where the database has RETURNING, only the new ids come back (with
/// the keys that place them: RETURNING's row order is not promised), and the rows are made
/// from what was inserted: reading every column back, the body included, through the SQLite
/// proxy's named rows was a third of the statement's cost. MySQL: one query by
/// `(conversation_id, seq)`.
async fn insert_messages(
    txn: &impl ConnectionTrait,
    raw: Option<&Raw>,
    requests: &[&SendRequest],
    seqs: &[i64],
    now: i64,
    counts: &BTreeMap<i64, i64>,
    last_seqs: &HashMap<i64, i64>,
) -> AppResult<Vec<message::Model>> {
    let rows: Vec<message::Model> = requests
        .iter()
        .zip(seqs)
        .map(|(r, &seq)| message::Model {
            id: 0,
            conversation_id: r.conversation.id,
            seq,
            sender_id: r.sender_id,
            kind: r.kind,
            body: r.body.clone(),
            client_id: r.client_id.clone(),
            created_at: now,
            edited_at: None,
            deleted_at: None,
            reply_to_id: r.reply_to.map(|(id, _)| id),
            reply_to_seq: r.reply_to.map(|(_, seq)| seq),
        })
        .collect();
    if let Some(raw) = raw {
        return Ok(sqlite::insert_messages(raw, rows)?);
    }
    let backend = txn.get_database_backend();
    // The same values, without the id: the database assigns it.
    let insert = message::Entity::insert_many(rows.iter().map(|m| message::ActiveModel {
        id: NotSet,
        ..m.clone().into_active_model()
    }));
    if backend == DbBackend::MySql {
        insert.exec_without_returning(txn).await?;
        let mut any = sea_orm::Condition::any();
        for (&id, &n) in counts {
            let last = last_seqs[&id];
            any = any.add(
                sea_orm::Condition::all()
                    .add(message::Column::ConversationId.eq(id))
                    .add(message::Column::Seq.between(last - n + 1, last)),
            );
        }
        return Ok(message::Entity::find().filter(any).all(txn).await?);
    }
    let mut query = insert.into_query();
    query.returning(sea_orm::sea_query::Query::returning().columns([
        message::Column::Id,
        message::Column::ConversationId,
        message::Column::Seq,
    ]));
    let ids: HashMap<(i64, i64), i64> = txn
        .query_all(&query)
        .await?
        .into_iter()
        .map(|row| {
            Ok((
                (row.try_get("", "conversation_id")?, row.try_get("", "seq")?),
                row.try_get("", "id")?,
            ))
        })
        .collect::<Result<_, sea_orm::DbErr>>()?;
    rows.into_iter()
        .map(|mut m| {
            m.id = *ids
                .get(&(m.conversation_id, m.seq))
                .ok_or_else(|| anyhow::anyhow!("stored message not returned"))?;
            Ok(m)
        })
        .collect()
}

/// Moves read positions forward (never back), creating member rows where missing (ticket
/// participants get theirs lazily). Keys in order, so concurrent writers lock alike.
async fn advance_reads(
    txn: &impl ConnectionTrait,
    backend: DbBackend,
    read: &BTreeMap<(i64, i64), i64>,
    now: i64,
) -> AppResult<()> {
    let mut values: Vec<Value> = Vec::with_capacity(read.len() * 4);
    let mut tuples = Vec::with_capacity(read.len());
    for (&(conversation_id, user_id), &seq) in read {
        let mut marks = Vec::with_capacity(4);
        for v in [conversation_id, user_id, seq, now] {
            values.push(v.into());
            marks.push(placeholder(backend, values.len()));
        }
        tuples.push(format!("({})", marks.join(", ")));
    }
    let conflict = match backend {
        DbBackend::MySql => {
            "ON DUPLICATE KEY UPDATE last_read_seq = GREATEST(last_read_seq, VALUES(last_read_seq))"
        }
        DbBackend::Postgres => {
            "ON CONFLICT (conversation_id, user_id) DO UPDATE SET last_read_seq = \
             GREATEST(conversation_members.last_read_seq, EXCLUDED.last_read_seq)"
        }
        _ => {
            "ON CONFLICT (conversation_id, user_id) DO UPDATE SET last_read_seq = \
             MAX(conversation_members.last_read_seq, excluded.last_read_seq)"
        }
    };
    let sql = format!(
        "INSERT INTO conversation_members (conversation_id, user_id, last_read_seq, joined_at) \
         VALUES {} {conflict}",
        tuples.join(", ")
    );
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}

async fn insert_notifications(
    txn: &impl ConnectionTrait,
    rows: Vec<notification::ActiveModel>,
) -> AppResult<Vec<notification::Model>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    if txn.support_returning() {
        return Ok(notification::Entity::insert_many(rows)
            .exec_with_returning(txn)
            .await?);
    }
    // MySQL: no RETURNING, and ids of a multi-row insert are consecutive only in some lock
    // modes: one insert each (rare enough: one per reply).
    let mut stored = Vec::with_capacity(rows.len());
    for row in rows {
        stored.push(row.insert(txn).await?);
    }
    Ok(stored)
}

fn file_views(ids: &[i64], files: &HashMap<i64, file::Model>) -> Vec<FileView> {
    ids.iter()
        .filter_map(|id| files.get(id).map(FileView::new))
        .collect()
}

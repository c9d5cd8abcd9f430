//! Ticket rules: opening, changing (with optimistic concurrency), history, system messages,
//! live `ticket` events and notifications. Permission checks come first, each change is one
//! transaction, and events go out after the commit.

use std::collections::BTreeSet;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};

use super::change::{After, Recipients, TicketChange};
use super::domain::{Priority, Status, parse_subject, parse_tags};
use super::sla::Clock;
use super::targets;
use super::view::{TicketView, render_one};
use super::{csat, policy};
use crate::audit;
use crate::auth::AuthUser;
use crate::chat::writer::{forget_conversation, publish_message};
use crate::conversations::service::check_body;
use crate::conversations::store::{self, NewMessage};
use crate::conversations::view::MessageView;
use crate::db::entities::{conversation, team, team_member, ticket, ticket_event, user};
use crate::domain::{ConversationKind, MessageKind, Role, now_ms, text_of};
use crate::error::{AppError, AppResult};
use crate::notifications::{Notice, notify};
use crate::realtime::events::{Envelope, EventKind, ServerFrame};
use crate::state::AppState;
use crate::webhooks::{EventType, events::Event};

pub struct NewTicket {
    pub subject: String,
    pub body: String,
    pub priority: Priority,
}

/// What a PATCH asks for. `Some(None)` clears the assignee or team.
#[derive(Default)]
pub struct Changes {
    pub version: i64,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub assignee_id: Option<Option<i64>>,
    pub team_id: Option<Option<i64>>,
    pub tags: Option<Vec<String>>,
    /// A new priority keeps the SLA notifications already sent (an escalation raising it after
    /// a breach): not part of the API.
    pub keep_sla_flags: bool,
}

/// Adds a change to the audit log when it is one the log keeps (see
/// [`TicketChange::audit_action`]). `by`: the name the change is made in ("Routing" or
/// "Switchboard" when the desk acts by itself).
async fn audit_change(
    db: &impl ConnectionTrait,
    me: &Actor,
    t: &ticket::Model,
    change: &TicketChange,
) -> AppResult<()> {
    let Some(name) = change.audit_action() else {
        return Ok(());
    };
    let (_, old, new) = change.history();
    let entry = audit::Entry::by_user(me.id, me.ip, name)
        .target("ticket", t.id)
        .details(serde_json::json!({
            "number": t.number, "old": old, "new": new, "by": me.name,
        }));
    audit::record(db, entry).await
}

/// Appends a change to the ticket's history.
async fn record(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    actor: i64,
    change: &TicketChange,
) -> AppResult<()> {
    let (field, old, new) = change.history();
    record_event(db, ticket_id, actor, field, old, new).await
}

async fn record_event(
    db: &impl ConnectionTrait,
    ticket_id: i64,
    actor: i64,
    field: &str,
    old: Option<String>,
    new: Option<String>,
) -> AppResult<()> {
    ticket_event::ActiveModel {
        ticket_id: Set(ticket_id),
        actor_id: Set(actor),
        field: Set(field.to_string()),
        old_value: Set(old.map(|v| v.chars().take(255).collect())),
        new_value: Set(new.map(|v| v.chars().take(255).collect())),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

async fn system_message<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    conversation_id: i64,
    actor: i64,
    body: &str,
) -> AppResult<MessageView> {
    let client_id = uuid::Uuid::new_v4().to_string();
    let (m, _) = store::insert_message(
        db,
        NewMessage {
            conversation_id,
            sender_id: actor,
            kind: MessageKind::System,
            body,
            client_id: &client_id,
            attachment_ids: &[],
        },
    )
    .await?;
    Ok(store::views(db, vec![m]).await?.remove(0))
}

/// Posts a system message in the ticket's conversation as `sender` (stored with its seq like
/// every message, then sent to everyone in the conversation).
pub async fn post_system_message(
    state: &AppState,
    t: &ticket::Model,
    sender: i64,
    body: &str,
) -> AppResult<()> {
    let message = system_message(&state.db, t.conversation_id, sender, body).await?;
    let facts = state.audiences.facts(&state.db, t.conversation_id).await?;
    publish_message(state, &facts, &message, None).await;
    Ok(())
}

/// Opens a ticket: its conversation, its first message (the body), its history entry.
pub async fn create(state: &AppState, me: &AuthUser, new: NewTicket) -> AppResult<TicketView> {
    let subject = parse_subject(&new.subject)?;
    check_body(&new.body, None)?;
    let now = now_ms();
    let (first_due, resolve_due) = targets::current(state).await?.targets_ms(new.priority);
    // Read before the transaction: on SQLite a transaction that reads first and then writes
    // can't wait for the write lock (SQLITE_BUSY at once) when other tickets open meanwhile.
    let intake = super::routing::intake_team(&state.db).await?;
    let txn = state.db.begin().await?;
    let conv = conversation::ActiveModel {
        kind: Set(ConversationKind::Ticket),
        direct_key: Set(None),
        last_seq: Set(0),
        created_at: Set(now),
        last_message_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // The human number is derived from the id, unique by construction; a unique placeholder
    // holds its place for the moment in between.
    let placeholder = -(rand::random::<u32>() as i64) - 1;
    let created = ticket::ActiveModel {
        number: Set(placeholder),
        subject: Set(subject),
        status: Set(Status::Open),
        priority: Set(new.priority),
        priority_rank: Set(new.priority.rank()),
        requester_id: Set(me.id),
        assignee_id: Set(None),
        team_id: Set(intake),
        tags: Set("[]".into()),
        conversation_id: Set(conv.id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(None),
        first_response_at: Set(None),
        first_response_due: Set(now + first_due),
        resolution_due: Set(now + resolve_due),
        sla_notified: Set(0),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    ticket::Entity::update_many()
        .col_expr(ticket::Column::Number, Expr::value(created.id + 1000))
        .filter(ticket::Column::Id.eq(created.id))
        .exec(&txn)
        .await?;
    let client_id = uuid::Uuid::new_v4().to_string();
    let (first, _) = store::insert_message(
        &txn,
        NewMessage {
            conversation_id: conv.id,
            sender_id: me.id,
            kind: MessageKind::Text,
            body: &new.body,
            client_id: &client_id,
            attachment_ids: &[],
        },
    )
    .await?;
    record_event(
        &txn,
        created.id,
        me.id,
        "created",
        None,
        Some(text_of(new.priority)),
    )
    .await?;
    if let Some(team_id) = intake {
        let opened_in = TicketChange::Team {
            from: None,
            to: Some(team_id),
            to_name: None,
        };
        record(&txn, created.id, me.id, &opened_in).await?;
    }
    let t = ticket::Entity::find_by_id(created.id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let hook = Event::ticket(EventType::TicketCreated, &t, now, Some(("body", &new.body)));
    crate::webhooks::outbox::queue(&txn, &[hook], now).await?;
    txn.commit().await?;
    state.webhooks.wake.notify_one();

    let view = render_one(&state.db, &t).await?;
    let facts = state.audiences.facts(&state.db, conv.id).await?;
    let audience = facts.audience.clone();
    publish_ticket(state, &audience, &view).await;
    let first = store::views(&state.db, vec![first]).await?.remove(0);
    publish_message(state, &facts, &first, None).await;
    let agents: Vec<i64> = staff_in(state, &audience)
        .await?
        .into_iter()
        .filter(|&id| id != me.id)
        .collect();
    notify(
        state,
        &agents,
        Notice {
            kind: "ticket_created",
            title: format!("New ticket #{}: {}", t.number, t.subject),
            body: first.body.chars().take(200).collect(),
            ticket_id: Some(t.id),
            conversation_id: Some(conv.id),
        },
    )
    .await?;
    // Opened in the intake team: its rule assigns the ticket now (the answer shows who).
    if intake.is_some()
        && let Some(routed) =
            super::routing::assign::route(state, me.id, t.id, super::routing::assign::Purpose::New)
                .await?
    {
        return Ok(routed);
    }
    Ok(view)
}

/// The agents and admins among `ids`.
async fn staff_in(state: &AppState, ids: &[i64]) -> AppResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .filter(user::Column::Role.is_in([Role::Agent, Role::Admin]))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

/// Sends the ticket to its audience: staff get the full view, a customer requester gets it
/// without the desk's internal due times ([`TicketView::seen_by`]).
pub async fn publish_ticket(state: &AppState, to: &[i64], view: &TicketView) {
    let frame = |ticket: &TicketView| ServerFrame::Ticket { ticket }.encode();
    let customer = (view.requester.role == Role::Customer && to.contains(&view.requester.id))
        .then_some(view.requester.id);
    if let Some(requester) = customer {
        let seen = view.clone().seen_by(false);
        state
            .realtime
            .publish(Envelope::new(
                vec![requester],
                EventKind::Important,
                frame(&seen),
            ))
            .await;
    }
    // The full view to the staff in `to` (the staff envelope skips the customer served above).
    state
        .realtime
        .publish(Envelope::staff(to, EventKind::Important, frame(view)))
        .await;
}

async fn user_name(state: &AppState, id: i64) -> AppResult<String> {
    Ok(user::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_else(|| "someone".into()))
}

/// Checks who may make which change. Invisible tickets were already answered with 404.
async fn authorise(
    state: &AppState,
    me: &AuthUser,
    teams: &[i64],
    t: &ticket::Model,
    c: &Changes,
) -> AppResult<()> {
    let touches_work =
        c.priority.is_some() || c.assignee_id.is_some() || c.team_id.is_some() || c.tags.is_some();
    if !policy::can_work(me, teams, t) {
        // The requester may only close or reopen.
        let allowed = t.requester_id == me.id
            && !touches_work
            && matches!(c.status, Some(Status::Closed | Status::Open) | None);
        return if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        };
    }
    if me.role == Role::Admin {
        return Ok(());
    }
    if let Some(Some(team_id)) = c.team_id
        && !teams.contains(&team_id)
    {
        return Err(AppError::Forbidden);
    }
    if let Some(Some(assignee)) = c.assignee_id
        && assignee != me.id
    {
        // Agents assign within their teams: the assignee must share a team with them.
        let theirs = policy::team_ids(&state.db, assignee).await?;
        if !theirs.iter().any(|t| teams.contains(t)) {
            return Err(AppError::Forbidden);
        }
    }
    Ok(())
}

/// Applies a PATCH. The write is conditional on `version`: a stale one changes nothing and
/// answers 409 with the current ticket.
pub async fn update(
    state: &AppState,
    me: &AuthUser,
    ticket_id: i64,
    c: Changes,
) -> AppResult<TicketView> {
    let (t, teams) = policy::visible_ticket(&state.db, me, ticket_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(Some(assignee)) = c.assignee_id
        && policy::can_work(me, &teams, &t)
    {
        let u = user::Entity::find_by_id(assignee).one(&state.db).await?;
        if !u.is_some_and(|u| !u.disabled && u.role.is_staff()) {
            return Err(AppError::field(
                "assignee_id",
                "must be an active agent or admin",
            ));
        }
    }
    authorise(state, me, &teams, &t, &c).await?;
    if let Some(Some(team_id)) = c.team_id
        && team::Entity::find_by_id(team_id)
            .one(&state.db)
            .await?
            .is_none()
    {
        return Err(AppError::field("team_id", "no such team"));
    }
    let tags = c.tags.as_deref().map(parse_tags).transpose()?;
    let moved_to_team = matches!(c.team_id, Some(Some(team)) if t.team_id != Some(team));
    let actor = Actor {
        id: me.id,
        name: me.display_name.clone(),
        ip: me.client_ip,
    };
    let view = match apply(state, &actor, &t, c, tags, None).await? {
        Applied::Done(view) => *view,
        Applied::Lost => {
            let current = ticket::Entity::find_by_id(t.id)
                .one(&state.db)
                .await?
                .ok_or(AppError::NotFound)?;
            let view = render_one(&state.db, &current).await?;
            return Err(AppError::StaleVersion(
                serde_json::to_value(view).map_err(anyhow::Error::from)?,
            ));
        }
    };
    // A ticket that enters a team unassigned is routed at once (`routing`): the answer shows
    // the assignment when there was one.
    if moved_to_team
        && view.assignee.is_none()
        && let Some(routed) =
            super::routing::assign::route(state, me.id, t.id, super::routing::assign::Purpose::New)
                .await?
    {
        return Ok(routed);
    }
    Ok(view)
}

/// Who makes a change: the user whose id goes on the history and the system messages, and the
/// name the sentences use ("Routing" when the desk itself acts).
pub struct Actor {
    pub id: i64,
    pub name: String,
    /// The request's address, for the audit log; `None` when the desk acts by itself.
    pub ip: Option<std::net::IpAddr>,
}

/// How [`apply`] went.
pub enum Applied {
    Done(Box<TicketView>),
    /// The version (or the guard) had moved: nothing was written.
    Lost,
}

/// Writes `c` to `t` (already authorised) conditionally on `c.version`, and, when given, on
/// `guard` touching a row in the same transaction (routing's compare-and-set); then tells
/// everyone: history, system messages, `ticket` frames, notifications, as for any PATCH.
pub async fn apply(
    state: &AppState,
    me: &Actor,
    t: &ticket::Model,
    c: Changes,
    tags: Option<Vec<String>>,
    guard: Option<sea_orm::UpdateMany<crate::db::entities::team_routing::Entity>>,
) -> AppResult<Applied> {
    let old_audience = state.audiences.ticket_audience(&state.db, t).await?;
    let actor = me.name.clone();
    let now = now_ms();

    let mut update = ticket::Entity::update_many()
        .col_expr(
            ticket::Column::Version,
            Expr::col(ticket::Column::Version).add(1),
        )
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .filter(ticket::Column::Id.eq(t.id))
        .filter(ticket::Column::Version.eq(c.version));
    // The resolution clock: moved by a new priority, paused and resumed by `pending`.
    let mut clock = Clock::of(t);
    let mut changes: Vec<TicketChange> = Vec::new();
    if let Some(status) = c.status
        && status != t.status
    {
        let closed_at = (status == Status::Closed).then_some(now);
        update = update
            .col_expr(ticket::Column::Status, Expr::value(status))
            .col_expr(ticket::Column::ClosedAt, Expr::value(closed_at));
        changes.push(TicketChange::Status {
            from: t.status,
            to: status,
        });
    }
    if let Some(priority) = c.priority
        && priority != t.priority
    {
        let (first, resolve) = targets::current(state).await?.targets_ms(priority);
        update = update
            .col_expr(ticket::Column::Priority, Expr::value(priority))
            .col_expr(ticket::Column::PriorityRank, Expr::value(priority.rank()))
            .col_expr(
                ticket::Column::FirstResponseDue,
                Expr::value(t.created_at + first),
            );
        clock = clock.retarget(t.created_at, resolve);
        if c.keep_sla_flags {
            clock.notified = t.sla_notified;
        }
        changes.push(TicketChange::Priority {
            from: t.priority,
            to: priority,
        });
    }
    if let Some(assignee) = c.assignee_id
        && assignee != t.assignee_id
    {
        update = update.col_expr(ticket::Column::AssigneeId, Expr::value(assignee));
        let to_name = match assignee {
            Some(id) => Some(user_name(state, id).await?),
            None => None,
        };
        changes.push(TicketChange::Assignee {
            from: t.assignee_id,
            to: assignee,
            to_name,
        });
    }
    if let Some(team_id) = c.team_id
        && team_id != t.team_id
    {
        update = update.col_expr(ticket::Column::TeamId, Expr::value(team_id));
        let to_name = match team_id {
            Some(id) => team::Entity::find_by_id(id)
                .one(&state.db)
                .await?
                .map(|t| t.name),
            None => None,
        };
        changes.push(TicketChange::Team {
            from: t.team_id,
            to: team_id,
            to_name,
        });
    }
    if let Some(tags) = tags {
        let json = serde_json::to_string(&tags).map_err(anyhow::Error::from)?;
        if json != t.tags {
            update = update.col_expr(ticket::Column::Tags, Expr::value(json.clone()));
            changes.push(TicketChange::Tags {
                from: t.tags.clone(),
                to: json,
                tags,
            });
        }
    }
    if let Some(status) = c.status {
        clock = clock.on_status(status, now);
        if t.status == Status::Closed && status != Status::Closed {
            clock = clock.reopened(t.closed_at, now);
        }
    }
    if clock != Clock::of(t) {
        update = update
            .col_expr(
                ticket::Column::ResolutionDue,
                Expr::value(clock.resolution_due),
            )
            .col_expr(
                ticket::Column::PendingSince,
                Expr::value(clock.pending_since),
            )
            .col_expr(ticket::Column::SlaPausedMs, Expr::value(clock.paused_ms))
            .col_expr(ticket::Column::SlaNotified, Expr::value(clock.notified));
    }

    let txn = state.db.begin().await?;
    if let Some(guard) = guard
        && guard.exec(&txn).await?.rows_affected == 0
    {
        txn.rollback().await?;
        return Ok(Applied::Lost);
    }
    let res = update.exec(&txn).await?;
    if res.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(Applied::Lost);
    }
    let mut messages = Vec::new();
    for change in &changes {
        record(&txn, t.id, me.id, change).await?;
        audit_change(&txn, me, t, change).await?;
        let sentence = change.sentence(&actor, me.id);
        messages.push(system_message(&txn, t.conversation_id, me.id, &sentence).await?);
        // Closing an unrated ticket asks its requester for a rating (once: see `csat`).
        if matches!(
            change,
            TicketChange::Status {
                to: Status::Closed,
                ..
            }
        ) && !csat::is_rated(&txn, t.id).await?
        {
            messages.push(system_message(&txn, t.conversation_id, me.id, csat::INVITATION).await?);
        }
    }
    if let Some(Some(assignee)) = c.assignee_id {
        store::upsert_member(&txn, t.conversation_id, assignee, 0).await?;
    }
    let updated = ticket::Entity::find_by_id(t.id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let hook = Event::ticket(EventType::TicketUpdated, &updated, now, None);
    crate::webhooks::outbox::queue(&txn, &[hook], now).await?;
    txn.commit().await?;
    state.webhooks.wake.notify_one();

    // Who hears the ticket may have changed: every node drops what it cached.
    forget_conversation(state, t.conversation_id).await;
    let view = render_one(&state.db, &updated).await?;
    let facts = state.audiences.facts(&state.db, t.conversation_id).await?;
    let new_audience = facts.audience.clone();
    let everyone: Vec<i64> = old_audience
        .iter()
        .chain(new_audience.iter())
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    publish_ticket(state, &everyone, &view).await;
    for m in &messages {
        publish_message(state, &facts, m, None).await;
    }
    notify_changes(state, me.id, &actor, &updated, &changes).await?;
    Ok(Applied::Done(Box::new(view)))
}

/// Tells everyone who sees a ticket its current state (after a change made elsewhere, such
/// as the first-response stamp of the message writer).
pub async fn announce(state: &AppState, ticket_id: i64) -> AppResult<()> {
    let Some(t) = ticket::Entity::find_by_id(ticket_id).one(&state.db).await? else {
        return Ok(());
    };
    let view = render_one(&state.db, &t).await?;
    let audience = state.audiences.ticket_audience(&state.db, &t).await?;
    publish_ticket(state, &audience, &view).await;
    Ok(())
}

/// The requester wrote on a `pending` or `closed` ticket: it is `open` again and its resolution
/// clock runs, the time it spent paused or closed added to its due time (called after the
/// message writer committed the message). Conditional on the version read, like a PATCH, so a
/// change made at the same moment is never overwritten.
pub async fn customer_replied(state: &AppState, ticket_id: i64) -> AppResult<()> {
    for _ in 0..3 {
        let Some(t) = ticket::Entity::find_by_id(ticket_id).one(&state.db).await? else {
            return Ok(());
        };
        if !matches!(t.status, Status::Pending | Status::Closed) {
            return Ok(());
        }
        let now = now_ms();
        let clock = Clock::of(&t)
            .on_status(Status::Open, now)
            .reopened(t.closed_at, now);
        let txn = state.db.begin().await?;
        let res = ticket::Entity::update_many()
            .col_expr(ticket::Column::Status, Expr::value(Status::Open))
            .col_expr(ticket::Column::ClosedAt, Expr::value(Option::<i64>::None))
            .col_expr(
                ticket::Column::Version,
                Expr::col(ticket::Column::Version).add(1),
            )
            .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
            .col_expr(
                ticket::Column::ResolutionDue,
                Expr::value(clock.resolution_due),
            )
            .col_expr(
                ticket::Column::PendingSince,
                Expr::value(clock.pending_since),
            )
            .col_expr(ticket::Column::SlaPausedMs, Expr::value(clock.paused_ms))
            .col_expr(ticket::Column::SlaNotified, Expr::value(clock.notified))
            .filter(ticket::Column::Id.eq(t.id))
            .filter(ticket::Column::Version.eq(t.version))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            txn.rollback().await?;
            continue;
        }
        let who = user_name(state, t.requester_id).await?;
        let reopened = TicketChange::Status {
            from: t.status,
            to: Status::Open,
        };
        record(&txn, t.id, t.requester_id, &reopened).await?;
        // In the requester's name: their reply reopened it (no request address: the message
        // came through the writer).
        let by = Actor {
            id: t.requester_id,
            name: who.clone(),
            ip: None,
        };
        audit_change(&txn, &by, &t, &reopened).await?;
        let sentence = format!("{who} replied: the ticket is open again");
        let message = system_message(&txn, t.conversation_id, t.requester_id, &sentence).await?;
        let updated = ticket::Entity::find_by_id(t.id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        let hook = Event::ticket(EventType::TicketUpdated, &updated, now, None);
        crate::webhooks::outbox::queue(&txn, &[hook], now).await?;
        txn.commit().await?;
        state.webhooks.wake.notify_one();

        forget_conversation(state, t.conversation_id).await;
        let view = render_one(&state.db, &updated).await?;
        let facts = state.audiences.facts(&state.db, t.conversation_id).await?;
        publish_ticket(state, &facts.audience, &view).await;
        publish_message(state, &facts, &message, None).await;
        return Ok(());
    }
    Ok(())
}

/// Sends each change's notification ([`TicketChange::notice`]).
async fn notify_changes(
    state: &AppState,
    me: i64,
    actor: &str,
    after: &ticket::Model,
    changes: &[TicketChange],
) -> AppResult<()> {
    let seen = After {
        number: after.number,
        subject: &after.subject,
        requester_id: after.requester_id,
        assignee_id: after.assignee_id,
    };
    for change in changes {
        let Some(notice) = change.notice(me, &seen) else {
            continue;
        };
        let to: Vec<i64> = match notice.to {
            Recipients::Users(ids) => ids,
            Recipients::Team(team_id) => team_member::Entity::find()
                .filter(team_member::Column::TeamId.eq(team_id))
                .all(&state.db)
                .await?
                .into_iter()
                .map(|m| m.user_id)
                .filter(|&id| id != me)
                .collect(),
        };
        let body = change.sentence(actor, me);
        let notice = Notice {
            kind: notice.kind,
            title: notice.title,
            body,
            ticket_id: Some(after.id),
            conversation_id: Some(after.conversation_id),
        };
        notify(state, &to, notice).await?;
    }
    Ok(())
}

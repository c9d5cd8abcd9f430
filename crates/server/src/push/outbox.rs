//! The push outbox: one `push_deliveries` row per (push, subscription), inserted in the
//! transaction of the change it announces, so the change and its pushes commit together or not
//! at all.
//!
//! Who gets one: the recipient of a pushed notification (`ticket_reply`, `mention`,
//! `ticket_assigned`), of a message in a direct conversation (everyone in it but the sender) or
//! of a call (`call`, queued by `calls::service::invite`), when they have no open socket at that
//! moment; or, later, when they had one but left a message unread (`push::nudge`, through
//! `queue_devices`). "Open socket" is `Realtime::is_online`: this
//! node's connections plus, with Redis, every other live node's (the cluster-wide presence the
//! contacts list shows). Someone connected sees the message live and gets no push; a message
//! that arrives while their socket is still closing may reach them both ways.
//!
//! A conversation the user muted (`push_mutes`) pushes no messages nor replies; mentions,
//! assignments and calls in it still do. Quiet hours (`push::quiet`) are applied by the worker,
//! at send time.
//!
//! Internal notes are never pushed as messages: a note only pushes through a `mention`, and only
//! staff can be mentioned (`chat::mentions`).

use std::collections::{BTreeSet, HashMap};

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Set,
};

use crate::chat::audience::ConversationFacts;
use crate::db::entities::{notification, push_delivery, push_mute, push_subscription, user};
use crate::domain::MessageKind;
use crate::error::AppResult;
use crate::notifications::truncate;
use crate::realtime::Realtime;

/// Kinds a muted conversation holds back.
const MUTABLE: [&str; 2] = ["message", "ticket_reply"];

/// Notification kinds that are also pushed.
pub const PUSHED_NOTICES: [&str; 3] = ["ticket_reply", "mention", "ticket_assigned"];

/// One push for one user, before it is fanned out to their devices.
pub struct Candidate {
    pub user_id: i64,
    pub kind: String,
    /// Empty when `from` is set: the sender's display name becomes the title.
    pub title: String,
    pub body: String,
    pub conversation_id: Option<i64>,
    pub ticket_id: Option<i64>,
    /// A direct message's sender.
    pub from: Option<i64>,
}

impl Candidate {
    /// The push for a stored notification, if its kind is pushed.
    pub fn notice(n: &notification::Model) -> Option<Candidate> {
        PUSHED_NOTICES
            .contains(&n.kind.as_str())
            .then(|| Candidate {
                user_id: n.user_id,
                kind: n.kind.clone(),
                title: n.title.clone(),
                body: truncate(&n.body, 200),
                conversation_id: n.conversation_id,
                ticket_id: n.ticket_id,
                from: None,
            })
    }

    /// The push of a direct message to one of the conversation's other members.
    pub fn direct(to: i64, from: i64, conversation_id: i64, body: &str) -> Candidate {
        Candidate {
            user_id: to,
            kind: "message".into(),
            title: String::new(),
            body: truncate(body, 200),
            conversation_id: Some(conversation_id),
            ticket_id: None,
            from: Some(from),
        }
    }
}

impl Candidate {
    /// The push of a ringing call to its callee: the caller's name as the title (from `from`),
    /// the media as the body. Nothing of the conversation's text: with hidden previews the
    /// title, too, becomes generic at send time.
    pub fn call(
        callee: i64,
        caller: i64,
        conversation_id: i64,
        ticket_id: Option<i64>,
        video: bool,
    ) -> Candidate {
        let body = if video {
            "Incoming video call"
        } else {
            "Incoming voice call"
        };
        Candidate {
            user_id: callee,
            kind: "call".into(),
            title: String::new(),
            body: body.into(),
            conversation_id: Some(conversation_id),
            ticket_id,
            from: Some(caller),
        }
    }
}

/// Who a message pushes to as a direct message: in a direct conversation, every member but
/// the sender, for text only (system messages, such as a call's record, push nothing). Ticket
/// messages push through their notifications instead (`Candidate::notice`).
pub fn direct_recipients(
    conversation: &ConversationFacts,
    sender_id: i64,
    kind: MessageKind,
) -> impl Iterator<Item = i64> + '_ {
    let pushed = conversation.is_direct() && kind == MessageKind::Text;
    conversation
        .members
        .iter()
        .copied()
        .filter(move |&id| pushed && id != sender_id)
}

/// Queues `candidates` for the devices of those of their users who are offline. Returns whether
/// anything was queued (then wake the worker after the commit). Reads nothing when everyone is
/// online; else one indexed read of their subscriptions, and one insert when there are any.
pub async fn queue(
    txn: &impl ConnectionTrait,
    realtime: &Realtime,
    candidates: Vec<Candidate>,
    now: i64,
) -> AppResult<bool> {
    let offline: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| !realtime.is_online(c.user_id))
        .collect();
    queue_devices(txn, offline, now).await
}

/// Queues `candidates` for their users' devices, connected or not (the unread nudges,
/// `push::nudge`, decide that themselves). Mutes apply here; quiet hours and hidden previews
/// when the worker sends.
pub async fn queue_devices(
    txn: &impl ConnectionTrait,
    wanted: Vec<Candidate>,
    now: i64,
) -> AppResult<bool> {
    if wanted.is_empty() {
        return Ok(false);
    }
    let users: BTreeSet<i64> = wanted.iter().map(|c| c.user_id).collect();
    // Rows read by column name, not position (`db::sqlite_writer`: this runs in the writer).
    let subs = push_subscription::Entity::find()
        .select_only()
        .column(push_subscription::Column::Id)
        .column(push_subscription::Column::UserId)
        .filter(push_subscription::Column::UserId.is_in(users))
        .into_model::<Device>()
        .all(txn)
        .await?;
    if subs.is_empty() {
        return Ok(false);
    }
    let mut devices: HashMap<i64, Vec<i64>> = HashMap::new();
    for Device { id, user_id } in subs {
        devices.entry(user_id).or_default().push(id);
    }
    let muted: BTreeSet<(i64, i64)> = push_mute::Entity::find()
        .filter(push_mute::Column::UserId.is_in(devices.keys().copied()))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| (m.user_id, m.conversation_id))
        .collect();
    let wanted: Vec<Candidate> = wanted
        .into_iter()
        .filter(|c| {
            !(MUTABLE.contains(&c.kind.as_str())
                && c.conversation_id
                    .is_some_and(|id| muted.contains(&(c.user_id, id))))
        })
        .collect();
    let senders: BTreeSet<i64> = wanted
        .iter()
        .filter(|c| devices.contains_key(&c.user_id))
        .filter_map(|c| c.from)
        .collect();
    let names: HashMap<i64, String> = if senders.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::DisplayName)
            .filter(user::Column::Id.is_in(senders))
            .into_model::<user::Name>()
            .all(txn)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect()
    };
    let mut rows = Vec::new();
    for c in &wanted {
        let Some(ids) = devices.get(&c.user_id) else {
            continue;
        };
        let title = match c.from {
            Some(from) => names
                .get(&from)
                .cloned()
                .unwrap_or_else(|| "New message".into()),
            None => c.title.clone(),
        };
        for &subscription_id in ids {
            rows.push(push_delivery::ActiveModel {
                subscription_id: Set(subscription_id),
                user_id: Set(c.user_id),
                kind: Set(c.kind.clone()),
                title: Set(truncate(&title, 255)),
                body: Set(c.body.clone()),
                conversation_id: Set(c.conversation_id),
                ticket_id: Set(c.ticket_id),
                attempts: Set(0),
                next_attempt_at: Set(now),
                lease_until: Set(0),
                last_error: Set(None),
                created_at: Set(now),
                ..Default::default()
            });
        }
    }
    if rows.is_empty() {
        return Ok(false);
    }
    push_delivery::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(true)
}

/// A push subscription's id and owner.
#[derive(FromQueryResult)]
struct Device {
    id: i64,
    user_id: i64,
}

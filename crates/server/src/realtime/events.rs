//! Every WebSocket frame, in one place: what clients send, what the server sends, and the
//! envelopes that carry events between the services, the broker and the connections.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calls::Media;
use crate::calls::registry::EndReason;
use crate::calls::remote::Forwarded;
use crate::conversations::view::{ChangeView, MessageView};
use crate::domain::{ChangeKind, Role};
use crate::notifications::NotificationView;
use crate::social::view::{ContactView, FriendRequestView};
use crate::tickets::view::TicketView;

/// Frames a client sends. Part of the OpenAPI document's schemas (the app's types are
/// generated from it); docs/protocol.md's table is checked against it by a test.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    Auth {
        token: String,
        /// Positions to resume from, replayed before any live event: the race-free way to
        /// reconnect (a separate `resume` frame may follow live messages already delivered).
        #[serde(default)]
        resume: Option<HashMap<String, Position>>,
    },
    Send {
        conversation_id: i64,
        client_id: String,
        body: String,
        #[serde(default)]
        kind: Option<String>,
        #[serde(default)]
        attachment_ids: Vec<i64>,
        #[serde(default)]
        reply_to: Option<i64>,
    },
    Resume {
        positions: HashMap<String, Position>,
    },
    Typing {
        conversation_id: i64,
    },
    /// Staff on a ticket's conversation: "I am looking at it / writing in it / gone".
    Here {
        conversation_id: i64,
        activity: Activity,
    },
    Read {
        conversation_id: i64,
        seq: i64,
    },
    Ping {
        #[serde(default)]
        nonce: serde_json::Value,
    },
    /// Rings the conversation's other party (a ticket's requester or assignee; a direct
    /// conversation's other member) on all their devices.
    CallInvite {
        conversation_id: i64,
        media: Media,
    },
    /// The callee answers on this device; the first device to accept wins.
    CallAccept {
        call_id: String,
    },
    /// The callee refuses (from any of their devices).
    CallDecline {
        call_id: String,
    },
    /// The caller gives up before an answer.
    CallCancel {
        call_id: String,
    },
    /// A device in an answered call ends it (the caller's device on a ringing call: cancels).
    CallHangup {
        call_id: String,
    },
    /// WebRTC signalling (offer, answer, ICE candidate: any JSON the app chooses), relayed
    /// to the other device of the answered call only.
    CallSignal {
        call_id: String,
        data: serde_json::Value,
    },
}

/// Where a client stands in a conversation: the last message seq it has, or that and the last
/// change (edit, deletion, reaction) it has. With only a seq, changes are not replayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Position {
    Seq(i64),
    Both {
        seq: i64,
        #[serde(default)]
        change: Option<i64>,
    },
}

impl Position {
    pub fn seq(self) -> i64 {
        match self {
            Position::Seq(seq) | Position::Both { seq, .. } => seq,
        }
    }

    pub fn change(self) -> Option<i64> {
        match self {
            Position::Seq(_) => None,
            Position::Both { change, .. } => change,
        }
    }

    pub fn is_valid(self) -> bool {
        self.seq() >= 0 && self.change().is_none_or(|c| c >= 0)
    }
}

/// What a staff member is doing on a ticket (`here` frames).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    Viewing,
    Replying,
    Left,
}

/// Frames the server sends, every one of them: built here and nowhere else. Like
/// [`ClientFrame`], in the OpenAPI schemas and checked against docs/protocol.md.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame<'a> {
    Ready {
        user_id: i64,
        connection_id: String,
    },
    Ack {
        client_id: &'a str,
        message: &'a MessageView,
    },
    Message {
        message: &'a MessageView,
    },
    Resumed {
        conversation_id: i64,
        last_seq: i64,
        /// The last change replayed or known (only when the position asked for changes).
        #[serde(skip_serializing_if = "Option::is_none")]
        last_change: Option<i64>,
    },
    /// A message was edited (to the message's audience: a note's changes reach staff only).
    MessageUpdated {
        change: &'a ChangeView,
    },
    /// A message was deleted: its body and attachments are gone, its seq stays.
    MessageDeleted {
        change: &'a ChangeView,
    },
    /// A reaction was added or removed.
    Reaction {
        change: &'a ChangeView,
    },
    Typing {
        conversation_id: i64,
        user_id: i64,
    },
    Read {
        conversation_id: i64,
        user_id: i64,
        seq: i64,
    },
    /// Your own read position moved (on any of your devices): the unread count left in that
    /// conversation, counted up to `last_seq`. To the reader's connections only.
    Unread {
        conversation_id: i64,
        last_seq: i64,
        last_read_seq: i64,
        unread_count: i64,
    },
    Presence {
        user_id: i64,
        online: bool,
    },
    /// Another staff member's activity on a ticket's conversation (to staff only).
    Here {
        conversation_id: i64,
        user_id: i64,
        display_name: &'a str,
        activity: Activity,
    },
    Pong {
        nonce: &'a serde_json::Value,
    },
    Error {
        code: &'a str,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        client_id: Option<&'a str>,
    },
    /// The user's own role or team memberships changed (an admin did it): the app switches
    /// screens at once instead of at the next sign-in.
    AccountUpdated {
        role: Role,
        team_ids: Vec<i64>,
    },
    /// A ticket was created or changed (to its audience; a customer's copy has no `sla`).
    Ticket {
        ticket: &'a TicketView,
    },
    /// A stored notification for its user.
    Notification {
        notification: &'a NotificationView,
    },
    /// A friend request was sent, accepted or declined (to both sides).
    FriendRequest {
        request: &'a FriendRequestView,
    },
    /// Two users became contacts (to each of them, about the other).
    Contact {
        contact: &'a ContactView,
    },
    /// To the inviting device: the callee's devices are ringing.
    CallRinging {
        call_id: &'a str,
        conversation_id: i64,
        media: Media,
        callee_id: i64,
    },
    /// To every device of the callee: someone calls.
    CallIncoming {
        call_id: &'a str,
        conversation_id: i64,
        media: Media,
        caller_id: i64,
        caller_name: &'a str,
    },
    /// To the caller's device and the callee's answering device: the call is on; the caller
    /// sends its offer.
    CallAccepted {
        call_id: &'a str,
        conversation_id: i64,
    },
    /// To the inviting device: the callee is in another call (nothing rang).
    CallBusy {
        conversation_id: i64,
        user_id: i64,
    },
    /// The call is over for this device (`duration_secs` once it had been answered).
    CallEnded {
        call_id: &'a str,
        conversation_id: i64,
        reason: EndReason,
        #[serde(skip_serializing_if = "Option::is_none")]
        duration_secs: Option<u64>,
    },
    /// Signalling from the other device of the call, as it sent it.
    CallSignal {
        call_id: &'a str,
        data: &'a serde_json::Value,
    },
}

impl<'a> ServerFrame<'a> {
    /// The frame that carries a change, by its kind.
    pub fn change(change: &'a ChangeView) -> Self {
        match change.kind {
            ChangeKind::Edited => ServerFrame::MessageUpdated { change },
            ChangeKind::Deleted => ServerFrame::MessageDeleted { change },
            ChangeKind::ReactionAdded | ChangeKind::ReactionRemoved => {
                ServerFrame::Reaction { change }
            }
        }
    }

    pub fn encode(&self) -> Arc<str> {
        serde_json::to_string(self)
            .expect("server frames always serialise")
            .into()
    }
}

/// What kind of event an envelope carries; decides ordering and what may be shed under load.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum EventKind {
    /// A stored message: delivered in seq order, never shed.
    Message { conversation_id: i64, seq: i64 },
    /// A change of a stored message: delivered in change order, never shed.
    Change {
        conversation_id: i64,
        change_seq: i64,
    },
    /// Must be delivered (ticket changes, notifications, read positions, social events).
    Important,
    /// May be dropped when a connection's queue is nearly full (typing, presence).
    Volatile,
}

/// One event on its way to a set of users, encoded once and shared by every recipient.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Envelope {
    /// Shared, not copied: a large room's audience is one allocation for every message.
    pub to: Arc<[i64]>,
    /// Of these, who gets it only if staff (internal notes). Empty: everyone in `to`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub staff_only: bool,
    /// The connection that caused the event and gets an `ack` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub except_connection: Option<String>,
    pub kind: EventKind,
    pub payload: Arc<str>,
}

impl Envelope {
    /// An event for everyone in `to`.
    pub fn new(to: impl Into<Arc<[i64]>>, kind: EventKind, payload: impl Into<Arc<str>>) -> Self {
        Self {
            to: to.into(),
            staff_only: false,
            except_connection: None,
            kind,
            payload: payload.into(),
        }
    }

    /// The same, for the staff in `to` only.
    pub fn staff(to: impl Into<Arc<[i64]>>, kind: EventKind, payload: impl Into<Arc<str>>) -> Self {
        Self {
            staff_only: true,
            ..Self::new(to, kind, payload)
        }
    }
}

/// Instructions to connections, carried by the same broker as events.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "c", rename_all = "snake_case")]
pub enum Control {
    /// Close the user's connections of this session (or all of them when `None`) with 4401.
    SessionRevoked {
        user_id: i64,
        session_id: Option<String>,
    },
    /// The user's role or name changed: drop their cached sessions (sockets stay open).
    UserChanged { user_id: i64 },
    /// Drop cached audiences: of one conversation, or all of them when `None`.
    Invalidate { conversation_id: Option<i64> },
    /// A webhook endpoint was added, changed or removed: reload the in-memory subscribers.
    WebhooksChanged,
    /// The desk's SLA settings changed: drop the copy in memory (`tickets::targets`).
    SlaChanged,
    /// A user's push devices changed: whether they have any now (`push::nudge::Owners`).
    PushDevices { user_id: i64, any: bool },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum BrokerItem {
    Event(Envelope),
    Control(Control),
    /// A user's first connection opened (or last closed) on `node`: other nodes keep a map of
    /// who is online where, so presence is cluster-wide.
    NodePresence {
        node: String,
        user_id: i64,
        online: bool,
    },
    /// `node` could not publish some events (Redis failed every retry): other nodes ask their
    /// clients to resume from the database, as after their own subscription was lost.
    Resync {
        node: String,
    },
    /// A call frame for a user's connections on whichever nodes hold them: all of them, only
    /// `only`, or all but `except` (connection ids are unique in the cluster). Not a stored
    /// event: a device that misses it learns the call's end from the conversation's record.
    CallFrame {
        user_id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        only: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        except: Option<String>,
        payload: Arc<str>,
    },
    /// A device's call frame for the call's home node (`calls::remote`).
    CallForward(Forwarded),
}

//! The connections of this node, by user. Delivers envelopes to local connections without ever
//! waiting on a slow one: each connection has a bounded queue, and a connection whose queue is
//! full is told to close (1013) rather than slowing anyone else down.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};

use axum::extract::ws::Utf8Bytes;
use dashmap::DashMap;
use tokio::sync::{Notify, mpsc};

use super::close;
use super::events::{Control, Envelope, EventKind, Position};
use super::queue::Queue;
use crate::auth::sessions::Sessions;
use crate::calls::remote::Forwarded;
use crate::chat::audience::Audiences;
use crate::chat::recent::RecentMessages;
use crate::tickets::targets::SlaCache;

/// What the hub hands to a connection's writer. Kept to 24 bytes (a pointer each): the queue's
/// slots are this size.
#[derive(Debug)]
pub enum Outbound {
    /// One event, shared by every recipient: one allocation per event, not per connection.
    Event(Arc<QueuedEvent>),
    /// An `ack` for a message this connection sent: never shed, also advances the cursor.
    Ack(Box<QueuedAck>),
    /// Replay everything after these positions, then `resumed` for each.
    Resume(Box<[(i64, Position)]>),
    /// A WebSocket ping (every 30 s, queued by the reader, which owns the connection's timer).
    Ping,
    /// Close with this code once everything queued before it is written.
    Close(u16),
}

#[derive(Debug)]
pub struct QueuedEvent {
    pub kind: EventKind,
    pub payload: Utf8Bytes,
    /// When it was queued: the connections' writers measure how long it waited for them.
    pub queued_at: std::time::Instant,
}

impl QueuedEvent {
    pub fn new(kind: EventKind, payload: Utf8Bytes) -> Arc<Self> {
        Arc::new(Self {
            kind,
            payload,
            queued_at: std::time::Instant::now(),
        })
    }
}

#[derive(Debug)]
pub struct QueuedAck {
    pub conversation_id: i64,
    pub seq: i64,
    pub client_id: String,
    pub payload: Utf8Bytes,
}

/// Closes a connection at once, even when its queue is full or its socket is stuck. A `Notify`
/// and a flag rather than a `CancellationToken`: the token is a separate allocation (a tree
/// node) per connection, and nothing here needs child tokens.
#[derive(Default)]
pub struct Closer {
    code: AtomicU16,
    closed: AtomicBool,
    notify: Notify,
}

impl Closer {
    pub fn close(&self, code: u16) {
        let _ = self
            .code
            .compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst);
        self.closed.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub fn code(&self) -> u16 {
        self.code.load(Ordering::SeqCst)
    }

    pub async fn closed(&self) {
        loop {
            // Registered before the flag is read: a `close` in between still wakes this.
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.closed.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

/// A connection as the hub, its reader and its writer see it: one shared allocation (the
/// connection's identity, queue, closer and sends in flight), cloned as a pointer.
#[derive(Clone)]
pub struct ConnHandle(Arc<Conn>);

pub struct Conn {
    pub id: String,
    pub session_id: String,
    pub staff: bool,
    /// The writer's queue (`queue::Queue`: nothing allocated while it is empty).
    pub queue: Queue<Outbound>,
    pub closer: Closer,
    /// Client ids this connection sent whose `ack` is not written yet: a gap fill must not hand
    /// the sender its own message as `message` before its `ack`.
    pub in_flight: InFlight,
}

impl ConnHandle {
    pub fn new(id: String, session_id: String, staff: bool, queue_capacity: usize) -> Self {
        Self(Arc::new(Conn {
            id,
            session_id,
            staff,
            queue: Queue::new(queue_capacity),
            closer: Closer::default(),
            in_flight: InFlight::default(),
        }))
    }
}

impl std::ops::Deref for ConnHandle {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        &self.0
    }
}

pub type InFlight = std::sync::Mutex<std::collections::HashSet<String>>;

/// Whether a stored message is one this connection is still to ack.
pub fn is_in_flight(in_flight: &InFlight, user_id: i64, sender_id: i64, client_id: &str) -> bool {
    sender_id == user_id
        && in_flight
            .lock()
            .map(|set| set.contains(client_id))
            .unwrap_or(false)
}

pub fn set_in_flight(in_flight: &InFlight, client_id: &str, pending: bool) {
    if let Ok(mut set) = in_flight.lock() {
        if pending {
            set.insert(client_id.to_string());
        } else {
            set.remove(client_id);
        }
    }
}

pub struct Hub {
    conns: DashMap<i64, Vec<ConnHandle>>,
    /// The node's cached audiences, dropped by `Control::Invalidate` from any node.
    audiences: Arc<Audiences>,
    /// The node's cached sessions, dropped by `SessionRevoked` and `UserChanged`.
    sessions: Arc<Sessions>,
    /// The node's recent messages: a conversation's ring is dropped when one of its messages
    /// changes (whichever node stored the change).
    recent: Arc<RecentMessages>,
    /// Woken by `Control::WebhooksChanged`: the node's webhook subscribers are read again
    /// (`webhooks::subscribers`).
    pub webhooks_changed: Arc<tokio::sync::Notify>,
    /// The node's SLA settings, dropped by `SlaChanged` from any node.
    sla: Arc<SlaCache>,
    /// Who has push devices, kept by `PushDevices` from any node (`push::nudge`).
    pub push_owners: Arc<crate::push::nudge::Owners>,
    node_prefix: String,
    /// Where call frames forwarded to this node (the call's home) go: `calls::remote::serve`.
    call_inbox: std::sync::OnceLock<mpsc::UnboundedSender<Forwarded>>,
    next_id: AtomicU64,
    max_per_user: usize,
    pub queue_capacity: usize,
}

/// Registering more connections than the per-user cap.
#[derive(Debug)]
pub struct TooManyConnections;

impl Hub {
    pub fn new(
        node_id: &str,
        max_per_user: usize,
        queue_capacity: usize,
        audiences: Arc<Audiences>,
        sessions: Arc<Sessions>,
        recent: Arc<RecentMessages>,
        sla: Arc<SlaCache>,
    ) -> Self {
        Self {
            conns: DashMap::new(),
            audiences,
            sessions,
            recent,
            webhooks_changed: Arc::new(tokio::sync::Notify::new()),
            sla,
            push_owners: Default::default(),
            node_prefix: node_id.to_string(),
            call_inbox: Default::default(),
            next_id: AtomicU64::new(1),
            max_per_user,
            queue_capacity,
        }
    }

    pub fn new_connection_id(&self) -> String {
        format!(
            "{}-{}",
            self.node_prefix,
            self.next_id.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Adds a connection; `Ok(true)` when it is the user's first on this node.
    pub fn register(&self, user_id: i64, handle: ConnHandle) -> Result<bool, TooManyConnections> {
        let mut entry = self.conns.entry(user_id).or_default();
        if entry.len() >= self.max_per_user {
            return Err(TooManyConnections);
        }
        entry.push(handle);
        Ok(entry.len() == 1)
    }

    /// Removes a connection; `true` when it was the user's last on this node.
    pub fn unregister(&self, user_id: i64, conn_id: &str) -> bool {
        let mut last = false;
        self.conns.remove_if_mut(&user_id, |_, list| {
            list.retain(|c| c.id != conn_id);
            last = list.is_empty();
            last
        });
        last
    }

    pub fn is_online_here(&self, user_id: i64) -> bool {
        self.conns.get(&user_id).is_some_and(|l| !l.is_empty())
    }

    pub fn connection_count(&self) -> usize {
        self.conns.iter().map(|e| e.value().len()).sum()
    }

    pub fn deliver(&self, env: &Envelope) {
        if let EventKind::Change {
            conversation_id, ..
        } = env.kind
        {
            self.recent.forget(conversation_id);
        }
        // Encoded once per node; every recipient shares this one event.
        let event = QueuedEvent::new(
            env.kind.clone(),
            Utf8Bytes::from(env.payload.as_ref().to_owned()),
        );
        for user_id in env.to.iter() {
            let Some(list) = self.conns.get(user_id) else {
                continue;
            };
            for conn in list.iter() {
                if env.staff_only && !conn.staff {
                    continue;
                }
                if env.except_connection.as_deref() == Some(conn.id.as_str()) {
                    continue;
                }
                self.offer(conn, event.clone());
            }
        }
    }

    /// Where forwarded call frames go (set once at start-up).
    pub fn set_call_inbox(&self, inbox: mpsc::UnboundedSender<Forwarded>) {
        let _ = self.call_inbox.set(inbox);
    }

    /// A call frame forwarded by another node: handled here if this node is the call's home.
    pub fn forward_call(&self, forwarded: &Forwarded) {
        if forwarded.home != self.node_prefix {
            return;
        }
        if let Some(inbox) = self.call_inbox.get() {
            let _ = inbox.send(forwarded.clone());
        }
    }

    /// Whether a connection id is one of this node's (`<node>-<n>`).
    pub fn is_local_connection(&self, conn_id: &str) -> bool {
        conn_id
            .strip_prefix(self.node_prefix.as_str())
            .is_some_and(|rest| rest.starts_with('-'))
    }

    /// Sends a frame to this node's connections of one user: all of them, only `only`, or all
    /// but `except`. Calls use it (through `BrokerItem::CallFrame`): a relayed signal must reach
    /// one device, not every device of the user. Returns how many got it.
    pub fn send_local(
        &self,
        user_id: i64,
        only: Option<&str>,
        except: Option<&str>,
        payload: &str,
    ) -> usize {
        let Some(list) = self.conns.get(&user_id) else {
            return 0;
        };
        let event = QueuedEvent::new(EventKind::Important, Utf8Bytes::from(payload.to_owned()));
        let mut sent = 0;
        for conn in list.iter() {
            if only.is_some_and(|id| id != conn.id) || except == Some(conn.id.as_str()) {
                continue;
            }
            self.offer(conn, event.clone());
            sent += 1;
        }
        sent
    }

    /// Queues an event for one connection without waiting. Volatile events are shed when the
    /// queue is three-quarters full; anything else that doesn't fit closes the connection.
    pub fn offer(&self, conn: &ConnHandle, event: Arc<QueuedEvent>) {
        if event.kind == EventKind::Volatile {
            // A quarter of the queue stays free for what may not be shed.
            let keep_free = self.queue_capacity / 4;
            if conn
                .queue
                .try_send_leaving(Outbound::Event(event), keep_free)
                .is_err()
            {
                metrics::counter!("switchboard_ws_events_shed_total").increment(1);
            }
            return;
        }
        if conn.queue.try_send(Outbound::Event(event)).is_err() {
            // The client stopped reading. It loses nothing: it reconnects and resumes.
            metrics::counter!("switchboard_ws_slow_consumer_closed_total").increment(1);
            conn.closer.close(close::SLOW_CONSUMER);
        }
    }

    pub fn control(&self, control: &Control) {
        match control {
            Control::SessionRevoked {
                user_id,
                session_id,
            } => {
                self.sessions.forget(*user_id, session_id.as_deref());
                let Some(list) = self.conns.get(user_id) else {
                    return;
                };
                for conn in list.iter() {
                    if session_id.as_deref().is_none_or(|s| s == conn.session_id) {
                        conn.closer.close(close::UNAUTHORIZED);
                    }
                }
            }
            Control::UserChanged { user_id } => self.sessions.forget(*user_id, None),
            Control::Invalidate {
                conversation_id: Some(id),
            } => self.audiences.forget_conversation(*id),
            Control::Invalidate {
                conversation_id: None,
            } => self.audiences.forget_all(),
            Control::WebhooksChanged => self.webhooks_changed.notify_one(),
            Control::SlaChanged => self.sla.forget(),
            Control::PushDevices { user_id, any } => self.push_owners.set(*user_id, *any),
        }
    }

    /// Closes every connection at once with `code` (1012 after a broker outage: clients
    /// reconnect and resume, so nothing missed stays missed).
    pub fn close_all(&self, code: u16) {
        for entry in self.conns.iter() {
            for conn in entry.value() {
                conn.closer.close(code);
            }
        }
    }
}

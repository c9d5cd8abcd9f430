//! Real-time delivery: the WebSocket endpoint, the per-node hub of connections, and the broker
//! every event goes through.

pub mod broker;
pub mod close;
pub mod cursor;
pub mod events;
pub mod hub;
pub mod queue;
pub mod redis;
pub mod ws;

use std::sync::Arc;

use broker::Broker;
use events::{BrokerItem, Control, Envelope};
use hub::Hub;

#[derive(Clone)]
pub struct Realtime {
    pub hub: Arc<Hub>,
    broker: Arc<dyn Broker>,
    pub node_id: String,
}

impl Realtime {
    pub fn new(hub: Arc<Hub>, broker: Arc<dyn Broker>, node_id: String) -> Self {
        Self {
            hub,
            broker,
            node_id,
        }
    }

    /// Publishes an event. Call only after the transaction that caused it has committed.
    pub async fn publish(&self, env: Envelope) {
        if env.to.is_empty() {
            return;
        }
        metrics::counter!("switchboard_events_published_total").increment(1);
        self.broker.publish(BrokerItem::Event(env)).await;
    }

    pub async fn publish_control(&self, control: Control) {
        self.broker.publish(BrokerItem::Control(control)).await;
    }

    /// Marks a new call's users as in it on every node; `Err(user)` when one is in another call.
    pub async fn claim_call(&self, call_id: &str, users: [i64; 2]) -> Result<(), i64> {
        self.broker.claim_call(call_id, users).await
    }

    /// Frees an ended call's users on every node.
    pub async fn release_call(&self, call_id: &str, users: [i64; 2]) {
        self.broker.release_call(call_id, users).await
    }

    /// The call a user is in, ringing or answered, on any node (its id names its home).
    /// Only known with Redis; one node asks its own registry.
    pub async fn call_of(&self, user_id: i64) -> Option<String> {
        self.broker.call_of(user_id).await
    }

    /// Whether other nodes may exist.
    pub fn is_cluster(&self) -> bool {
        self.broker.is_cluster()
    }

    /// A call frame for a user's connections on every node (all, only `only`, or all but
    /// `except`). A frame for one connection of this node skips the broker.
    pub async fn send_call_frame(
        &self,
        user_id: i64,
        only: Option<&str>,
        except: Option<&str>,
        payload: &str,
    ) {
        if only.is_some_and(|c| self.hub.is_local_connection(c)) {
            self.hub.send_local(user_id, only, except, payload);
            return;
        }
        let item = BrokerItem::CallFrame {
            user_id,
            only: only.map(String::from),
            except: except.map(String::from),
            payload: payload.into(),
        };
        self.broker.publish(item).await;
    }

    /// Sends a device's call frame to the call's home node.
    pub async fn forward_call(&self, forwarded: crate::calls::remote::Forwarded) {
        self.broker
            .publish(BrokerItem::CallForward(forwarded))
            .await;
    }

    /// Whether the user has an open connection on any node.
    pub fn is_online(&self, user_id: i64) -> bool {
        self.hub.is_online_here(user_id) || self.broker.is_online_elsewhere(user_id)
    }

    /// Records that this node's first connection of a user opened (or its last closed).
    /// Returns whether the user's cluster-wide presence changed, i.e. whether to announce it.
    pub async fn node_presence(&self, user_id: i64, online: bool) -> bool {
        self.broker.node_presence(user_id, online).await;
        !self.broker.is_online_elsewhere(user_id)
    }
}

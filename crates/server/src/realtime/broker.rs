//! The one way events travel: services publish to the broker after their commit, and the broker
//! hands every item to the hub of every node. In-process here; Redis for several nodes.

use std::sync::Arc;

use super::events::BrokerItem;
use super::hub::Hub;

#[async_trait::async_trait]
pub trait Broker: Send + Sync {
    /// Hands `item` to every node (this one included). Never waits on a remote service for
    /// long: acks must depend only on the database.
    async fn publish(&self, item: BrokerItem);

    /// Whether another node has an open connection of this user.
    fn is_online_elsewhere(&self, _user_id: i64) -> bool {
        false
    }

    /// This node's first connection of a user opened, or its last one closed.
    async fn node_presence(&self, _user_id: i64, _online: bool) {}

    /// Marks both users of a new call as in it, cluster-wide, unless either is in another call
    /// (on any node): then `Err(that user)`. One node needs nothing: its registry checks.
    async fn claim_call(&self, _call_id: &str, _users: [i64; 2]) -> Result<(), i64> {
        Ok(())
    }

    /// The call is over: its users are free again on every node once this returns.
    async fn release_call(&self, _call_id: &str, _users: [i64; 2]) {}

    /// The call a user is in on any node (their claim), if any. One node: none here (its
    /// registry knows).
    async fn call_of(&self, _user_id: i64) -> Option<String> {
        None
    }

    /// Whether other nodes may exist (items reach them).
    fn is_cluster(&self) -> bool {
        false
    }
}

/// One node: publishing is delivering.
pub struct LocalBroker {
    hub: Arc<Hub>,
}

impl LocalBroker {
    pub fn new(hub: Arc<Hub>) -> Self {
        Self { hub }
    }
}

/// Hands an item that reached this node to its local connections.
pub fn dispatch(hub: &Hub, item: &BrokerItem) {
    match item {
        BrokerItem::Event(env) => hub.deliver(env),
        BrokerItem::Control(c) => hub.control(c),
        BrokerItem::CallFrame {
            user_id,
            only,
            except,
            payload,
        } => {
            hub.send_local(*user_id, only.as_deref(), except.as_deref(), payload);
        }
        BrokerItem::CallForward(forwarded) => hub.forward_call(forwarded),
        BrokerItem::NodePresence { .. } | BrokerItem::Resync { .. } => {}
    }
}

#[async_trait::async_trait]
impl Broker for LocalBroker {
    async fn publish(&self, item: BrokerItem) {
        dispatch(&self.hub, &item);
    }
}

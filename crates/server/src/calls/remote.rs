//! Calls across nodes. A call lives on its **home node**, the node of the caller's connection
//! that sent `call_invite`: its registry entry, its ring timer and the system messages it
//! records are there and nowhere else, so every rule of the state machine (first device wins,
//! one end, one record) holds as on one node, without shared state to keep consistent.
//!
//! - Frames *to* devices go through the broker as `BrokerItem::CallFrame`, addressed to a user
//!   and optionally one connection: each node hands it to its own connections (connection ids
//!   are `<node>-<n>`, unique in the cluster).
//! - Frames *from* a device whose node is not the call's home (a callee's device on another
//!   node) are forwarded to the home node as `BrokerItem::CallForward`; the home node handles
//!   them exactly as it handles its own connections' frames, one at a time in arrival order.
//! - The home node is in the call id (`<node>.<uuid>`), so a forwarded frame names its target.
//! - A device that answered a call homed elsewhere is remembered by its node, so that its
//!   disconnect is forwarded too and hangs the call up.
//! - A device that connects while its user is rung finds the call through the user's claim in
//!   Redis (`{prefix}:incall:{user}`, one GET per new connection) and asks the home node to
//!   ring it (`Action::Ring`).

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::service::{self, Device};
use crate::state::AppState;

/// A call frame of a device, as the home node handles it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "a", rename_all = "snake_case")]
pub enum Action {
    Accept {
        call_id: String,
    },
    Decline {
        call_id: String,
    },
    Cancel {
        call_id: String,
    },
    Hangup {
        call_id: String,
    },
    Signal {
        call_id: String,
        data: serde_json::Value,
    },
    /// The device's connection closed (it had answered this call).
    Disconnected {
        call_id: String,
    },
    /// The device just connected while its user is rung: ring it too.
    Ring {
        call_id: String,
    },
}

impl Action {
    pub fn call_id(&self) -> &str {
        match self {
            Action::Accept { call_id }
            | Action::Decline { call_id }
            | Action::Cancel { call_id }
            | Action::Hangup { call_id }
            | Action::Signal { call_id, .. }
            | Action::Disconnected { call_id }
            | Action::Ring { call_id } => call_id,
        }
    }
}

/// A device's frame on its way to the call's home node.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Forwarded {
    pub home: String,
    pub user_id: i64,
    pub conn_id: String,
    pub action: Action,
}

/// The node a call id names as its home (`None` for an id this server never made).
pub fn home_of(call_id: &str) -> Option<&str> {
    call_id.split_once('.').map(|(node, _)| node)
}

/// Handles, one by one and in arrival order, the frames other nodes forward to this one (so
/// a device's signals keep their order).
pub async fn serve(state: AppState, mut inbox: mpsc::UnboundedReceiver<Forwarded>) {
    while let Some(f) = inbox.recv().await {
        let device = Device {
            user_id: f.user_id,
            conn_id: &f.conn_id,
        };
        service::at_home(&state, device, &f.action).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_home_node_is_the_call_ids_prefix() {
        assert_eq!(home_of("1a2b3c4d.0f8e-uuid"), Some("1a2b3c4d"));
        assert_eq!(home_of("no-node-here"), None);
    }
}

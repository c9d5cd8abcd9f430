//! Calls: the signalling state machine over real sockets (who is rung, who wins the answer,
//! where signals go, how calls end) and what the conversation records; the ICE servers route.

use std::time::Duration;

use serde_json::{Value, json};

use switchboard::config::RawSettings;
use switchboard_test_support::{Backend, Desk, TestApp, WsClient, spawn_app_with};

mod ending;
mod ice;
mod rejoin;
mod ringing;

/// One test per database, on a server with `customise`d settings.
macro_rules! calls_test {
    ($name:ident, $customise:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                crate::calls::run(switchboard_test_support::Backend::Sqlite, $customise, $body)
                    .await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                crate::calls::run(
                    switchboard_test_support::Backend::Postgres,
                    $customise,
                    $body,
                )
                .await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() {
                crate::calls::run(switchboard_test_support::Backend::Mysql, $customise, $body)
                    .await;
            }
        }
    };
}
pub(crate) use calls_test;

pub async fn run<F, Fut>(backend: Backend, customise: fn(&mut RawSettings), body: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    if let Some(app) = spawn_app_with(backend, customise).await {
        body(app).await;
    }
}

/// The defaults (a 45 s ring).
pub fn defaults(_: &mut RawSettings) {}

/// Ana's ticket, assigned to Alice (agent of team A): `(desk, conversation id)`.
pub async fn assigned_ticket(app: &TestApp) -> (Desk, i64) {
    let d = app.desk().await;
    let t = app.open_ticket(&d.ana, "Printer on fire", "high").await;
    let (status, body) = app
        .change_ticket(&d.admin, t.id, json!({"assignee_id": d.agent_a.id}))
        .await;
    assert_eq!(status, 200, "{body}");
    (d, t.conversation_id)
}

pub fn invite(conversation_id: i64, media: &str) -> Value {
    json!({"type": "call_invite", "conversation_id": conversation_id, "media": media})
}

pub fn on(kind: &str, call_id: &str) -> Value {
    json!({"type": kind, "call_id": call_id})
}

/// The next frame about calls (`call_*` or `error`), skipping messages, presence and the rest.
pub async fn next_call_frame(ws: &mut WsClient) -> Value {
    loop {
        let f = ws.recv().await;
        let kind = f["type"].as_str().unwrap_or_default();
        if kind.starts_with("call_") || kind == "error" {
            return f;
        }
    }
}

/// The next call frame, which must be of `kind`.
pub async fn expect_call(ws: &mut WsClient, kind: &str) -> Value {
    let f = next_call_frame(ws).await;
    assert_eq!(f["type"], kind, "{f}");
    f
}

/// Every call frame queued for this connection so far: a `ping` goes behind them and its
/// `pong` marks the end (a frame sent to this connection earlier is queued before the pong).
/// The id of the call this caller's invite started (its `call_ringing`).
pub async fn ringing_call_id(ws: &mut WsClient) -> String {
    expect_call(ws, "call_ringing").await["call_id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub async fn call_frames_so_far(ws: &mut WsClient) -> Vec<Value> {
    let nonce = uuid::Uuid::new_v4().to_string();
    ws.send(json!({"type": "ping", "nonce": nonce})).await;
    let mut seen = Vec::new();
    loop {
        let f = ws.recv().await;
        if f["type"] == "pong" && f["nonce"] == nonce.as_str() {
            return seen;
        }
        let kind = f["type"].as_str().unwrap_or_default();
        if kind.starts_with("call_") {
            seen.push(f);
        }
    }
}

/// Waits for the live `message` whose body starts with `prefix` (published after its commit).
/// Use a connection of its own (a "watcher"): the call helpers above skip message frames.
pub async fn system_message(ws: &mut WsClient, prefix: &str) -> Value {
    loop {
        let f = ws.recv_type("message").await;
        let m = &f["message"];
        if m["kind"] == "system" && m["body"].as_str().unwrap_or_default().starts_with(prefix) {
            return m.clone();
        }
    }
}

/// The call system messages of a conversation's history, as `(seq, body)`, oldest first.
pub async fn call_history(
    app: &TestApp,
    who: &switchboard_test_support::TestUser,
    conversation_id: i64,
) -> Vec<(i64, String)> {
    app.messages(who, conversation_id, "limit=200")
        .await
        .into_iter()
        .filter(|m| m["kind"] == "system")
        .filter_map(|m| {
            let body = m["body"].as_str()?.to_string();
            (body.starts_with("call") || body == "missed call")
                .then(|| (m["seq"].as_i64().unwrap(), body))
        })
        .collect()
}

pub const SHORT: Duration = Duration::from_secs(1);

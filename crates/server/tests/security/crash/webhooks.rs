//! A webhook event committed just before a SIGKILL is delivered after the restart, once: the
//! delivery row was written in the change's transaction (the outbox), so the crash only
//! delays it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::post;
use serde_json::{Value, json};

use super::server::{PASSWORD, Server, free_port};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committed_webhook_event_is_delivered_after_sigkill() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("data")).unwrap();
    let mut server = Server::new(tmp.path(), &tmp.path().join("data/switchboard.db"));
    server.env = vec![
        ("SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE", "true".into()),
        ("SWITCHBOARD_WEBHOOK_RETRY_BASE_MS", "100".into()),
        ("SWITCHBOARD_WEBHOOK_POLL_MS", "100".into()),
        ("SWITCHBOARD_WEBHOOK_TIMEOUT_SECS", "2".into()),
    ];
    server.create_user("admin@example.com", "admin");
    assert!(server.start().await);
    let (admin, _) = server.login("admin@example.com").await;
    let client = reqwest::Client::new();

    // The receiver is down while the event is committed.
    let port = free_port();
    let hook: Value = client
        .post(server.url("/api/v1/admin/webhooks"))
        .bearer_auth(&admin)
        .json(&json!({"url": format!("http://127.0.0.1:{port}/hook"), "events": ["user.created"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hook_id = hook["webhook"]["id"].as_i64().expect("a webhook");
    let registered = client
        .post(server.url("/api/v1/auth/register"))
        .json(&json!({"email": "zoe@example.com", "display_name": "Zoe", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);
    server.kill();
    assert_eq!(server.integrity().await, "ok");

    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |body: String| async move {
            sink.lock().unwrap().push(body);
            axum::http::StatusCode::OK
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });

    assert!(server.start().await);
    let (admin, _) = server.login("admin@example.com").await;
    // The killed node may have claimed the row (and failed to reach the receiver) just before
    // the kill: its lease (3 × 2 s + 5 s) then has to run out first.
    for _ in 0..600 {
        if !got.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let bodies = got.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1, "delivered once: {bodies:?}");
    let event: Value = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(event["type"], "user.created");
    assert_eq!(event["data"]["user"]["email"], "zoe@example.com");
    let list: Value = client
        .get(server.url(&format!("/api/v1/admin/webhooks/{hook_id}/deliveries")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["items"][0]["status"], "delivered", "{list}");
    assert_eq!(list["items"][0]["event_id"], event["id"]);
}

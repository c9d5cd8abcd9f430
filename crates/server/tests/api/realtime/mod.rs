//! The delivery promises of the WebSocket: acks after commit, gapless seqs, exact resume,
//! idempotent sends (delivery.rs, resume.rs), presence, back-pressure and shutdown
//! (lifecycle.rs); here, the socket's gate: authentication, origin, rate and connection caps,
//! token expiry, and the documented answer to every bad frame.

use std::time::Duration;

use futures::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use switchboard_test_support::db_test;
use switchboard_test_support::send_frame;
use switchboard_test_support::{TestApp, WsClient};

mod delivery;
mod lifecycle;
mod resume;

async fn collect_messages(ws: &mut WsClient, n: usize) -> Vec<(i64, i64)> {
    let mut order = Vec::new();
    while order.len() < n {
        let f = ws
            .try_recv(Duration::from_secs(60))
            .await
            .expect("a frame within 60 s");
        if f["type"] == "message" {
            order.push((
                f["message"]["seq"].as_i64().unwrap(),
                f["message"]["id"].as_i64().unwrap(),
            ));
        }
    }
    order
}

async fn stored_count(app: &TestApp, conversation_id: i64) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use switchboard::db::entities::message;
    message::Entity::find()
        .filter(message::Column::ConversationId.eq(conversation_id))
        .count(&app.state.db)
        .await
        .unwrap()
}

db_test!(
    bad_frames_get_documented_answers,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
        let outsider = app.register("Eve").await;
        let mut ws = app.ws(&agent).await;
        ws.stream.send(Message::Text("{nope".into())).await.unwrap();
        assert_eq!(ws.recv().await["code"], "invalid_json");
        ws.send(json!({"type": "dance"})).await;
        assert_eq!(ws.recv().await["code"], "invalid_frame");
        ws.send(json!({"type": "send", "conversation_id": conv}))
            .await;
        assert_eq!(ws.recv().await["code"], "invalid_frame");
        let (client_id, mut frame) = send_frame(conv, "");
        frame["body"] = json!("");
        ws.send(frame).await;
        let err = ws.recv().await;
        assert_eq!(
            (err["code"].as_str(), err["client_id"].as_str()),
            (Some("validation_failed"), Some(client_id.as_str()))
        );
        ws.send(json!({"type": "ping", "nonce": 42})).await;
        assert_eq!(ws.recv().await, json!({"type": "pong", "nonce": 42}));

        // Not a member: forbidden, and nothing is stored.
        let mut eve = app.ws(&outsider).await;
        let (client_id, frame) = send_frame(conv, "let me in");
        eve.send(frame).await;
        let err = eve.recv().await;
        assert_eq!(
            (err["code"].as_str(), err["client_id"].as_str()),
            (Some("forbidden"), Some(client_id.as_str()))
        );
        assert_eq!(stored_count(&app, conv).await, 0);
        let (status, _) = app.send(&outsider, conv, "over REST").await;
        assert_eq!(status, 404, "REST answers 404: no existence oracle");

        // The connection survived all that.
        let (_, frame) = send_frame(conv, "still here");
        ws.send(frame).await;
        assert_eq!(ws.recv_type("ack").await["message"]["seq"], 1);

        // Over 64 KiB: closed with 1009.
        let huge = "x".repeat(70 * 1024);
        ws.stream
            .send(Message::Text(
                json!({"type": "ping", "nonce": huge}).to_string().into(),
            ))
            .await
            .unwrap();
        assert_eq!(ws.closed_with().await, Some(1009));
        let _ = ana;
    }
);

db_test!(
    authentication_is_required_first_and_enforced,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let mut ws = app.ws_raw().await;
        ws.send(json!({"type": "auth", "token": "forged"})).await;
        assert_eq!(ws.closed_with().await, Some(4401));

        let mut ws = app.ws_raw().await;
        ws.send(json!({"type": "ping", "nonce": 1})).await;
        assert_eq!(
            ws.closed_with().await,
            Some(4401),
            "the first frame must be auth"
        );

        // Logging out closes the session's sockets with 4401.
        let mut ws = app.ws(&ana).await;
        app.post(
            "/api/v1/auth/logout",
            None,
            json!({"refresh_token": ana.refresh}),
        )
        .await;
        assert_eq!(ws.closed_with().await, Some(4401));
    }
);

#[tokio::test]
async fn no_auth_frame_in_time_closes_with_4408() {
    let app =
        switchboard_test_support::spawn_app_with(switchboard_test_support::Backend::Sqlite, |s| {
            s.ws_auth_timeout_secs = 1
        })
        .await
        .unwrap();
    let mut ws = app.ws_raw().await;
    assert_eq!(ws.closed_with().await, Some(4408));
}

#[tokio::test]
async fn a_foreign_origin_is_refused_before_the_upgrade() {
    let app = switchboard_test_support::spawn_app(switchboard_test_support::Backend::Sqlite).await;
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        app.ws_url.as_str(),
    )
    .unwrap();
    req.headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 403),
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        app.ws_url.as_str(),
    )
    .unwrap();
    let own = app.address.clone();
    req.headers_mut().insert("origin", own.parse().unwrap());
    assert!(
        tokio_tungstenite::connect_async(req).await.is_ok(),
        "the server's own origin is allowed"
    );
}

#[tokio::test]
async fn sends_over_the_rate_and_connections_over_the_cap_are_refused() {
    let app =
        switchboard_test_support::spawn_app_with(switchboard_test_support::Backend::Sqlite, |s| {
            s.ws_messages_per_second = 5;
            s.ws_max_connections_per_user = 2;
        })
        .await
        .unwrap();
    let (agent, _ana, conv) = app.agent_and_customer().await;
    let mut ws = app.ws(&agent).await;
    for i in 0..30 {
        ws.send(json!({"type": "typing", "conversation_id": conv}))
            .await;
        let _ = i;
    }
    let (_, frame) = send_frame(conv, "one too many");
    ws.send(frame).await;
    let mut limited = false;
    for _ in 0..30 {
        let f = ws.recv().await;
        if f["type"] == "error" && f["code"] == "rate_limited" {
            limited = true;
            break;
        }
    }
    assert!(limited);
    let _second = app.ws(&agent).await;
    let mut third = app.ws_raw().await;
    third
        .send(json!({"type": "auth", "token": agent.token}))
        .await;
    assert_eq!(third.closed_with().await, Some(1008));
}

#[tokio::test]
async fn an_expired_token_closes_the_socket_unless_renewed() {
    let app =
        switchboard_test_support::spawn_app_with(switchboard_test_support::Backend::Sqlite, |s| {
            s.access_token_ttl_secs = 2
        })
        .await
        .unwrap();
    let ana = app.register("Ana").await;
    // Renewed in time with a fresh token: the connection lives past the first expiry.
    let mut renewed = app.ws(&ana).await;
    let mut lapsing = app.ws(&ana).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (_, fresh) = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": ana.refresh}),
        )
        .await;
    renewed
        .send(json!({"type": "auth", "token": fresh["access_token"]}))
        .await;
    assert_eq!(
        lapsing.closed_with().await,
        Some(4401),
        "un-renewed: closed at expiry"
    );
    renewed.send(json!({"type": "ping", "nonce": 7})).await;
    assert_eq!(
        renewed.recv_type("pong").await["nonce"],
        7,
        "renewed: still open"
    );
}

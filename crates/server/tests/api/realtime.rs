//! The delivery promises: acks after commit, gapless seqs, exact resume, idempotent sends,
//! and the documented answer to every bad frame.

use std::collections::BTreeSet;
use std::time::Duration;

use futures::SinkExt;
use serde_json::{Value, json};
use switchboard::domain::Role;
use tokio_tungstenite::tungstenite::Message;

use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, TestUser, WsClient};

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

fn send_frame(conversation_id: i64, body: &str) -> (String, Value) {
    let client_id = uuid::Uuid::new_v4().to_string();
    let frame = json!({"type": "send", "conversation_id": conversation_id, "client_id": client_id, "body": body});
    (client_id, frame)
}

async fn pair(app: &TestApp) -> (TestUser, TestUser, i64) {
    let agent = app.user_with_role("Agent", Role::Agent).await;
    let ana = app.register("Ana").await;
    let conv = app.direct(&agent, &ana).await;
    (agent, ana, conv)
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
    messages_reach_every_member_connection_and_no_one_else,
    |app: TestApp| async move {
        let (agent, ana, conv) = pair(&app).await;
        let outsider = app.register("Eve").await;
        let mut agent_ws = app.ws(&agent).await;
        let mut ana_phone = app.ws(&ana).await;
        let mut ana_laptop = app.ws(&ana).await;
        let mut eve_ws = app.ws(&outsider).await;

        let (client_id, frame) = send_frame(conv, "hello Ana");
        agent_ws.send(frame).await;
        let ack = agent_ws.recv_type("ack").await;
        assert_eq!(ack["client_id"], client_id.as_str());
        assert_eq!(ack["message"]["seq"], 1);
        assert_eq!(ack["message"]["body"], "hello Ana");
        for ws in [&mut ana_phone, &mut ana_laptop] {
            let m = ws.recv_type("message").await;
            assert_eq!(m["message"]["seq"], 1);
            assert_eq!(m["message"]["sender_id"], agent.id);
        }
        // The sender's other devices get it too; the sending connection got its ack instead.
        let mut agent_other = app.ws(&agent).await;
        let (_, frame) = send_frame(conv, "second");
        ana_phone.send(frame).await;
        assert_eq!(ana_phone.recv_type("ack").await["message"]["seq"], 2);
        assert_eq!(ana_laptop.recv_type("message").await["message"]["seq"], 2);
        assert_eq!(agent_ws.recv_type("message").await["message"]["seq"], 2);
        assert_eq!(agent_other.recv_type("message").await["message"]["seq"], 2);
        ana_phone.expect_silence(Duration::from_millis(300)).await;
        eve_ws.expect_silence(Duration::from_millis(300)).await;
    }
);

db_test!(
    an_ack_comes_only_after_the_row_exists,
    |app: TestApp| async move {
        let (agent, _ana, conv) = pair(&app).await;
        let mut ws = app.ws(&agent).await;
        for i in 0..20 {
            let (client_id, frame) = send_frame(conv, &format!("m{i}"));
            ws.send(frame).await;
            let ack = ws.recv_type("ack").await;
            assert_eq!(ack["client_id"], client_id.as_str());
            // Read through a separate connection of the pool: the commit is visible.
            assert_eq!(stored_count(&app, conv).await, i + 1);
        }
    }
);

db_test!(
    a_repeated_client_id_stores_one_row,
    |app: TestApp| async move {
        let (agent, ana, conv) = pair(&app).await;
        let mut agent_ws = app.ws(&agent).await;
        let mut ana_ws = app.ws(&ana).await;
        let (client_id, frame) = send_frame(conv, "once");
        agent_ws.send(frame.clone()).await;
        let first = agent_ws.recv_type("ack").await;
        agent_ws.send(frame).await;
        let second = agent_ws.recv_type("ack").await;
        assert_eq!(first["message"], second["message"]);
        let (status, rest) = app
            .post(
                &format!("/api/v1/conversations/{conv}/messages"),
                Some(&agent.token),
                json!({"body": "once", "client_id": client_id}),
            )
            .await;
        assert_eq!(status, 200, "a REST retry answers 200 with the original");
        assert_eq!(rest["id"], first["message"]["id"]);
        assert_eq!(stored_count(&app, conv).await, 1);
        assert_eq!(ana_ws.recv_type("message").await["message"]["seq"], 1);
        ana_ws.expect_silence(Duration::from_millis(300)).await;
    }
);

db_test!(
    rest_and_websocket_sends_share_one_sequence,
    |app: TestApp| async move {
        let (agent, ana, conv) = pair(&app).await;
        let mut ana_ws = app.ws(&ana).await;
        let (status, m) = app.send(&agent, conv, "over REST").await;
        assert_eq!(status, 201, "{m}");
        assert_eq!(m["seq"], 1);
        let live = ana_ws.recv_type("message").await;
        assert_eq!(live["message"], m);
        let (_, frame) = send_frame(conv, "over the socket");
        ana_ws.send(frame).await;
        assert_eq!(ana_ws.recv_type("ack").await["message"]["seq"], 2);
        let history = app.messages(&agent, conv, "").await;
        assert_eq!(
            history
                .iter()
                .map(|m| m["seq"].as_i64().unwrap())
                .collect::<Vec<_>>(),
            vec![1, 2]
        );
    }
);

db_test!(history_pages_follow_seq_order, |app: TestApp| async move {
    let (agent, _ana, conv) = pair(&app).await;
    for i in 1..=30 {
        app.send(&agent, conv, &format!("m{i}")).await;
    }
    let seqs = |v: Vec<Value>| {
        v.iter()
            .map(|m| m["seq"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        seqs(app.messages(&agent, conv, "after_seq=25").await),
        vec![26, 27, 28, 29, 30]
    );
    assert_eq!(
        seqs(app.messages(&agent, conv, "before_seq=4").await),
        vec![1, 2, 3]
    );
    assert_eq!(
        seqs(app.messages(&agent, conv, "before_seq=31&limit=2").await),
        vec![29, 30]
    );
    assert_eq!(
        seqs(
            app.messages(&agent, conv, "after_seq=10&before_seq=13")
                .await
        ),
        vec![11, 12]
    );
    let (status, body) = app
        .get(
            &format!("/api/v1/conversations/{conv}/messages?limit=201"),
            Some(&agent.token),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("validation_failed"))
    );
    let (status, _) = app
        .get(
            &format!("/api/v1/conversations/{conv}/messages?after_seq=x"),
            Some(&agent.token),
        )
        .await;
    assert_eq!(status, 400);
    // Seqs start at 1: a negative bound is refused, the extremes never overflow.
    for query in [
        "before_seq=-9223372036854775808",
        "after_seq=-1",
        "after_seq=9223372036854775807",
        "before_seq=9223372036854775807",
    ] {
        let (status, body) = app
            .get(
                &format!("/api/v1/conversations/{conv}/messages?{query}"),
                Some(&agent.token),
            )
            .await;
        let expected = if query.contains("=-") { 400 } else { 200 };
        assert_eq!(status, expected, "{query}: {body}");
    }
});

db_test!(
    resume_returns_exactly_the_missed_messages,
    |app: TestApp| async move {
        let (agent, ana, conv) = pair(&app).await;
        let mut ana_ws = app.ws(&ana).await;
        app.send(&agent, conv, "one").await;
        assert_eq!(ana_ws.recv_type("message").await["message"]["seq"], 1);
        drop(ana_ws);
        for i in 2..=6 {
            app.send(&agent, conv, &format!("m{i}")).await;
        }
        let mut ana_ws = app.ws(&ana).await;
        ana_ws
            .send(json!({"type": "resume", "positions": {conv.to_string(): 1}}))
            .await;
        let mut seen = Vec::new();
        loop {
            let f = ana_ws.recv().await;
            match f["type"].as_str().unwrap() {
                "message" => seen.push(f["message"]["seq"].as_i64().unwrap()),
                "resumed" => {
                    assert_eq!(f["last_seq"], 6);
                    break;
                }
                other => panic!("unexpected {other}: {f}"),
            }
        }
        assert_eq!(seen, vec![2, 3, 4, 5, 6]);
        app.send(&agent, conv, "live again").await;
        assert_eq!(ana_ws.recv_type("message").await["message"]["seq"], 7);
        ana_ws.expect_silence(Duration::from_millis(300)).await;
    }
);

db_test!(
    resume_while_messages_keep_arriving_loses_and_repeats_nothing,
    |app: TestApp| async move {
        let (agent, ana, conv) = pair(&app).await;
        for i in 1..=300 {
            app.send(&agent, conv, &format!("old {i}")).await;
        }
        let sender_app_token = agent.clone();
        let address = app.address.clone();
        let client = app.client.clone();
        let writer = tokio::spawn(async move {
            for i in 0..100 {
                let resp = client
                .post(format!("{address}/api/v1/conversations/{conv}/messages"))
                .bearer_auth(&sender_app_token.token)
                .json(&json!({"body": format!("new {i}"), "client_id": uuid::Uuid::new_v4().to_string()}))
                .send()
                .await
                .unwrap();
                assert_eq!(resp.status(), 201);
            }
        });
        // Positions in the auth frame: the replay comes before any live event.
        let mut ana_ws = app.ws_raw().await;
        ana_ws
            .send(json!({"type": "auth", "token": ana.token, "resume": {conv.to_string(): 0}}))
            .await;
        assert_eq!(ana_ws.recv().await["type"], "ready");
        writer.await.unwrap();
        let mut seen = Vec::new();
        while seen.len() < 400 {
            let f = ana_ws.recv().await;
            if f["type"] == "message" {
                seen.push(f["message"]["seq"].as_i64().unwrap());
            }
        }
        assert_eq!(
            seen,
            (1..=400).collect::<Vec<_>>(),
            "every seq once, in order"
        );
        ana_ws.expect_silence(Duration::from_millis(500)).await;
    }
);

db_test!(
    concurrent_senders_get_gapless_seqs_in_one_order_for_everyone,
    |app: TestApp| async move {
        let agent = app.user_with_role("Agent", Role::Agent).await;
        let ana = app.register("Ana").await;
        let conv = app.direct(&agent, &ana).await;
        // Ten connections (five per user), each sending 100 messages at once.
        let mut senders: Vec<WsClient> = Vec::new();
        for i in 0..10 {
            senders.push(app.ws(if i % 2 == 0 { &agent } else { &ana }).await);
        }
        let mut reader_a = app.ws(&agent).await;
        let mut reader_b = app.ws(&ana).await;
        let mut tasks = Vec::new();
        for (i, mut ws) in senders.into_iter().enumerate() {
            tasks.push(tokio::spawn(async move {
                let mut mine = BTreeSet::new();
                for n in 0..100 {
                    let (client_id, frame) = send_frame(conv, &format!("c{i} m{n}"));
                    mine.insert(client_id);
                    ws.send(frame).await;
                }
                let mut acked = 0;
                let mut others = Vec::new();
                while acked < 100 {
                    let f = ws
                        .try_recv(Duration::from_secs(60))
                        .await
                        .expect("a frame within 60 s");
                    match f["type"].as_str().unwrap() {
                        "ack" => acked += 1,
                        "message" => {
                            let own = f["message"]["client_id"].as_str().unwrap();
                            assert!(
                                !mine.contains(own),
                                "a connection got its own message as `message`: {f}"
                            );
                            others.push(f["message"]["seq"].as_i64().unwrap());
                        }
                        "error" => panic!("{f}"),
                        _ => {}
                    }
                }
                others
            }));
        }
        for t in tasks {
            let others = t.await.unwrap();
            assert!(
                others.windows(2).all(|w| w[0] < w[1]),
                "a sender sees others' messages in seq order"
            );
        }
        let a = collect_messages(&mut reader_a, 1000).await;
        let b = collect_messages(&mut reader_b, 1000).await;
        assert_eq!(
            a.iter().map(|x| x.0).collect::<Vec<_>>(),
            (1..=1000).collect::<Vec<_>>()
        );
        assert_eq!(a, b, "every reader sees the same order");
        let history: BTreeSet<i64> = {
            let mut all = BTreeSet::new();
            let mut after = 0;
            loop {
                let page = app
                    .messages(&agent, conv, &format!("after_seq={after}&limit=200"))
                    .await;
                if page.is_empty() {
                    break;
                }
                after = page.last().unwrap()["seq"].as_i64().unwrap();
                all.extend(page.iter().map(|m| m["seq"].as_i64().unwrap()));
            }
            all
        };
        assert_eq!(history, (1..=1000).collect());
    }
);

db_test!(
    bad_frames_get_documented_answers,
    |app: TestApp| async move {
        let (agent, ana, conv) = pair(&app).await;
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
    let (agent, _ana, conv) = pair(&app).await;
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

db_test!(
    typing_read_and_presence_reach_the_right_people,
    |app: TestApp| async move {
        let (agent, ana, conv) = pair(&app).await;
        let outsider = app.register("Eve").await;
        let mut eve = app.ws(&outsider).await;
        let mut agent_ws = app.ws(&agent).await;
        let mut ana_ws = app.ws(&ana).await;
        let p = agent_ws.recv_type("presence").await;
        assert_eq!(
            (p["user_id"].as_i64(), p["online"].as_bool()),
            (Some(ana.id), Some(true))
        );

        ana_ws
            .send(json!({"type": "typing", "conversation_id": conv}))
            .await;
        let t = agent_ws.recv_type("typing").await;
        assert_eq!(
            (t["conversation_id"].as_i64(), t["user_id"].as_i64()),
            (Some(conv), Some(ana.id))
        );

        app.send(&agent, conv, "hi").await;
        app.send(&agent, conv, "there").await;
        let (_, list) = app.get("/api/v1/conversations", Some(&ana.token)).await;
        assert_eq!(list["items"][0]["unread_count"], 2);
        assert_eq!(list["items"][0]["last_seq"], 2);
        assert_eq!(list["items"][0]["last_message"]["body"], "there");
        ana_ws
            .send(json!({"type": "read", "conversation_id": conv, "seq": 2}))
            .await;
        let r = agent_ws.recv_type("read").await;
        assert_eq!(
            (r["user_id"].as_i64(), r["seq"].as_i64()),
            (Some(ana.id), Some(2))
        );
        let (_, list) = app.get("/api/v1/conversations", Some(&ana.token)).await;
        assert_eq!(list["items"][0]["unread_count"], 0);
        // Read positions never move back.
        let (status, _) = app
            .post(
                &format!("/api/v1/conversations/{conv}/read"),
                Some(&ana.token),
                json!({"seq": 1}),
            )
            .await;
        assert_eq!(status, 204);
        let (_, c) = app
            .get(&format!("/api/v1/conversations/{conv}"), Some(&ana.token))
            .await;
        assert_eq!(c["last_read_seq"], 2);

        drop(ana_ws);
        let p = agent_ws.recv_type("presence").await;
        assert_eq!(
            (p["user_id"].as_i64(), p["online"].as_bool()),
            (Some(ana.id), Some(false))
        );
        eve.expect_silence(Duration::from_millis(300)).await;
    }
);

db_test!(
    a_slow_reader_is_cut_off_without_delaying_others,
    |app: TestApp| async move {
        let (agent, ana, conv) = pair(&app).await;
        // A reader that never reads: its queue fills and the server closes it (1013).
        let slow = app.ws(&ana).await;
        let mut fast = app.ws(&ana).await;
        let fast_reader = tokio::spawn(async move {
            let mut got = 0;
            while got < 2000 {
                let Some(f) = fast.try_recv(Duration::from_secs(10)).await else {
                    panic!("the fast reader stalled after {got} messages")
                };
                if f["type"] == "message" {
                    got += 1;
                }
            }
            got
        });
        let big = "y".repeat(8000);
        let sender = app.ws(&agent).await;
        // The sender reads its acks as it goes (it must not be a slow reader itself).
        let (mut sink, mut acks) = futures::StreamExt::split(sender.stream);
        let drain = tokio::spawn(async move {
            let mut n = 0;
            while n < 2000 {
                match futures::StreamExt::next(&mut acks).await {
                    Some(Ok(Message::Text(t))) if t.contains("\"ack\"") => n += 1,
                    Some(Ok(_)) => {}
                    other => panic!("sender lost its connection: {other:?}"),
                }
            }
        });
        for _ in 0..2000 {
            let (_, frame) = send_frame(conv, &big);
            sink.send(Message::Text(frame.to_string().into()))
                .await
                .unwrap();
        }
        drain.await.unwrap();
        assert_eq!(fast_reader.await.unwrap(), 2000);
        let mut slow = slow;
        let mut code = None;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while tokio::time::Instant::now() < deadline {
            match tokio::time::timeout(
                Duration::from_secs(5),
                futures::StreamExt::next(&mut slow.stream),
            )
            .await
            {
                Ok(Some(Ok(Message::Close(Some(frame))))) => {
                    code = Some(u16::from(frame.code));
                    break;
                }
                Ok(Some(Ok(_))) => continue,
                _ => break,
            }
        }
        assert_eq!(code, Some(1013));
    }
);

#[tokio::test]
async fn shutdown_closes_sockets_with_1001() {
    let app = switchboard_test_support::spawn_app(switchboard_test_support::Backend::Sqlite).await;
    let ana = app.register("Ana").await;
    let mut ws = app.ws(&ana).await;
    app.state.shutdown.cancel();
    assert_eq!(ws.closed_with().await, Some(1001));
}

/// Sends are pipelined: at shutdown some may still be with the writer. Every send that was
/// stored is acked before the 1001 close. The test holds SQLite's write lock so the sends are
/// certainly still with the writer when the shutdown begins.
#[tokio::test]
async fn shutdown_acks_every_stored_send_before_closing() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = switchboard_test_support::spawn_app(switchboard_test_support::Backend::Sqlite).await;
    let (agent, _ana, conv) = pair(&app).await;
    let mut ws = app.ws(&agent).await;
    let lock = app.state.db.begin().await.unwrap();
    lock.execute_unprepared("UPDATE users SET updated_at = updated_at WHERE id = 0")
        .await
        .unwrap();
    for i in 0..30 {
        ws.send(send_frame(conv, &format!("m{i}")).1).await;
    }
    // Give the reader time to take the frames (the writer then waits for the lock).
    tokio::time::sleep(Duration::from_secs(1)).await;
    app.state.shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(200)).await;
    lock.commit().await.unwrap();
    let mut acked: u64 = 0;
    while let Some(f) = ws.try_recv(Duration::from_secs(10)).await {
        if f["type"] == "ack" {
            acked += 1;
        }
    }
    assert_eq!(
        stored_count(&app, conv).await,
        30,
        "every send was taken and stored"
    );
    assert_eq!(acked, 30, "and acked before the close");
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

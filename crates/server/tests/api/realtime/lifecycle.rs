//! The rest of a socket's life: typing, read and presence to the right people, a slow reader
//! cut off without delaying others, and shutdown (1001, after acking every stored send).

use std::time::Duration;

use futures::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

use super::*;

db_test!(
    typing_read_and_presence_reach_the_right_people,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
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

        app.send_message(&agent, conv, "hi").await;
        app.send_message(&agent, conv, "there").await;
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
        let (agent, ana, conv) = app.agent_and_customer().await;
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
    let (agent, _ana, conv) = app.agent_and_customer().await;
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

//! Delivery: every member connection gets each message once, an ack only after its row
//! exists, one row per client id, one sequence for REST and WebSocket sends, gapless seqs in
//! one order under concurrent senders.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;
use switchboard::domain::Role;

use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, WsClient};

use super::*;

db_test!(
    messages_reach_every_member_connection_and_no_one_else,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
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
        let (agent, _ana, conv) = app.agent_and_customer().await;
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
        let (agent, ana, conv) = app.agent_and_customer().await;
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
        let (agent, ana, conv) = app.agent_and_customer().await;
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

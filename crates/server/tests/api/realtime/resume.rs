//! Catching up: history pages in seq order, and resume returns exactly what was missed, even
//! while messages keep arriving.

use std::time::Duration;

use serde_json::{Value, json};

use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

db_test!(history_pages_follow_seq_order, |app: TestApp| async move {
    let (agent, _ana, conv) = app.agent_and_customer().await;
    for i in 1..=30 {
        app.send_message(&agent, conv, &format!("m{i}")).await;
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
        let (agent, ana, conv) = app.agent_and_customer().await;
        let mut ana_ws = app.ws(&ana).await;
        app.send_message(&agent, conv, "one").await;
        assert_eq!(ana_ws.recv_type("message").await["message"]["seq"], 1);
        drop(ana_ws);
        for i in 2..=6 {
            app.send_message(&agent, conv, &format!("m{i}")).await;
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
        app.send_message(&agent, conv, "live again").await;
        assert_eq!(ana_ws.recv_type("message").await["message"]["seq"], 7);
        ana_ws.expect_silence(Duration::from_millis(300)).await;
    }
);

db_test!(
    resume_while_messages_keep_arriving_loses_and_repeats_nothing,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
        for i in 1..=300 {
            app.send_message(&agent, conv, &format!("old {i}")).await;
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

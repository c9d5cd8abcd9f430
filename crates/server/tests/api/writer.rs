//! The group-commit writer: sends pipelined on one socket are stored in batches, and a batch
//! keeps every promise a single send does (one answer each, repeats stored once, gapless
//! seqs), and the in-memory audiences follow the changes that move them.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use switchboard::domain::Role;

use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, TestUser, WsClient};

fn send_frame(conversation_id: i64, client_id: &str, body: &str) -> Value {
    json!({"type": "send", "conversation_id": conversation_id, "client_id": client_id, "body": body})
}

/// Reads frames until `n` answers (`ack` or `error` with a client id) have arrived.
async fn answers(ws: &mut WsClient, n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    while out.len() < n {
        let f = ws
            .try_recv(Duration::from_secs(30))
            .await
            .expect("an answer within 30 s");
        if f["type"] == "ack" || (f["type"] == "error" && f["client_id"].is_string()) {
            out.push(f);
        }
    }
    out
}

/// Waits for the `message` frame with this body, skipping others (system messages, …).
async fn message_with_body(ws: &mut WsClient, body: &str) -> Value {
    loop {
        let f = ws.recv_type("message").await;
        if f["message"]["body"] == body {
            return f;
        }
    }
}

async fn stored(app: &TestApp, conversation_id: i64) -> Vec<(i64, String)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use switchboard::db::entities::message;
    message::Entity::find()
        .filter(message::Column::ConversationId.eq(conversation_id))
        .order_by_asc(message::Column::Seq)
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.seq, m.client_id))
        .collect()
}

async fn upload_file(app: &TestApp, user: &TestUser) -> i64 {
    let (status, file) = app
        .upload(
            Method::POST,
            "/api/v1/files",
            &user.token,
            "notes.txt",
            "text/plain",
            b"my notes".to_vec(),
        )
        .await;
    assert_eq!(status, 201, "{file}");
    file["id"].as_i64().unwrap()
}

db_test!(
    a_burst_with_one_bad_send_commits_the_others_and_answers_each,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
        let anas_file = upload_file(&app, &ana).await;
        let mut agent_ws = app.ws(&agent).await;
        let mut ana_ws = app.ws(&ana).await;
        // Forty sends written back to back without waiting: the writer takes them in batches.
        let ids: Vec<String> = (0..40).map(|_| uuid::Uuid::new_v4().to_string()).collect();
        for (i, id) in ids.iter().enumerate() {
            let mut frame = send_frame(conv, id, &format!("m{i}"));
            if i == 17 {
                // Not the sender's file.
                frame["attachment_ids"] = json!([anas_file]);
            }
            agent_ws.send(frame).await;
        }
        let got = answers(&mut agent_ws, 40).await;
        let by_id: BTreeMap<String, &Value> = got
            .iter()
            .map(|f| (f["client_id"].as_str().unwrap().to_string(), f))
            .collect();
        assert_eq!(by_id.len(), 40, "one answer per send");
        let bad = by_id[&ids[17]];
        assert_eq!(bad["type"], "error", "{bad}");
        assert_eq!(bad["code"], "validation_failed");
        let acked: Vec<i64> = ids
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 17)
            .map(|(_, id)| {
                let f = by_id[id];
                assert_eq!(f["type"], "ack", "{f}");
                f["message"]["seq"].as_i64().unwrap()
            })
            .collect();
        assert_eq!(
            acked,
            (1..=39).collect::<Vec<_>>(),
            "seqs follow the order of the sends, without the refused one and without gaps"
        );
        let rows = stored(&app, conv).await;
        assert_eq!(rows.len(), 39);
        assert!(!rows.iter().any(|(_, c)| c == &ids[17]));
        // The other member gets the 39, in order, once each.
        let mut seen = Vec::new();
        while seen.len() < 39 {
            let f = ana_ws.recv_type("message").await;
            seen.push(f["message"]["seq"].as_i64().unwrap());
        }
        assert_eq!(seen, (1..=39).collect::<Vec<_>>());
        ana_ws.expect_silence(Duration::from_millis(300)).await;
    }
);

db_test!(
    repeats_inside_one_burst_and_across_bursts_store_once,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
        let mut agent_ws = app.ws(&agent).await;
        let mut ana_ws = app.ws(&ana).await;
        let once = uuid::Uuid::new_v4().to_string();
        let other = uuid::Uuid::new_v4().to_string();
        // The same client id five times in one burst, with another send in the middle.
        for i in 0..5 {
            agent_ws.send(send_frame(conv, &once, "once")).await;
            if i == 2 {
                agent_ws.send(send_frame(conv, &other, "other")).await;
            }
        }
        let got = answers(&mut agent_ws, 6).await;
        let ids: BTreeSet<i64> = got
            .iter()
            .filter(|f| f["client_id"] == once.as_str())
            .map(|f| {
                assert_eq!(f["type"], "ack", "{f}");
                f["message"]["id"].as_i64().unwrap()
            })
            .collect();
        assert_eq!(ids.len(), 1, "every repeat is acked with the one original");
        // A later burst repeats both, from another connection of the same user and over REST.
        let mut again = app.ws(&agent).await;
        again.send(send_frame(conv, &once, "once")).await;
        again.send(send_frame(conv, &other, "other")).await;
        let later = answers(&mut again, 2).await;
        for f in &later {
            assert_eq!(f["type"], "ack", "{f}");
        }
        let (status, rest) = app
            .post(
                &format!("/api/v1/conversations/{conv}/messages"),
                Some(&agent.token),
                json!({"body": "once", "client_id": once}),
            )
            .await;
        assert_eq!(status, 200, "{rest}");
        assert!(ids.contains(&rest["id"].as_i64().unwrap()));
        let rows = stored(&app, conv).await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1, 2]);
        // Ana saw two messages, each once.
        let mut seen = Vec::new();
        while seen.len() < 2 {
            seen.push(ana_ws.recv_type("message").await["message"]["seq"].clone());
        }
        assert_eq!(seen, vec![json!(1), json!(2)]);
        ana_ws.expect_silence(Duration::from_millis(300)).await;
    }
);

async fn move_ticket(app: &TestApp, admin: &TestUser, ticket: i64, team: Option<i64>) {
    let (status, t) = app
        .change_ticket(admin, ticket, json!({ "team_id": team }))
        .await;
    assert_eq!(status, 200, "{t}");
}

db_test!(
    audiences_follow_ticket_moves_team_changes_and_roles,
    |app: TestApp| async move {
        let admin = app.user_with_role("Admin", Role::Admin).await;
        let alice = app.user_with_role("Alice", Role::Agent).await;
        let barry = app.user_with_role("Barry", Role::Agent).await;
        let ana = app.register("Ana").await;
        let billing = app.team_with(&admin, "Billing", &[&alice]).await;
        let tech = app.team_with(&admin, "Tech", &[&barry]).await;
        let t = app.open_ticket(&ana, "Invoice", "medium").await;
        let (ticket, conv) = (t.id, t.conversation_id);
        move_ticket(&app, &admin, ticket, Some(billing)).await;

        let mut alice_ws = app.ws(&alice).await;
        let mut barry_ws = app.ws(&barry).await;
        let mut ana_ws = app.ws(&ana).await;
        let say = |text: &str| send_frame(conv, &uuid::Uuid::new_v4().to_string(), text);
        ana_ws.send(say("to billing")).await;
        ana_ws.recv_type("ack").await;
        message_with_body(&mut alice_ws, "to billing").await;
        // Barry may not even write there.
        barry_ws.send(say("not mine")).await;
        assert_eq!(barry_ws.recv_type("error").await["code"], "forbidden");

        // Moved to Tech: the very next message reaches Barry and not Alice.
        move_ticket(&app, &admin, ticket, Some(tech)).await;
        ana_ws.send(say("to tech")).await;
        ana_ws.recv_type("ack").await;
        message_with_body(&mut barry_ws, "to tech").await;
        // Alice drains the move's ticket event and system message, then hears nothing more.
        let mut alice_after = Vec::new();
        while let Some(f) = alice_ws.try_recv(Duration::from_millis(700)).await {
            alice_after.push(f);
        }
        assert!(
            !alice_after
                .iter()
                .any(|f| f["type"] == "message" && f["message"]["body"] == "to tech"),
            "the old team stops receiving at once: {alice_after:?}"
        );
        alice_ws.send(say("still here?")).await;
        assert_eq!(alice_ws.recv_type("error").await["code"], "forbidden");

        // Alice joins Tech: she may write again at once.
        let (status, _) = app
            .post(
                &format!("/api/v1/teams/{tech}/members"),
                Some(&admin.token),
                json!({"user_id": alice.id}),
            )
            .await;
        assert_eq!(status, 200);
        alice_ws.send(say("joined tech")).await;
        assert_eq!(
            alice_ws.recv_type("ack").await["message"]["body"],
            "joined tech"
        );

        // Demoted to customer: REST answers as a customer on the next request.
        let (status, _) = app
            .patch(
                &format!("/api/v1/admin/users/{}", barry.id),
                Some(&admin.token),
                json!({"role": "customer"}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, _) = app
            .get(
                &format!("/api/v1/conversations/{conv}/messages"),
                Some(&barry.token),
            )
            .await;
        assert_eq!(
            status, 404,
            "a customer can't read another customer's ticket"
        );

        // Disabled: the socket closes with 4401.
        let (status, _) = app
            .patch(
                &format!("/api/v1/admin/users/{}", alice.id),
                Some(&admin.token),
                json!({"disabled": true}),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(alice_ws.closed_with().await, Some(4401));
    }
);

/// The value of one sample line of `/metrics` (0 when absent).
async fn metric(app: &TestApp, line_start: &str) -> f64 {
    app.metrics_text()
        .await
        .lines()
        .find_map(|l| l.strip_prefix(line_start))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

db_test!(
    a_delivered_message_is_timed_at_each_stage,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
        let mut agent_ws = app.ws(&agent).await;
        let mut ana_ws = app.ws(&ana).await;
        let stages = ["queued", "stored", "published"]
            .map(|s| format!("switchboard_message_stage_seconds_count{{stage=\"{s}\"}} "));
        let wait = "switchboard_ws_event_wait_seconds_count ";
        let mut before = Vec::new();
        for s in stages.iter().map(String::as_str).chain([wait]) {
            before.push(metric(&app, s).await);
        }
        let client_id = uuid::Uuid::new_v4().to_string();
        agent_ws.send(send_frame(conv, &client_id, "timed")).await;
        assert_eq!(answers(&mut agent_ws, 1).await[0]["type"], "ack");
        message_with_body(&mut ana_ws, "timed").await;
        // The recorder is the process's: other tests add to it too, so counts only grow.
        for (s, was) in stages.iter().map(String::as_str).chain([wait]).zip(before) {
            let now = metric(&app, s).await;
            assert!(now >= was + 1.0, "{s}: {was} → {now}");
        }
    }
);

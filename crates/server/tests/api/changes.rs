//! Messages change after they are stored: edits (with a window and a history for staff),
//! deletions (tombstones), reactions and replies. Each change reaches exactly the message's
//! audience live and is replayed once, in order, to a client that resumes with a change
//! position.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use switchboard::domain::Role;

use switchboard_test_support::db_test;
use switchboard_test_support::send_frame;
use switchboard_test_support::{TestApp, TestUser};

async fn edit(app: &TestApp, who: &TestUser, id: i64, body: &str) -> (u16, Value) {
    app.patch(
        &format!("/api/v1/messages/{id}"),
        Some(&who.token),
        json!({ "body": body }),
    )
    .await
}

async fn delete(app: &TestApp, who: &TestUser, id: i64) -> (u16, Value) {
    app.delete(&format!("/api/v1/messages/{id}"), Some(&who.token))
        .await
}

/// `emoji` percent-encoded, as a client puts it in the path.
fn reaction_path(id: i64, emoji: &str) -> String {
    let encoded: String = emoji.bytes().map(|b| format!("%{b:02X}")).collect();
    format!("/api/v1/messages/{id}/reactions/{encoded}")
}

async fn react(app: &TestApp, who: &TestUser, id: i64, emoji: &str) -> (u16, Value) {
    app.put(&reaction_path(id, emoji), Some(&who.token)).await
}

/// Moves a message's sending time back, as if it had been sent `minutes` earlier.
async fn sent_minutes_earlier(app: &TestApp, id: i64, minutes: i64) {
    let db = &app.state.db;
    let sql = format!(
        "UPDATE messages SET created_at = created_at - {} WHERE id = {id}",
        minutes * 60 * 1000
    );
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// A customer's ticket in the shared queue (every agent hears it), and an agent.
async fn ticket_with_agent(app: &TestApp) -> (TestUser, TestUser, i64) {
    let ana = app.register("Ana").await;
    let agent = app.user_with_role("Agent", Role::Agent).await;
    let conv = app
        .open_ticket(&ana, "Invoice", "low")
        .await
        .conversation_id;
    (ana, agent, conv)
}

db_test!(
    an_edit_reaches_everyone_live_and_staff_keep_the_versions,
    |app: TestApp| async move {
        let (ana, agent, conv) = ticket_with_agent(&app).await;
        let mut ana_ws = app.ws(&ana).await;
        let mut agent_ws = app.ws(&agent).await;
        let m = app.send_message(&ana, conv, "I was charged twise").await;

        let (status, edited) = edit(&app, &ana, m.id, "I was charged twice").await;
        assert_eq!(status, 200, "{edited}");
        assert_eq!(edited["body"], "I was charged twice");
        assert!(edited["edited_at"].is_string());
        for ws in [&mut agent_ws, &mut ana_ws] {
            let f = ws.recv_type("message_updated").await;
            assert_eq!(f["change"]["message_id"], m.id);
            assert_eq!(f["change"]["change_seq"], 1);
            assert_eq!(f["change"]["body"], "I was charged twice");
        }
        // History shows the new text (the recent-messages ring was dropped).
        let history = app.messages(&agent, conv, "after_seq=0").await;
        let stored = history.iter().find(|x| x["id"] == m.id).unwrap();
        assert_eq!(stored["body"], "I was charged twice");

        // Someone else's message, an empty text, the same text again.
        let (status, body) = edit(&app, &agent, m.id, "changed by the agent").await;
        assert_eq!((status, code(&body)), (403, "forbidden"));
        let (status, body) = edit(&app, &ana, m.id, "   ").await;
        assert_eq!((status, code(&body)), (400, "validation_failed"));
        let (status, _) = edit(&app, &ana, m.id, "I was charged twice").await;
        assert_eq!(status, 200, "the same text is accepted and changes nothing");

        let path = format!("/api/v1/messages/{}/versions", m.id);
        let (status, versions) = app.get(&path, Some(&agent.token)).await;
        assert_eq!(status, 200, "{versions}");
        let bodies: Vec<&str> = versions["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["body"].as_str().unwrap())
            .collect();
        assert_eq!(bodies, ["I was charged twise", "I was charged twice"]);
        let (status, body) = app.get(&path, Some(&ana.token)).await;
        assert_eq!((status, code(&body)), (403, "forbidden"));

        // Past the window: the sender can't edit any more; an admin can edit their own.
        sent_minutes_earlier(&app, m.id, 16).await;
        let (status, body) = edit(&app, &ana, m.id, "too late").await;
        assert_eq!((status, code(&body)), (409, "conflict"), "{body}");
        assert_eq!(react(&app, &ana, m.id, "👍").await.0, 200);
        assert_eq!(
            agent_ws.recv_type("reaction").await["change"]["change_seq"],
            2,
            "refused edits and the repeat took no number"
        );

        let admin = app.user_with_role("Boss", Role::Admin).await;
        let old = app.send_message(&admin, conv, "Hello from the admn").await;
        sent_minutes_earlier(&app, old.id, 60).await;
        let (status, body) = edit(&app, &admin, old.id, "Hello from the admin").await;
        assert_eq!(status, 200, "admins edit their own at any time: {body}");
    }
);

db_test!(
    a_deleted_message_leaves_a_tombstone,
    |app: TestApp| async move {
        let (ana, agent, conv) = ticket_with_agent(&app).await;
        let mut agent_ws = app.ws(&agent).await;
        let first = app
            .send_message(&ana, conv, "my card number is 4111…")
            .await;
        let kept = app.send_message(&ana, conv, "sorry, ignore that").await;
        let reply = app.send_message(&agent, conv, "Noted.").await;

        let (status, gone) = delete(&app, &ana, first.id).await;
        assert_eq!(status, 200, "{gone}");
        assert_eq!(gone["body"], "");
        assert!(gone["deleted_at"].is_string());
        assert_eq!(gone["seq"], first.seq, "the seq stays");
        let f = agent_ws.recv_type("message_deleted").await;
        assert_eq!(f["change"]["message_id"], first.id);

        // Nothing can be done to it any more, and its versions are gone.
        let (status, body) = edit(&app, &ana, first.id, "edited").await;
        assert_eq!((status, code(&body)), (409, "conflict"));
        let (status, body) = react(&app, &agent, first.id, "👍").await;
        assert_eq!((status, code(&body)), (409, "conflict"));
        let (status, versions) = app
            .get(
                &format!("/api/v1/messages/{}/versions", first.id),
                Some(&agent.token),
            )
            .await;
        assert_eq!(
            (status, versions["items"].as_array().unwrap().len()),
            (200, 0)
        );
        let history = app.messages(&ana, conv, "after_seq=0").await;
        let tomb = history.iter().find(|x| x["id"] == first.id).unwrap();
        assert_eq!(
            (tomb["body"].as_str(), tomb["deleted_at"].is_string()),
            (Some(""), true)
        );

        // A customer can't delete the agent's message; staff may delete any in a ticket.
        let (status, body) = delete(&app, &ana, reply.id).await;
        assert_eq!((status, code(&body)), (403, "forbidden"));
        let (status, _) = delete(&app, &agent, kept.id).await;
        assert_eq!(status, 200);

        // In a direct conversation only the sender deletes.
        let ben = app.register("Ben").await;
        let direct = app.direct(&agent, &ben).await;
        let hello = app.send_message(&ben, direct, "hello").await;
        let (status, body) = delete(&app, &agent, hello.id).await;
        assert_eq!((status, code(&body)), (403, "forbidden"));
        // And a stranger learns nothing.
        let (status, body) = delete(&app, &ana, hello.id).await;
        assert_eq!((status, code(&body)), (404, "not_found"));
    }
);

db_test!(
    reactions_count_once_per_user_and_emoji,
    |app: TestApp| async move {
        let (ana, agent, conv) = ticket_with_agent(&app).await;
        let mut ana_ws = app.ws(&ana).await;
        let m = app.send_message(&agent, conv, "Refund sent.").await;

        assert_eq!(react(&app, &ana, m.id, "👍").await.0, 200);
        let (status, again) = react(&app, &ana, m.id, "👍").await;
        assert_eq!(status, 200, "a repeat is accepted and changes nothing");
        assert_eq!(react(&app, &agent, m.id, "👍").await.0, 200);
        assert_eq!(
            react(&app, &ana, m.id, "🎉").await.0,
            200,
            "not the same as 👍"
        );
        assert_eq!(
            app.delete(&reaction_path(m.id, "🎉"), Some(&ana.token))
                .await
                .0,
            200
        );
        let (_, both) = react(&app, &agent, m.id, "❤️").await;
        assert_eq!(
            both["reactions"],
            json!([
                {"emoji": "👍", "count": 2, "user_ids": [ana.id, agent.id]},
                {"emoji": "❤", "count": 1, "user_ids": [agent.id]},
            ]),
            "{again}"
        );
        let added = ana_ws.recv_type("reaction").await;
        assert_eq!(
            (
                added["change"]["kind"].as_str(),
                added["change"]["emoji"].as_str()
            ),
            (Some("reaction_added"), Some("👍"))
        );

        let (status, after) = app
            .delete(&reaction_path(m.id, "👍"), Some(&ana.token))
            .await;
        assert_eq!(status, 200);
        assert_eq!(after["reactions"][0]["user_ids"], json!([agent.id]));
        let history = app.messages(&ana, conv, "after_seq=0").await;
        let stored = history.iter().find(|x| x["id"] == m.id).unwrap();
        assert_eq!(stored["reactions"], after["reactions"]);

        for bad in ["ok", "👍👍", "%25", "\"", "*"] {
            let (status, body) = react(&app, &ana, m.id, bad).await;
            assert_eq!(
                (status, body["error"]["fields"]["emoji"].is_string()),
                (400, true),
                "{bad}: {body}"
            );
        }
        let stranger = app.register("Zed").await;
        let (status, body) = react(&app, &stranger, m.id, "👍").await;
        assert_eq!((status, code(&body)), (404, "not_found"));
    }
);

db_test!(
    notes_changes_never_reach_the_customer,
    |app: TestApp| async move {
        let (ana, agent, conv) = ticket_with_agent(&app).await;
        let mut ana_ws = app.ws(&ana).await;
        let mut agent_ws = app.ws(&agent).await;
        let note = app.send_note(&agent, conv, "customer seems upset").await;
        assert_eq!(
            edit(&app, &agent, note.id, "customer is upset").await.0,
            200
        );
        assert_eq!(react(&app, &agent, note.id, "👀").await.0, 200);
        agent_ws.recv_type("reaction").await;

        // The customer can't touch it, nor learn it exists.
        assert_eq!(edit(&app, &ana, note.id, "x").await.0, 404);
        assert_eq!(delete(&app, &ana, note.id).await.0, 404);
        assert_eq!(react(&app, &ana, note.id, "👍").await.0, 404);

        // A text after them: the customer's next frame is that message, nothing before it
        // (but the agent's presence, which reaches her whenever it does).
        let m = app.send_message(&agent, conv, "We are on it").await;
        let mut f = ana_ws.recv().await;
        while f["type"] == "presence" {
            f = ana_ws.recv().await;
        }
        assert_eq!(
            (f["type"].as_str(), f["message"]["id"].as_i64()),
            (Some("message"), Some(m.id))
        );

        // Replies: a text can't answer a note; a note can.
        let (status, body) = app
            .post(
                &format!("/api/v1/conversations/{conv}/messages"),
                Some(&agent.token),
                json!({"body": "public", "client_id": uuid::Uuid::new_v4().to_string(), "reply_to": note.id}),
            )
            .await;
        assert_eq!(
            (status, body["error"]["fields"]["reply_to"].is_string()),
            (400, true)
        );
        let (status, body) = app
            .post(
                &format!("/api/v1/conversations/{conv}/messages"),
                Some(&agent.token),
                json!({"body": "agreed", "kind": "note", "client_id": uuid::Uuid::new_v4().to_string(), "reply_to": note.id}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["reply_to"], json!({"id": note.id, "seq": note.seq}));
        // (She may hear of the ticket and the agent's reply; nothing of the notes.)
        while let Some(f) = ana_ws.try_recv(Duration::from_millis(300)).await {
            assert!(
                ["ticket", "notification"].contains(&f["type"].as_str().unwrap()),
                "{f}"
            );
        }
    }
);

db_test!(
    replies_point_into_the_same_conversation,
    |app: TestApp| async move {
        let (ana, agent, conv) = ticket_with_agent(&app).await;
        let question = app.send_message(&ana, conv, "Where is my refund?").await;
        let mut agent_ws = app.ws(&agent).await;
        let (client_id, mut frame) = send_frame(conv, "On its way");
        frame["reply_to"] = json!(question.id);
        agent_ws.send(frame).await;
        let ack = agent_ws.recv_type("ack").await;
        assert_eq!(ack["client_id"], client_id.as_str());
        assert_eq!(
            ack["message"]["reply_to"],
            json!({"id": question.id, "seq": question.seq})
        );

        // Another conversation's message, a message that doesn't exist.
        let other = app.open_ticket(&ana, "Other", "low").await.conversation_id;
        let elsewhere = app.send_message(&ana, other, "elsewhere").await;
        for target in [elsewhere.id, 999_999] {
            let (status, body) = app
                .post(
                    &format!("/api/v1/conversations/{conv}/messages"),
                    Some(&ana.token),
                    json!({"body": "x", "client_id": uuid::Uuid::new_v4().to_string(), "reply_to": target}),
                )
                .await;
            assert_eq!(
                (status, body["error"]["fields"]["reply_to"].is_string()),
                (400, true)
            );
        }

        // The reply survives the original's deletion; the original can't be answered again.
        assert_eq!(delete(&app, &ana, question.id).await.0, 200);
        let history = app.messages(&ana, conv, "after_seq=0").await;
        let answer = history.iter().find(|x| x["body"] == "On its way").unwrap();
        assert_eq!(answer["reply_to"]["id"], question.id);
        let (status, _) = app
            .post(
                &format!("/api/v1/conversations/{conv}/messages"),
                Some(&ana.token),
                json!({"body": "x", "client_id": uuid::Uuid::new_v4().to_string(), "reply_to": question.id}),
            )
            .await;
        assert_eq!(status, 400);
    }
);

db_test!(
    resume_replays_missed_changes_once_in_order,
    |app: TestApp| async move {
        let (ana, agent, conv) = ticket_with_agent(&app).await;
        let a = app.send_message(&ana, conv, "first").await;
        let b = app.send_message(&agent, conv, "second").await;
        // Ana saw both messages and no change; then, while she is away:
        assert_eq!(edit(&app, &ana, a.id, "first, edited").await.0, 200); // 1
        let note = app.send_note(&agent, conv, "internal").await;
        assert_eq!(react(&app, &agent, note.id, "👀").await.0, 200); // 2 (staff only)
        assert_eq!(react(&app, &agent, a.id, "👍").await.0, 200); // 3
        assert_eq!(delete(&app, &agent, b.id).await.0, 200); // 4

        let position = json!({ conv.to_string(): {"seq": b.seq, "change": 0} });
        let mut ws = app.ws_resume(&ana, position).await;
        let mut seen = Vec::new();
        loop {
            let f = ws.recv().await;
            match f["type"].as_str().unwrap() {
                "resumed" => {
                    assert_eq!(f["last_change"], 4, "{f}");
                    break;
                }
                "message_updated" | "message_deleted" | "reaction" => {
                    seen.push(f["change"]["change_seq"].as_i64().unwrap())
                }
                _ => {}
            }
        }
        assert_eq!(seen, [1, 3, 4], "every change she may see, once, in order");

        // Live changes continue from there, and are not repeated.
        assert_eq!(react(&app, &agent, a.id, "🎉").await.0, 200);
        let f = ws.recv_type("reaction").await;
        assert_eq!(f["change"]["change_seq"], 5);

        // A position with a seq only replays no changes.
        let mut plain = app.ws_from(&ana, &[(conv, 0)]).await;
        loop {
            let f = plain.recv().await;
            assert!(
                !["message_updated", "message_deleted", "reaction"]
                    .contains(&f["type"].as_str().unwrap())
            );
            if f["type"] == "resumed" {
                assert!(f.get("last_change").is_none(), "{f}");
                break;
            }
        }
    }
);

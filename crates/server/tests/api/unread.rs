//! Unread counts (per conversation and in total, live across a user's devices) and `@` mentions
//! in internal notes.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard::conversations::unread::UnreadSummary;
use switchboard::domain::Role;

use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, TestUser, WsClient};

async fn summary(app: &TestApp, who: &TestUser) -> UnreadSummary {
    let (status, body) = app
        .get("/api/v1/conversations/unread", Some(&who.token))
        .await;
    assert_eq!(status, 200, "{body}");
    let s: UnreadSummary = serde_json::from_value(body.clone()).expect("an UnreadSummary");
    assert_eq!(
        s.total,
        s.items.iter().map(|i| i.unread_count).sum::<i64>(),
        "{body}"
    );
    s
}

/// The unread count of one conversation, `None` when it doesn't count for `who`.
async fn unread_in(app: &TestApp, who: &TestUser, conversation_id: i64) -> Option<i64> {
    summary(app, who)
        .await
        .items
        .iter()
        .find(|i| i.conversation_id == conversation_id)
        .map(|i| i.unread_count)
}

async fn read_all(app: &TestApp, who: &TestUser, conversation_id: i64) {
    let (status, body) = app
        .post(
            &format!("/api/v1/conversations/{conversation_id}/read"),
            Some(&who.token),
            json!({"seq": 1_000_000}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
}

/// How many `mention` notifications `who` has.
async fn mentions(app: &TestApp, who: &TestUser) -> usize {
    let (s, list) = app.get("/api/v1/notifications", Some(&who.token)).await;
    assert_eq!(s, 200, "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "mention")
        .count()
}

/// The next frame of `kind` about `conversation_id`.
async fn next_about(ws: &mut WsClient, kind: &str, conversation_id: i64) -> Value {
    loop {
        let f = ws.recv_type(kind).await;
        if f["conversation_id"] == conversation_id {
            return f;
        }
    }
}

db_test!(
    counts_cover_direct_chats_and_the_tickets_one_takes_part_in,
    |app: TestApp| async move {
        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "Card declined", "high").await;
        let conv = t.conversation_id;
        let (s, moved) = app
            .change_ticket(&d.admin, t.id, json!({"team_id": d.team_a}))
            .await;
        assert_eq!(s, 200, "{moved}");

        // A team's ticket counts for its agents, not for another team's. The admin who moved
        // it took part (the change is a system message in their name, which they have read).
        assert!(unread_in(&app, &d.agent_a, conv).await.unwrap() >= 1);
        assert_eq!(unread_in(&app, &d.agent_b, conv).await, None);
        assert_eq!(unread_in(&app, &d.admin, conv).await, Some(0));
        // The shared queue counts for nobody on the staff until they take part.
        let queued = app.open_ticket(&d.bob, "Password reset", "low").await;
        for staff in [&d.agent_a, &d.agent_b, &d.admin] {
            assert_eq!(unread_in(&app, staff, queued.conversation_id).await, None);
        }
        assert_eq!(
            unread_in(&app, &d.bob, queued.conversation_id).await,
            Some(0)
        );

        read_all(&app, &d.agent_a, conv).await;
        read_all(&app, &d.ana, conv).await;
        assert_eq!(unread_in(&app, &d.agent_a, conv).await, Some(0));
        assert_eq!(summary(&app, &d.ana).await.total, 0);

        app.send_message(&d.ana, conv, "Still declined").await;
        app.send_message(&d.ana, conv, "Any news?").await;
        app.send_note(&d.admin, conv, "NOTE-CANARY: fraud check")
            .await;
        // Staff count notes; the customer never does.
        assert_eq!(unread_in(&app, &d.agent_a, conv).await, Some(3));
        assert_eq!(unread_in(&app, &d.ana, conv).await, Some(0));
        app.send_message(&d.agent_a, conv, "Looking into it").await;
        assert_eq!(unread_in(&app, &d.ana, conv).await, Some(1));
        assert_eq!(
            unread_in(&app, &d.agent_a, conv).await,
            Some(0),
            "writing reads what came before"
        );

        // Direct chats count for both members; the conversation list agrees (one query too).
        let direct = app.direct(&d.agent_a, &d.bob).await;
        app.send_message(&d.agent_a, direct, "Hello Bob").await;
        app.send_message(&d.agent_a, direct, "Are you there?").await;
        let bob = summary(&app, &d.bob).await;
        assert_eq!(unread_in(&app, &d.bob, direct).await, Some(2));
        assert_eq!(bob.items.len(), 2, "his ticket and the chat");
        let (_, list) = app.get("/api/v1/conversations", Some(&d.ana.token)).await;
        let listed = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == conv)
            .expect("Ana's ticket in her list")
            .clone();
        assert_eq!(listed["unread_count"], 1, "{listed}");
        assert_eq!(summary(&app, &d.ana).await.total, 1);

        // A ticket assigned to an agent counts for them, with what was written before.
        let (s, body) = app
            .change_ticket(&d.admin, queued.id, json!({"assignee_id": d.agent_b.id}))
            .await;
        assert_eq!(s, 200, "{body}");
        assert!(
            unread_in(&app, &d.agent_b, queued.conversation_id)
                .await
                .unwrap()
                >= 1
        );
        assert_eq!(
            unread_in(&app, &d.agent_a, queued.conversation_id).await,
            None
        );

        // Once closed, the work is done for staff; the requester still sees the answer.
        let (s, body) = app
            .change_ticket(&d.admin, t.id, json!({"status": "closed"}))
            .await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(unread_in(&app, &d.agent_a, conv).await, None);
        assert_eq!(unread_in(&app, &d.admin, conv).await, None);
        assert!(unread_in(&app, &d.ana, conv).await.unwrap() >= 1);

        // Without a token: 401 like every route.
        let (status, body) = app.get("/api/v1/conversations/unread", None).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (401, &json!("unauthorized"))
        );
    }
);

db_test!(
    reading_on_one_device_updates_the_readers_other_devices,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
        let mut agent_ws = app.ws(&agent).await;
        let mut phone = app.ws(&ana).await;
        let mut laptop = app.ws(&ana).await;
        for body in ["one", "two", "three"] {
            app.send_message(&agent, conv, body).await;
        }
        assert_eq!(unread_in(&app, &ana, conv).await, Some(3));

        phone
            .send(json!({"type": "read", "conversation_id": conv, "seq": 2}))
            .await;
        let r = next_about(&mut laptop, "read", conv).await;
        assert_eq!(
            (r["user_id"].as_i64(), r["seq"].as_i64()),
            (Some(ana.id), Some(2))
        );
        let u = next_about(&mut laptop, "unread", conv).await;
        assert_eq!(
            u,
            json!({"type": "unread", "conversation_id": conv, "last_seq": 3, "last_read_seq": 2, "unread_count": 1})
        );
        // The reading device is told too (it confirms what it guessed).
        assert_eq!(next_about(&mut phone, "unread", conv).await, u);

        // Over REST, the same: every device drops to 0.
        read_all(&app, &ana, conv).await;
        for ws in [&mut phone, &mut laptop] {
            let u = next_about(ws, "unread", conv).await;
            assert_eq!(
                (u["unread_count"].as_i64(), u["last_read_seq"].as_i64()),
                (Some(0), Some(3))
            );
        }
        assert_eq!(summary(&app, &ana).await.total, 0);

        // The other member learns the read receipt, never Ana's count.
        let r = next_about(&mut agent_ws, "read", conv).await;
        assert_eq!(r["user_id"].as_i64(), Some(ana.id));
        while let Some(f) = agent_ws.try_recv(Duration::from_millis(300)).await {
            assert_ne!(f["type"], "unread", "{f}");
        }
        // A read that moves nothing tells nobody.
        read_all(&app, &ana, conv).await;
        while let Some(f) = laptop.try_recv(Duration::from_millis(300)).await {
            assert_ne!(f["type"], "unread", "{f}");
        }
    }
);

db_test!(
    a_mention_in_a_note_notifies_the_staff_who_may_see_the_ticket,
    |app: TestApp| async move {
        let d = app.desk().await;
        // A second "Alice …": the longest name wins.
        let alice_smith = app.user_with_role("Alicesmith", Role::Agent).await;
        let (s, body) = app
            .patch(
                "/api/v1/users/me",
                Some(&alice_smith.token),
                json!({"display_name": "Alice Smith"}),
            )
            .await;
        assert_eq!(s, 200, "{body}");
        let (s, body) = app
            .post(
                &format!("/api/v1/teams/{}/members", d.team_a),
                Some(&d.admin.token),
                json!({"user_id": alice_smith.id}),
            )
            .await;
        assert_eq!(s, 200, "{body}");
        let t = app.open_ticket(&d.ana, "Refund", "medium").await;
        let conv = t.conversation_id;
        let (s, moved) = app
            .change_ticket(&d.admin, t.id, json!({"team_id": d.team_a}))
            .await;
        assert_eq!(s, 200, "{moved}");
        let mut alice_ws = app.ws(&d.agent_a).await;

        // Barry (team B) may not see the ticket; Ana is a customer with a matching name.
        app.send_note(
            &d.admin,
            conv,
            "@alice, @Barry and @Ana: please check the refund (@Alice Smith FYI)",
        )
        .await;
        let n = loop {
            let f = alice_ws.recv_type("notification").await;
            if f["notification"]["kind"] == "mention" {
                break f;
            }
        };
        let n = &n["notification"];
        assert_eq!(
            (&n["kind"], &n["ticket_id"], &n["conversation_id"]),
            (&json!("mention"), &json!(t.id), &json!(conv)),
            "{n}"
        );
        assert_eq!(
            n["title"],
            format!("Admin mentioned you on #{}: Refund", t.number)
        );
        assert!(
            n["body"].as_str().unwrap().starts_with("@alice, @Barry"),
            "{n}"
        );

        assert_eq!(mentions(&app, &d.agent_a).await, 1);
        assert_eq!(mentions(&app, &alice_smith).await, 1);
        assert_eq!(mentions(&app, &d.agent_b).await, 0, "can't see the ticket");
        assert_eq!(
            mentions(&app, &d.ana).await,
            0,
            "customers never hear of notes"
        );
        assert_eq!(mentions(&app, &d.admin).await, 0, "not the writer");

        // A public message mentions nobody; nor does an e-mail address in a note.
        app.send_message(&d.agent_a, conv, "@Admin thanks").await;
        app.send_note(&d.agent_a, conv, "write to admin@example.com")
            .await;
        assert_eq!(mentions(&app, &d.admin).await, 0);
        app.send_note(&d.agent_a, conv, "@ADMIN can you approve?")
            .await;
        assert_eq!(mentions(&app, &d.admin).await, 1);
    }
);

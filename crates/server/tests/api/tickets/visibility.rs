//! Who sees and works a ticket: the permission matrix on every route, internal notes that never
//! reach a customer, live ticket events to exactly the right connections.

use std::time::Duration;

use serde_json::{Value, json};

use switchboard::domain::MessageKind;
use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, TestUser};

db_test!(
    the_permission_matrix_holds_on_every_ticket_route,
    |app: TestApp| async move {
        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "Billing question", "medium").await;
        let id = t.id;
        let conv = t.conversation_id;
        let (s, _) = app
            .change_ticket(&d.admin, t.id, json!({"team_id": d.team_a}))
            .await;
        assert_eq!(s, 200);
        // who, can see, can work
        let cases: [(&TestUser, &str, u16, u16); 5] = [
            (&d.ana, "requester", 200, 403),
            (&d.bob, "other customer", 404, 404),
            (&d.agent_a, "agent of the team", 200, 200),
            (&d.agent_b, "agent of another team", 404, 404),
            (&d.admin, "admin", 200, 200),
        ];
        for (who, label, see, work) in cases {
            assert_eq!(
                app.get(&format!("/api/v1/tickets/{id}"), Some(&who.token))
                    .await
                    .0,
                see,
                "{label}: GET ticket"
            );
            assert_eq!(
                app.get(&format!("/api/v1/tickets/{id}/events"), Some(&who.token))
                    .await
                    .0,
                see,
                "{label}: events"
            );
            assert_eq!(
                app.get(
                    &format!("/api/v1/conversations/{conv}/messages"),
                    Some(&who.token)
                )
                .await
                .0,
                see,
                "{label}: messages"
            );
            assert_eq!(
                app.get(&format!("/api/v1/conversations/{conv}"), Some(&who.token))
                    .await
                    .0,
                see,
                "{label}: conversation"
            );
            let (s, body) = app
                .change_ticket(who, t.id, json!({"priority": "high", "tags": [label]}))
                .await;
            assert_eq!(s, work, "{label}: PATCH priority: {body}");
            let reply = app.send(who, conv, &format!("reply from {label}")).await.0;
            assert_eq!(reply, if see == 200 { 201 } else { 404 }, "{label}: reply");
            let (_, list) = app.get("/api/v1/tickets", Some(&who.token)).await;
            let listed = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == id);
            assert_eq!(listed, see == 200, "{label}: listed");
        }
        // The requester may close and reopen, nothing else.
        assert_eq!(
            app.change_ticket(&d.ana, t.id, json!({"status": "closed"}))
                .await
                .0,
            200
        );
        assert_eq!(
            app.change_ticket(&d.ana, t.id, json!({"status": "open"}))
                .await
                .0,
            200
        );
        assert_eq!(
            app.change_ticket(&d.ana, t.id, json!({"status": "in_progress"}))
                .await
                .0,
            403
        );
        assert_eq!(
            app.change_ticket(&d.ana, t.id, json!({"assignee_id": d.agent_a.id}))
                .await
                .0,
            403
        );
        // Agents take or assign within their teams only.
        assert_eq!(
            app.change_ticket(&d.agent_a, t.id, json!({"assignee_id": d.agent_b.id}))
                .await
                .0,
            403
        );
        assert_eq!(
            app.change_ticket(&d.agent_a, t.id, json!({"team_id": d.team_b}))
                .await
                .0,
            403
        );
        assert_eq!(
            app.change_ticket(&d.agent_a, t.id, json!({"assignee_id": d.ana.id}))
                .await
                .0,
            400,
            "customers can't be assignees"
        );
        let (s, taken) = app
            .change_ticket(
                &d.agent_a,
                t.id,
                json!({"assignee_id": d.agent_a.id, "status": "in_progress"}),
            )
            .await;
        assert_eq!(
            (s, taken["assignee"]["id"].as_i64()),
            (200, Some(d.agent_a.id))
        );
        // Customers can't write internal notes.
        let (s, _) = app
        .post(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&d.ana.token),
            json!({"body": "note?", "client_id": uuid::Uuid::new_v4().to_string(), "kind": "note"}),
        )
        .await;
        assert_eq!(s, 403);
        // Unknown ids answer 404 like invisible ones.
        assert_eq!(
            app.get("/api/v1/tickets/999999", Some(&d.admin.token))
                .await
                .0,
            404
        );
    }
);

db_test!(
    internal_notes_never_reach_a_customer,
    |app: TestApp| async move {
        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "Secret stuff", "medium").await;
        let conv = t.conversation_id;
        let mut ana_ws = app.ws(&d.ana).await;
        let mut agent_ws = app.ws(&d.agent_a).await;
        let note = app
            .send_note(&d.agent_a, conv, "CANARY-NOTE customer seems angry")
            .await;
        assert_eq!(note.kind, MessageKind::Note);
        let reply = app.send_message(&d.agent_a, conv, "Hello Ana").await;
        // Live: the customer gets the reply, never the note.
        let live = ana_ws.recv_type("message").await;
        assert_eq!(live["message"]["id"], reply.id);
        // The agent's other view sees both.
        let mut other = app.ws(&d.admin).await;
        other
            .send(json!({"type": "resume", "positions": {conv.to_string(): 0}}))
            .await;
        let mut kinds = Vec::new();
        loop {
            let f = other.recv().await;
            if f["type"] == "resumed" {
                break;
            }
            if f["type"] == "message" {
                kinds.push(f["message"]["kind"].as_str().unwrap().to_string());
            }
        }
        assert!(kinds.contains(&"note".to_string()), "{kinds:?}");
        // History, resume, the conversation list and notifications: no note anywhere for Ana.
        let history = app.messages(&d.ana, conv, "").await;
        assert!(history.iter().all(|m| m["kind"] != "note"));
        let (_, list) = app.get("/api/v1/conversations", Some(&d.ana.token)).await;
        let (_, one) = app
            .get(&format!("/api/v1/conversations/{conv}"), Some(&d.ana.token))
            .await;
        let (_, notes) = app.get("/api/v1/notifications", Some(&d.ana.token)).await;
        let mut fresh = app.ws(&d.ana).await;
        fresh
            .send(json!({"type": "resume", "positions": {conv.to_string(): 0}}))
            .await;
        let mut frames = Vec::new();
        loop {
            let f = fresh.recv().await;
            frames.push(f.clone());
            if f["type"] == "resumed" {
                assert_eq!(f["last_seq"], 3, "the cursor still moves past the note");
                break;
            }
        }
        while let Some(f) = ana_ws.try_recv(Duration::from_millis(300)).await {
            frames.push(f);
        }
        let everything = format!("{history:?}{list}{one}{notes}{frames:?}");
        assert!(
            !everything.contains("CANARY-NOTE"),
            "a note leaked to the customer"
        );
        let _ = agent_ws.recv_type("message").await;
    }
);

db_test!(
    live_ticket_events_reach_exactly_the_right_connections,
    |app: TestApp| async move {
        let d = app.desk().await;
        let mut a = app.ws(&d.agent_a).await;
        let mut b = app.ws(&d.agent_b).await;
        let mut ana = app.ws(&d.ana).await;
        let mut bob = app.ws(&d.bob).await;
        let t = app.open_ticket(&d.ana, "Queue me", "high").await;
        // Unassigned and without a team: the whole queue sees it arrive.
        for ws in [&mut a, &mut b, &mut ana] {
            assert_eq!(ws.recv_type("ticket").await["ticket"]["id"], t.id);
        }
        // Moved to team A: both agents learn it (B sees it leave the queue) …
        app.change_ticket(&d.admin, t.id, json!({"team_id": d.team_a}))
            .await;
        for ws in [&mut a, &mut b, &mut ana] {
            assert_eq!(
                ws.recv_type("ticket").await["ticket"]["team"]["id"],
                d.team_a
            );
        }
        // … and after that only team A and the requester hear about it.
        app.change_ticket(&d.agent_a, t.id, json!({"priority": "urgent"}))
            .await;
        assert_eq!(a.recv_type("ticket").await["ticket"]["priority"], "urgent");
        assert_eq!(
            ana.recv_type("ticket").await["ticket"]["priority"],
            "urgent"
        );
        let no_ticket = |frames: Vec<Value>| frames.iter().all(|f| f["type"] != "ticket");
        let mut b_frames = Vec::new();
        while let Some(f) = b.try_recv(Duration::from_millis(400)).await {
            b_frames.push(f);
        }
        assert!(
            no_ticket(b_frames.clone())
                || b_frames
                    .iter()
                    .filter(|f| f["type"] == "ticket")
                    .all(|f| f["ticket"]["priority"] != "urgent")
        );
        let mut bob_frames = Vec::new();
        while let Some(f) = bob.try_recv(Duration::from_millis(200)).await {
            bob_frames.push(f);
        }
        assert!(no_ticket(bob_frames), "another customer hears nothing");
        // The new-ticket notification reached the queue's agents live.
        let (_, n) = app
            .get("/api/v1/notifications", Some(&d.agent_b.token))
            .await;
        assert!(
            n["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["kind"] == "ticket_created")
        );
    }
);

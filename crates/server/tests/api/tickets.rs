//! Tickets: the permission matrix, live events to exactly the right people, notes that never
//! reach customers, optimistic concurrency, history, SLA clocks, teams and notifications.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard::domain::Role;

use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, TestUser};

pub(crate) struct Desk {
    pub admin: TestUser,
    /// In team A.
    pub agent_a: TestUser,
    /// In team B.
    pub agent_b: TestUser,
    pub ana: TestUser,
    pub bob: TestUser,
    pub team_a: i64,
    pub team_b: i64,
}

pub(crate) async fn desk(app: &TestApp) -> Desk {
    let admin = app.user_with_role("Admin", Role::Admin).await;
    let agent_a = app.user_with_role("Alice", Role::Agent).await;
    let agent_b = app.user_with_role("Barry", Role::Agent).await;
    let ana = app.register("Ana").await;
    let bob = app.register("Bob").await;
    let mut teams = Vec::new();
    for (name, agent) in [("Billing", &agent_a), ("Tech", &agent_b)] {
        let (status, team) = app
            .post("/api/v1/teams", Some(&admin.token), json!({"name": name}))
            .await;
        assert_eq!(status, 201, "{team}");
        let id = team["id"].as_i64().unwrap();
        let (status, team) = app
            .post(
                &format!("/api/v1/teams/{id}/members"),
                Some(&admin.token),
                json!({"user_id": agent.id}),
            )
            .await;
        assert_eq!(status, 200, "{team}");
        teams.push(id);
    }
    Desk {
        admin,
        agent_a,
        agent_b,
        ana,
        bob,
        team_a: teams[0],
        team_b: teams[1],
    }
}

pub(crate) async fn open_ticket(
    app: &TestApp,
    who: &TestUser,
    subject: &str,
    priority: &str,
) -> Value {
    let (status, t) = app
        .post(
            "/api/v1/tickets",
            Some(&who.token),
            json!({"subject": subject, "body": "It is broken", "priority": priority}),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    t
}

pub(crate) async fn patch(
    app: &TestApp,
    who: &TestUser,
    t: &Value,
    changes: Value,
) -> (u16, Value) {
    let id = t["id"].as_i64().unwrap();
    let (_, current) = app
        .get(
            &format!("/api/v1/tickets/{id}"),
            Some(&db_admin_token(app).await),
        )
        .await;
    let mut body = changes;
    body["version"] = current["version"].clone();
    app.patch(&format!("/api/v1/tickets/{id}"), Some(&who.token), body)
        .await
}

/// The ticket as `who` reads it now.
pub(crate) async fn get_ticket(app: &TestApp, who: &TestUser, id: i64) -> Value {
    let (s, t) = app
        .get(&format!("/api/v1/tickets/{id}"), Some(&who.token))
        .await;
    assert_eq!(s, 200, "{t}");
    t
}

/// A fresh admin session to read current versions, whoever acts.
async fn db_admin_token(app: &TestApp) -> String {
    app.login("admin@example.com", "correct horse battery")
        .await
        .token
}

db_test!(
    opening_a_ticket_creates_its_conversation_history_and_sla,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let t = open_ticket(&app, &d.ana, "  Printer on fire ", "urgent").await;
        assert_eq!(t["subject"], "Printer on fire");
        assert_eq!(t["status"], "open");
        assert_eq!(
            t["number"].as_i64().unwrap(),
            t["id"].as_i64().unwrap() + 1000
        );
        assert_eq!(t["requester"]["id"], d.ana.id);
        assert!(t["assignee"].is_null());
        assert_eq!(t["version"], 1);
        let conv = t["conversation_id"].as_i64().unwrap();
        let msgs = app.messages(&d.ana, conv, "").await;
        assert_eq!(msgs.len(), 1);
        assert_eq!(
            (msgs[0]["seq"].as_i64(), msgs[0]["body"].as_str()),
            (Some(1), Some("It is broken"))
        );
        let (_, events) = app
            .get(
                &format!("/api/v1/tickets/{}/events", t["id"]),
                Some(&d.ana.token),
            )
            .await;
        assert_eq!(events["items"][0]["field"], "created");

        let (s, e) = app
            .post(
                "/api/v1/tickets",
                Some(&d.ana.token),
                json!({"subject": "", "body": "x"}),
            )
            .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (400, Some("validation_failed"))
        );
        let (s, _) = app
            .post(
                "/api/v1/tickets",
                Some(&d.ana.token),
                json!({"subject": "x", "body": "x", "priority": "meh"}),
            )
            .await;
        assert_eq!(s, 400);
        let (s, _) = app
            .post(
                "/api/v1/tickets",
                Some(&d.ana.token),
                json!({"subject": "x", "body": "x", "requester_id": d.bob.id}),
            )
            .await;
        assert_eq!(s, 400, "mass assignment is refused");
    }
);

db_test!(
    sla_due_times_follow_each_priority,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let hour = 3_600_000i64;
        for (priority, first, resolve) in [
            ("urgent", hour, 8 * hour),
            ("high", 4 * hour, 24 * hour),
            ("medium", 8 * hour, 72 * hour),
            ("low", 24 * hour, 120 * hour),
        ] {
            let opened = open_ticket(&app, &d.ana, priority, priority).await;
            // The due times are the desk's: staff read them.
            let t = get_ticket(&app, &d.admin, opened["id"].as_i64().unwrap()).await;
            let ms = |k: &str| {
                chrono::DateTime::parse_from_rfc3339(t[k].as_str().unwrap())
                    .unwrap()
                    .timestamp_millis()
            };
            let at = |k: &str| {
                chrono::DateTime::parse_from_rfc3339(t["sla"][k].as_str().unwrap())
                    .unwrap()
                    .timestamp_millis()
            };
            assert_eq!(
                at("first_response_due") - ms("created_at"),
                first,
                "{priority}"
            );
            assert_eq!(
                at("resolution_due") - ms("created_at"),
                resolve,
                "{priority}"
            );
            assert_eq!(t["sla"]["first_response_breached"], false);
        }
        // Changing the priority moves the clocks.
        let t = open_ticket(&app, &d.ana, "moving", "low").await;
        let (s, t2) = patch(&app, &d.agent_a, &t, json!({"priority": "urgent"})).await;
        assert_eq!(s, 200, "{t2}");
        let created = chrono::DateTime::parse_from_rfc3339(t2["created_at"].as_str().unwrap())
            .unwrap()
            .timestamp_millis();
        let due =
            chrono::DateTime::parse_from_rfc3339(t2["sla"]["first_response_due"].as_str().unwrap())
                .unwrap()
                .timestamp_millis();
        assert_eq!(due - created, hour);
        // The first staff reply stops the first-response clock.
        app.send(&d.agent_a, t["conversation_id"].as_i64().unwrap(), "On it")
            .await;
        let (_, t3) = app
            .get(&format!("/api/v1/tickets/{}", t["id"]), Some(&d.ana.token))
            .await;
        assert!(t3["first_response_at"].is_string());
    }
);

db_test!(
    sla_sweep_warns_once_then_reports_the_breach,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let t = open_ticket(&app, &d.ana, "clock", "urgent").await;
        let (_, t) = patch(&app, &d.admin, &t, json!({"assignee_id": d.agent_a.id})).await;
        let due =
            chrono::DateTime::parse_from_rfc3339(t["sla"]["first_response_due"].as_str().unwrap())
                .unwrap()
                .timestamp_millis();
        let state = &app.state;
        assert_eq!(
            switchboard::tickets::sla::sweep(state, due - 30 * 60_000)
                .await
                .unwrap(),
            0,
            "too early"
        );
        assert_eq!(
            switchboard::tickets::sla::sweep(state, due - 10 * 60_000)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            switchboard::tickets::sla::sweep(state, due - 5 * 60_000)
                .await
                .unwrap(),
            0,
            "warned once"
        );
        assert_eq!(
            switchboard::tickets::sla::sweep(state, due + 60_000)
                .await
                .unwrap(),
            1
        );
        let (_, n) = app
            .get("/api/v1/notifications", Some(&d.agent_a.token))
            .await;
        let kinds: Vec<&str> = n["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds.iter().filter(|k| **k == "sla_warning").count(),
            1,
            "{kinds:?}"
        );
        assert_eq!(
            kinds.iter().filter(|k| **k == "sla_breached").count(),
            1,
            "{kinds:?}"
        );
    }
);

db_test!(
    the_permission_matrix_holds_on_every_ticket_route,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let t = open_ticket(&app, &d.ana, "Billing question", "medium").await;
        let id = t["id"].as_i64().unwrap();
        let conv = t["conversation_id"].as_i64().unwrap();
        let (s, _) = patch(&app, &d.admin, &t, json!({"team_id": d.team_a})).await;
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
            let (s, body) =
                patch(&app, who, &t, json!({"priority": "high", "tags": [label]})).await;
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
            patch(&app, &d.ana, &t, json!({"status": "closed"})).await.0,
            200
        );
        assert_eq!(
            patch(&app, &d.ana, &t, json!({"status": "open"})).await.0,
            200
        );
        assert_eq!(
            patch(&app, &d.ana, &t, json!({"status": "in_progress"}))
                .await
                .0,
            403
        );
        assert_eq!(
            patch(&app, &d.ana, &t, json!({"assignee_id": d.agent_a.id}))
                .await
                .0,
            403
        );
        // Agents take or assign within their teams only.
        assert_eq!(
            patch(&app, &d.agent_a, &t, json!({"assignee_id": d.agent_b.id}))
                .await
                .0,
            403
        );
        assert_eq!(
            patch(&app, &d.agent_a, &t, json!({"team_id": d.team_b}))
                .await
                .0,
            403
        );
        assert_eq!(
            patch(&app, &d.agent_a, &t, json!({"assignee_id": d.ana.id}))
                .await
                .0,
            400,
            "customers can't be assignees"
        );
        let (s, taken) = patch(
            &app,
            &d.agent_a,
            &t,
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
        let d = desk(&app).await;
        let t = open_ticket(&app, &d.ana, "Secret stuff", "medium").await;
        let conv = t["conversation_id"].as_i64().unwrap();
        let mut ana_ws = app.ws(&d.ana).await;
        let mut agent_ws = app.ws(&d.agent_a).await;
        let (s, note) = app
        .post(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&d.agent_a.token),
            json!({"body": "CANARY-NOTE customer seems angry", "client_id": uuid::Uuid::new_v4().to_string(), "kind": "note"}),
        )
        .await;
        assert_eq!((s, note["kind"].as_str()), (201, Some("note")));
        let (_, reply) = app.send(&d.agent_a, conv, "Hello Ana").await;
        // Live: the customer gets the reply, never the note.
        let live = ana_ws.recv_type("message").await;
        assert_eq!(live["message"]["id"], reply["id"]);
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
        let d = desk(&app).await;
        let mut a = app.ws(&d.agent_a).await;
        let mut b = app.ws(&d.agent_b).await;
        let mut ana = app.ws(&d.ana).await;
        let mut bob = app.ws(&d.bob).await;
        let t = open_ticket(&app, &d.ana, "Queue me", "high").await;
        // Unassigned and without a team: the whole queue sees it arrive.
        for ws in [&mut a, &mut b, &mut ana] {
            assert_eq!(ws.recv_type("ticket").await["ticket"]["id"], t["id"]);
        }
        // Moved to team A: both agents learn it (B sees it leave the queue) …
        patch(&app, &d.admin, &t, json!({"team_id": d.team_a})).await;
        for ws in [&mut a, &mut b, &mut ana] {
            assert_eq!(
                ws.recv_type("ticket").await["ticket"]["team"]["id"],
                d.team_a
            );
        }
        // … and after that only team A and the requester hear about it.
        patch(&app, &d.agent_a, &t, json!({"priority": "urgent"})).await;
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

db_test!(
    concurrent_patches_with_one_version_give_one_200_and_one_409,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let t = open_ticket(&app, &d.ana, "Race", "low").await;
        let id = t["id"].as_i64().unwrap();
        let url = app.url(&format!("/api/v1/tickets/{id}"));
        let send = |token: String, body: Value| {
            let client = app.client.clone();
            let url = url.clone();
            async move {
                switchboard_test_support::into_parts(
                    client
                        .patch(url)
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap(),
                )
                .await
            }
        };
        let (r1, r2) = tokio::join!(
            send(
                d.agent_a.token.clone(),
                json!({"version": 1, "priority": "high"})
            ),
            send(
                d.agent_b.token.clone(),
                json!({"version": 1, "priority": "urgent"})
            ),
        );
        let mut statuses = [r1.0, r2.0];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{r1:?} {r2:?}");
        let conflict = if r1.0 == 409 { &r1.1 } else { &r2.1 };
        assert_eq!(conflict["error"]["code"], "conflict");
        assert_eq!(
            conflict["error"]["current"]["version"], 2,
            "the 409 carries the current ticket"
        );
        let (_, events) = app
            .get(
                &format!("/api/v1/tickets/{id}/events"),
                Some(&d.admin.token),
            )
            .await;
        assert_eq!(
            events["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["field"] == "priority")
                .count(),
            1
        );
    }
);

db_test!(
    every_change_is_recorded_and_told_in_the_conversation,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let t = open_ticket(&app, &d.ana, "History", "low").await;
        let conv = t["conversation_id"].as_i64().unwrap();
        patch(&app, &d.admin, &t, json!({"team_id": d.team_a})).await;
        patch(
            &app,
            &d.agent_a,
            &t,
            json!({"assignee_id": d.agent_a.id, "status": "in_progress"}),
        )
        .await;
        patch(
            &app,
            &d.agent_a,
            &t,
            json!({"priority": "urgent", "tags": ["VIP", "billing"]}),
        )
        .await;
        let (_, closed) = patch(&app, &d.ana, &t, json!({"status": "closed"})).await;
        assert!(closed["closed_at"].is_string());
        let (_, reopened) = patch(&app, &d.ana, &t, json!({"status": "open"})).await;
        assert!(reopened["closed_at"].is_null());
        assert_eq!(reopened["tags"], json!(["billing", "vip"]));
        let (_, events) = app
            .get(
                &format!("/api/v1/tickets/{}/events", t["id"]),
                Some(&d.ana.token),
            )
            .await;
        let fields: Vec<(String, Option<String>, Option<String>)> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap().into(),
                    e["old_value"].as_str().map(Into::into),
                    e["new_value"].as_str().map(Into::into),
                )
            })
            .collect();
        let names: Vec<&str> = fields.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "created", "team", "status", "assignee", "priority", "tags", "status", "status"
            ]
        );
        assert_eq!(fields[4].1.as_deref(), Some("low"));
        assert_eq!(fields[4].2.as_deref(), Some("urgent"));
        let system: Vec<String> = app
            .messages(&d.ana, conv, "")
            .await
            .iter()
            .filter(|m| m["kind"] == "system")
            .map(|m| m["body"].as_str().unwrap().to_string())
            .collect();
        assert!(
            system.contains(&"Alice took this ticket".to_string()),
            "{system:?}"
        );
        assert!(
            system.contains(&"Alice changed the priority to urgent".to_string()),
            "{system:?}"
        );
        assert!(
            system.contains(&"Ana closed this ticket".to_string()),
            "{system:?}"
        );
        assert!(
            system.contains(&"Ana reopened this ticket".to_string()),
            "{system:?}"
        );
        // The requester was told about the status change and the reply notification works.
        app.send(&d.agent_a, conv, "fixed?").await;
        let (_, n) = app
            .get("/api/v1/notifications?unread=true", Some(&d.ana.token))
            .await;
        let kinds: Vec<&str> = n["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.contains(&"ticket_status") && kinds.contains(&"ticket_reply"),
            "{kinds:?}"
        );
        let first = n["items"][0]["id"].as_i64().unwrap();
        assert_eq!(
            app.post(
                &format!("/api/v1/notifications/{first}/read"),
                Some(&d.ana.token),
                json!({})
            )
            .await
            .0,
            204
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/notifications/{first}/read"),
                Some(&d.bob.token),
                json!({})
            )
            .await
            .0,
            404
        );
        assert_eq!(
            app.post(
                "/api/v1/notifications/read-all",
                Some(&d.ana.token),
                json!({})
            )
            .await
            .0,
            204
        );
        let (_, n) = app.get("/api/v1/notifications", Some(&d.ana.token)).await;
        assert_eq!(n["unread_count"], 0);
    }
);

db_test!(
    the_queue_filters_sorts_pages_and_counts,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let mut ids = Vec::new();
        for (i, p) in ["low", "urgent", "medium", "high", "low", "urgent"]
            .iter()
            .enumerate()
        {
            let who = if i % 2 == 0 { &d.ana } else { &d.bob };
            ids.push(open_ticket(&app, who, &format!("Case {i} about Printers"), p).await);
        }
        patch(
            &app,
            &d.agent_a,
            &ids[0],
            json!({"assignee_id": d.agent_a.id, "status": "in_progress"}),
        )
        .await;
        patch(&app, &d.admin, &ids[1], json!({"status": "closed"})).await;
        let get = |q: &'static str| {
            let token = d.admin.token.clone();
            let app = &app;
            async move {
                let (s, b) = app.get(&format!("/api/v1/tickets?{q}"), Some(&token)).await;
                assert_eq!(s, 200, "{q}: {b}");
                b
            }
        };
        let page = get("").await;
        assert_eq!(
            page["counts"],
            json!({"open": 4, "in_progress": 1, "pending": 0, "closed": 1})
        );
        assert_eq!(
            get("status=open").await["items"].as_array().unwrap().len(),
            4
        );
        assert_eq!(
            get("assignee=none").await["items"]
                .as_array()
                .unwrap()
                .len(),
            5
        );
        let mine = app
            .get("/api/v1/tickets?assignee=me", Some(&d.agent_a.token))
            .await
            .1;
        assert_eq!(mine["items"].as_array().unwrap().len(), 1);
        assert_eq!(
            get("priority=urgent").await["items"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(get("q=case 3").await["items"].as_array().unwrap().len(), 1);
        assert_eq!(
            get("q=PRINTERS").await["items"].as_array().unwrap().len(),
            6,
            "case-insensitive"
        );
        let by_requester = app
            .get(
                &format!("/api/v1/tickets?requester={}", d.bob.id),
                Some(&d.admin.token),
            )
            .await
            .1;
        assert_eq!(by_requester["items"].as_array().unwrap().len(), 3);
        let ana_view = app.get("/api/v1/tickets", Some(&d.ana.token)).await.1;
        assert_eq!(
            ana_view["items"].as_array().unwrap().len(),
            3,
            "customers see only their own"
        );
        let ranks: Vec<String> = get("sort=priority").await["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["priority"].as_str().unwrap().into())
            .collect();
        assert_eq!(ranks, ["urgent", "urgent", "high", "medium", "low", "low"]);
        // Cursor pagination walks every ticket once, in order, for each sort.
        for sort in ["updated", "created", "priority"] {
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let q = match &cursor {
                    Some(c) => format!("/api/v1/tickets?sort={sort}&limit=4&cursor={c}"),
                    None => format!("/api/v1/tickets?sort={sort}&limit=4"),
                };
                let (_, page) = app.get(&q, Some(&d.admin.token)).await;
                seen.extend(
                    page["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t["id"].as_i64().unwrap()),
                );
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_string()),
                    None => break,
                }
            }
            let mut unique = seen.clone();
            unique.sort();
            unique.dedup();
            assert_eq!((seen.len(), unique.len()), (6, 6), "{sort}: {seen:?}");
        }
        for bad in [
            "status=gone",
            "sort=random",
            "limit=0",
            "cursor=zzz",
            "assignee=nobody",
        ] {
            let (s, b) = app
                .get(&format!("/api/v1/tickets?{bad}"), Some(&d.admin.token))
                .await;
            assert_eq!(
                (s, b["error"]["code"].as_str()),
                (400, Some("validation_failed")),
                "{bad}"
            );
        }
    }
);

db_test!(admins_manage_teams, |app: TestApp| async move {
    let d = desk(&app).await;
    let (s, _) = app
        .post(
            "/api/v1/teams",
            Some(&d.agent_a.token),
            json!({"name": "Rogue"}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .post(
            "/api/v1/teams",
            Some(&d.admin.token),
            json!({"name": "Billing"}),
        )
        .await;
    assert_eq!(s, 409, "names are unique");
    let (s, renamed) = app
        .patch(
            &format!("/api/v1/teams/{}", d.team_b),
            Some(&d.admin.token),
            json!({"name": "Support"}),
        )
        .await;
    assert_eq!((s, renamed["name"].as_str()), (200, Some("Support")));
    let (s, _) = app
        .post(
            &format!("/api/v1/teams/{}/members", d.team_b),
            Some(&d.admin.token),
            json!({"user_id": d.ana.id}),
        )
        .await;
    assert_eq!(s, 400, "customers are not team members");
    let (_, list) = app.get("/api/v1/teams", Some(&d.agent_a.token)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/api/v1/teams", Some(&d.ana.token)).await.0, 403);
    let t = open_ticket(&app, &d.ana, "Team ticket", "low").await;
    patch(&app, &d.admin, &t, json!({"team_id": d.team_b})).await;
    let path = format!("/api/v1/teams/{}/members/{}", d.team_b, d.agent_b.id);
    assert_eq!(app.delete(&path, Some(&d.admin.token)).await.0, 204);
    assert_eq!(app.delete(&path, Some(&d.admin.token)).await.0, 404);
    assert_eq!(
        app.delete(&format!("/api/v1/teams/{}", d.team_b), Some(&d.admin.token))
            .await
            .0,
        204
    );
    let (_, after) = app
        .get(
            &format!("/api/v1/tickets/{}", t["id"]),
            Some(&d.admin.token),
        )
        .await;
    assert!(after["team"].is_null(), "the ticket returns to the queue");
});

#[test]
fn seed_demo_fills_an_empty_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .args(["seed", "--demo"])
            .env("SWITCHBOARD_DATA_DIR", dir.path())
            .env(
                "SWITCHBOARD_DATABASE_URL",
                format!("sqlite://{}/sb.db", dir.path().display()),
            )
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        stdout.contains("8 tickets") && stdout.contains("admin@demo.switchboard"),
        "{stdout}"
    );
    let second = run();
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("already has"),
        "it refuses a database with users"
    );
}

db_test!(
    customers_never_see_the_desks_due_times,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let mut ana_ws = app.ws(&d.ana).await;
        let mut agent_ws = app.ws(&d.agent_a).await;
        let t = open_ticket(&app, &d.ana, "Refund", "high").await;
        let id = t["id"].as_i64().unwrap();
        assert!(t.get("sla").is_none(), "created: {t}");
        assert!(get_ticket(&app, &d.ana, id).await.get("sla").is_none());
        let (_, page) = app.get("/api/v1/tickets", Some(&d.ana.token)).await;
        assert_eq!(page["items"][0]["id"], id, "{page}");
        assert!(page["items"][0].get("sla").is_none(), "listed: {page}");

        // Staff read them everywhere.
        let staff = get_ticket(&app, &d.admin, id).await;
        assert!(staff["sla"]["first_response_due"].is_string(), "{staff}");
        let (_, page) = app.get("/api/v1/tickets", Some(&d.admin.token)).await;
        assert!(
            page["items"][0]["sla"]["resolution_due"].is_string(),
            "{page}"
        );
        let (s, _) = patch(&app, &d.admin, &t, json!({"assignee_id": d.agent_a.id})).await;
        assert_eq!(s, 200);

        // The customer closes it: their answer and their live frame carry no due times, the
        // assignee's frame does.
        let (s, closed) = patch(&app, &d.ana, &t, json!({"status": "closed"})).await;
        assert_eq!(s, 200, "{closed}");
        assert!(closed.get("sla").is_none(), "patched: {closed}");
        let closed_frame = |ws_frame: &Value| ws_frame["ticket"]["status"] == "closed";
        let seen = loop {
            let f = ana_ws.recv_type("ticket").await;
            assert!(f["ticket"].get("sla").is_none(), "customer frame: {f}");
            if closed_frame(&f) {
                break f;
            }
        };
        assert_eq!(seen["ticket"]["id"], id);
        loop {
            let f = agent_ws.recv_type("ticket").await;
            if closed_frame(&f) {
                assert!(f["ticket"]["sla"]["resolution_due"].is_string(), "{f}");
                break;
            }
        }
    }
);

//! Mass assignment: fields a client must never set (role, requester, seq, created_at, ids,
//! numbers, senders) sent in every writable body change nothing, whether the server refuses
//! the body or ignores the field.

use serde_json::{Value, json};
use switchboard::domain::Role;

use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

fn refused_or_ok(status: u16) -> bool {
    matches!(status, 200 | 201 | 204 | 400 | 403 | 422)
}

db_test!(
    protected_fields_in_bodies_change_nothing,
    |app: TestApp| async move {
        let admin = app.user_with_role("Admin", Role::Admin).await;
        let agent = app.user_with_role("Alice", Role::Agent).await;
        let ana = app.register("Ana").await;
        let bob = app.register("Bob").await;
        let mut tried = 0;

        // Tickets.
        let (s, t) = app
            .post(
                "/api/v1/tickets",
                Some(&ana.token),
                json!({"subject": "s", "body": "b", "priority": "low",
                       "status": "closed", "assignee_id": agent.id, "number": 1, "id": 5,
                       "created_at": "2000-01-01T00:00:00.000Z", "version": 99}),
            )
            .await;
        tried += 1;
        assert!(refused_or_ok(s), "{s} {t}");
        let (s, t) = app
            .post(
                "/api/v1/tickets",
                Some(&ana.token),
                json!({"subject": "s", "body": "b", "priority": "low"}),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        let id = t["id"].as_i64().unwrap();
        let path = format!("/api/v1/tickets/{id}");
        // As staff see it (the customer's copy has no `sla`).
        let (_, t) = app.get(&path, Some(&admin.token)).await;
        assert!(t["sla"].is_object(), "{t}");
        for extra in [
            json!({"requester_id": bob.id}),
            json!({"requester": {"id": bob.id}}),
            json!({"created_at": "2000-01-01T00:00:00.000Z"}),
            json!({"number": 1}),
            json!({"subject": "changed"}),
            json!({"conversation_id": 1}),
            json!({"seq": 99}),
            json!({"first_response_at": "2000-01-01T00:00:00.000Z"}),
            json!({"sla": {"first_response_breached": true}}),
        ] {
            for who in [&agent, &admin] {
                let (_, now) = app.get(&path, Some(&admin.token)).await;
                let mut body = extra.clone();
                body["version"] = now["version"].clone();
                body["priority"] = json!("high");
                let (s, b) = app.patch(&path, Some(&who.token), body).await;
                tried += 1;
                assert!(refused_or_ok(s), "{extra}: {s} {b}");
            }
        }
        let (_, after) = app.get(&path, Some(&admin.token)).await;
        for k in [
            "requester",
            "created_at",
            "number",
            "subject",
            "conversation_id",
            "first_response_at",
            "sla",
        ] {
            assert_eq!(after[k], t[k], "ticket {k} changed");
        }

        // Own profile: no role, email, id or disabled flag.
        for extra in [
            json!({"role": "admin"}),
            json!({"email": "boss@example.com"}),
            json!({"id": admin.id}),
            json!({"disabled": true}),
            json!({"created_at": "2000-01-01T00:00:00.000Z"}),
            json!({"display_name": "Ana", "role": "agent"}),
        ] {
            let (s, b) = app
                .patch("/api/v1/users/me", Some(&ana.token), extra.clone())
                .await;
            tried += 1;
            assert!(refused_or_ok(s), "{extra}: {s} {b}");
        }
        let (_, me) = app.get("/api/v1/users/me", Some(&ana.token)).await;
        assert_eq!(
            (
                me["role"].as_str(),
                me["email"].as_str(),
                me["id"].as_i64(),
                me["disabled"].as_bool()
            ),
            (
                Some("customer"),
                Some("ana@example.com"),
                Some(ana.id),
                Some(false)
            )
        );

        // An admin's user edit takes role and disabled only.
        let (s, b) = app
            .patch(
                &format!("/api/v1/admin/users/{}", bob.id),
                Some(&admin.token),
                json!({"email": "ana@example.com", "id": ana.id, "password": "new password 123"}),
            )
            .await;
        tried += 1;
        assert!(refused_or_ok(s), "{s} {b}");
        app.login("bob@example.com", "correct horse battery").await;

        // Messages: the server numbers, dates and signs them.
        let (_, conv) = app.get(&path, Some(&ana.token)).await;
        let conv = conv["conversation_id"].as_i64().unwrap();
        let before = app.messages(&ana, conv, "limit=200").await.len();
        for extra in [
            json!({"seq": 999}),
            json!({"sender_id": agent.id}),
            json!({"created_at": "2000-01-01T00:00:00.000Z"}),
            json!({"id": 1}),
            json!({"conversation_id": 1}),
            json!({"kind": "system"}),
        ] {
            let mut body = extra.clone();
            body["body"] = json!("hello");
            body["client_id"] = json!(uuid::Uuid::new_v4().to_string());
            let (s, b) = app
                .post(
                    &format!("/api/v1/conversations/{conv}/messages"),
                    Some(&ana.token),
                    body,
                )
                .await;
            tried += 1;
            assert!(refused_or_ok(s), "{extra}: {s} {b}");
        }
        let items = app.messages(&ana, conv, "limit=200").await;
        let seqs: Vec<i64> = items.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "gapless");
        for m in &items[before..] {
            assert_eq!(m["sender_id"], ana.id);
            assert_eq!(m["kind"], "text");
            assert!(!m["created_at"].as_str().unwrap().starts_with("2000"));
        }

        // The same over the WebSocket: unknown fields make the frame invalid; nothing stored.
        let mut ws = app.ws(&ana).await;
        let count = items.len();
        ws.send(json!({"type": "send", "conversation_id": conv, "client_id": "c1", "body": "x", "seq": 1}))
            .await;
        let e = ws.recv_type("error").await;
        assert_eq!(e["code"], "invalid_frame", "{e}");
        ws.send(json!({"type": "send", "conversation_id": conv, "client_id": "c2", "body": "x", "sender_id": agent.id}))
            .await;
        assert_eq!(ws.recv_type("error").await["code"], "invalid_frame");
        tried += 2;
        assert_eq!(app.messages(&ana, conv, "limit=200").await.len(), count);

        // A read position beyond the end is not stored as such.
        let (s, _) = app
            .post(
                &format!("/api/v1/conversations/{conv}/read"),
                Some(&ana.token),
                json!({"seq": 1_000_000}),
            )
            .await;
        tried += 1;
        assert!(refused_or_ok(s));
        let (_, c) = app
            .get(&format!("/api/v1/conversations/{conv}"), Some(&ana.token))
            .await;
        assert!(
            c["last_read_seq"].as_i64() <= c["last_seq"].as_i64()
                && c["unread_count"].as_i64() >= Some(0),
            "read position past the end: {c}"
        );

        // Friend requests and teams.
        let (s, fr) = app
            .post(
                "/api/v1/friend-requests",
                Some(&ana.token),
                json!({"to_user_id": bob.id, "status": "accepted", "from_user_id": agent.id}),
            )
            .await;
        tried += 1;
        assert!(refused_or_ok(s), "{s} {fr}");
        let (_, contacts) = app.get("/api/v1/contacts", Some(&bob.token)).await;
        assert_eq!(contacts["items"], json!([]), "no contact without an accept");
        let (s, team) = app
            .post("/api/v1/teams", Some(&admin.token), json!({"name": "T"}))
            .await;
        assert_eq!(s, 201);
        let (s, b) = app
            .patch(
                &format!("/api/v1/teams/{}", team["id"]),
                Some(&admin.token),
                json!({"name": "T2", "members": [{"id": ana.id}], "id": 1}),
            )
            .await;
        tried += 1;
        assert!(refused_or_ok(s), "{s} {b}");
        let (_, teams) = app.get("/api/v1/teams", Some(&admin.token)).await;
        let members: Vec<Value> = teams
            .as_array()
            .or(teams["items"].as_array())
            .unwrap()
            .iter()
            .flat_map(|t| t["members"].as_array().cloned().unwrap_or_default())
            .collect();
        assert!(members.is_empty(), "{teams}");
        crate::figures(&format!(
            "mass-assignment backend={:?} bodies={tried} changed=0",
            app.backend
        ));
    }
);

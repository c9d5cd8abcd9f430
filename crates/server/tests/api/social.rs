//! Tests for people: friend requests, contacts, blocks, search.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard::domain::Role;

use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, TestUser};

fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
}

async fn request(app: &TestApp, from: &TestUser, to: &TestUser) -> (u16, Value) {
    app.post(
        "/api/v1/friend-requests",
        Some(&from.token),
        json!({"to_user_id": to.id}),
    )
    .await
}

async fn make_contacts(app: &TestApp, a: &TestUser, b: &TestUser) {
    let (s, r) = request(app, a, b).await;
    assert_eq!(s, 201, "{r}");
    let (s, r) = app
        .post(
            &format!("/api/v1/friend-requests/{}/accept", r["id"]),
            Some(&b.token),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
}

async fn contacts(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let (s, body) = app.get("/api/v1/contacts", Some(&user.token)).await;
    assert_eq!(s, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

async fn requests(app: &TestApp, user: &TestUser) -> Value {
    let (s, body) = app.get("/api/v1/friend-requests", Some(&user.token)).await;
    assert_eq!(s, 200, "{body}");
    body
}

db_test!(
    friend_requests_go_from_pending_to_contacts,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let ben = app.register("Ben").await;
        let mut ana_ws = app.ws(&ana).await;
        let mut ben_ws = app.ws(&ben).await;

        let (s, sent) = request(&app, &ana, &ben).await;
        assert_eq!(s, 201, "{sent}");
        assert_eq!(sent["status"], "pending");
        assert_eq!(sent["from"]["id"], ana.id);
        assert_eq!(sent["to"]["id"], ben.id);
        assert!(sent["to"]["avatar_url"].is_string());
        let event = ben_ws.recv_type("friend_request").await;
        assert_eq!(event["request"]["id"], sent["id"]);

        let (s, dup) = request(&app, &ana, &ben).await;
        assert_eq!(s, 409, "no duplicate pending request: {dup}");
        assert_error(&dup, "conflict");
        let (s, me) = request(&app, &ana, &ana).await;
        assert_eq!(s, 400, "{me}");
        assert_error(&me, "validation_failed");
        let (s, missing) = app
            .post(
                "/api/v1/friend-requests",
                Some(&ana.token),
                json!({"to_user_id": 999_999}),
            )
            .await;
        assert_eq!(s, 404);
        assert_error(&missing, "not_found");

        let listed = requests(&app, &ana).await;
        assert_eq!(listed["outgoing"][0]["id"], sent["id"]);
        assert_eq!(listed["incoming"], json!([]));
        let listed = requests(&app, &ben).await;
        assert_eq!(listed["incoming"][0]["id"], sent["id"]);

        // Only the recipient answers; the sender can't accept their own request.
        let accept = format!("/api/v1/friend-requests/{}/accept", sent["id"]);
        let (s, b) = app.post(&accept, Some(&ana.token), json!({})).await;
        assert_eq!(s, 403, "{b}");
        assert_error(&b, "forbidden");
        let (s, accepted) = app.post(&accept, Some(&ben.token), json!({})).await;
        assert_eq!(s, 200, "{accepted}");
        assert_eq!(accepted["status"], "accepted");
        let (s, again) = app.post(&accept, Some(&ben.token), json!({})).await;
        assert_eq!(s, 409, "{again}");

        let c = ana_ws.recv_type("contact").await;
        assert_eq!(c["contact"]["user"]["id"], ben.id, "{c}");
        assert_eq!(c["contact"]["online"], true);
        let c = ben_ws.recv_type("contact").await;
        assert_eq!(c["contact"]["user"]["id"], ana.id, "{c}");

        let ana_contacts = contacts(&app, &ana).await;
        assert_eq!(ana_contacts.len(), 1);
        assert_eq!(ana_contacts[0]["user"]["id"], ben.id);
        assert!(ana_contacts[0]["since"].is_string());
        assert_eq!(contacts(&app, &ben).await[0]["user"]["id"], ana.id);
        assert_eq!(requests(&app, &ben).await["incoming"], json!([]));
        let (s, b) = request(&app, &ben, &ana).await;
        assert_eq!(s, 409, "already contacts: {b}");

        // Decline.
        let cat = app.register("Cat").await;
        let (_, to_ana) = request(&app, &cat, &ana).await;
        let decline = format!("/api/v1/friend-requests/{}/decline", to_ana["id"]);
        let (s, b) = app.post(&decline, Some(&ben.token), json!({})).await;
        assert_eq!(s, 404, "outsiders don't see the request: {b}");
        let (s, declined) = app.post(&decline, Some(&ana.token), json!({})).await;
        assert_eq!(s, 200, "{declined}");
        assert_eq!(declined["status"], "declined");
        assert_eq!(requests(&app, &cat).await["outgoing"], json!([]));

        // Cancel: only by the sender.
        let (s, to_cat) = request(&app, &ana, &cat).await;
        assert_eq!(
            s, 201,
            "a declined request doesn't stop a new one: {to_cat}"
        );
        let cancel = format!("/api/v1/friend-requests/{}", to_cat["id"]);
        let (s, b) = app.delete(&cancel, Some(&cat.token)).await;
        assert_eq!(s, 403, "{b}");
        let (s, _) = app.delete(&cancel, Some(&ana.token)).await;
        assert_eq!(s, 204);
        assert_eq!(requests(&app, &cat).await["incoming"], json!([]));
        loop {
            let event = ana_ws.recv_type("friend_request").await;
            if event["request"]["id"] == to_cat["id"] && event["request"]["status"] == "cancelled" {
                break;
            }
        }

        // Removing a contact ends it for both.
        let (s, _) = app
            .delete(&format!("/api/v1/contacts/{}", ben.id), Some(&ana.token))
            .await;
        assert_eq!(s, 204);
        assert!(contacts(&app, &ben).await.is_empty());
        let (s, b) = app
            .delete(&format!("/api/v1/contacts/{}", ben.id), Some(&ana.token))
            .await;
        assert_eq!(s, 404);
        assert_error(&b, "not_found");
    }
);

db_test!(
    a_crossing_request_accepts_the_pending_one,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let ben = app.register("Ben").await;
        let (s, first) = request(&app, &ana, &ben).await;
        assert_eq!(s, 201);
        let (s, crossing) = request(&app, &ben, &ana).await;
        assert_eq!(s, 200, "{crossing}");
        assert_eq!(crossing["id"], first["id"]);
        assert_eq!(crossing["status"], "accepted");
        assert_eq!(contacts(&app, &ana).await[0]["user"]["id"], ben.id);
        assert_eq!(contacts(&app, &ben).await[0]["user"]["id"], ana.id);
        assert_eq!(requests(&app, &ana).await["outgoing"], json!([]));
    }
);

db_test!(
    blocked_users_cannot_send_requests_or_direct_messages,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let ben = app.register("Ben").await;
        make_contacts(&app, &ana, &ben).await;
        let conversation = app.direct(&ana, &ben).await;
        let (s, _) = app.send(&ana, conversation, "hi").await;
        assert_eq!(s, 201);

        let (s, b) = app
            .post(
                "/api/v1/blocks",
                Some(&ben.token),
                json!({"user_id": ana.id}),
            )
            .await;
        assert_eq!(s, 204, "{b}");
        let (s, _) = app
            .post(
                "/api/v1/blocks",
                Some(&ben.token),
                json!({"user_id": ana.id}),
            )
            .await;
        assert_eq!(s, 204, "blocking twice is harmless");
        let (s, b) = app
            .post(
                "/api/v1/blocks",
                Some(&ben.token),
                json!({"user_id": ben.id}),
            )
            .await;
        assert_eq!(s, 400, "{b}");

        assert!(
            contacts(&app, &ana).await.is_empty(),
            "the block ends the contact"
        );
        assert!(contacts(&app, &ben).await.is_empty());
        let (s, b) = request(&app, &ana, &ben).await;
        assert_eq!(s, 403, "{b}");
        assert_error(&b, "forbidden");
        let (s, b) = request(&app, &ben, &ana).await;
        assert_eq!(s, 403, "{b}");
        let (s, b) = app.send(&ana, conversation, "still there?").await;
        assert_eq!(s, 403, "{b}");
        assert_error(&b, "forbidden");
        let (s, b) = app
            .post(
                "/api/v1/conversations/direct",
                Some(&ana.token),
                json!({"user_id": ben.id}),
            )
            .await;
        assert_eq!(s, 403, "{b}");

        // A block cancels pending requests too.
        let cat = app.register("Cat").await;
        let (_, pending) = request(&app, &cat, &ben).await;
        let (s, _) = app
            .post(
                "/api/v1/blocks",
                Some(&ben.token),
                json!({"user_id": cat.id}),
            )
            .await;
        assert_eq!(s, 204);
        assert_eq!(requests(&app, &ben).await["incoming"], json!([]));
        let (s, b) = app
            .post(
                &format!("/api/v1/friend-requests/{}/accept", pending["id"]),
                Some(&ben.token),
                json!({}),
            )
            .await;
        assert!(s == 403 || s == 409, "{s} {b}");

        let (s, _) = app
            .delete(&format!("/api/v1/blocks/{}", ana.id), Some(&ben.token))
            .await;
        assert_eq!(s, 204);
        let (s, b) = request(&app, &ana, &ben).await;
        assert_eq!(s, 201, "after unblocking: {b}");
    }
);

db_test!(
    contact_presence_follows_the_websocket,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let ben = app.register("Ben").await;
        make_contacts(&app, &ana, &ben).await;
        assert_eq!(contacts(&app, &ana).await[0]["online"], false);

        let mut ana_ws = app.ws(&ana).await;
        let ben_ws = app.ws(&ben).await;
        assert_eq!(contacts(&app, &ana).await[0]["online"], true);
        let p = ana_ws.recv_type("presence").await;
        assert_eq!(p["user_id"], ben.id);
        assert_eq!(p["online"], true);

        drop(ben_ws);
        let mut online = true;
        for _ in 0..50 {
            online = contacts(&app, &ana).await[0]["online"] == true;
            if !online {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(!online, "ben went offline");
    }
);

db_test!(
    customers_open_direct_conversations_with_contacts_only,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let ben = app.register("Ben").await;
        let open = |from: TestUser, to: i64| {
            let app = &app;
            async move {
                app.post(
                    "/api/v1/conversations/direct",
                    Some(&from.token),
                    json!({"user_id": to}),
                )
                .await
            }
        };
        let (s, b) = open(ana.clone(), ben.id).await;
        assert_eq!(s, 403, "{b}");
        assert_error(&b, "forbidden");

        make_contacts(&app, &ana, &ben).await;
        let (s, b) = open(ana.clone(), ben.id).await;
        assert_eq!(s, 201, "{b}");
        let (s, again) = open(ben.clone(), ana.id).await;
        assert_eq!(s, 200, "{again}");
        assert_eq!(again["id"], b["id"]);

        let agent = app.user_with_role("Agent", Role::Agent).await;
        let cat = app.register("Cat").await;
        let (s, b) = open(agent.clone(), cat.id).await;
        assert_eq!(s, 201, "agents may talk to anyone: {b}");
    }
);

db_test!(
    search_shows_emails_to_agents_only,
    |app: TestApp| async move {
        let ana = app.register("Alicia").await;
        app.register("Alfred").await;
        app.register("Bob").await;
        let agent = app.user_with_role("Zed", Role::Agent).await;

        let (s, page) = app.get("/api/v1/users?q=AL", Some(&ana.token)).await;
        assert_eq!(s, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        let names: Vec<&str> = items
            .iter()
            .map(|u| u["display_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Alicia", "Alfred"], "prefix, case-insensitive");
        let alfred = &items[1];
        assert!(
            alfred.get("email").is_none(),
            "customers see no emails: {alfred}"
        );
        assert!(alfred["avatar_url"].is_string());
        assert_eq!(
            items[0]["email"], ana.email,
            "your own email is yours to see"
        );

        let (s, page) = app.get("/api/v1/users?q=al", Some(&agent.token)).await;
        assert_eq!(s, 200);
        for u in page["items"].as_array().unwrap() {
            assert!(u["email"].is_string(), "agents see emails: {u}");
        }

        let (_, first) = app
            .get("/api/v1/users?q=al&limit=1", Some(&ana.token))
            .await;
        assert_eq!(first["items"].as_array().unwrap().len(), 1);
        let cursor = first["next_cursor"].as_i64().expect("a next page");
        let (_, second) = app
            .get(
                &format!("/api/v1/users?q=al&limit=1&cursor={cursor}"),
                Some(&ana.token),
            )
            .await;
        assert_eq!(second["items"][0]["display_name"], "Alfred");
        assert!(second["next_cursor"].is_null(), "{second}");

        let (s, b) = app.get("/api/v1/users?limit=abc", Some(&ana.token)).await;
        assert_eq!(s, 400);
        assert_error(&b, "validation_failed");
        let (s, b) = app.get("/api/v1/users?q=al", None).await;
        assert_eq!(s, 401);
        assert_error(&b, "unauthorized");

        let (_, openapi) = app.get("/openapi.json", None).await;
        for path in [
            "/api/v1/users",
            "/api/v1/friend-requests",
            "/api/v1/friend-requests/{id}",
            "/api/v1/friend-requests/{id}/accept",
            "/api/v1/friend-requests/{id}/decline",
            "/api/v1/contacts",
            "/api/v1/contacts/{user_id}",
            "/api/v1/blocks",
            "/api/v1/blocks/{user_id}",
        ] {
            assert!(openapi["paths"][path].is_object(), "{path} is documented");
        }
    }
);

db_test!(
    requests_sent_at_once_make_one_pending_request_or_one_contact,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let ben = app.register("Ben").await;
        // The same request twice at once: one is stored, the other refused.
        let (a, b) = tokio::join!(request(&app, &ana, &ben), request(&app, &ana, &ben));
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{} {}", a.1, b.1);
        let (s, _) = app
            .delete(
                &format!(
                    "/api/v1/friend-requests/{}",
                    if a.0 == 201 { &a.1["id"] } else { &b.1["id"] }
                ),
                Some(&ana.token),
            )
            .await;
        assert_eq!(s, 204);

        // Crossing requests at once: one creates, the other accepts it.
        let (a, b) = tokio::join!(request(&app, &ana, &ben), request(&app, &ben, &ana));
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [200, 201], "{} {}", a.1, b.1);
        assert_eq!(a.1["id"], b.1["id"]);
        assert_eq!(contacts(&app, &ana).await.len(), 1);
        assert_eq!(contacts(&app, &ben).await.len(), 1);
        assert_eq!(requests(&app, &ana).await["outgoing"], json!([]));
        assert_eq!(requests(&app, &ben).await["outgoing"], json!([]));
    }
);

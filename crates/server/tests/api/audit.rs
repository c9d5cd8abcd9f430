//! The audit log: what is recorded, reading it with filters and pages, and that nobody can
//! change it through the API.

use serde_json::{Value, json};
use switchboard::domain::Role;
use switchboard_test_support::{TestApp, TestUser, db_test};

async fn entries(app: &TestApp, admin: &TestUser, query: &str) -> Vec<Value> {
    let (status, page) = app
        .get(&format!("/api/v1/admin/audit?{query}"), Some(&admin.token))
        .await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

/// The one entry with this action (there must be exactly one).
async fn only(app: &TestApp, admin: &TestUser, action: &str) -> Value {
    let found = entries(app, admin, &format!("action={action}")).await;
    assert_eq!(found.len(), 1, "{action}: {found:?}");
    found[0].clone()
}

db_test!(
    each_audited_action_leaves_an_entry,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        app.register("Ana").await;

        // Sign-ins: a wrong password, an unknown email, a success.
        let (s, _) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": "ana@example.com", "password": "wrong one!"}),
            )
            .await;
        assert_eq!(s, 401);
        let (s, _) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": "nobody@example.com", "password": "whatever1"}),
            )
            .await;
        assert_eq!(s, 401);
        let ana = app.login("ana@example.com", "correct horse battery").await;

        let failed = entries(&app, &admin, "action=auth.sign_in_failed").await;
        assert_eq!(failed.len(), 2, "{failed:?}");
        assert_eq!(failed[0]["actor"], Value::Null);
        assert_eq!(failed[0]["actor_email"], "nobody@example.com");
        assert_eq!(failed[0]["details"]["reason"], "unknown_email");
        assert_eq!(failed[0]["target_kind"], Value::Null);
        assert_eq!(failed[1]["actor_email"], "ana@example.com");
        assert_eq!(failed[1]["details"]["reason"], "wrong_password");
        assert_eq!(failed[1]["target_id"], ana.id.to_string());
        assert_eq!(failed[1]["ip"], "127.0.0.1");
        let signed_in = entries(
            &app,
            &admin,
            &format!("action=auth.sign_in&actor_id={}", ana.id),
        )
        .await;
        assert_eq!(
            signed_in.len(),
            1,
            "the login above (registering is not a sign-in)"
        );
        assert_eq!(signed_in[0]["actor"]["display_name"], "Ana");
        assert_eq!(signed_in[0]["ip"], "127.0.0.1");

        // A refresh token presented twice: theft detected and recorded.
        let (s, _) = app
            .post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": ana.refresh}),
            )
            .await;
        assert_eq!(s, 200);
        let (s, _) = app
            .post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": ana.refresh}),
            )
            .await;
        assert_eq!(s, 401);
        let reuse = only(&app, &admin, "auth.refresh_token_reused").await;
        assert_eq!(reuse["actor"]["id"], ana.id);
        assert_eq!(reuse["target_kind"], "session");

        // Role change, disable, re-enable; a request that changes nothing records nothing.
        let user_path = format!("/api/v1/admin/users/{}", ana.id);
        for body in [
            json!({"role": "agent"}),
            json!({"role": "agent"}),
            json!({"disabled": true}),
            json!({"disabled": false}),
        ] {
            let (s, b) = app.patch(&user_path, Some(&admin.token), body).await;
            assert_eq!(s, 200, "{b}");
        }
        let role = only(&app, &admin, "user.role_changed").await;
        assert_eq!(role["actor"]["id"], admin.id);
        assert_eq!(
            (role["target_kind"].as_str(), role["target_id"].as_str()),
            (Some("user"), Some(ana.id.to_string().as_str()))
        );
        assert_eq!(role["details"], json!({"old": "customer", "new": "agent"}));
        assert_eq!(role["ip"], "127.0.0.1");
        only(&app, &admin, "user.disabled").await;
        only(&app, &admin, "user.enabled").await;
        let agent = app.login("ana@example.com", "correct horse battery").await;

        // Teams: create, rename, add and remove a member, delete.
        let (s, team) = app
            .post(
                "/api/v1/teams",
                Some(&admin.token),
                json!({"name": "Billing"}),
            )
            .await;
        assert_eq!(s, 201, "{team}");
        let team_id = team["id"].as_i64().unwrap();
        let team_path = format!("/api/v1/teams/{team_id}");
        let (s, _) = app
            .patch(&team_path, Some(&admin.token), json!({"name": "Payments"}))
            .await;
        assert_eq!(s, 200);
        let (s, _) = app
            .post(
                &format!("{team_path}/members"),
                Some(&admin.token),
                json!({"user_id": agent.id}),
            )
            .await;
        assert_eq!(s, 200);
        let (s, _) = app
            .delete(
                &format!("{team_path}/members/{}", agent.id),
                Some(&admin.token),
            )
            .await;
        assert_eq!(s, 204);
        let (s, _) = app.delete(&team_path, Some(&admin.token)).await;
        assert_eq!(s, 204);
        assert_eq!(
            only(&app, &admin, "team.created").await["details"]["name"],
            "Billing"
        );
        assert_eq!(
            only(&app, &admin, "team.renamed").await["details"],
            json!({"old": "Billing", "new": "Payments"})
        );
        assert_eq!(
            only(&app, &admin, "team.member_added").await["details"]["user_id"],
            agent.id
        );
        assert_eq!(
            only(&app, &admin, "team.member_removed").await["details"]["user_id"],
            agent.id
        );
        let deleted = only(&app, &admin, "team.deleted").await;
        assert_eq!(deleted["target_id"], team_id.to_string());
        let about_team = entries(
            &app,
            &admin,
            &format!("target_kind=team&target_id={team_id}"),
        )
        .await;
        assert_eq!(about_team.len(), 5);

        // Ticket assignment, status and priority.
        let carl = app.register("Carl").await;
        let (s, ticket) = app
            .post(
                "/api/v1/tickets",
                Some(&carl.token),
                json!({"subject": "Broken", "body": "help"}),
            )
            .await;
        assert_eq!(s, 201, "{ticket}");
        let ticket_id = ticket["id"].as_i64().unwrap();
        let (s, b) = app
            .patch(
                &format!("/api/v1/tickets/{ticket_id}"),
                Some(&agent.token),
                json!({"version": ticket["version"], "assignee_id": agent.id, "status": "in_progress", "priority": "high"}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        let assigned = only(&app, &admin, "ticket.assignee_changed").await;
        assert_eq!(assigned["actor"]["id"], agent.id);
        assert_eq!(assigned["target_id"], ticket_id.to_string());
        assert_eq!(assigned["details"]["new"], agent.id.to_string());
        assert_eq!(
            only(&app, &admin, "ticket.status_changed").await["details"]["new"],
            "in_progress"
        );
        assert_eq!(
            only(&app, &admin, "ticket.priority_changed").await["details"],
            json!({"number": ticket["number"], "old": "medium", "new": "high", "by": "Ana"})
        );

        // A team move, then a close that Carl's reply undoes: the reopening is his.
        let second = app.team_with(&admin, "Second", &[&agent]).await;
        let (s, b) = app
            .patch(
                &format!("/api/v1/tickets/{ticket_id}"),
                Some(&agent.token),
                json!({"version": b["version"], "team_id": second, "status": "closed"}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        let moved = only(&app, &admin, "ticket.team_changed").await;
        assert_eq!(moved["details"]["new"], second.to_string(), "{moved}");
        assert_eq!(moved["actor"]["id"], agent.id);
        app.send_message(
            &carl,
            ticket["conversation_id"].as_i64().unwrap(),
            "Still broken",
        )
        .await;
        let mut reopened = None;
        for _ in 0..200 {
            let found = entries(&app, &admin, "action=ticket.status_changed").await;
            if let Some(e) = found.iter().find(|e| e["details"]["new"] == "open") {
                reopened = Some(e.clone());
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let reopened = reopened.expect("the reopening is audited");
        assert_eq!(reopened["actor"]["id"], carl.id, "{reopened}");
        assert_eq!(reopened["details"]["old"], "closed", "{reopened}");
        assert_eq!(reopened["details"]["by"], "Carl", "{reopened}");
    }
);

db_test!(
    the_audit_log_filters_and_pages_newest_first,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        for name in ["Ana", "Ben", "Cleo"] {
            app.register(name).await;
            app.login(
                &format!("{}@example.com", name.to_lowercase()),
                "correct horse battery",
            )
            .await;
        }
        let (s, _) = app
            .post("/api/v1/teams", Some(&admin.token), json!({"name": "Ops"}))
            .await;
        assert_eq!(s, 201);

        // Boss's sign-in and three more, newest first, two to a page.
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let query = match cursor {
                Some(c) => format!("/api/v1/admin/audit?action_prefix=auth.&limit=2&cursor={c}"),
                None => "/api/v1/admin/audit?action_prefix=auth.&limit=2".to_string(),
            };
            let (s, page) = app.get(&query, Some(&admin.token)).await;
            assert_eq!(s, 200, "{page}");
            for e in page["items"].as_array().unwrap() {
                assert!(e["action"].as_str().unwrap().starts_with("auth."));
                seen.push(e["id"].as_i64().unwrap());
            }
            match page["next_cursor"].as_i64() {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 4, "{seen:?}");
        assert!(
            seen.windows(2).all(|w| w[0] > w[1]),
            "newest first: {seen:?}"
        );

        // A prefix matches whole names only from the start; '_' is no wildcard.
        assert_eq!(entries(&app, &admin, "action_prefix=team.").await.len(), 1);
        assert_eq!(
            entries(&app, &admin, "action_prefix=auth.sign_")
                .await
                .len(),
            4
        );
        assert_eq!(entries(&app, &admin, "action_prefix=auth_").await.len(), 0);
        assert_eq!(
            entries(&app, &admin, &format!("actor_id={}", admin.id))
                .await
                .len(),
            2
        );

        // Time window.
        assert_eq!(
            entries(&app, &admin, "from=2000-01-01T00:00:00Z")
                .await
                .len(),
            5
        );
        assert_eq!(
            entries(&app, &admin, "to=2000-01-01T00:00:00Z").await.len(),
            0
        );
        assert_eq!(
            entries(&app, &admin, "from=2999-01-01T00:00:00%2B02:00")
                .await
                .len(),
            0
        );

        // Bad filters answer 400 with the field named.
        for bad in [
            "from=yesterday",
            "action=DROP%20TABLE",
            "action_prefix=%25",
            "limit=-1",
            "cursor=x",
        ] {
            let (s, b) = app
                .get(&format!("/api/v1/admin/audit?{bad}"), Some(&admin.token))
                .await;
            assert_eq!(s, 400, "{bad}: {b}");
            assert_eq!(b["error"]["code"], "validation_failed", "{bad}");
        }
    }
);

db_test!(
    only_admins_read_the_audit_log_and_nobody_changes_it,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        let agent = app.user_with_role("Ana", Role::Agent).await;
        let customer = app.register("Carl").await;
        let (s, b) = app.get("/api/v1/admin/audit", None).await;
        assert_eq!(s, 401, "{b}");
        for user in [&agent, &customer] {
            let (s, b) = app.get("/api/v1/admin/audit", Some(&user.token)).await;
            assert_eq!(s, 403, "{b}");
            assert_eq!(b["error"]["code"], "forbidden");
        }

        let before = entries(&app, &admin, "").await;
        let id = before[0]["id"].as_i64().unwrap();
        let tries = [
            ("PATCH", format!("/api/v1/admin/audit/{id}")),
            ("PUT", format!("/api/v1/admin/audit/{id}")),
            ("DELETE", format!("/api/v1/admin/audit/{id}")),
            ("PATCH", "/api/v1/admin/audit".to_string()),
            ("PUT", "/api/v1/admin/audit".to_string()),
            ("DELETE", "/api/v1/admin/audit".to_string()),
            ("POST", "/api/v1/admin/audit".to_string()),
        ];
        for (method, path) in tries {
            let resp = app
                .client
                .request(method.parse().unwrap(), app.url(&path))
                .bearer_auth(&admin.token)
                .json(&json!({"action": "nothing.happened", "actor_id": null}))
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            assert!(status == 404 || status == 405, "{method} {path}: {status}");
        }
        let after = entries(&app, &admin, "").await;
        assert_eq!(before, after, "no entry changed, none removed, none added");
    }
);

//! Changing a ticket: optimistic concurrency, the history and system messages every change
//! leaves, notifications, and the teams tickets move between.

use serde_json::{Value, json};

use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

db_test!(
    concurrent_patches_with_one_version_give_one_200_and_one_409,
    |app: TestApp| async move {
        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "Race", "low").await;
        let id = t.id;
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
        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "History", "low").await;
        let conv = t.conversation_id;
        app.change_ticket(&d.admin, t.id, json!({"team_id": d.team_a}))
            .await;
        app.change_ticket(
            &d.agent_a,
            t.id,
            json!({"assignee_id": d.agent_a.id, "status": "in_progress"}),
        )
        .await;
        app.change_ticket(
            &d.agent_a,
            t.id,
            json!({"priority": "urgent", "tags": ["VIP", "billing"]}),
        )
        .await;
        let (_, closed) = app
            .change_ticket(&d.ana, t.id, json!({"status": "closed"}))
            .await;
        assert!(closed["closed_at"].is_string());
        let (_, reopened) = app
            .change_ticket(&d.ana, t.id, json!({"status": "open"}))
            .await;
        assert!(reopened["closed_at"].is_null());
        assert_eq!(reopened["tags"], json!(["billing", "vip"]));
        let (_, events) = app
            .get(
                &format!("/api/v1/tickets/{}/events", t.id),
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
        app.send_message(&d.agent_a, conv, "fixed?").await;
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

db_test!(admins_manage_teams, |app: TestApp| async move {
    let d = app.desk().await;
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
    let t = app.open_ticket(&d.ana, "Team ticket", "low").await;
    app.change_ticket(&d.admin, t.id, json!({"team_id": d.team_b}))
        .await;
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
        .get(&format!("/api/v1/tickets/{}", t.id), Some(&d.admin.token))
        .await;
    assert!(after["team"].is_null(), "the ticket returns to the queue");
});

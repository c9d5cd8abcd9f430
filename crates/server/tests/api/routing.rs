//! Routing per team (round-robin, fewest open, the cap, online agents only) and its admin API.

use std::collections::HashMap;

use serde_json::{Value, json};

use switchboard::domain::Role;
use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, TestUser};

/// PUT with a JSON body (the shared helper sends none).
pub async fn put_json(app: &TestApp, path: &str, who: &TestUser, body: Value) -> (u16, Value) {
    let resp = app
        .client
        .put(app.url(path))
        .bearer_auth(&who.token)
        .json(&body)
        .send()
        .await
        .expect("request");
    switchboard_test_support::into_parts(resp).await
}

pub async fn set_routing(app: &TestApp, admin: &TestUser, team: i64, body: Value) {
    let (s, b) = put_json(
        app,
        &format!("/api/v1/admin/teams/{team}/routing"),
        admin,
        body,
    )
    .await;
    assert_eq!(s, 200, "{b}");
}

pub fn rule(name: &str, cap: Option<i64>) -> Value {
    json!({"rule": name, "max_open": cap, "unassigned_limit_minutes": null, "on_breach": "notify", "intake": false})
}

/// Opens `n` tickets as `who`; their ids.
async fn open_many(app: &TestApp, who: &TestUser, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            app.open_ticket(who, &format!("Question {i}"), "medium")
                .await
                .id,
        );
    }
    ids
}

/// Moves ticket `id` (at version 1, just opened) into `team`; the answer.
async fn into_team(app: &TestApp, admin: &TestUser, id: i64, team: i64) -> Value {
    let (s, t) = app
        .patch(
            &format!("/api/v1/tickets/{id}"),
            Some(&admin.token),
            json!({"version": 1, "team_id": team}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    t
}

fn assignee(t: &Value) -> Option<i64> {
    t["assignee"]["id"].as_i64()
}

db_test!(
    round_robin_deals_thirty_tickets_ten_each_to_the_online_agents_only,
    |app: TestApp| async move {
        let admin = app.user_with_role("Admin", Role::Admin).await;
        let agents = [
            app.user_with_role("AgentOne", Role::Agent).await,
            app.user_with_role("AgentTwo", Role::Agent).await,
            app.user_with_role("AgentThree", Role::Agent).await,
        ];
        let away = app.user_with_role("AgentAway", Role::Agent).await;
        let ana = app.register("Ana").await;
        let team = app
            .team_with(&admin, "Desk", &[&agents[0], &agents[1], &agents[2], &away])
            .await;
        set_routing(&app, &admin, team, rule("round_robin", None)).await;
        let mut sockets = Vec::new();
        for a in &agents {
            sockets.push(app.ws(a).await);
        }
        let ids = open_many(&app, &ana, 30).await;

        // All thirty enter the team at the same moment.
        let answers =
            futures::future::join_all(ids.iter().map(|&id| into_team(&app, &admin, id, team)))
                .await;
        let mut per_agent: HashMap<i64, usize> = HashMap::new();
        for t in &answers {
            let a = assignee(t).unwrap_or_else(|| panic!("not assigned: {t}"));
            *per_agent.entry(a).or_default() += 1;
        }
        for a in &agents {
            assert_eq!(per_agent.get(&a.id), Some(&10), "{per_agent:?}");
        }
        assert!(!per_agent.contains_key(&away.id), "{per_agent:?}");

        // Stored as answered, and live for the assignee as for a manual assignment: the
        // `ticket` frame and the `ticket_assigned` notification.
        let first = app.ticket_json(&admin, ids[0]).await;
        assert_eq!(assignee(&first), assignee(&answers[0]));
        let who = assignee(&answers[0]).unwrap();
        let i = agents.iter().position(|a| a.id == who).unwrap();
        loop {
            let f = sockets[i].recv_type("notification").await;
            if f["notification"]["kind"] == "ticket_assigned" {
                break;
            }
        }
        let msgs = app
            .messages(&admin, first["conversation_id"].as_i64().unwrap(), "")
            .await;
        assert!(
            msgs.iter().any(|m| m["body"]
                .as_str()
                .unwrap_or("")
                .starts_with("Routing assigned this to")),
            "{msgs:?}"
        );
    }
);

db_test!(
    fewest_open_assigns_to_the_least_loaded_online_agent,
    |app: TestApp| async move {
        let admin = app.user_with_role("Admin", Role::Admin).await;
        let a = app.user_with_role("AgentA", Role::Agent).await;
        let b = app.user_with_role("AgentB", Role::Agent).await;
        let c = app.user_with_role("AgentC", Role::Agent).await;
        let ana = app.register("Ana").await;
        let team = app.team_with(&admin, "Desk", &[&a, &b, &c]).await;
        let _sockets = [app.ws(&a).await, app.ws(&b).await, app.ws(&c).await];
        // A holds two open tickets, B one, C none (assigned by hand, outside any team).
        let held = open_many(&app, &ana, 3).await;
        for (id, who) in held.iter().zip([&a, &a, &b]) {
            let (s, t) = app
                .patch(
                    &format!("/api/v1/tickets/{id}"),
                    Some(&admin.token),
                    json!({"version": 1, "assignee_id": who.id}),
                )
                .await;
            assert_eq!(s, 200, "{t}");
        }
        set_routing(&app, &admin, team, rule("fewest_open", None)).await;
        let ids = open_many(&app, &ana, 3).await;
        let t = into_team(&app, &admin, ids[0], team).await;
        assert_eq!(assignee(&t), Some(c.id), "C held none");
        // B and C now hold one each: the tie goes on after C, to B.
        let t = into_team(&app, &admin, ids[1], team).await;
        assert_eq!(assignee(&t), Some(b.id));
        let t = into_team(&app, &admin, ids[2], team).await;
        assert_eq!(assignee(&t), Some(c.id));
    }
);

db_test!(
    the_cap_leaves_tickets_over_it_unassigned_in_the_team_queue,
    |app: TestApp| async move {
        let admin = app.user_with_role("Admin", Role::Admin).await;
        let a = app.user_with_role("AgentA", Role::Agent).await;
        let b = app.user_with_role("AgentB", Role::Agent).await;
        let ana = app.register("Ana").await;
        let team = app.team_with(&admin, "Desk", &[&a, &b]).await;
        let _sockets = [app.ws(&a).await, app.ws(&b).await];
        set_routing(&app, &admin, team, rule("round_robin", Some(2))).await;
        let ids = open_many(&app, &ana, 6).await;
        let answers =
            futures::future::join_all(ids.iter().map(|&id| into_team(&app, &admin, id, team)))
                .await;
        let mut per_agent: HashMap<i64, usize> = HashMap::new();
        let mut waiting = 0;
        for t in &answers {
            match assignee(t) {
                Some(x) => *per_agent.entry(x).or_default() += 1,
                None => waiting += 1,
            }
        }
        assert_eq!(per_agent.get(&a.id), Some(&2), "{per_agent:?}");
        assert_eq!(per_agent.get(&b.id), Some(&2), "{per_agent:?}");
        assert_eq!(waiting, 2);
        let (_, queue) = app
            .get(
                &format!("/api/v1/tickets?team={team}&assignee=none"),
                Some(&admin.token),
            )
            .await;
        let unassigned: Vec<&Value> = queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["assignee"].is_null() && t["team"]["id"] == team)
            .collect();
        assert_eq!(unassigned.len(), 2, "{queue}");

        // A closed ticket frees a place: the next one goes to its agent.
        let mine = answers.iter().find(|t| assignee(t) == Some(a.id)).unwrap();
        let (s, _) = app
            .change_ticket(
                &admin,
                mine["id"].as_i64().unwrap(),
                json!({"status": "closed"}),
            )
            .await;
        assert_eq!(s, 200);
        let next = open_many(&app, &ana, 1).await[0];
        assert_eq!(
            assignee(&into_team(&app, &admin, next, team).await),
            Some(a.id)
        );
    }
);

db_test!(
    nobody_online_and_manual_teams_leave_tickets_unassigned,
    |app: TestApp| async move {
        let admin = app.user_with_role("Admin", Role::Admin).await;
        let a = app.user_with_role("AgentA", Role::Agent).await;
        let ana = app.register("Ana").await;
        let team = app.team_with(&admin, "Desk", &[&a]).await;
        let ids = open_many(&app, &ana, 2).await;
        // No rule set: manual.
        assert!(assignee(&into_team(&app, &admin, ids[0], team).await).is_none());
        set_routing(&app, &admin, team, rule("round_robin", None)).await;
        // A is offline.
        assert!(assignee(&into_team(&app, &admin, ids[1], team).await).is_none());
    }
);

db_test!(
    the_routing_api_checks_roles_values_and_teams,
    |app: TestApp| async move {
        let admin = app.user_with_role("Admin", Role::Admin).await;
        let agent = app.user_with_role("Agent", Role::Agent).await;
        let team = app.team_with(&admin, "Desk", &[&agent]).await;
        let path = format!("/api/v1/admin/teams/{team}/routing");

        let (s, r) = app.get(&path, Some(&admin.token)).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r, rule("manual", None));
        let (s, _) = app.get(&path, Some(&agent.token)).await;
        assert_eq!(s, 403);
        let (s, _) = put_json(&app, &path, &agent, rule("round_robin", None)).await;
        assert_eq!(s, 403);

        let (s, e) = put_json(
            &app,
            &path,
            &admin,
            json!({"rule": "round_robin", "max_open": 0, "unassigned_limit_minutes": -1, "on_breach": "notify"}),
        )
        .await;
        assert_eq!(s, 400, "{e}");
        assert!(e["error"]["fields"]["max_open"].is_string(), "{e}");
        assert!(
            e["error"]["fields"]["unassigned_limit_minutes"].is_string(),
            "{e}"
        );
        let (s, e) = put_json(&app, &path, &admin, json!({"rule": "lottery"})).await;
        assert_eq!(s, 400, "{e}");

        // `intake` left out reads as false.
        let set = json!({"rule": "fewest_open", "max_open": 5, "unassigned_limit_minutes": 30, "on_breach": "reassign"});
        let mut stored = set.clone();
        stored["intake"] = json!(false);
        let (s, r) = put_json(&app, &path, &admin, set.clone()).await;
        assert_eq!((s, &r), (200, &stored));
        // The same again (MySQL reports no changed row) and a change.
        let (s, _) = put_json(&app, &path, &admin, set.clone()).await;
        assert_eq!(s, 200);
        assert_eq!(app.get(&path, Some(&admin.token)).await.1, stored);

        let (s, _) = app
            .get("/api/v1/admin/teams/999999/routing", Some(&admin.token))
            .await;
        assert_eq!(s, 404);
        let (s, _) = put_json(
            &app,
            "/api/v1/admin/teams/999999/routing",
            &admin,
            rule("round_robin", None),
        )
        .await;
        assert_eq!(s, 404);

        // A deleted team takes its rule with it; the sweep and the API carry on.
        let ana = app.register("Ana").await;
        let id = app.open_ticket(&ana, "Lost", "low").await.id;
        into_team(&app, &admin, id, team).await;
        let (s, _) = app
            .delete(&format!("/api/v1/teams/{team}"), Some(&admin.token))
            .await;
        assert_eq!(s, 204);
        let (s, _) = app.get(&path, Some(&admin.token)).await;
        assert_eq!(s, 404);
        let later = switchboard::domain::now_ms() + 24 * 3_600_000;
        switchboard::tickets::routing::escalate::sweep(&app.state, later)
            .await
            .expect("the sweep survives a deleted team");
        switchboard::tickets::sla::sweep(&app.state, later)
            .await
            .expect("the SLA sweep survives a deleted team");
    }
);

db_test!(
    new_tickets_open_in_the_intake_team_and_are_assigned_at_once,
    |app: TestApp| async move {
        let admin = app.user_with_role("Admin", Role::Admin).await;
        let one = app.user_with_role("AgentOne", Role::Agent).await;
        let two = app.user_with_role("AgentTwo", Role::Agent).await;
        let ana = app.register("Ana").await;
        let bo = app.register("Bo").await;
        let first = app.team_with(&admin, "First line", &[&one]).await;
        let desk = app.team_with(&admin, "Desk", &[&one, &two]).await;
        let mut intake = rule("round_robin", None);
        intake["intake"] = json!(true);
        set_routing(&app, &admin, first, intake.clone()).await;
        // Naming another team moves the intake there: one intake team.
        set_routing(&app, &admin, desk, intake).await;
        let (_, was) = app
            .get(
                &format!("/api/v1/admin/teams/{first}/routing"),
                Some(&admin.token),
            )
            .await;
        assert_eq!(was["intake"], false, "{was}");
        let mut sockets = [app.ws(&one).await, app.ws(&two).await];

        // Six tickets from two customers at once: each opens in the desk, assigned in turn.
        let subjects: Vec<String> = (0..6).map(|i| format!("Question {i}")).collect();
        let opened = futures::future::join_all(subjects.iter().enumerate().map(|(i, subject)| {
            let who = if i % 2 == 0 { &ana } else { &bo };
            app.open_ticket_json(who, subject, "high")
        }))
        .await;
        let mut per_agent: HashMap<i64, usize> = HashMap::new();
        for t in &opened {
            assert_eq!(t["team"]["id"], desk, "{t}");
            let a = assignee(t).unwrap_or_else(|| panic!("not assigned: {t}"));
            *per_agent.entry(a).or_default() += 1;
        }
        assert_eq!(per_agent.get(&one.id), Some(&3), "{per_agent:?}");
        assert_eq!(per_agent.get(&two.id), Some(&3), "{per_agent:?}");

        // Live: the assignee's socket shows the ticket with them as its assignee.
        let mine = opened.iter().find(|t| assignee(t) == Some(two.id)).unwrap()["id"].clone();
        loop {
            let f = sockets[1].recv_type("ticket").await;
            if f["ticket"]["id"] == mine && assignee(&f["ticket"]) == Some(two.id) {
                break;
            }
        }
        let history = app
            .get(
                &format!("/api/v1/tickets/{mine}/events"),
                Some(&admin.token),
            )
            .await
            .1;
        let fields: Vec<&str> = history["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{history}"))
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(fields.contains(&"team"), "{history}");
        assert!(fields.contains(&"assignee"), "{history}");
        drop(sockets);

        // The intake team deleted: tickets open without a team, unassigned, as before.
        let (s, _) = app
            .delete(&format!("/api/v1/teams/{desk}"), Some(&admin.token))
            .await;
        assert_eq!(s, 204);
        let t = app.open_ticket_json(&ana, "After", "low").await;
        assert!(t["team"].is_null(), "{t}");
        assert!(t["assignee"].is_null(), "{t}");
    }
);

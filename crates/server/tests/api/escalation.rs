//! SLA settings in the database, breaches that reach the team, unassigned tickets that
//! escalate, closed tickets that reopen when the customer writes, and waiting tickets that
//! close themselves.

use std::time::Duration;

use serde_json::{Value, json};

use switchboard::domain::{Role, now_ms};
use switchboard::tickets::routing::escalate;
use switchboard::tickets::sla;
use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, TestUser};

use crate::routing::{put_json, set_routing};

const MIN: i64 = 60_000;

fn ms(v: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(v.as_str().expect("a time"))
        .expect("rfc3339")
        .timestamp_millis()
}

fn count(kinds: &[String], kind: &str) -> usize {
    kinds.iter().filter(|k| *k == kind).count()
}

async fn wait_status(app: &TestApp, who: &TestUser, id: i64, status: &str) -> Value {
    for _ in 0..100 {
        let t = app.ticket_json(who, id).await;
        if t["status"] == status {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("ticket {id} never became {status}");
}

pub fn sla_body(urgent: [i64; 2], pending_close: Option<i64>) -> Value {
    let t = |[f, r]: [i64; 2]| json!({"first_response_minutes": f, "resolution_minutes": r});
    json!({
        "urgent": t(urgent),
        "high": t([240, 1440]),
        "medium": t([480, 4320]),
        "low": t([1440, 7200]),
        "pending_close_minutes": pending_close,
    })
}

db_test!(
    sla_targets_live_in_the_database_and_apply_to_new_tickets,
    |app: TestApp| async move {
        let d = app.desk().await;
        // Seeded from the file's values.
        let (s, sla) = app.get("/api/v1/admin/sla", Some(&d.admin.token)).await;
        assert_eq!(s, 200, "{sla}");
        assert_eq!(sla, sla_body([60, 480], None));
        let (s, _) = app.get("/api/v1/admin/sla", Some(&d.agent_a.token)).await;
        assert_eq!(s, 403);
        let (s, _) = put_json(
            &app,
            "/api/v1/admin/sla",
            &d.agent_a,
            sla_body([5, 10], None),
        )
        .await;
        assert_eq!(s, 403);

        // Bad values are named, and nothing changes.
        let (s, e) = put_json(
            &app,
            "/api/v1/admin/sla",
            &d.admin,
            sla_body([90, 60], Some(0)),
        )
        .await;
        assert_eq!(s, 400, "{e}");
        let fields = &e["error"]["fields"];
        assert!(fields["urgent.resolution_minutes"].is_string(), "{e}");
        assert!(fields["pending_close_minutes"].is_string(), "{e}");
        let (s, e) = put_json(
            &app,
            "/api/v1/admin/sla",
            &d.admin,
            sla_body([0, 10_000_000], None),
        )
        .await;
        assert_eq!(s, 400, "{e}");
        let (s, e) = put_json(&app, "/api/v1/admin/sla", &d.admin, json!({"urgent": 5})).await;
        assert_eq!(s, 400, "{e}");
        assert_eq!(
            app.get("/api/v1/admin/sla", Some(&d.admin.token)).await.1,
            sla_body([60, 480], None)
        );

        let before = app
            .ticket_json(&d.admin, app.open_ticket(&d.ana, "Old", "urgent").await.id)
            .await;
        let (s, r) = put_json(
            &app,
            "/api/v1/admin/sla",
            &d.admin,
            sla_body([5, 30], Some(60)),
        )
        .await;
        assert_eq!((s, &r), (200, &sla_body([5, 30], Some(60))), "{r}");
        let after = app.open_ticket(&d.ana, "New", "urgent").await.id;
        let after = app.ticket_json(&d.admin, after).await;
        let created = ms(&after["created_at"]);
        assert_eq!(ms(&after["sla"]["first_response_due"]) - created, 5 * MIN);
        assert_eq!(ms(&after["sla"]["resolution_due"]) - created, 30 * MIN);
        // The ticket opened earlier keeps its due times.
        let old = app
            .ticket_json(&d.admin, before["id"].as_i64().unwrap())
            .await;
        assert_eq!(old["sla"], before["sla"]);
        assert_eq!(
            ms(&old["sla"]["first_response_due"]) - ms(&old["created_at"]),
            60 * MIN
        );
    }
);

db_test!(
    a_breach_reaches_the_team_once_and_runs_its_on_breach,
    |app: TestApp| async move {
        let d = app.desk().await;
        let carl = app.user_with_role("Carl", Role::Agent).await;
        let (s, _) = app
            .post(
                &format!("/api/v1/teams/{}/members", d.team_a),
                Some(&d.admin.token),
                json!({"user_id": carl.id}),
            )
            .await;
        assert_eq!(s, 200);
        let mut body = crate::routing::rule("manual", None);
        body["on_breach"] = json!("raise_priority");
        set_routing(&app, &d.admin, d.team_a, body).await;
        let t = app.open_ticket(&d.ana, "Slow", "low").await;
        // In Billing, assigned to Barry (of Tech): Barry hears as the assignee, Alice and Carl
        // as the team.
        let (s, _) = app
            .change_ticket(
                &d.admin,
                t.id,
                json!({"team_id": d.team_a, "assignee_id": d.agent_b.id}),
            )
            .await;
        assert_eq!(s, 200);
        let due = ms(&app.ticket_json(&d.admin, t.id).await["sla"]["first_response_due"]);
        assert_eq!(sla::sweep(&app.state, due + 1).await.unwrap(), 1);
        assert_eq!(sla::sweep(&app.state, due + 1).await.unwrap(), 0, "once");
        for who in [&d.agent_a, &carl, &d.agent_b] {
            let kinds = app.notification_kinds(who).await;
            assert_eq!(count(&kinds, "sla_breached"), 1, "{kinds:?}");
        }
        // Raised one step, and not again by the next sweep: the breach was already told.
        let raised = app.ticket_json(&d.admin, t.id).await;
        assert_eq!(raised["priority"], "medium");
        assert_eq!(sla::sweep(&app.state, due + 2).await.unwrap(), 0);
        assert_eq!(app.ticket_json(&d.admin, t.id).await["priority"], "medium");
    }
);

db_test!(
    a_breach_can_hand_the_ticket_to_another_online_agent,
    |app: TestApp| async move {
        let d = app.desk().await;
        let carl = app.user_with_role("Carl", Role::Agent).await;
        app.post(
            &format!("/api/v1/teams/{}/members", d.team_a),
            Some(&d.admin.token),
            json!({"user_id": carl.id}),
        )
        .await;
        let _sockets = [app.ws(&d.agent_a).await, app.ws(&carl).await];
        let mut body = crate::routing::rule("round_robin", None);
        body["on_breach"] = json!("reassign");
        set_routing(&app, &d.admin, d.team_a, body).await;
        let t = app.open_ticket(&d.ana, "Slow", "urgent").await;
        let (s, first) = app
            .change_ticket(&d.admin, t.id, json!({"team_id": d.team_a}))
            .await;
        assert_eq!(s, 200);
        let first_agent = first["assignee"]["id"].as_i64().expect("routed");
        let due = ms(&first["sla"]["first_response_due"]);
        assert_eq!(sla::sweep(&app.state, due + 1).await.unwrap(), 1);
        let after = app.ticket_json(&d.admin, t.id).await;
        let other = if first_agent == carl.id {
            d.agent_a.id
        } else {
            carl.id
        };
        assert_eq!(after["assignee"]["id"], other, "{after}");
    }
);

db_test!(
    an_unassigned_ticket_past_the_team_limit_escalates_once,
    |app: TestApp| async move {
        let d = app.desk().await;
        let mut body = crate::routing::rule("round_robin", None);
        body["unassigned_limit_minutes"] = json!(10);
        set_routing(&app, &d.admin, d.team_a, body).await;
        let t = app.open_ticket(&d.ana, "Anyone?", "medium").await;
        // Alice is offline: the ticket waits in the queue.
        let (s, moved) = app
            .change_ticket(&d.admin, t.id, json!({"team_id": d.team_a}))
            .await;
        assert_eq!(s, 200);
        assert!(moved["assignee"].is_null(), "{moved}");
        let now = now_ms();
        assert_eq!(escalate::sweep(&app.state, now + 5 * MIN).await.unwrap(), 0);
        assert_eq!(
            escalate::sweep(&app.state, now + 11 * MIN).await.unwrap(),
            1
        );
        assert_eq!(
            escalate::sweep(&app.state, now + 20 * MIN).await.unwrap(),
            0
        );
        for who in [&d.agent_a, &d.admin] {
            let kinds = app.notification_kinds(who).await;
            assert_eq!(count(&kinds, "ticket_unassigned"), 1, "{kinds:?}");
        }
        assert_eq!(
            count(
                &app.notification_kinds(&d.agent_b).await,
                "ticket_unassigned"
            ),
            0
        );
    }
);

db_test!(
    a_waiting_ticket_closes_itself_and_the_customer_reopens_it,
    |app: TestApp| async move {
        let d = app.desk().await;
        let (s, _) = put_json(
            &app,
            "/api/v1/admin/sla",
            &d.admin,
            sla_body([60, 480], Some(60)),
        )
        .await;
        assert_eq!(s, 200);
        let t = app.open_ticket(&d.ana, "Invoice", "high").await;
        let conv = t.conversation_id;
        let (s, _) = app.send(&d.agent_a, conv, "Which invoice?").await;
        assert!(s == 200 || s == 201);
        let (s, parked) = app
            .change_ticket(&d.agent_a, t.id, json!({"status": "pending"}))
            .await;
        assert_eq!(s, 200, "{parked}");
        let since = ms(&parked["sla"]["resolution_paused_since"]);
        let mut ws = app.ws(&d.ana).await;

        assert_eq!(
            escalate::sweep(&app.state, since + 59 * MIN).await.unwrap(),
            0
        );
        assert_eq!(
            escalate::sweep(&app.state, since + 61 * MIN).await.unwrap(),
            1
        );
        assert_eq!(
            escalate::sweep(&app.state, since + 62 * MIN).await.unwrap(),
            0,
            "once"
        );
        let closed = app.ticket_json(&d.ana, t.id).await;
        assert_eq!(closed["status"], "closed");
        // The customer is told in the conversation, live, as a system message with its seq.
        let told = loop {
            let f = ws.recv_type("message").await;
            if f["message"]["body"]
                .as_str()
                .unwrap_or("")
                .contains("for 1 hour")
            {
                break f;
            }
        };
        assert_eq!(told["message"]["kind"], "system");
        assert!(told["message"]["seq"].as_i64().unwrap() > 0);

        // The customer writes: open again, with the closed spell not counted.
        let (s, _) = app.send(&d.ana, conv, "It is INV-42").await;
        assert!(s == 200 || s == 201, "{s}");
        let reopened = wait_status(&app, &d.agent_a, t.id, "open").await;
        assert!(reopened["closed_at"].is_null(), "{reopened}");
        assert_eq!(reopened["sla"]["resolution_breached"], false);
        let msgs = app.messages(&d.ana, conv, "").await;
        let last = msgs.last().unwrap();
        assert_eq!(last["body"], "Ana replied: the ticket is open again");
    }
);

db_test!(
    a_closed_ticket_reopens_when_the_customer_writes,
    |app: TestApp| async move {
        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "Thanks", "medium").await;
        let (s, _) = app
            .change_ticket(&d.admin, t.id, json!({"status": "closed"}))
            .await;
        assert_eq!(s, 200);
        let closed = app.ticket_json(&d.admin, t.id).await;
        let due_closed = ms(&closed["sla"]["resolution_due"]);
        tokio::time::sleep(Duration::from_millis(300)).await;
        // A staff message does not reopen it; the customer's does.
        let (s, _) = app.send(&d.admin, t.conversation_id, "Closing note").await;
        assert!(s == 200 || s == 201);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.ticket_json(&d.admin, t.id).await["status"], "closed");
        let (s, _) = app.send(&d.ana, t.conversation_id, "One more thing").await;
        assert!(s == 200 || s == 201);
        let reopened = wait_status(&app, &d.admin, t.id, "open").await;
        assert!(reopened["closed_at"].is_null());
        assert!(ms(&reopened["sla"]["resolution_due"]) >= due_closed + 600);
        let (_, events) = app
            .get(
                &format!("/api/v1/tickets/{}/events", t.id),
                Some(&d.admin.token),
            )
            .await;
        let last = events["items"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(
            (&last["old_value"], &last["new_value"], &last["actor"]["id"]),
            (&json!("closed"), &json!("open"), &json!(d.ana.id))
        );
    }
);

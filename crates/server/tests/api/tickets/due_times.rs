//! SLA clocks on tickets: due times per priority, the sweep's warning and breach, and due
//! times that only the desk reads.

use serde_json::{Value, json};

use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

db_test!(
    sla_due_times_follow_each_priority,
    |app: TestApp| async move {
        let d = app.desk().await;
        let hour = 3_600_000i64;
        for (priority, first, resolve) in [
            ("urgent", hour, 8 * hour),
            ("high", 4 * hour, 24 * hour),
            ("medium", 8 * hour, 72 * hour),
            ("low", 24 * hour, 120 * hour),
        ] {
            let opened = app.open_ticket(&d.ana, priority, priority).await;
            // The due times are the desk's: staff read them.
            let t = app.ticket_json(&d.admin, opened.id).await;
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
        let t = app.open_ticket(&d.ana, "moving", "low").await;
        let (s, t2) = app
            .change_ticket(&d.agent_a, t.id, json!({"priority": "urgent"}))
            .await;
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
        app.send_message(&d.agent_a, t.conversation_id, "On it")
            .await;
        let (_, t3) = app
            .get(&format!("/api/v1/tickets/{}", t.id), Some(&d.ana.token))
            .await;
        assert!(t3["first_response_at"].is_string());
    }
);

db_test!(
    sla_sweep_warns_once_then_reports_the_breach,
    |app: TestApp| async move {
        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "clock", "urgent").await;
        let (_, t) = app
            .change_ticket(&d.admin, t.id, json!({"assignee_id": d.agent_a.id}))
            .await;
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
        let kinds = app.notification_kinds(&d.agent_a).await;
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
    customers_never_see_the_desks_due_times,
    |app: TestApp| async move {
        let d = app.desk().await;
        let mut ana_ws = app.ws(&d.ana).await;
        let mut agent_ws = app.ws(&d.agent_a).await;
        // As sent: the field must be absent, not merely empty.
        let t = app.open_ticket_json(&d.ana, "Refund", "high").await;
        let id = t["id"].as_i64().unwrap();
        assert!(t.get("sla").is_none(), "created: {t}");
        assert!(app.ticket_json(&d.ana, id).await.get("sla").is_none());
        let (_, page) = app.get("/api/v1/tickets", Some(&d.ana.token)).await;
        assert_eq!(page["items"][0]["id"], id, "{page}");
        assert!(page["items"][0].get("sla").is_none(), "listed: {page}");

        // Staff read them everywhere.
        let staff = app.ticket_json(&d.admin, id).await;
        assert!(staff["sla"]["first_response_due"].is_string(), "{staff}");
        let (_, page) = app.get("/api/v1/tickets", Some(&d.admin.token)).await;
        assert!(
            page["items"][0]["sla"]["resolution_due"].is_string(),
            "{page}"
        );
        let (s, _) = app
            .change_ticket(&d.admin, id, json!({"assignee_id": d.agent_a.id}))
            .await;
        assert_eq!(s, 200);

        // The customer closes it: their answer and their live frame carry no due times, the
        // assignee's frame does.
        let (s, closed) = app
            .change_ticket(&d.ana, id, json!({"status": "closed"}))
            .await;
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

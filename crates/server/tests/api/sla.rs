//! SLA clocks that pause: `pending` (waiting on the customer) stops the resolution clock, the
//! customer's next message reopens the ticket and resumes it; and the queue ordered by the next
//! due time.

use std::time::Duration;

use serde_json::{Value, json};

use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, TestUser};

fn ms(v: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(v.as_str().expect("a time"))
        .expect("rfc3339")
        .timestamp_millis()
}

/// Polls until the ticket's status is `status` (the reopening runs after the message's commit).
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

db_test!(
    pending_pauses_the_resolution_clock_until_the_customer_writes,
    |app: TestApp| async move {
        let d = app.desk().await;
        let t = app
            .open_ticket(&d.ana, "Where is my invoice", "urgent")
            .await;
        let id = t.id;
        let conv = t.conversation_id;
        let staff_view = app.ticket_json(&d.agent_a, id).await;
        let due_before = ms(&staff_view["sla"]["resolution_due"]);
        assert!(staff_view["sla"]["resolution_paused_since"].is_null());

        // Customers may not park their own ticket.
        let (s, _) = app
            .change_ticket(&d.ana, t.id, json!({"status": "pending"}))
            .await;
        assert_eq!(s, 403);

        let (s, _) = app.send(&d.agent_a, conv, "Which invoice number?").await;
        assert!(s == 200 || s == 201, "{s}");
        let (s, parked) = app
            .change_ticket(&d.agent_a, t.id, json!({"status": "pending"}))
            .await;
        assert_eq!(s, 200, "{parked}");
        assert_eq!(parked["status"], "pending");
        let paused_at = ms(&parked["sla"]["resolution_paused_since"]);
        assert_eq!(ms(&parked["sla"]["resolution_due"]), due_before);

        // Listed and counted under its own status.
        let (_, page) = app
            .get("/api/v1/tickets?status=pending", Some(&d.agent_a.token))
            .await;
        assert_eq!(page["items"][0]["id"], id, "{page}");
        assert_eq!(page["counts"]["pending"], 1);
        assert_eq!(page["counts"]["open"], 0);

        // A staff message does not end the wait; the sweep leaves a paused clock alone, even
        // past its due time.
        let (s, _) = app.send(&d.agent_a, conv, "Take your time").await;
        assert!(s == 200 || s == 201, "{s}");
        let state = &app.state;
        assert_eq!(
            switchboard::tickets::sla::sweep(state, due_before + 60_000)
                .await
                .unwrap(),
            0,
            "a paused clock is not breached"
        );
        let mut ws = app.ws(&d.agent_a).await;
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(app.ticket_json(&d.ana, id).await["status"], "pending");

        // The customer writes: open again, and the clock moved by the length of the pause.
        let (s, _) = app.send(&d.ana, conv, "It is INV-42").await;
        assert!(s == 200 || s == 201, "{s}");
        let reopened = wait_status(&app, &d.agent_a, id, "open").await;
        assert!(reopened["sla"]["resolution_paused_since"].is_null());
        assert_eq!(reopened["sla"]["resolution_breached"], false);
        let due_after = ms(&reopened["sla"]["resolution_due"]);
        let paused_for = ms(&reopened["updated_at"]) - paused_at;
        assert!(paused_for >= 1200, "{paused_for}");
        assert_eq!(due_after - due_before, paused_for);
        assert!(reopened["version"].as_i64() > parked["version"].as_i64());

        // Everyone watching hears it; history and the conversation say who and why.
        loop {
            let f = ws.recv_type("ticket").await;
            if f["ticket"]["id"] == id && f["ticket"]["status"] == "open" {
                break;
            }
        }
        let (_, events) = app
            .get(
                &format!("/api/v1/tickets/{id}/events"),
                Some(&d.agent_a.token),
            )
            .await;
        let last = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .rfind(|e| e["field"] == "status")
            .cloned()
            .unwrap();
        assert_eq!(
            (&last["old_value"], &last["new_value"], &last["actor"]["id"]),
            (&json!("pending"), &json!("open"), &json!(d.ana.id))
        );
        let msgs = app.messages(&d.ana, conv, "").await;
        let bodies: Vec<&str> = msgs.iter().filter_map(|m| m["body"].as_str()).collect();
        assert_eq!(
            &bodies[bodies.len() - 2..],
            ["It is INV-42", "Ana replied: the ticket is open again"],
            "{bodies:?}"
        );

        // The resumed clock is swept again, against its new due time: just past the old one is
        // only a warning, past the new one a breach.
        assert_eq!(
            switchboard::tickets::sla::sweep(state, due_before + 1)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            switchboard::tickets::sla::sweep(state, due_after + 1)
                .await
                .unwrap(),
            1
        );
        let mut kinds = app.notification_kinds(&d.agent_a).await;
        kinds.retain(|k| k.starts_with("sla_"));
        kinds.sort();
        assert_eq!(kinds, ["sla_breached", "sla_warning"]);
    }
);

db_test!(
    leaving_pending_any_way_resumes_the_clock_and_priority_keeps_the_pause,
    |app: TestApp| async move {
        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "Slow page", "low").await;
        let id = t.id;
        let (s, parked) = app
            .change_ticket(&d.agent_a, t.id, json!({"status": "pending"}))
            .await;
        assert_eq!(s, 200);
        tokio::time::sleep(Duration::from_millis(600)).await;
        // Staff take it off pending together with a new priority: the new target plus the
        // pause.
        let (s, moved) = app
            .change_ticket(
                &d.agent_a,
                t.id,
                json!({"status": "in_progress", "priority": "urgent"}),
            )
            .await;
        assert_eq!(s, 200, "{moved}");
        let created = ms(&moved["created_at"]);
        let pause = ms(&moved["updated_at"]) - ms(&parked["sla"]["resolution_paused_since"]);
        assert!(pause >= 600, "{pause}");
        assert_eq!(
            ms(&moved["sla"]["resolution_due"]) - created,
            8 * 3_600_000 + pause
        );
        assert!(moved["sla"]["resolution_paused_since"].is_null());
        // A later priority change keeps the paused time.
        let (s, again) = app
            .change_ticket(&d.agent_a, t.id, json!({"priority": "high"}))
            .await;
        assert_eq!(s, 200, "{again}");
        assert_eq!(
            ms(&again["sla"]["resolution_due"]) - created,
            24 * 3_600_000 + pause
        );
        // The customer writing on a ticket that is not pending changes nothing.
        let (s, _) = app.send(&d.ana, t.conversation_id, "Any news?").await;
        assert!(s == 200 || s == 201);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.ticket_json(&d.ana, id).await["status"], "in_progress");
        // Unknown statuses are refused.
        let (s, e) = app
            .change_ticket(&d.agent_a, t.id, json!({"status": "snoozed"}))
            .await;
        assert_eq!(s, 400, "{e}");
        let (s, e) = app
            .get("/api/v1/tickets?status=snoozed", Some(&d.agent_a.token))
            .await;
        assert_eq!(s, 400, "{e}");
    }
);

db_test!(
    the_queue_orders_by_the_next_due_time,
    |app: TestApp| async move {
        let d = app.desk().await;
        let low = app.open_ticket(&d.ana, "low", "low").await; // first response in 24 h
        let urgent = app.open_ticket(&d.ana, "urgent", "urgent").await; // 1 h, then 8 h
        let high = app.open_ticket(&d.ana, "high", "high").await; // 4 h
        let closed = app.open_ticket(&d.ana, "closed", "urgent").await;
        let (s, _) = app
            .change_ticket(&d.agent_a, closed.id, json!({"status": "closed"}))
            .await;
        assert_eq!(s, 200);
        // Answering the urgent one stops its first-response clock: its resolution (8 h) is next.
        let (s, _) = app
            .send(&d.agent_a, urgent.conversation_id, "Looking")
            .await;
        assert!(s == 200 || s == 201);
        let expected: Vec<i64> = [&high, &urgent, &low, &closed]
            .iter()
            .map(|t| t.id)
            .collect();

        let (s, page) = app
            .get("/api/v1/tickets?sort=sla", Some(&d.agent_a.token))
            .await;
        assert_eq!(s, 200, "{page}");
        let ids: Vec<i64> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, expected);

        // Page by page with the cursor: the same order, nothing twice.
        let mut paged = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/tickets?sort=sla&limit=1&cursor={c}"),
                None => "/api/v1/tickets?sort=sla&limit=1".into(),
            };
            let (s, page) = app.get(&path, Some(&d.agent_a.token)).await;
            assert_eq!(s, 200, "{page}");
            paged.extend(
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
        assert_eq!(paged, expected);
        let (s, _) = app
            .get("/api/v1/tickets?sort=due", Some(&d.agent_a.token))
            .await;
        assert_eq!(s, 400);
    }
);

db_test!(
    a_customer_reply_reopens_a_ticket_parked_a_moment_ago,
    |app: TestApp| async move {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use switchboard::db::entities::ticket;

        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "Still broken", "low").await;
        let id = t.id;
        let conv = t.conversation_id;
        // The node caches the conversation's facts (the ticket open) on the first send.
        let (s, _) = app.send(&d.ana, conv, "Hello?").await;
        assert!(s == 200 || s == 201, "{s}");
        // Parked in the database while the cache still says open: the moment between a
        // ticket's commit and its cache entry being dropped, held open.
        ticket::Entity::update_many()
            .col_expr(ticket::Column::Status, Expr::value("pending"))
            .col_expr(
                ticket::Column::PendingSince,
                Expr::value(switchboard::domain::now_ms()),
            )
            .filter(ticket::Column::Id.eq(id))
            .exec(&app.state.db)
            .await
            .unwrap();
        assert_eq!(app.ticket_json(&d.agent_a, id).await["status"], "pending");
        let (s, _) = app.send(&d.ana, conv, "Any news?").await;
        assert!(s == 200 || s == 201, "{s}");
        let reopened = wait_status(&app, &d.agent_a, id, "open").await;
        assert!(reopened["sla"]["resolution_paused_since"].is_null());
    }
);

//! The ticket queue: filters, sorting, keyset pages and status counts.

use serde_json::json;

use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

db_test!(
    the_queue_filters_sorts_pages_and_counts,
    |app: TestApp| async move {
        let d = app.desk().await;
        let mut ids = Vec::new();
        for (i, p) in ["low", "urgent", "medium", "high", "low", "urgent"]
            .iter()
            .enumerate()
        {
            let who = if i % 2 == 0 { &d.ana } else { &d.bob };
            ids.push(
                app.open_ticket(who, &format!("Case {i} about Printers"), p)
                    .await,
            );
        }
        app.change_ticket(
            &d.agent_a,
            ids[0].id,
            json!({"assignee_id": d.agent_a.id, "status": "in_progress"}),
        )
        .await;
        app.change_ticket(&d.admin, ids[1].id, json!({"status": "closed"}))
            .await;
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

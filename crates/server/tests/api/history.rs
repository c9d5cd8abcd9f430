//! History pages answered from the recent messages in memory (`chat::recent`) are exactly the
//! pages the database gives: same messages, same JSON, notes only for staff.

use serde_json::Value;
use switchboard::chat::recent::PageQuery;
use switchboard::domain::Role;

use switchboard_test_support::{Backend, TestApp, spawn_app_with};

/// A ring of 8: some pages come from memory, the older ones from the database.
async fn app_with_a_small_ring(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |s| s.recent_messages = 8).await
}

fn seqs(items: &[Value]) -> Vec<i64> {
    items.iter().map(|m| m["seq"].as_i64().unwrap()).collect()
}

async fn pages_agree(backend: Backend) {
    let Some(app) = app_with_a_small_ring(backend).await else {
        return;
    };
    let customer = app.register("Cleo").await;
    let agent = app.user_with_role("Agent", Role::Agent).await;
    let conv = app
        .open_ticket(&customer, "Invoice", "low")
        .await
        .conversation_id;
    for i in 0..9 {
        app.send_message(&customer, conv, &format!("customer {i}"))
            .await;
        if i % 2 == 0 {
            app.send_note(&agent, conv, &format!("note {i}")).await;
        }
    }
    let last = app.messages(&agent, conv, "limit=1").await[0]["seq"]
        .as_i64()
        .unwrap();
    assert!(last > 8, "more messages than the ring holds");
    // The tail really is in memory, so the pages below exercise both paths.
    let tail = PageQuery {
        after: Some(last - 8),
        before: None,
        limit: 8,
        with_notes: true,
        last_seq: Some(last),
    };
    assert_eq!(app.state.recent.page(conv, tail).map(|p| p.len()), Some(8));

    for (who, staff) in [(&agent, true), (&customer, false)] {
        // The reference: everything, oldest first, from the database (the ring starts later).
        let all = app.messages(who, conv, "after_seq=0&limit=200").await;
        assert!(all.iter().all(|m| staff || m["kind"] != "note"));
        assert_eq!(
            all.iter().any(|m| m["kind"] == "note"),
            staff,
            "notes for staff only"
        );
        for limit in [1, 3, 50] {
            for before in 1..=last + 1 {
                let page = app
                    .messages(who, conv, &format!("before_seq={before}&limit={limit}"))
                    .await;
                let expected: Vec<&Value> = all
                    .iter()
                    .filter(|m| m["seq"].as_i64() < Some(before))
                    .collect();
                let expected = &expected[expected.len().saturating_sub(limit)..];
                assert_eq!(
                    page.iter().collect::<Vec<_>>(),
                    expected,
                    "before {before} limit {limit}"
                );
            }
            for after in 0..=last {
                let page = app
                    .messages(who, conv, &format!("after_seq={after}&limit={limit}"))
                    .await;
                let expected: Vec<&Value> = all
                    .iter()
                    .filter(|m| m["seq"].as_i64() > Some(after))
                    .take(limit)
                    .collect();
                assert_eq!(
                    page.iter().collect::<Vec<_>>(),
                    expected,
                    "after {after} limit {limit}"
                );
            }
            let newest = app.messages(who, conv, &format!("limit={limit}")).await;
            assert_eq!(
                seqs(&newest),
                seqs(&all[all.len().saturating_sub(limit)..]),
                "newest {limit}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_from_memory_match_the_database_sqlite() {
    pages_agree(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_from_memory_match_the_database_postgres() {
    pages_agree(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_from_memory_match_the_database_mysql() {
    pages_agree(Backend::Mysql).await;
}

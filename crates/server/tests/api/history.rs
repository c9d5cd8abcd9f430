//! History pages answered from the recent messages in memory (`chat::recent`) are exactly the
//! pages the database gives: same messages, same JSON, notes only for staff; and on SQLite the
//! pages read through the server's own read connections are those read through the pool.

use serde_json::{Value, json};
use switchboard::chat::recent::PageQuery;
use switchboard::domain::Role;

use switchboard_test_support::{Backend, TestApp, TestUser, db_test, spawn_app_with};

/// A ring of 8: some pages come from memory, the older ones from the database.
async fn app_with_a_small_ring(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |s| s.recent_messages = 8).await
}

/// A customer's ticket (its conversation) and an agent who sees it.
async fn a_ticket_and_its_agent(app: &TestApp) -> (TestUser, TestUser, i64) {
    let customer = app.register("Cleo").await;
    let agent = app.user_with_role("Agent", Role::Agent).await;
    let conv = app
        .open_ticket(&customer, "Invoice", "low")
        .await
        .conversation_id;
    (customer, agent, conv)
}

fn seqs(items: &[Value]) -> Vec<i64> {
    items.iter().map(|m| m["seq"].as_i64().unwrap()).collect()
}

async fn pages_agree(backend: Backend) {
    let Some(app) = app_with_a_small_ring(backend).await else {
        return;
    };
    let (customer, agent, conv) = a_ticket_and_its_agent(&app).await;
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

/// The JSON of `views`, for comparing pages whole.
fn json_of(views: &[switchboard::conversations::view::MessageView]) -> Value {
    serde_json::to_value(views).unwrap()
}

async fn edit(app: &TestApp, who: &TestUser, id: i64, body: &str) {
    let (s, b) = app
        .patch(
            &format!("/api/v1/messages/{id}"),
            Some(&who.token),
            json!({ "body": body }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

async fn react(app: &TestApp, who: &TestUser, id: i64, emoji: &str) {
    let encoded: String = emoji.bytes().map(|b| format!("%{b:02X}")).collect();
    let (s, b) = app
        .put(
            &format!("/api/v1/messages/{id}/reactions/{encoded}"),
            Some(&who.token),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

/// Sends `body` (with a fresh `client_id`) to the conversation.
async fn post(app: &TestApp, who: &TestUser, conv: i64, mut body: Value) -> Value {
    body["client_id"] = json!(uuid::Uuid::new_v4().to_string());
    let (s, b) = app
        .post(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&who.token),
            body,
        )
        .await;
    assert_eq!(s, 201, "{b}");
    b
}

// On SQLite a page from the database is read through the server's own read connections
// (`db::sqlite_reader`, `conversations::sqlite_page`); elsewhere `read_page` is `page`. Either
// way it must be the page SeaORM reads: files, reactions, edits, deletions, replies, notes.
db_test!(
    pages_read_for_history_match_the_pool_page,
    |app: TestApp| async move {
        use switchboard::conversations::store;
        let sqlite = matches!(
            app.state.db.get_database_backend(),
            sea_orm::DbBackend::Sqlite
        );
        assert_eq!(app.state.sqlite_reader.is_some(), sqlite);
        let (customer, agent, conv) = a_ticket_and_its_agent(&app).await;
        let (s, text) = crate::files::upload(
            &app,
            &customer,
            "notes.txt",
            "text/plain",
            b"two lines\n".to_vec(),
        )
        .await;
        assert_eq!(s, 201, "{text}");
        let photo_bytes = crate::files::picture(image::ImageFormat::Png);
        let (s, photo) =
            crate::files::upload(&app, &customer, "photo.png", "image/png", photo_bytes).await;
        assert_eq!(s, 201, "{photo}");
        let first = post(
            &app,
            &customer,
            conv,
            json!({"body": "the notes and a photo",
                   "attachment_ids": [photo["id"], text["id"]]}),
        )
        .await;
        let (_, agent_file) =
            crate::files::upload(&app, &agent, "log.txt", "text/plain", b"internal".to_vec()).await;
        post(
            &app,
            &agent,
            conv,
            json!({"body": "internal", "kind": "note",
                   "attachment_ids": [agent_file["id"]]}),
        )
        .await;
        let reply = post(
            &app,
            &agent,
            conv,
            json!({"body": "thanks", "reply_to": first["id"]}),
        )
        .await;
        react(&app, &agent, first["id"].as_i64().unwrap(), "👍").await;
        react(&app, &customer, first["id"].as_i64().unwrap(), "🎉").await;
        react(&app, &customer, first["id"].as_i64().unwrap(), "👍").await;
        react(&app, &customer, reply["id"].as_i64().unwrap(), "👍").await;
        edit(&app, &agent, reply["id"].as_i64().unwrap(), "thanks!").await;
        let gone = post(&app, &customer, conv, json!({"body": "oops"})).await;
        react(&app, &agent, gone["id"].as_i64().unwrap(), "👀").await;
        let (s, b) = app
            .delete(
                &format!("/api/v1/messages/{}", gone["id"]),
                Some(&customer.token),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        for i in 0..4 {
            app.send_message(&customer, conv, &format!("more {i}"))
                .await;
        }

        let everything = store::PageBounds {
            conversation_id: conv,
            after: None,
            before: None,
            limit: 200,
            with_notes: true,
        };
        let all = store::read_page(&app.state, everything).await.unwrap();
        // The ticket's opening message, then the eight above.
        assert_eq!(all.len(), 9);
        let full = &all[1];
        assert_eq!(full.attachments.len(), 2);
        assert!(full.attachments.iter().any(|f| f.thumbnail_url.is_some()));
        let thumbs_up = full.reactions.iter().find(|r| r.emoji == "👍").unwrap();
        assert_eq!((full.reactions.len(), thumbs_up.count), (2, 2));
        assert_eq!(all[2].attachments.len(), 1, "the note's file");
        assert!(all[3].reply_to.is_some() && all[3].edited_at.is_some());
        assert!(all[4].deleted_at.is_some() && all[4].reactions.is_empty());

        let last = all.last().unwrap().seq;
        for with_notes in [true, false] {
            for limit in [1, 3, 50] {
                let mut bounds = vec![(None, None)];
                for seq in 0..=last + 1 {
                    bounds.extend([
                        (Some(seq), None),
                        (None, Some(seq)),
                        (Some(seq), Some(seq + 4)),
                    ]);
                }
                for (after, before) in bounds {
                    let bounds = store::PageBounds {
                        conversation_id: conv,
                        after,
                        before,
                        limit,
                        with_notes,
                    };
                    let pooled = store::page(&app.state.db, &bounds).await.unwrap();
                    let read = store::read_page(&app.state, bounds).await.unwrap();
                    assert_eq!(
                        json_of(&read),
                        json_of(&pooled),
                        "after {after:?} before {before:?} limit {limit} notes {with_notes}"
                    );
                }
            }
        }
    }
);

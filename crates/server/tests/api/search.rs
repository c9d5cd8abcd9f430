//! Full-text search: any script and parts of words on every database, every character literal,
//! the documented error for bad input, only what the caller may see, the index kept by the
//! database through edits and deletes (the API's and raw SQL's), ranking, filters and keyset
//! paging.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use switchboard::domain::Role;

use switchboard_test_support::db_test;
use switchboard_test_support::{Backend, TestApp, TestUser, into_parts, spawn_app_with};

/// `GET /api/v1/search` with these query parameters (URL-encoded by the client).
async fn search_raw(app: &TestApp, who: &TestUser, params: &[(&str, &str)]) -> (u16, Value) {
    let resp = app
        .client
        .get(app.url("/api/v1/search"))
        .query(params)
        .bearer_auth(&who.token)
        .send()
        .await
        .expect("request");
    into_parts(resp).await
}

/// The hits for `q`, which must be answered 200.
async fn hits(app: &TestApp, who: &TestUser, params: &[(&str, &str)]) -> Vec<Value> {
    let (status, page) = search_raw(app, who, params).await;
    assert_eq!(status, 200, "{params:?}: {page}");
    page["items"].as_array().unwrap().clone()
}

/// The whole text of each hit (its snippet's parts joined), sorted.
async fn found(app: &TestApp, who: &TestUser, q: &str) -> Vec<String> {
    let mut texts: Vec<String> = hits(app, who, &[("q", q)])
        .await
        .iter()
        .map(text_of)
        .collect();
    texts.sort();
    texts
}

fn text_of(hit: &Value) -> String {
    hit["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect()
}

/// The matched parts of a hit's snippet.
fn marked(hit: &Value) -> Vec<String> {
    hit["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["hit"] == true)
        .map(|p| p["text"].as_str().unwrap().to_string())
        .collect()
}

async fn open_ticket(app: &TestApp, who: &TestUser, subject: &str, body: &str) -> Value {
    let (status, t) = app
        .post(
            "/api/v1/tickets",
            Some(&who.token),
            json!({"subject": subject, "body": body, "priority": "medium"}),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    t
}

async fn exec(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) {
    let db = &app.state.db;
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => sql.replacen('?', "$1", 1).replacen('?', "$2", 1),
        _ => sql.to_string(),
    };
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql.clone(),
        values,
    ))
    .await
    .expect(&sql);
}

db_test!(
    chinese_japanese_korean_and_parts_of_words_are_found,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let t = open_ticket(&app, &ana, "Invoice for March", "请把发票寄给我").await;
        let conv = t["conversation_id"].as_i64().unwrap();
        for body in [
            "請求書を送ってください",
            "청구서를 보내주세요",
            "Please resend the INVOICE",
            "nothing to see",
        ] {
            app.send_message(&ana, conv, body).await;
        }

        // A part of a word, in the subject and a body, whatever the case.
        let voic = hits(&app, &ana, &[("q", "voic")]).await;
        assert_eq!(voic.len(), 2, "{voic:?}");
        assert_eq!(
            voic[0]["kind"], "ticket",
            "the denser match first: {voic:?}"
        );
        assert_eq!(voic[0]["ticket_subject"], "Invoice for March");
        assert_eq!(marked(&voic[0]), ["voic"]);
        assert_eq!(voic[1]["kind"], "message");
        assert_eq!(marked(&voic[1]), ["VOIC"]);
        assert_eq!(voic[1]["conversation_id"], conv);
        assert_eq!(voic[1]["ticket_id"], t["id"]);
        assert!(voic[1]["seq"].as_i64().unwrap() > 1);

        // Two-character words (shorter than a trigram), three and more, inside longer words.
        assert_eq!(found(&app, &ana, "发票").await, ["请把发票寄给我"]);
        assert_eq!(
            found(&app, &ana, "請求書").await,
            ["請求書を送ってください"]
        );
        assert_eq!(
            found(&app, &ana, "求書を送").await,
            ["請求書を送ってください"]
        );
        assert_eq!(found(&app, &ana, "청구서").await, ["청구서를 보내주세요"]);
        assert_eq!(found(&app, &ana, "구서").await, ["청구서를 보내주세요"]);
        let cjk = hits(&app, &ana, &[("q", "发票")]).await;
        assert_eq!(marked(&cjk[0]), ["发票"]);

        // Every word must occur, in any order.
        assert_eq!(
            found(&app, &ana, "resend invoice").await,
            ["Please resend the INVOICE"]
        );
        assert!(found(&app, &ana, "resend 发票").await.is_empty());
        assert!(found(&app, &ana, "invoicing").await.is_empty());
    }
);

db_test!(
    syntax_characters_and_wildcards_are_searched_literally,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
        let bodies = [
            "discount 100% off",
            "see file_name_v2",
            "he said \"hello\" twice",
            "a*b is a star",
            "NEAR the door",
            "key:value pairs",
            "back\\slash",
            "plain words only",
        ];
        for body in bodies {
            app.send_message(&ana, conv, body).await;
        }
        for (q, expected) in [
            ("%", vec!["discount 100% off"]),
            ("0% o", vec!["discount 100% off"]),
            ("_", vec!["see file_name_v2"]),
            ("e_n", vec!["see file_name_v2"]),
            ("\"", vec!["he said \"hello\" twice"]),
            ("\"hello\"", vec!["he said \"hello\" twice"]),
            ("*", vec!["a*b is a star"]),
            ("a*b", vec!["a*b is a star"]),
            ("NEAR", vec!["NEAR the door"]),
            ("NEAR(door", vec![]),
            (":", vec!["key:value pairs"]),
            ("key:value", vec!["key:value pairs"]),
            ("\\", vec!["back\\slash"]),
            ("'", vec![]),
            ("'; DROP TABLE messages; --", vec![]),
            ("%_%", vec![]),
            ("\"\"", vec![]),
        ] {
            assert_eq!(found(&app, &agent, q).await, expected, "q={q}");
        }
        // Nothing was dropped.
        assert_eq!(
            app.messages(&ana, conv, "limit=50").await.len(),
            bodies.len()
        );
    }
);

db_test!(
    bad_queries_get_the_documented_error,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let long = "x".repeat(10_000);
        let long_cjk = "发".repeat(201);
        for (params, field) in [
            (vec![], "q"),
            (vec![("q", "")], "q"),
            (vec![("q", "   ")], "q"),
            (vec![("q", long.as_str())], "q"),
            (vec![("q", long_cjk.as_str())], "q"),
            (vec![("q", "a b c d e f g h i")], "q"),
            (vec![("q", "x"), ("limit", "0")], "limit"),
            (vec![("q", "x"), ("limit", "51")], "limit"),
            (
                vec![("q", "x"), ("ticket_status", "burning")],
                "ticket_status",
            ),
            (vec![("q", "x"), ("after", "yesterday")], "after"),
            (vec![("q", "x"), ("before", "2026-13-01")], "before"),
            (vec![("q", "x"), ("cursor", "garbage")], "cursor"),
            (vec![("q", "x"), ("from", "me")], "query"),
            (vec![("q", "x"), ("conversation", "1 OR 1=1")], "query"),
        ] {
            let (status, body) = search_raw(&app, &ana, &params).await;
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (400, Some("validation_failed")),
                "{params:?}: {body}"
            );
            assert!(
                body["error"]["fields"].get(field).is_some(),
                "{params:?} names {field}: {body}"
            );
        }
        let (status, body) = app.get("/api/v1/search?q=x", None).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("unauthorized"))
        );
    }
);

db_test!(
    nobody_finds_what_they_may_not_see,
    |app: TestApp| async move {
        let desk = app.desk().await;
        let ana_t = open_ticket(&app, &desk.ana, "Refund for Ana", "refund please").await;
        let bob_t = open_ticket(&app, &desk.bob, "Refund for Bob", "refund me too").await;
        for (t, team) in [(&ana_t, desk.team_a), (&bob_t, desk.team_b)] {
            let (status, body) = app
                .change_ticket(
                    &desk.admin,
                    t["id"].as_i64().unwrap(),
                    json!({"team_id": team}),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
        let ana_conv = ana_t["conversation_id"].as_i64().unwrap();
        app.send_note(&desk.agent_a, ana_conv, "refund approved, internal")
            .await;
        let direct = app.direct(&desk.agent_b, &desk.bob).await;
        app.send_message(&desk.bob, direct, "refund by chat").await;

        let mut expect = vec![
            (&desk.ana, vec!["Refund for Ana", "refund please"]),
            (
                &desk.bob,
                vec!["Refund for Bob", "refund by chat", "refund me too"],
            ),
            (
                &desk.agent_a,
                vec![
                    "Refund for Ana",
                    "refund approved, internal",
                    "refund please",
                ],
            ),
            (
                &desk.agent_b,
                vec!["Refund for Bob", "refund by chat", "refund me too"],
            ),
            (
                &desk.admin,
                vec![
                    "Refund for Ana",
                    "Refund for Bob",
                    "refund approved, internal",
                    "refund me too",
                    "refund please",
                ],
            ),
        ];
        for (who, texts) in expect.drain(..) {
            assert_eq!(found(&app, who, "refund").await, texts, "{}", who.email);
        }
        // A note says so.
        let note = hits(&app, &desk.agent_a, &[("q", "internal")]).await;
        assert_eq!(note[0]["message_kind"], "note");

        // Naming someone else's conversation, or someone as the sender, finds nothing more.
        let bob_conv = bob_t["conversation_id"].as_i64().unwrap().to_string();
        let direct = direct.to_string();
        for params in [
            vec![("q", "refund"), ("conversation", bob_conv.as_str())],
            vec![("q", "refund"), ("conversation", direct.as_str())],
        ] {
            assert!(
                hits(&app, &desk.ana, &params).await.is_empty(),
                "{params:?}"
            );
            assert!(
                hits(&app, &desk.agent_a, &params).await.is_empty(),
                "{params:?}"
            );
        }
        let bob_id = desk.bob.id.to_string();
        assert!(
            hits(&app, &desk.ana, &[("q", "refund"), ("from", &bob_id)])
                .await
                .is_empty()
        );
        let agent_a_id = desk.agent_a.id.to_string();
        assert!(
            hits(&app, &desk.ana, &[("q", "internal"), ("from", &agent_a_id)])
                .await
                .is_empty(),
            "never a note for a customer"
        );
    }
);

db_test!(
    edits_and_deletes_reindex_in_the_writing_transaction,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let t = open_ticket(&app, &ana, "Broken kettle", "first words").await;
        let conv = t["conversation_id"].as_i64().unwrap();
        let m = app.send_message(&ana, conv, "the original wording").await;
        assert_eq!(
            found(&app, &ana, "original").await,
            ["the original wording"]
        );

        // An edit, as the writer does it: the body changes in place.
        exec(
            &app,
            "UPDATE messages SET body = ? WHERE id = ?",
            vec!["the 改訂された wording".into(), m.id.into()],
        )
        .await;
        assert!(found(&app, &ana, "original").await.is_empty());
        assert_eq!(
            found(&app, &ana, "改訂され").await,
            ["the 改訂された wording"]
        );

        // A delete empties the body; a row removed altogether goes too.
        exec(
            &app,
            "UPDATE messages SET body = ? WHERE id = ?",
            vec!["".into(), m.id.into()],
        )
        .await;
        assert!(found(&app, &ana, "wording").await.is_empty());
        assert_eq!(found(&app, &ana, "first").await, ["first words"]);
        let first = hits(&app, &ana, &[("q", "first")]).await;
        exec(
            &app,
            "DELETE FROM messages WHERE id = ?",
            vec![first[0]["message_id"].as_i64().unwrap().into()],
        )
        .await;
        assert!(found(&app, &ana, "first").await.is_empty());

        // Ticket subjects likewise.
        exec(
            &app,
            "UPDATE tickets SET subject = ? WHERE id = ?",
            vec!["Leaking teapot".into(), t["id"].as_i64().unwrap().into()],
        )
        .await;
        assert!(found(&app, &ana, "kettle").await.is_empty());
        assert_eq!(found(&app, &ana, "teapot").await, ["Leaking teapot"]);
    }
);

db_test!(
    hits_are_ranked_filtered_and_paged_without_gaps,
    |app: TestApp| async move {
        let desk = app.desk().await;
        let open = open_ticket(&app, &desk.ana, "Alpha problem", "alpha").await;
        let open_conv = open["conversation_id"].as_i64().unwrap();
        let closed = open_ticket(&app, &desk.ana, "Old one", "alpha beta gamma").await;
        let closed_conv = closed["conversation_id"].as_i64().unwrap();
        let (status, body) = app
            .change_ticket(
                &desk.ana,
                closed["id"].as_i64().unwrap(),
                json!({"status": "closed"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        for i in 0..9 {
            let filler = "x".repeat(i * 10);
            app.send_message(&desk.ana, open_conv, &format!("alpha {filler}"))
                .await;
        }
        let agent = app.user_with_role("Zed", Role::Agent).await;
        app.send_message(&agent, open_conv, "alpha from the agent")
            .await;

        // Every page: best first, no hit twice, none left out.
        let all = hits(&app, &desk.ana, &[("q", "alpha"), ("limit", "50")]).await;
        assert_eq!(all.len(), 13, "{all:?}");
        let scores: Vec<i64> = all.iter().map(|h| h["score"].as_i64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        assert_eq!(scores[0], 1000, "a message that is only the word");
        let mut paged = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut params = vec![("q", "alpha"), ("limit", "4")];
            if let Some(c) = &cursor {
                params.push(("cursor", c));
            }
            let (status, page) = search_raw(&app, &desk.ana, &params).await;
            assert_eq!(status, 200, "{page}");
            paged.extend(page["items"].as_array().unwrap().clone());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(paged, all);

        // Filters.
        let in_conv = hits(
            &app,
            &desk.ana,
            &[("q", "alpha"), ("conversation", &closed_conv.to_string())],
        )
        .await;
        assert_eq!(
            in_conv.iter().map(text_of).collect::<Vec<_>>(),
            ["alpha beta gamma"]
        );
        let closed_hits = hits(
            &app,
            &desk.ana,
            &[("q", "alpha"), ("ticket_status", "closed")],
        )
        .await;
        assert_eq!(
            closed_hits.len(),
            1,
            "the subject does not match: {closed_hits:?}"
        );
        let open_hits = hits(
            &app,
            &desk.ana,
            &[("q", "alpha"), ("ticket_status", "open")],
        )
        .await;
        assert_eq!(open_hits.len(), 12);
        let agent_id = agent.id.to_string();
        let from = hits(&app, &desk.ana, &[("q", "alpha"), ("from", &agent_id)]).await;
        assert_eq!(
            from.iter().map(text_of).collect::<Vec<_>>(),
            ["alpha from the agent"]
        );
        let newest = from[0]["created_at"].as_str().unwrap();
        let before = hits(&app, &desk.ana, &[("q", "alpha"), ("before", newest)]).await;
        assert_eq!(before.len(), 12);
        assert!(
            hits(&app, &desk.ana, &[("q", "alpha"), ("after", newest)])
                .await
                .is_empty()
        );
    }
);

db_test!(
    an_edit_and_a_delete_through_the_api_change_what_is_found_at_once,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
        let m = app.send_message(&ana, conv, "my parcel never came").await;
        let other = app
            .send_message(&ana, conv, "another parcel question")
            .await;
        assert_eq!(found(&app, &agent, "parcel").await.len(), 2);

        let (status, edited) = app
            .patch(
                &format!("/api/v1/messages/{}", m.id),
                Some(&ana.token),
                json!({"body": "my 包裹 never came"}),
            )
            .await;
        assert_eq!(status, 200, "{edited}");
        assert_eq!(
            found(&app, &agent, "parcel").await,
            ["another parcel question"]
        );
        assert_eq!(found(&app, &agent, "包裹").await, ["my 包裹 never came"]);

        let (status, body) = app
            .delete(&format!("/api/v1/messages/{}", other.id), Some(&ana.token))
            .await;
        assert!(status == 200 || status == 204, "{status} {body}");
        assert!(found(&app, &agent, "parcel").await.is_empty());
        assert!(found(&app, &ana, "question").await.is_empty());
    }
);

/// SQLite: how many messages wait for the search index (`search::index`): stored or changed
/// since its last pass; none elsewhere (the index is kept in the writing transaction).
async fn waiting(app: &TestApp) -> i64 {
    let db = &app.state.db;
    if db.get_database_backend() != DbBackend::Sqlite {
        return 0;
    }
    count(
        app,
        "SELECT (SELECT count(*) FROM messages \
             WHERE id > (SELECT indexed_up_to FROM search.index_progress)) \
          + (SELECT count(*) FROM message_search_changes \
             WHERE id > (SELECT changes_up_to FROM search.index_progress)) AS n",
        vec![],
    )
    .await
}

async fn count(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) -> i64 {
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            values,
        ))
        .await
        .expect("count")
        .expect("a count");
    row.try_get("", "n").expect("n")
}

/// SQLite: the index holds exactly the indexed messages' text as it is now
/// (`search::index::check`).
async fn index_matches_text(app: &TestApp) {
    let url = switchboard::db::normalise_url(&app.state.settings.database_url);
    let Some(database) = switchboard::db::sqlite_path(&url) else {
        return;
    };
    tokio::task::spawn_blocking(move || switchboard::search::index::check(&database))
        .await
        .unwrap()
        .expect("the search index matches the messages");
}

/// Has the indexer index what waits, then checks the index.
async fn index_now(app: &TestApp) {
    if let Some(index) = &app.state.search_index {
        index.index_now().await.expect("index the waiting messages");
    }
    assert_eq!(waiting(app).await, 0);
    index_matches_text(app).await;
}

async fn edit(app: &TestApp, who: &TestUser, id: i64, body: &str) {
    let (status, edited) = app
        .patch(
            &format!("/api/v1/messages/{id}"),
            Some(&who.token),
            json!({ "body": body }),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
}

async fn delete(app: &TestApp, who: &TestUser, id: i64) {
    let (status, body) = app
        .delete(&format!("/api/v1/messages/{id}"), Some(&who.token))
        .await;
    assert!(status == 200 || status == 204, "{status} {body}");
}

/// New messages wait for the index (here: up to an hour, so nothing is indexed behind the
/// test's back), and search finds them, their edits and their deletions alike before and after
/// they are indexed.
async fn found_while_waiting_and_after(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.search_index_wait_ms = 3_600_000).await else {
        return;
    };
    let sqlite = backend == Backend::Sqlite;
    let (agent, ana, conv) = app.agent_and_customer().await;
    let kept = app.send_message(&ana, conv, "the original wording").await;
    let gone = app.send_message(&ana, conv, "a parcel that waits").await;
    if sqlite {
        assert!(waiting(&app).await >= 2, "the new messages wait");
    }
    assert_eq!(
        found(&app, &agent, "original").await,
        ["the original wording"]
    );
    assert_eq!(
        found(&app, &agent, "WAITS parcel").await,
        ["a parcel that waits"]
    );
    assert!(found(&app, &agent, "parcel original").await.is_empty());

    // Edited and deleted while waiting.
    edit(&app, &ana, kept.id, "the revised wording").await;
    delete(&app, &ana, gone.id).await;
    assert!(found(&app, &agent, "original").await.is_empty());
    assert_eq!(
        found(&app, &agent, "revised").await,
        ["the revised wording"]
    );
    assert!(found(&app, &agent, "parcel").await.is_empty());

    // Indexed: the index holds the text as it is now, and search finds the same.
    index_now(&app).await;
    assert!(found(&app, &agent, "original").await.is_empty());
    assert_eq!(
        found(&app, &agent, "revised").await,
        ["the revised wording"]
    );
    assert!(found(&app, &agent, "parcel").await.is_empty());

    // An indexed message and a waiting one, side by side.
    let fresh = app
        .send_message(&ana, conv, "another parcel, wording too")
        .await;
    if sqlite {
        assert_eq!(waiting(&app).await, 1);
    }
    assert_eq!(
        found(&app, &agent, "wording").await,
        ["another parcel, wording too", "the revised wording"]
    );
    edit(&app, &ana, kept.id, "the final text").await;
    assert_eq!(
        found(&app, &agent, "wording").await,
        ["another parcel, wording too"]
    );
    assert_eq!(found(&app, &agent, "final").await, ["the final text"]);

    // Rows removed altogether, one waiting and one indexed: both leave the index's books.
    exec(
        &app,
        "DELETE FROM messages WHERE id = ?",
        vec![fresh.id.into()],
    )
    .await;
    exec(
        &app,
        "DELETE FROM messages WHERE id = ?",
        vec![kept.id.into()],
    )
    .await;
    assert!(found(&app, &agent, "wording").await.is_empty());
    assert!(found(&app, &agent, "final").await.is_empty());
    index_now(&app).await;
    assert!(found(&app, &agent, "final").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn found_while_waiting_and_after_sqlite() {
    found_while_waiting_and_after(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn found_while_waiting_and_after_postgres() {
    found_while_waiting_and_after(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn found_while_waiting_and_after_mysql() {
    found_while_waiting_and_after(Backend::Mysql).await;
}

/// The indexer indexes by itself: with no wait, right after each batch the writer reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_indexer_indexes_what_waits() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.search_index_wait_ms = 0)
        .await
        .expect("SQLite is always there");
    let (agent, ana, conv) = app.agent_and_customer().await;
    for i in 0..5 {
        app.send_message(&ana, conv, &format!("kettle number {i}"))
            .await;
    }
    let mut left = waiting(&app).await;
    for _ in 0..200 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        left = waiting(&app).await;
    }
    assert_eq!(left, 0, "the indexer indexed what waited within 10 s");
    index_matches_text(&app).await;
    assert_eq!(found(&app, &agent, "kettle").await.len(), 5);
}

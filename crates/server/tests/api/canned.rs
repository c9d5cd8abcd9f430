//! Canned responses: personal and shared, who may see and change which, placeholders filled
//! for the conversation they are inserted into.

use serde_json::{Value, json};
use switchboard::domain::Role;

use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, TestUser};

const PATH: &str = "/api/v1/canned-responses";

async fn save(app: &TestApp, who: &TestUser, body: Value) -> (u16, Value) {
    app.post(PATH, Some(&who.token), body).await
}

async fn shortcuts(app: &TestApp, who: &TestUser) -> Vec<(String, bool)> {
    let (status, list) = app.get(PATH, Some(&who.token)).await;
    assert_eq!(status, 200, "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["shortcut"].as_str().unwrap().to_string(),
                r["shared"].as_bool().unwrap(),
            )
        })
        .collect()
}

db_test!(
    agents_keep_their_own_and_admins_share_with_the_desk,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        let ben = app.user_with_role("Ben", Role::Agent).await;
        let cleo = app.user_with_role("Cleo", Role::Agent).await;
        let ana = app.register("Ana").await;

        let (status, mine) = save(
            &app,
            &ben,
            json!({"shortcut": " Reset ", "title": "Password reset", "body": "Click 'Forgot password'."}),
        )
        .await;
        assert_eq!(status, 201, "{mine}");
        assert_eq!(
            (mine["shortcut"].as_str(), mine["shared"].as_bool()),
            (Some("reset"), Some(false))
        );

        // Only admins share.
        let shared = json!({"shortcut": "hours", "title": "Opening hours", "body": "9 to 5", "shared": true});
        let (status, body) = save(&app, &ben, shared.clone()).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden"))
        );
        let (status, hours) = save(&app, &admin, shared).await;
        assert_eq!(status, 201, "{hours}");

        assert_eq!(
            shortcuts(&app, &ben).await,
            [("hours".to_string(), true), ("reset".to_string(), false)]
        );
        assert_eq!(shortcuts(&app, &cleo).await, [("hours".to_string(), true)]);

        // A shortcut is unique per owner: Cleo may have her own "reset", Ben not a second one.
        let again = json!({"shortcut": "reset", "title": "Again", "body": "Again"});
        let (status, body) = save(&app, &ben, again.clone()).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (409, Some("conflict"))
        );
        let (status, _) = save(&app, &cleo, again).await;
        assert_eq!(status, 201);

        // Someone else's personal response doesn't exist for Cleo; a shared one is the admins'.
        let ben_reset = format!("{PATH}/{}", mine["id"]);
        let hours_path = format!("{PATH}/{}", hours["id"]);
        let (status, _) = app
            .patch(&ben_reset, Some(&cleo.token), json!({"title": "mine"}))
            .await;
        assert_eq!(status, 404);
        let (status, _) = app.delete(&ben_reset, Some(&cleo.token)).await;
        assert_eq!(status, 404);
        let (status, _) = app
            .patch(&hours_path, Some(&ben.token), json!({"body": "never"}))
            .await;
        assert_eq!(status, 403);
        let (status, _) = app.delete(&hours_path, Some(&ben.token)).await;
        assert_eq!(status, 403);
        let (status, edited) = app
            .patch(&hours_path, Some(&admin.token), json!({"body": "8 to 6"}))
            .await;
        assert_eq!((status, edited["body"].as_str()), (200, Some("8 to 6")));

        // Customers have none and may not make any.
        let (status, _) = app.get(PATH, Some(&ana.token)).await;
        assert_eq!(status, 403);
        let (status, _) = save(
            &app,
            &ana,
            json!({"shortcut": "x", "title": "x", "body": "x"}),
        )
        .await;
        assert_eq!(status, 403);

        let (status, _) = app.delete(&ben_reset, Some(&ben.token)).await;
        assert_eq!(status, 204);
        assert_eq!(shortcuts(&app, &ben).await, [("hours".to_string(), true)]);
    }
);

db_test!(
    bad_responses_are_refused_field_by_field,
    |app: TestApp| async move {
        let ben = app.user_with_role("Ben", Role::Agent).await;
        for (body, field) in [
            (
                json!({"shortcut": "two words", "title": "t", "body": "b"}),
                "shortcut",
            ),
            (
                json!({"shortcut": "", "title": "t", "body": "b"}),
                "shortcut",
            ),
            (
                json!({"shortcut": "x".repeat(33), "title": "t", "body": "b"}),
                "shortcut",
            ),
            (
                json!({"shortcut": "ok", "title": " ", "body": "b"}),
                "title",
            ),
            (
                json!({"shortcut": "ok", "title": "t", "body": "x".repeat(10_001)}),
                "body",
            ),
            (
                json!({"shortcut": "ok", "title": "t", "body": "  "}),
                "body",
            ),
        ] {
            let (status, answer) = save(&app, &ben, body).await;
            assert_eq!(status, 400, "{answer}");
            assert!(answer["error"]["fields"][field].is_string(), "{answer}");
        }
        let (status, answer) = save(
            &app,
            &ben,
            json!({"shortcut": "ok", "title": "t", "body": "b", "owner_id": 0}),
        )
        .await;
        assert_eq!(status, 400, "unknown fields are refused: {answer}");
        assert!(shortcuts(&app, &ben).await.is_empty());
    }
);

db_test!(
    placeholders_are_filled_for_the_conversation_they_go_into,
    |app: TestApp| async move {
        let ben = app.user_with_role("Ben", Role::Agent).await;
        let ana = app.register("Ana").await;
        let bob = app.register("Bob").await;
        let (status, ticket) = app
            .post(
                "/api/v1/tickets",
                Some(&ana.token),
                json!({"subject": "Printer", "body": "On fire", "priority": "high"}),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
        let (_, response) = save(
            &app,
            &ben,
            json!({"shortcut": "hi", "title": "Greeting",
                   "body": "Hi {{customer.name}}, #{{ ticket.number }} is mine. {{agent.name}} {{nope}}"}),
        )
        .await;
        let render = format!("{PATH}/{}/render", response["id"]);

        let (status, out) = app
            .post(
                &render,
                Some(&ben.token),
                json!({"conversation_id": ticket["conversation_id"]}),
            )
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(
            out["body"],
            format!("Hi Ana, #{} is mine. Ben {{{{nope}}}}", ticket["number"])
        );

        // A direct chat has no ticket number: it stays for the agent to fill in.
        let direct = app.direct(&ben, &ana).await;
        let (_, out) = app
            .post(
                &render,
                Some(&ben.token),
                json!({"conversation_id": direct}),
            )
            .await;
        assert_eq!(
            out["body"],
            "Hi Ana, #{{ ticket.number }} is mine. Ben {{nope}}"
        );

        // A conversation Ben may not see is unknown, and leaks no name.
        let (_, request) = app
            .post(
                "/api/v1/friend-requests",
                Some(&ana.token),
                json!({"to_user_id": bob.id}),
            )
            .await;
        let accept = format!("/api/v1/friend-requests/{}/accept", request["id"]);
        let (status, _) = app.post(&accept, Some(&bob.token), json!({})).await;
        assert_eq!(status, 200);
        let private = app.direct(&ana, &bob).await;
        let (status, out) = app
            .post(
                &render,
                Some(&ben.token),
                json!({"conversation_id": private}),
            )
            .await;
        assert_eq!(status, 404, "{out}");
        assert!(!out.to_string().contains("Bob"));
    }
);

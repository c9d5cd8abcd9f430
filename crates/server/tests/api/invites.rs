//! Admins create accounts with a role; the new person gets in with a one-time, expiring invite
//! and chooses their own password.

use sea_orm::EntityTrait;
use serde_json::{Value, json};
use switchboard::db::entities::user;
use switchboard::domain::Role;

use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

const PASSWORD: &str = "a fresh passphrase";

async fn create(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.post("/api/v1/admin/users", Some(token), body).await
}

async fn accept(app: &TestApp, token: &str, password: &str) -> (u16, Value) {
    app.post(
        "/api/v1/auth/accept-invite",
        None,
        json!({"token": token, "password": password}),
    )
    .await
}

db_test!(
    an_admin_creates_an_agent_who_gets_in_by_invite_once,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        let agent = app.user_with_role("Aggie", Role::Agent).await;
        let ana = app.register("Ana").await;
        let new_agent =
            json!({"email": " Zed@Example.com ", "display_name": "Zed", "role": "agent"});
        for who in [&ana, &agent] {
            let (status, body) = create(&app, &who.token, new_agent.clone()).await;
            assert_eq!(status, 403, "{body}");
            assert_eq!(body["error"]["code"], "forbidden");
        }
        assert_eq!(create(&app, "garbage", new_agent.clone()).await.0, 401);

        let (status, body) = create(&app, &admin.token, new_agent.clone()).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["user"]["email"], "zed@example.com");
        assert_eq!(body["user"]["role"], "agent");
        let invite = body["invite"]["token"].as_str().unwrap().to_string();
        let week_ms = 7 * 24 * 3600 * 1000;
        let expires_at = body["invite"]["expires_at"].as_i64().unwrap();
        let now_ms = switchboard::domain::now_ms();
        assert!((expires_at - now_ms - week_ms).abs() < 60_000, "{body}");
        assert!(
            !body.to_string().contains("argon2"),
            "no hash in the answer"
        );

        // The same email again (in any case) is taken.
        let (status, body) = create(&app, &admin.token, new_agent.clone()).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (409, Some("email_taken"))
        );
        let (status, _) = create(
            &app,
            &admin.token,
            json!({"email": "ANA@example.com", "display_name": "Other", "role": "customer"}),
        )
        .await;
        assert_eq!(status, 409);

        // Until the invite is accepted, no password signs in.
        let (status, _) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": "zed@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 401);

        // A short password and a bad token are refused on their fields; the invite survives.
        let (status, body) = accept(&app, &invite, "short").await;
        assert_eq!(status, 400, "{body}");
        assert!(body["error"]["fields"]["password"].is_string(), "{body}");
        let (status, body) = accept(&app, "not-an-invite", PASSWORD).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["error"]["fields"]["token"].is_string(), "{body}");
        // An access token is no invite.
        assert_eq!(accept(&app, &admin.token, PASSWORD).await.0, 400);

        let (status, body) = accept(&app, &invite, PASSWORD).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["user"]["role"], "agent");
        let token = body["access_token"].as_str().unwrap();
        let (_, me) = app.get("/api/v1/users/me", Some(token)).await;
        assert_eq!(me["email"], "zed@example.com");
        // An agent from the first request: the teams list is theirs to read.
        assert_eq!(app.get("/api/v1/teams", Some(token)).await.0, 200);

        // Spent: the same invite can't set the password again.
        let (status, body) = accept(&app, &invite, "another passphrase").await;
        assert_eq!(status, 400, "{body}");
        app.login("zed@example.com", PASSWORD).await;
    }
);

db_test!(
    creating_a_user_validates_every_field,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        let (status, body) = create(
            &app,
            &admin.token,
            json!({"email": "not an email", "display_name": "  ", "role": "agent"}),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"]["code"], "validation_failed");
        assert!(body["error"]["fields"]["email"].is_string(), "{body}");
        assert!(
            body["error"]["fields"]["display_name"].is_string(),
            "{body}"
        );
        for bad in [
            json!({"email": "a@example.com", "display_name": "A", "role": "root"}),
            json!({"email": "a@example.com", "display_name": "A"}),
            json!({"email": "a@example.com", "display_name": "A", "role": "agent", "password": "x"}),
            json!([]),
        ] {
            let (status, body) = create(&app, &admin.token, bad.clone()).await;
            assert_eq!(status, 400, "{bad} -> {body}");
        }
        let (_, page) = app
            .get("/api/v1/admin/users?q=a@", Some(&admin.token))
            .await;
        assert_eq!(page["items"], json!([]), "nothing was created");
    }
);

db_test!(
    a_new_invite_voids_the_old_password_invites_and_sessions,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        let agent = app.user_with_role("Aggie", Role::Agent).await;
        let mut socket = app.ws(&agent).await;
        let path = format!("/api/v1/admin/users/{}/invite", agent.id);

        assert_eq!(app.post(&path, Some(&agent.token), json!({})).await.0, 403);
        let (status, body) = app
            .post(
                &format!("/api/v1/admin/users/{}/invite", admin.id),
                Some(&admin.token),
                json!({}),
            )
            .await;
        assert_eq!(status, 400, "admins don't lock themselves out: {body}");
        let (status, _) = app
            .post(
                "/api/v1/admin/users/987654/invite",
                Some(&admin.token),
                json!({}),
            )
            .await;
        assert_eq!(status, 404);

        let (status, first) = app.post(&path, Some(&admin.token), json!({})).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(socket.closed_with().await, Some(4401));
        assert_eq!(app.get("/api/v1/users/me", Some(&agent.token)).await.0, 401);
        let (status, _) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": "aggie@example.com", "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(status, 401, "the old password is gone");

        let (_, second) = app.post(&path, Some(&admin.token), json!({})).await;
        let first = first["invite"]["token"].as_str().unwrap();
        let second = second["invite"]["token"].as_str().unwrap();
        assert_eq!(accept(&app, first, PASSWORD).await.0, 400, "replaced");
        assert_eq!(accept(&app, second, PASSWORD).await.0, 200);
    }
);

db_test!(
    expired_and_disabled_invites_are_refused,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        let (_, body) = create(
            &app,
            &admin.token,
            json!({"email": "zed@example.com", "display_name": "Zed", "role": "agent"}),
        )
        .await;
        let id = body["user"]["id"].as_i64().unwrap();
        let invite = body["invite"]["token"].as_str().unwrap().to_string();
        let account = user::Entity::find_by_id(id)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        let an_hour_ago = jsonwebtoken::get_current_timestamp() - 3600;
        let expired = app
            .state
            .keys
            .issue_invite(id, &account.password_hash, an_hour_ago)
            .unwrap();
        let (status, body) = accept(&app, &expired, PASSWORD).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["error"]["fields"]["token"].is_string(), "{body}");

        let path = format!("/api/v1/admin/users/{id}");
        let disable =
            |disabled: bool| app.patch(&path, Some(&admin.token), json!({"disabled": disabled}));
        assert_eq!(disable(true).await.0, 200);
        assert_eq!(accept(&app, &invite, PASSWORD).await.0, 400);
        assert_eq!(disable(false).await.0, 200);
        assert_eq!(accept(&app, &invite, PASSWORD).await.0, 200);
    }
);

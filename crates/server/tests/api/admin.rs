use serde_json::json;
use switchboard::domain::Role;

use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

db_test!(
    admins_manage_users_and_others_cannot,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        let ana = app.register("Ana").await;

        let (status, body) = app.get("/api/v1/admin/users", Some(&ana.token)).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "forbidden");

        let (status, page) = app
            .get("/api/v1/admin/users?q=ana", Some(&admin.token))
            .await;
        assert_eq!(status, 200);
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        assert_eq!(page["items"][0]["email"], "ana@example.com");

        let (status, body) = app
            .patch(
                &format!("/api/v1/admin/users/{}", ana.id),
                Some(&admin.token),
                json!({"role": "agent"}),
            )
            .await;
        assert_eq!((status, body["role"].as_str()), (200, Some("agent")));
        // The role applies to the next request, no new token needed.
        let (_, me) = app.get("/api/v1/users/me", Some(&ana.token)).await;
        assert_eq!(me["role"], "agent");

        let (status, _) = app
            .patch(
                &format!("/api/v1/admin/users/{}", ana.id),
                Some(&ana.token),
                json!({"role": "admin"}),
            )
            .await;
        assert_eq!(status, 403, "no one promotes themselves");

        let (status, _) = app
            .patch(
                "/api/v1/admin/users/999999",
                Some(&admin.token),
                json!({"disabled": true}),
            )
            .await;
        assert_eq!(status, 404);
    }
);

db_test!(
    disabling_a_user_ends_their_sessions_at_once,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        let ana = app.register("Ana").await;
        let mut socket = app.ws(&ana).await;
        let (status, _) = app
            .patch(
                &format!("/api/v1/admin/users/{}", ana.id),
                Some(&admin.token),
                json!({"disabled": true}),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(app.get("/api/v1/users/me", Some(&ana.token)).await.0, 401);
        assert_eq!(
            app.post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": ana.refresh})
            )
            .await
            .0,
            401
        );
        let (status, _) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": "ana@example.com", "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(status, 401);
        assert_eq!(socket.closed_with().await, Some(4401));

        let (status, _) = app
            .patch(
                &format!("/api/v1/admin/users/{}", ana.id),
                Some(&admin.token),
                json!({"disabled": false}),
            )
            .await;
        assert_eq!(status, 200);
        app.login("ana@example.com", "correct horse battery").await;
    }
);

db_test!(
    a_role_or_team_change_reaches_the_users_open_connections,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        let ana = app.register("Ana").await;
        let mut socket = app.ws(&ana).await;

        let (status, body) = app
            .patch(
                &format!("/api/v1/admin/users/{}", ana.id),
                Some(&admin.token),
                json!({"role": "agent"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let frame = socket.recv_type("account_updated").await;
        assert_eq!(
            frame,
            json!({"type": "account_updated", "role": "agent", "team_ids": []})
        );

        let (status, team) = app
            .post(
                "/api/v1/teams",
                Some(&admin.token),
                json!({"name": "Billing"}),
            )
            .await;
        assert_eq!(status, 201, "{team}");
        let team_id = team["id"].as_i64().unwrap();
        let (status, body) = app
            .post(
                &format!("/api/v1/teams/{team_id}/members"),
                Some(&admin.token),
                json!({"user_id": ana.id}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let frame = socket.recv_type("account_updated").await;
        assert_eq!(frame["team_ids"], json!([team_id]), "{frame}");

        let (status, _) = app
            .delete(
                &format!("/api/v1/teams/{team_id}/members/{}", ana.id),
                Some(&admin.token),
            )
            .await;
        assert_eq!(status, 204);
        let frame = socket.recv_type("account_updated").await;
        assert_eq!(frame["team_ids"], json!([]), "{frame}");

        // Demoted: told, then disconnected, so no open connection keeps getting internal notes.
        let (status, _) = app
            .patch(
                &format!("/api/v1/admin/users/{}", ana.id),
                Some(&admin.token),
                json!({"role": "customer"}),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(socket.closed_with().await, Some(4401));
        // The same token still works: the next connection is a customer's.
        let (_, me) = app.get("/api/v1/users/me", Some(&ana.token)).await;
        assert_eq!(me["role"], "customer");
    }
);

use serde_json::json;

use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

db_test!(
    register_login_me_refresh_logout,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let (status, me) = app.get("/api/v1/users/me", Some(&ana.token)).await;
        assert_eq!(status, 200);
        assert_eq!(me["email"], "ana@example.com");
        assert_eq!(me["role"], "customer");

        let (status, refreshed) = app
            .post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": ana.refresh}),
            )
            .await;
        assert_eq!(status, 200, "{refreshed}");
        assert_eq!(refreshed["token_type"], "bearer");
        assert_eq!(refreshed["expires_in"], 900);
        let new_access = refreshed["access_token"].as_str().unwrap();
        let new_refresh = refreshed["refresh_token"].as_str().unwrap();
        assert_ne!(new_refresh, ana.refresh);
        assert_eq!(app.get("/api/v1/users/me", Some(new_access)).await.0, 200);

        let (status, _) = app
            .post(
                "/api/v1/auth/logout",
                None,
                json!({"refresh_token": new_refresh}),
            )
            .await;
        assert_eq!(status, 204);
        // Logging out ends the session at once: access tokens of it stop working too.
        let (status, body) = app.get("/api/v1/users/me", Some(new_access)).await;
        assert_eq!(status, 401);
        assert_eq!(body["error"]["code"], "unauthorized");
        assert_eq!(
            app.post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": new_refresh})
            )
            .await
            .0,
            401
        );
    }
);

db_test!(
    emails_are_unique_regardless_of_case,
    |app: TestApp| async move {
        app.register("Ana").await;
        let (status, body) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "  ANA@Example.com", "display_name": "Other", "password": "another password"}),
        )
        .await;
        assert_eq!(status, 409);
        assert_eq!(body["error"]["code"], "email_taken");
        let login = app.login("Ana@EXAMPLE.com", "correct horse battery").await;
        assert!(!login.token.is_empty());
    }
);

db_test!(
    registration_names_every_bad_field,
    |app: TestApp| async move {
        let (status, body) = app
            .post(
                "/api/v1/auth/register",
                None,
                json!({"email": "nope", "display_name": " ", "password": "short"}),
            )
            .await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "validation_failed");
        let fields = body["error"]["fields"].as_object().unwrap();
        for f in ["email", "display_name", "password"] {
            assert!(fields.contains_key(f), "{body}");
        }
        let long = "x".repeat(129);
        let (status, body) = app
            .post(
                "/api/v1/auth/register",
                None,
                json!({"email": "a@b.c", "display_name": "A", "password": long}),
            )
            .await;
        assert_eq!(status, 400);
        assert!(body["error"]["fields"]["password"].is_string());
    }
);

db_test!(
    unknown_email_and_wrong_password_answer_alike,
    |app: TestApp| async move {
        app.register("Ana").await;
        let (s1, b1) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": "ana@example.com", "password": "wrong password"}),
            )
            .await;
        let (s2, b2) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": "nobody@example.com", "password": "wrong password"}),
            )
            .await;
        assert_eq!((s1, s2), (401, 401));
        assert_eq!(b1, b2);
        assert_eq!(b1["error"]["code"], "invalid_credentials");
    }
);

db_test!(
    a_reused_refresh_token_revokes_its_family,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let (_, first) = app
            .post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": ana.refresh}),
            )
            .await;
        let child_access = first["access_token"].as_str().unwrap().to_string();
        let child_refresh = first["refresh_token"].as_str().unwrap().to_string();
        // The old token again: theft. The whole family goes.
        let (status, _) = app
            .post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": ana.refresh}),
            )
            .await;
        assert_eq!(status, 401);
        assert_eq!(
            app.post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": child_refresh})
            )
            .await
            .0,
            401
        );
        assert_eq!(
            app.get("/api/v1/users/me", Some(&child_access)).await.0,
            401
        );
        // Other sessions are untouched.
        let other = app.login("ana@example.com", "correct horse battery").await;
        assert_eq!(app.get("/api/v1/users/me", Some(&other.token)).await.0, 200);
    }
);

db_test!(
    forged_and_foreign_tokens_are_refused,
    |app: TestApp| async move {
        use base64::Engine;
        let ana = app.register("Ana").await;
        let b64 = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let parts: Vec<&str> = ana.token.split('.').collect();
        let claims: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(parts[1])
                .unwrap(),
        )
        .unwrap();
        let none = format!(
            "{}.{}.",
            b64(json!({"alg": "none", "typ": "JWT"})),
            parts[1]
        );
        let hs512 = format!(
            "{}.{}.{}",
            b64(json!({"alg": "HS512", "typ": "JWT"})),
            parts[1],
            parts[2]
        );
        let mut expired = claims.clone();
        expired["exp"] = json!(1_000_000_000);
        let tampered = format!("{}.{}.{}", parts[0], b64(expired), parts[2]);
        let mut wrong_type = claims.clone();
        wrong_type["typ"] = json!("refresh");
        let wrong_type = format!("{}.{}.{}", parts[0], b64(wrong_type), parts[2]);
        for token in [
            none.as_str(),
            hs512.as_str(),
            tampered.as_str(),
            wrong_type.as_str(),
            "garbage",
            ana.refresh.as_str(),
        ] {
            let (status, body) = app.get("/api/v1/users/me", Some(token)).await;
            assert_eq!(status, 401, "{token}: {body}");
        }
        assert_eq!(app.get("/api/v1/users/me", None).await.0, 401);
    }
);

db_test!(
    profile_changes_need_the_current_password,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let (status, body) = app
            .patch(
                "/api/v1/users/me",
                Some(&ana.token),
                json!({"display_name": "Ana B."}),
            )
            .await;
        assert_eq!(
            (status, body["display_name"].as_str()),
            (200, Some("Ana B."))
        );
        let (status, body) = app
            .patch(
                "/api/v1/users/me",
                Some(&ana.token),
                json!({"password": "new password!", "current_password": "nope"}),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        let (status, _) = app
            .patch(
                "/api/v1/users/me",
                Some(&ana.token),
                json!({"password": "new password!", "current_password": "correct horse battery"}),
            )
            .await;
        assert_eq!(status, 200);
        app.login("ana@example.com", "new password!").await;
        let (status, _) = app
            .patch(
                "/api/v1/users/me",
                Some(&ana.token),
                json!({"role": "admin"}),
            )
            .await;
        assert_eq!(status, 400, "unknown fields such as role are refused");
    }
);

#[tokio::test]
async fn login_is_rate_limited_before_hashing_with_retry_after() {
    let app =
        switchboard_test_support::spawn_app_with(switchboard_test_support::Backend::Sqlite, |s| {
            s.auth_rate_limit = "on".into();
            s.auth_rate_per_minute_account = 3;
        })
        .await
        .unwrap();
    app.register("Ana").await;
    let attempt = || {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": "ana@example.com", "password": "wrong password"}))
            .send()
    };
    for _ in 0..2 {
        assert_eq!(attempt().await.unwrap().status(), 401);
    }
    let resp = attempt().await.unwrap();
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let (_, body) = switchboard_test_support::into_parts(resp).await;
    assert_eq!(body["error"]["code"], "rate_limited");
}

#[test]
fn cli_creates_a_user_with_the_password_from_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_switchboard");
    let mut child = std::process::Command::new(bin)
        .args([
            "user",
            "create",
            "--email",
            "Boss@Example.com",
            "--role",
            "admin",
        ])
        .env("SWITCHBOARD_DATA_DIR", dir.path())
        .env(
            "SWITCHBOARD_DATABASE_URL",
            format!("sqlite://{}/sb.db", dir.path().display()),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long admin password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created admin user boss@example.com"));
    assert!(
        dir.path().join("jwt_secret").is_file(),
        "a signing secret is generated on first run"
    );
}

#[test]
fn bad_configuration_exits_non_zero_with_one_line_per_problem() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("migrate")
        .env("SWITCHBOARD_LISTEN", "not-an-address")
        .env("SWITCHBOARD_JWT_SECRET", "too short")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error: ")).count(),
        2,
        "{stderr}"
    );
    assert!(stderr.contains("SWITCHBOARD_LISTEN") && stderr.contains("SWITCHBOARD_JWT_SECRET"));
}

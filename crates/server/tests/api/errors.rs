//! Every bad input gets the documented JSON error shape and status.

use serde_json::json;

use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

async fn raw(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    ctype: Option<&str>,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let mut req = app.client.request(method, app.url(path)).body(body);
    if let Some(c) = ctype {
        req = req.header("content-type", c);
    }
    switchboard_test_support::into_parts(req.send().await.unwrap()).await
}

fn assert_shape(body: &serde_json::Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

db_test!(
    malformed_requests_get_json_errors,
    |app: TestApp| async move {
        let post = reqwest::Method::POST;
        let (s, b) = raw(
            &app,
            post.clone(),
            "/api/v1/auth/login",
            Some("application/json"),
            b"{not json".to_vec(),
        )
        .await;
        assert_eq!(s, 400);
        assert_shape(&b, "invalid_json");

        let (s, b) = raw(
            &app,
            post.clone(),
            "/api/v1/auth/login",
            Some("text/plain"),
            b"{}".to_vec(),
        )
        .await;
        assert_eq!(s, 415);
        assert_shape(&b, "unsupported_media_type");

        let (s, b) = raw(
            &app,
            post.clone(),
            "/api/v1/auth/login",
            Some("application/json"),
            b"{\"email\": 5}".to_vec(),
        )
        .await;
        assert_eq!(s, 400);
        assert_shape(&b, "validation_failed");

        let (s, b) = raw(
            &app,
            reqwest::Method::GET,
            "/api/v1/nothing-here",
            None,
            vec![],
        )
        .await;
        assert_eq!(s, 404);
        assert_shape(&b, "not_found");

        let (s, b) = raw(
            &app,
            reqwest::Method::DELETE,
            "/api/v1/auth/login",
            None,
            vec![],
        )
        .await;
        assert_eq!(s, 405);
        assert_shape(&b, "method_not_allowed");

        let big = format!(
            "{{\"email\": \"{}\", \"password\": \"x\"}}",
            "a".repeat(2 * 1024 * 1024)
        );
        let (s, b) = raw(
            &app,
            post,
            "/api/v1/auth/login",
            Some("application/json"),
            big.into_bytes(),
        )
        .await;
        assert_eq!(s, 413);
        assert_shape(&b, "payload_too_large");

        let (s, b) = app
            .get("/api/v1/conversations/not-a-number/messages", None)
            .await;
        assert_eq!(s, 401, "auth is checked before anything else: {b}");
    }
);

db_test!(
    responses_carry_security_headers_and_a_request_id,
    |app: TestApp| async move {
        let resp = app.client.get(app.url("/healthz")).send().await.unwrap();
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h.contains_key("content-security-policy"));
        assert!(h.contains_key("x-request-id"));
        let resp = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", "trace-me-42")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["x-request-id"], "trace-me-42");
    }
);

db_test!(
    cors_allows_only_configured_origins,
    |app: TestApp| async move {
        let resp = app
            .client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/auth/login"))
            .header("origin", "https://evil.example")
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert!(!resp.headers().contains_key("access-control-allow-origin"));
        let _ = json!({});
    }
);

#[tokio::test]
async fn cors_answers_an_allowed_origin() {
    let app =
        switchboard_test_support::spawn_app_with(switchboard_test_support::Backend::Sqlite, |s| {
            s.allowed_origins = "https://desk.example".into();
        })
        .await
        .unwrap();
    let resp = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/auth/login"))
        .header("origin", "https://desk.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://desk.example"
    );
}

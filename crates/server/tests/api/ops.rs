use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

db_test!(
    health_readiness_and_metrics_answer,
    |app: TestApp| async move {
        assert_eq!(
            app.get("/healthz", None).await,
            (200, serde_json::json!({"status": "ok"}))
        );
        assert_eq!(
            app.get("/readyz", None).await,
            (200, serde_json::json!({"status": "ready"}))
        );
        let text = app.metrics_text().await;
        assert!(text.contains("switchboard_http_requests_total"), "{text}");
        assert!(
            text.contains("switchboard_http_request_duration_seconds_bucket"),
            "{text}"
        );
    }
);

db_test!(
    openapi_lists_every_route_with_schemas,
    |app: TestApp| async move {
        let (status, doc) = app.get("/openapi.json", None).await;
        assert_eq!(status, 200);
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = doc["paths"].as_object().unwrap();
        for (path, method) in [
            ("/api/v1/auth/register", "post"),
            ("/api/v1/auth/login", "post"),
            ("/api/v1/auth/refresh", "post"),
            ("/api/v1/auth/logout", "post"),
            ("/api/v1/users/me", "get"),
            ("/api/v1/users/me", "patch"),
            ("/api/v1/admin/users", "get"),
            ("/api/v1/admin/users/{id}", "patch"),
            ("/api/v1/conversations", "get"),
            ("/api/v1/conversations/{id}/messages", "post"),
            ("/healthz", "get"),
        ] {
            let op = &paths[path][method];
            assert!(op.is_object(), "{method} {path} missing");
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has no responses"
            );
            if method == "post" || method == "patch" {
                assert!(
                    op["requestBody"].is_object() || path.ends_with("/read"),
                    "{method} {path} has no request body"
                );
            }
        }
        // The answers every route can give are documented too.
        assert!(paths["/api/v1/users/me"]["get"]["responses"]["401"].is_object());
        assert!(paths["/api/v1/auth/login"]["post"]["responses"]["415"].is_object());
        assert!(paths["/api/v1/tickets/{id}"]["patch"]["responses"]["400"].is_object());
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for s in [
            "AuthResponse",
            "ErrorBody",
            "UserView",
            "MessageView",
            "ConversationView",
        ] {
            assert!(schemas.contains_key(s), "schema {s} missing");
        }
        let html = app
            .client
            .get(app.url("/docs/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("swagger"),
            "the docs page is served from the binary"
        );
    }
);

#[tokio::test]
async fn tls_serves_https_and_wss_with_the_configured_certificate() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let app =
        switchboard_test_support::spawn_app_with(switchboard_test_support::Backend::Sqlite, |s| {
            s.tls_cert = Some(cert_path.clone());
            s.tls_key = Some(key_path.clone());
        })
        .await
        .unwrap();
    let port = app.address.rsplit(':').next().unwrap().to_string();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .resolve("localhost", format!("127.0.0.1:{port}").parse().unwrap())
        .build()
        .unwrap();
    let resp = client
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Plain HTTP on the TLS port is not served.
    assert!(
        reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .map(|r| r.status() != 200)
            .unwrap_or(true)
    );
}

db_test!(
    without_a_web_build_the_root_page_says_where_it_looked_and_how_to_point_elsewhere,
    |app: TestApp| async move {
        let resp = app.client.get(app.url("/")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let page = resp.text().await.unwrap();
        assert!(page.contains("SWITCHBOARD_WEB_DIR"), "{page}");
        assert!(
            page.contains("no-web-build"),
            "the directory it looked in: {page}"
        );
        assert!(page.contains("npm run build:web"), "{page}");
    }
);

#[test]
fn logs_written_to_a_pipe_or_file_carry_no_colour_codes() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .env("SWITCHBOARD_LISTEN", "127.0.0.1:0")
        .env("SWITCHBOARD_DATA_DIR", dir.path())
        .env(
            "SWITCHBOARD_DATABASE_URL",
            format!("sqlite://{}/sb.db", dir.path().display()),
        )
        .env("SWITCHBOARD_WEB_DIR", dir.path().join("no-web"))
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let listening = loop {
        match lines.next() {
            Some(Ok(line)) => {
                let done = line.contains("switchboard listening");
                seen.push(line);
                if done {
                    break true;
                }
            }
            _ => break false,
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    let text = seen.join("\n");
    assert!(listening, "the server logged that it listens: {text}");
    assert!(!text.contains('\u{1b}'), "no ANSI escape codes: {text:?}");
}

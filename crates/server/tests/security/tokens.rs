//! Tokens signed with the real secret but wrong in one way each (the api suite covers tampered
//! and foreign ones): every one is refused on REST (401) and on the WebSocket (4401).

use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use crate::{TEST_SECRET, claims_of, now_secs, sign, sign_with_header, unsigned};
use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

/// The close code after an `auth` frame with `token` (0: accepted).
async fn ws_auth_code(app: &TestApp, token: &str) -> Option<u16> {
    use futures::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut ws = app.ws_raw().await;
    ws.send(json!({"type": "auth", "token": token})).await;
    loop {
        match tokio::time::timeout(switchboard_test_support::WAIT, ws.stream.next()).await {
            Ok(Some(Ok(Message::Text(t)))) if t.contains("\"ready\"") => return Some(0),
            Ok(Some(Ok(Message::Close(f)))) => return f.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    }
}

db_test!(
    every_malformed_token_is_refused_on_rest_and_websocket,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let bob = app.register("Bob").await;
        let secret = TEST_SECRET.as_bytes();
        let good = claims_of(&ana.token);
        let now = now_secs();
        let with = |key: &str, value: Value| {
            let mut c = good.clone();
            if value.is_null() {
                c.as_object_mut().unwrap().remove(key);
            } else {
                c[key] = value;
            }
            c
        };
        let hs256 = |c: &Value| sign(Algorithm::HS256, c, secret);
        // A control: a token signed by us with the real claims works.
        let control = hs256(&good);
        assert_eq!(app.get("/api/v1/users/me", Some(&control)).await.0, 200);

        let mut flipped = ana.token.clone().into_bytes();
        let last = flipped.len() - 2;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        let no_sig = {
            let mut parts: Vec<&str> = ana.token.split('.').collect();
            parts[2] = "";
            parts.join(".")
        };
        let cases: Vec<(&str, String)> = vec![
            ("alg none", unsigned(&good)),
            (
                "alg None (case)",
                format!(
                    "{}.{}.",
                    crate::b64(br#"{"alg":"None","typ":"JWT"}"#),
                    ana.token.split('.').nth(1).unwrap()
                ),
            ),
            (
                "HS384 with the real secret",
                sign(Algorithm::HS384, &good, secret),
            ),
            (
                "HS512 with the real secret",
                sign(Algorithm::HS512, &good, secret),
            ),
            (
                "RS256 header, HMAC signature (key confusion)",
                sign_with_header(&json!({"alg": "RS256", "typ": "JWT"}), &good, secret),
            ),
            (
                "no alg header",
                sign_with_header(&json!({"typ": "JWT"}), &good, secret),
            ),
            ("bad signature (one character)", flipped),
            ("empty signature", no_sig),
            (
                "expired an hour ago",
                hs256(&with("exp", json!(now - 3600))),
            ),
            (
                "expired 30 s ago (beyond leeway)",
                hs256(&with("exp", json!(now - 30))),
            ),
            (
                "exp as a string",
                hs256(&with("exp", json!((now + 600).to_string()))),
            ),
            ("exp missing", hs256(&with("exp", Value::Null))),
            (
                "not valid for an hour (nbf)",
                hs256(&with("nbf", json!(now + 3600))),
            ),
            ("wrong audience", hs256(&with("aud", json!("someone-else")))),
            (
                "audience list without ours",
                hs256(&with("aud", json!(["a", "b"]))),
            ),
            ("audience missing", hs256(&with("aud", Value::Null))),
            ("wrong issuer", hs256(&with("iss", json!("evil")))),
            ("issuer missing", hs256(&with("iss", Value::Null))),
            ("type refresh", hs256(&with("typ", json!("refresh")))),
            ("type missing", hs256(&with("typ", Value::Null))),
            ("subject not a number", hs256(&with("sub", json!("ana")))),
            ("subject of nobody", hs256(&with("sub", json!("999999")))),
            ("subject missing", hs256(&with("sub", Value::Null))),
            (
                "session unknown",
                hs256(&with("sid", json!("no-such-session"))),
            ),
            ("session of someone else", {
                let mut c = good.clone();
                c["sid"] = claims_of(&bob.token)["sid"].clone();
                hs256(&c)
            }),
            ("refresh token as access token", ana.refresh.clone()),
            ("empty", String::new()),
            (
                "two parts",
                ana.token.rsplit_once('.').unwrap().0.to_string(),
            ),
            ("four parts", format!("{}.x", ana.token)),
        ];
        let mut refused = 0;
        for (label, token) in &cases {
            let (status, body) = app.get("/api/v1/users/me", Some(token)).await;
            assert_eq!(status, 401, "{label}: REST answered {body}");
            assert_eq!(body["error"]["code"], "unauthorized", "{label}");
            assert_eq!(
                ws_auth_code(&app, token).await,
                Some(4401),
                "{label}: WebSocket auth"
            );
            refused += 1;
        }
        // Only for non-empty tokens: the header must carry the Bearer scheme.
        for header in [
            format!("Basic {}", ana.token),
            format!("Token {}", ana.token),
            ana.token.clone(),
            format!("Bearer  {}x", ana.token),
        ] {
            let resp = app
                .client
                .get(app.url("/api/v1/users/me"))
                .header("authorization", header.as_str())
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 401, "{header}");
            refused += 1;
        }
        crate::figures(&format!(
            "tokens backend={:?} tried={} refused={refused}",
            app.backend,
            cases.len() + 4
        ));
    }
);

db_test!(
    a_second_auth_frame_for_another_user_closes_the_socket,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let bob = app.register("Bob").await;
        let mut ws = app.ws(&ana).await;
        ws.send(json!({"type": "auth", "token": bob.token})).await;
        assert_eq!(ws.closed_with().await, Some(4401));
        // Renewing with one's own fresh token keeps the socket.
        let mut ws = app.ws(&ana).await;
        let again = app.login("ana@example.com", "correct horse battery").await;
        ws.send(json!({"type": "auth", "token": again.token})).await;
        ws.send(json!({"type": "ping", "nonce": 7})).await;
        assert_eq!(ws.recv_type("pong").await["nonce"], 7);
    }
);

db_test!(
    reusing_a_rotated_refresh_token_closes_the_family_sockets,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let other_session = app.login("ana@example.com", "correct horse battery").await;
        let (s, rotated) = app
            .post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": ana.refresh}),
            )
            .await;
        assert_eq!(s, 200);
        let child = switchboard_test_support::TestUser {
            token: rotated["access_token"].as_str().unwrap().into(),
            refresh: rotated["refresh_token"].as_str().unwrap().into(),
            ..ana.clone()
        };
        let mut family_ws = app.ws(&child).await;
        let mut other_ws = app.ws(&other_session).await;
        // The spent token again: a thief or a replay. The family is revoked everywhere.
        let (s, _) = app
            .post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": ana.refresh}),
            )
            .await;
        assert_eq!(s, 401);
        assert_eq!(family_ws.closed_with().await, Some(4401));
        assert_eq!(
            app.post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": child.refresh})
            )
            .await
            .0,
            401
        );
        assert_eq!(app.get("/api/v1/users/me", Some(&child.token)).await.0, 401);
        // The other session lives on.
        other_ws.send(json!({"type": "ping", "nonce": 1})).await;
        assert_eq!(other_ws.recv_type("pong").await["nonce"], 1);
        assert_eq!(
            app.get("/api/v1/users/me", Some(&other_session.token))
                .await
                .0,
            200
        );
    }
);

db_test!(
    disabling_a_user_ends_every_session_at_once,
    |app: TestApp| async move {
        let admin = app
            .user_with_role("Admin", switchboard::domain::Role::Admin)
            .await;
        let ana = app.register("Ana").await;
        let mut ws = app.ws(&ana).await;
        let (s, body) = app
            .patch(
                &format!("/api/v1/admin/users/{}", ana.id),
                Some(&admin.token),
                json!({"disabled": true}),
            )
            .await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(ws.closed_with().await, Some(4401));
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
        let (s, _) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": "ana@example.com", "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(s, 401, "a disabled user can't sign in");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_critical_header_extensions_are_refused() {
    let app = switchboard_test_support::spawn_app(switchboard_test_support::Backend::Sqlite).await;
    {
        // RFC 7515 §4.1.11: a JWS whose `crit` lists an extension the recipient does not
        // understand MUST be rejected.
        let ana = app.register("Ana").await;
        let token = sign_with_header(
            &json!({"alg": "HS256", "typ": "JWT", "crit": ["exp2"], "exp2": 1}),
            &claims_of(&ana.token),
            TEST_SECRET.as_bytes(),
        );
        let (status, body) = app.get("/api/v1/users/me", Some(&token)).await;
        assert_eq!(status, 401, "{body}");
    }
}

//! `GET /api/v1/calls/ice-servers`: STUN as configured, TURN with REST-format credentials a
//! TURN server holding the same secret accepts.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::*;

const SECRET: &str = "coturn-static-auth-secret";

fn with_turn(s: &mut RawSettings) {
    s.ice_servers =
        "stun:stun.example.org:3478, turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349"
            .into();
    s.turn_secret = Some(switchboard::config::Secret(SECRET.into()));
    s.turn_ttl_secs = 600;
}

calls_test!(
    turn_credentials_verify_with_the_shared_secret,
    with_turn,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let (status, body) = app.get("/api/v1/calls/ice-servers", Some(&ana.token)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["ttl_secs"], 600);
        let servers = body["ice_servers"].as_array().unwrap();
        assert_eq!(servers.len(), 2, "{body}");
        assert_eq!(servers[0], json!({"urls": ["stun:stun.example.org:3478"]}));
        let turn = &servers[1];
        assert_eq!(
            turn["urls"],
            json!([
                "turn:turn.example.org:3478?transport=udp",
                "turns:turn.example.org:5349"
            ])
        );
        // What coturn checks: "<expiry>:<user>" with the expiry ahead, and the HMAC.
        let username = turn["username"].as_str().unwrap();
        let (expiry, user) = username.split_once(':').unwrap();
        assert_eq!(user, ana.id.to_string());
        let expiry: u64 = expiry.parse().unwrap();
        assert!(
            expiry >= before + 600 && expiry <= before + 600 + 60,
            "{expiry} vs {before}"
        );
        let mut mac = Hmac::<Sha1>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(username.as_bytes());
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(turn["credential"], expected.as_str());
        // The secret itself is never handed out.
        assert!(!body.to_string().contains(SECRET));

        let (status, _) = app.get("/api/v1/calls/ice-servers", None).await;
        assert_eq!(status, 401);
    }
);

calls_test!(
    no_ice_servers_configured_is_an_empty_list,
    defaults,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let (status, body) = app.get("/api/v1/calls/ice-servers", Some(&ana.token)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"ice_servers": []}));
    }
);

//! ICE servers for the app's `RTCPeerConnection`: STUN URLs as configured, TURN URLs with
//! credentials made per request in the TURN REST format (draft-uberti-behave-turn-rest, as
//! coturn's `use-auth-secret` checks them): username `"<expiry>:<user_id>"`, password
//! `base64(HMAC-SHA1(secret, username))`. The TURN server knows the secret and checks the
//! expiry; the app never sees the secret, and a leaked credential dies with its expiry.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha1::Sha1;
use utoipa::ToSchema;

const SCHEMES: [&str; 4] = ["stun:", "stuns:", "turn:", "turns:"];

/// Splits and checks `SWITCHBOARD_ICE_SERVERS`. TURN URLs need the TURN secret.
pub fn parse_urls(list: &str, has_turn_secret: bool) -> Result<Vec<String>, String> {
    let urls: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(String::from)
        .collect();
    for url in &urls {
        if !SCHEMES.iter().any(|s| url.starts_with(s)) || url.len() <= 6 {
            return Err(format!(
                "`{url}` must start with stun:, stuns:, turn: or turns:"
            ));
        }
        if is_turn(url) && !has_turn_secret {
            return Err(format!(
                "`{url}` is a TURN server: set SWITCHBOARD_TURN_SECRET (its static-auth-secret)"
            ));
        }
    }
    Ok(urls)
}

fn is_turn(url: &str) -> bool {
    url.starts_with("turn:") || url.starts_with("turns:")
}

/// One entry of `RTCConfiguration.iceServers`.
#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct IceServer {
    pub urls: Vec<String>,
    /// TURN only: `"<expiry unix seconds>:<user id>"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// TURN only: base64 of HMAC-SHA1(TURN secret, username).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// The answer of `GET /api/v1/calls/ice-servers`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IceServers {
    /// Empty when none are configured: calls then work between devices that reach each other
    /// directly (a local network).
    pub ice_servers: Vec<IceServer>,
    /// How long the TURN credentials stay valid, in seconds (absent without TURN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_secs: Option<u64>,
}

/// The ICE servers for `user_id` at `now_secs` (seconds since the epoch).
pub fn servers_for(
    urls: &[String],
    turn_secret: Option<&str>,
    ttl_secs: u64,
    user_id: i64,
    now_secs: u64,
) -> IceServers {
    let (turn, stun): (Vec<String>, Vec<String>) = urls.iter().cloned().partition(|u| is_turn(u));
    let mut out = Vec::new();
    if !stun.is_empty() {
        out.push(IceServer {
            urls: stun,
            username: None,
            credential: None,
        });
    }
    let mut ttl = None;
    if let (false, Some(secret)) = (turn.is_empty(), turn_secret) {
        let username = format!("{}:{user_id}", now_secs + ttl_secs);
        let credential = credential(secret, &username);
        out.push(IceServer {
            urls: turn,
            username: Some(username),
            credential: Some(credential),
        });
        ttl = Some(ttl_secs);
    }
    IceServers {
        ice_servers: out,
        ttl_secs: ttl,
    }
}

/// base64(HMAC-SHA1(secret, username)), as the TURN server recomputes it.
pub fn credential(secret: &str, username: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_matches_a_known_value() {
        // Computed independently: printf '1700000000:42' | openssl dgst -sha1 -hmac s3cret -binary | base64
        assert_eq!(
            credential("s3cret", "1700000000:42"),
            "pkGfLzidB0U1T2lLkxNy/vgk7ZE="
        );
    }

    #[test]
    fn urls_are_checked() {
        assert_eq!(parse_urls("", false).unwrap(), Vec::<String>::new());
        assert_eq!(
            parse_urls(" stun:a.example:3478 , stuns:b.example ", false).unwrap(),
            vec!["stun:a.example:3478", "stuns:b.example"]
        );
        assert!(parse_urls("http://a.example", true).is_err());
        assert!(parse_urls("turn:a.example", false).is_err());
        assert!(parse_urls("turn:a.example?transport=tcp", true).is_ok());
    }

    #[test]
    fn stun_and_turn_are_grouped_and_turn_gets_credentials() {
        let urls = parse_urls("stun:s.example,turn:t.example,turns:t.example:5349", true).unwrap();
        let got = servers_for(&urls, Some("k"), 600, 7, 1000);
        assert_eq!(got.ice_servers.len(), 2);
        assert_eq!(got.ice_servers[0].urls, vec!["stun:s.example"]);
        assert_eq!(got.ice_servers[1].username.as_deref(), Some("1600:7"));
        assert_eq!(
            got.ice_servers[1].credential.as_deref(),
            Some(credential("k", "1600:7").as_str())
        );
        assert_eq!(got.ttl_secs, Some(600));
        assert!(servers_for(&[], None, 600, 7, 1000).ice_servers.is_empty());
    }
}

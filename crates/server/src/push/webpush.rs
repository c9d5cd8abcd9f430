//! Web Push (RFC 8030) with payload encryption per RFC 8291 (`aes128gcm`, done by the
//! `web-push-native` crate: p256 ECDH, HKDF-SHA-256, AES-128-GCM) and VAPID (RFC 8292,
//! `push::vapid`). The endpoint is the push service's URL the browser gave us: it is checked
//! like a webhook's (`webhooks::target`): HTTPS, public addresses only, no redirects, unless
//! `push_allow_private` is set.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use web_push_native::Auth;
use web_push_native::p256::PublicKey;

use super::Push;
use super::payload::PushPayload;
use super::provider::{Outcome, Provider, by_status};
use crate::db::entities::push_subscription;
use crate::domain::now_ms;
use crate::error::describe;

/// How long the push service keeps a push for an offline device (calls: `call_ttl_secs`).
const TTL_SECS: u64 = 24 * 60 * 60;

/// The browser's keys, as `PushSubscription.toJSON()` gives them (base64url).
pub fn parse_keys(p256dh: &str, auth: &str) -> Result<(PublicKey, Auth), &'static str> {
    let point = decode(p256dh).ok_or("p256dh: must be base64url")?;
    let public = PublicKey::from_sec1_bytes(&point).map_err(|_| "p256dh: not a P-256 point")?;
    let secret: [u8; 16] = decode(auth)
        .ok_or("auth: must be base64url")?
        .try_into()
        .map_err(|_| "auth: must be 16 bytes")?;
    Ok((public, Auth::from(secret)))
}

fn decode(text: &str) -> Option<Vec<u8>> {
    // Browsers send base64url without padding; some libraries pad it.
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

/// The encrypted body for one subscription (a fresh sender key and salt every time).
pub fn encrypt(plaintext: &[u8], p256dh: &str, auth: &str) -> Result<Vec<u8>, String> {
    let (public, secret) = parse_keys(p256dh, auth)?;
    web_push_native::encrypt(plaintext.to_vec(), &public, &secret).map_err(|e| e.to_string())
}

pub struct WebPush {
    pub client: reqwest::Client,
    pub push: Arc<Push>,
    pub subject: String,
    pub allow_private: bool,
    /// The TTL of a call's push: how long a call rings.
    pub call_ttl_secs: u64,
}

#[async_trait::async_trait]
impl Provider for WebPush {
    async fn send(&self, sub: &push_subscription::Model, payload: &PushPayload) -> Outcome {
        let (Some(endpoint), Some(p256dh), Some(auth)) = (&sub.endpoint, &sub.p256dh, &sub.auth)
        else {
            return Outcome::Gone("incomplete web push subscription".into());
        };
        // Checked again: the setting may have changed since it was registered.
        let url = match crate::webhooks::target::check_url(endpoint, self.allow_private) {
            Ok(url) => url,
            Err(refusal) => return Outcome::Gone(format!("endpoint {refusal}")),
        };
        let json = match serde_json::to_vec(payload) {
            Ok(json) => json,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        let body = match encrypt(&json, p256dh, auth) {
            Ok(body) => body,
            Err(e) => return Outcome::Gone(format!("keys: {e}")),
        };
        let authorization =
            match self
                .push
                .vapid
                .authorization(&url, &self.subject, now_ms() / 1000)
            {
                Ok(value) => value,
                Err(e) => return Outcome::Retry(format!("signing: {e}")),
            };
        let urgency = if payload.is_urgent() {
            "high"
        } else {
            "normal"
        };
        // A call's push is worth nothing once it stopped ringing: the push service drops it
        // rather than wake the device later.
        let ttl = if payload.is_call() {
            self.call_ttl_secs
        } else {
            TTL_SECS
        };
        let request = self
            .client
            .post(url)
            .header("TTL", ttl.to_string())
            .header("Urgency", urgency)
            .header("Topic", topic(&payload.tag))
            .header(reqwest::header::CONTENT_ENCODING, "aes128gcm")
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .header(reqwest::header::AUTHORIZATION, authorization)
            .body(body);
        match request.send().await {
            Ok(resp) => by_status(resp.status().as_u16()),
            Err(e) if e.is_timeout() => Outcome::Retry("timed out".into()),
            Err(e) => Outcome::Retry(describe(&e)),
        }
    }
}

/// RFC 8030 `Topic`: at most 32 base64url characters; a newer push with the same topic replaces
/// one still waiting at the push service.
fn topic(tag: &str) -> String {
    tag.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(32)
        .collect()
}

/// The HTTP client for push services: rustls, a timeout, no redirects, and (unless private
/// targets are allowed) the resolver that returns only public addresses.
pub fn client(allow_private: bool) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Switchboard-Push/", env!("CARGO_PKG_VERSION")));
    if !allow_private {
        builder = builder.dns_resolver(Arc::new(crate::webhooks::target::PublicResolver));
    }
    Ok(builder.build()?)
}

#[cfg(test)]
mod tests {
    //! RFC 8291, Appendix A: the example's keys, salt and message.
    use super::*;

    const PLAINTEXT: &[u8] = b"When I grow up, I want to be a watermelon";
    const CIPHERTEXT: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
    const UA_PRIVATE: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AS_PUBLIC: &str =
        "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    const SALT: &str = "DGv6ra1nlYgDCS1FRnbzlw";
    /// The input keying material the RFC derives from the ECDH secret and the auth secret.
    const IKM: &str = "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg";

    fn b64(text: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(text).unwrap()
    }

    fn receiver() -> (web_push_native::p256::SecretKey, Auth) {
        let secret = web_push_native::p256::SecretKey::from_slice(&b64(UA_PRIVATE)).unwrap();
        let auth: [u8; 16] = b64(AUTH).try_into().unwrap();
        (secret, Auth::from(auth))
    }

    #[test]
    fn the_rfc_8291_message_decrypts_with_the_receivers_keys() {
        let (secret, auth) = receiver();
        let plain = web_push_native::decrypt(b64(CIPHERTEXT), &secret, &auth).unwrap();
        assert_eq!(plain, PLAINTEXT);
    }

    #[test]
    fn the_rfc_8291_ciphertext_is_reproduced_from_its_keying_material() {
        // The same salt, sender key (key id) and record size (4096) as the RFC: byte for byte.
        let salt: [u8; 16] = b64(SALT).try_into().unwrap();
        let out = ece_native::encrypt(
            b64(IKM),
            salt,
            b64(AS_PUBLIC),
            std::iter::once(PLAINTEXT.to_vec()),
            4096,
        )
        .unwrap();
        assert_eq!(URL_SAFE_NO_PAD.encode(out), CIPHERTEXT);
    }

    #[test]
    fn what_we_encrypt_for_the_rfc_receiver_it_decrypts() {
        let body = encrypt(PLAINTEXT, UA_PUBLIC, AUTH).unwrap();
        assert_eq!(&body[16..20], &(PLAINTEXT.len() as u32 + 17).to_be_bytes()); // rs
        assert_eq!(body[20], 65, "the sender's public key is the key id");
        let (secret, auth) = receiver();
        assert_eq!(
            web_push_native::decrypt(body.clone(), &secret, &auth).unwrap(),
            PLAINTEXT
        );
        // A fresh sender key and salt each time: the same message never looks the same.
        assert_ne!(encrypt(PLAINTEXT, UA_PUBLIC, AUTH).unwrap(), body);
    }

    #[test]
    fn bad_keys_are_named() {
        assert!(parse_keys("not base64!", AUTH).is_err());
        assert!(parse_keys("AAAA", AUTH).is_err());
        assert!(parse_keys(UA_PUBLIC, "AAAA").is_err());
        assert!(parse_keys(UA_PUBLIC, AUTH).is_ok());
        assert!(parse_keys(&format!("{UA_PUBLIC}="), AUTH).is_ok());
    }

    #[test]
    fn topics_are_short_and_url_safe() {
        assert_eq!(topic("ticket:42"), "ticket-42");
        assert!(topic(&"x".repeat(80)).len() <= 32);
    }
}

//! Security tests: the server attacked from outside (authorization sweep, forged tokens, raw
//! WebSocket abuse, brute force, hostile uploads, mass assignment), property tests of the
//! parsers, and a crash-durability harness that SIGKILLs the real binary.
//!
//! Run: `cargo test -p switchboard --test security`. Every test that prints figures writes a
//! line starting with `FIGURES` (collected into SECURITY.md by hand, and by scripts/security.sh
//! into `target/security-figures.txt`).

mod authz;
mod bruteforce;
mod crash;
mod massassign;
mod props;
mod tokens;
mod uploads;
mod wsraw;

use serde_json::{Value, json};

/// The signing secret `switchboard_test_support::test_settings` configures.
pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

/// Records one figure line: printed, and appended to `$SECURITY_FIGURES` when set.
pub fn figures(line: &str) {
    let line = format!("FIGURES {line}");
    eprintln!("{line}");
    if let Ok(path) = std::env::var("SECURITY_FIGURES") {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(f, "{line}");
        }
    }
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn unb64(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .expect("base64url")
}

/// The claims of a real access token.
pub fn claims_of(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&unb64(part)).expect("JSON claims")
}

pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Signs `claims` with HMAC (`alg` HS256/HS384/HS512) and `secret`.
pub fn sign(alg: jsonwebtoken::Algorithm, claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .expect("sign")
}

/// A token with an arbitrary header, signed with HS256 over the given header and claims.
pub fn sign_with_header(header: &Value, claims: &Value, secret: &[u8]) -> String {
    use hmac_sha256::HmacSha256;
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = HmacSha256::mac(signing_input.as_bytes(), secret);
    format!("{signing_input}.{}", b64(&sig))
}

/// `alg: none`, no signature.
pub fn unsigned(claims: &Value) -> String {
    format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"}).to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

/// A minimal HMAC-SHA256 on top of `sha2` (already a dependency), so tokens with unusual
/// headers can be signed correctly.
mod hmac_sha256 {
    use sha2::{Digest, Sha256};

    pub struct HmacSha256;

    impl HmacSha256 {
        pub fn mac(message: &[u8], key: &[u8]) -> Vec<u8> {
            let mut k = if key.len() > 64 {
                Sha256::digest(key).to_vec()
            } else {
                key.to_vec()
            };
            k.resize(64, 0);
            let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
            let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
            let inner = Sha256::new()
                .chain_update(&ipad)
                .chain_update(message)
                .finalize();
            Sha256::new()
                .chain_update(&opad)
                .chain_update(inner)
                .finalize()
                .to_vec()
        }
    }
}

#[test]
fn hand_signed_tokens_verify_with_jsonwebtoken() {
    let claims = json!({"sub": "1", "exp": 4_000_000_000u64});
    let token = sign_with_header(&json!({"alg": "HS256", "typ": "JWT"}), &claims, b"k");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_required_spec_claims::<&str>(&[]);
    validation.validate_aud = false;
    let data = jsonwebtoken::decode::<Value>(
        &token,
        &jsonwebtoken::DecodingKey::from_secret(b"k"),
        &validation,
    )
    .expect("a correct HMAC");
    assert_eq!(data.claims, claims);
}

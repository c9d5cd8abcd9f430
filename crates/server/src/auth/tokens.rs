//! Access tokens (JWT, HS256 only, 15 minutes by default) and opaque refresh tokens (random,
//! stored hashed, rotated on every use).

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Secret;

const ISSUER: &str = "switchboard";
const AUDIENCE: &str = "switchboard-api";
const ACCESS_TYPE: &str = "access";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The session (refresh-token family) this token belongs to.
    pub sid: String,
    pub iat: u64,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    pub iss: String,
    pub aud: String,
    pub typ: String,
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl_secs: u64,
}

impl TokenKeys {
    pub fn new(secret: &[u8], access_ttl_secs: u64) -> Self {
        // Only HS256 is accepted: `alg: none` and every other algorithm are refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl_secs,
        }
    }

    pub fn issue_access(&self, user_id: i64, session_id: &str) -> anyhow::Result<String> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id.to_string(),
            iat: now,
            exp: now + self.access_ttl_secs,
            nbf: None,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            typ: ACCESS_TYPE.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .context("signing an access token")
    }

    /// Verifies signature, algorithm, expiry, issuer, audience and token type.
    pub fn verify_access(&self, token: &str) -> Option<(i64, String, u64)> {
        // We understand no JWS extensions: a token naming a critical one is refused (RFC 7515).
        if jsonwebtoken::decode_header(token).ok()?.crit.is_some() {
            return None;
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        if data.claims.typ != ACCESS_TYPE {
            return None;
        }
        let user_id = data.claims.sub.parse().ok()?;
        Some((user_id, data.claims.sid, data.claims.exp))
    }
}

/// An invite: signed like an access token but for another audience and type, so neither can
/// stand in for the other. `pwh` binds it to the account's placeholder password hash: setting a
/// password changes the hash, which spends the invite (one use, no table needed).
#[derive(Debug, Serialize, Deserialize)]
struct InviteClaims {
    sub: String,
    pwh: String,
    iat: u64,
    exp: u64,
    iss: String,
    aud: String,
    typ: String,
}

const INVITE_AUDIENCE: &str = "switchboard-invite";
const INVITE_TYPE: &str = "invite";

/// What an invite token names once verified.
pub struct Invite {
    pub user_id: i64,
    pub password_fingerprint: String,
}

/// A short fingerprint of a stored password hash (never the hash itself) for invite tokens.
pub fn password_fingerprint(password_hash: &str) -> String {
    hex::encode(&Sha256::digest(password_hash.as_bytes())[..16])
}

impl TokenKeys {
    /// An invite for the account as it is now, valid until `expires_at` (Unix seconds).
    pub fn issue_invite(
        &self,
        user_id: i64,
        password_hash: &str,
        expires_at: u64,
    ) -> anyhow::Result<String> {
        let claims = InviteClaims {
            sub: user_id.to_string(),
            pwh: password_fingerprint(password_hash),
            iat: jsonwebtoken::get_current_timestamp(),
            exp: expires_at,
            iss: ISSUER.into(),
            aud: INVITE_AUDIENCE.into(),
            typ: INVITE_TYPE.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .context("signing an invite")
    }

    /// Signature, algorithm, expiry, issuer, audience and type of an invite; the caller checks
    /// the fingerprint against the account as it is now.
    pub fn verify_invite(&self, token: &str) -> Option<Invite> {
        if jsonwebtoken::decode_header(token).ok()?.crit.is_some() {
            return None;
        }
        let mut validation = self.validation.clone();
        validation.set_audience(&[INVITE_AUDIENCE]);
        let data = jsonwebtoken::decode::<InviteClaims>(token, &self.decoding, &validation).ok()?;
        if data.claims.typ != INVITE_TYPE {
            return None;
        }
        Some(Invite {
            user_id: data.claims.sub.parse().ok()?,
            password_fingerprint: data.claims.pwh,
        })
    }
}

/// A new opaque refresh token: 256 random bits, URL-safe base64.
pub fn new_refresh_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Refresh tokens are stored as their SHA-256: a database leak does not leak sessions.
pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The configured signing secret, or one generated on first run and kept in the data directory
/// so tokens survive restarts.
pub fn load_or_create_secret(
    configured: Option<&Secret>,
    data_dir: &Path,
) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured {
        return Ok(secret.0.as_bytes().to_vec());
    }
    let path = data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        anyhow::ensure!(
            existing.len() >= 32,
            "{} holds a secret shorter than 32 bytes",
            path.display()
        );
        return Ok(existing.as_bytes().to_vec());
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
    let bytes: [u8; 48] = rand::random();
    let secret = hex::encode(bytes);
    write_private(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    Ok(secret.into_bytes())
}

#[cfg(unix)]
pub(crate) fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_round_trip_and_foreign_ones_fail() {
        let keys = TokenKeys::new(&[7u8; 32], 60);
        let token = keys.issue_access(42, "sid-1").unwrap();
        let (uid, sid, _) = keys.verify_access(&token).unwrap();
        assert_eq!((uid, sid.as_str()), (42, "sid-1"));
        let other = TokenKeys::new(&[8u8; 32], 60);
        assert!(other.verify_access(&token).is_none());
        assert!(keys.verify_access("not.a.token").is_none());
    }

    #[test]
    fn invites_and_access_tokens_never_stand_in_for_each_other() {
        let keys = TokenKeys::new(&[7u8; 32], 60);
        let exp = jsonwebtoken::get_current_timestamp() + 3600;
        let invite = keys.issue_invite(42, "$argon2id$hash", exp).unwrap();
        let verified = keys.verify_invite(&invite).unwrap();
        assert_eq!(verified.user_id, 42);
        assert_eq!(
            verified.password_fingerprint,
            password_fingerprint("$argon2id$hash")
        );
        assert!(keys.verify_access(&invite).is_none());
        let access = keys.issue_access(42, "sid-1").unwrap();
        assert!(keys.verify_invite(&access).is_none());
        let other = TokenKeys::new(&[8u8; 32], 60);
        assert!(other.verify_invite(&invite).is_none());
    }

    #[test]
    fn secret_is_generated_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create_secret(None, dir.path()).unwrap();
        let second = load_or_create_secret(None, dir.path()).unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= 32);
    }
}

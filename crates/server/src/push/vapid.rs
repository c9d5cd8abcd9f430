//! The server's VAPID identity (RFC 8292): one P-256 key pair, generated on first run and kept
//! in the data directory (`vapid_private_key`, the 32-byte private scalar in base64url, mode
//! 0600), so subscriptions made against its public key keep working after a restart. Losing
//! the file invalidates every Web Push subscription: back it up with the database.

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::SecretKey;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::EncodePrivateKey;
use serde::Serialize;

const FILE: &str = "vapid_private_key";
/// How long one signature is valid (RFC 8292 allows at most 24 hours).
const VALID_SECS: i64 = 12 * 60 * 60;

pub struct Vapid {
    signing: EncodingKey,
    /// The uncompressed public point, base64url: the browser's `applicationServerKey`.
    public: String,
}

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    exp: i64,
    sub: &'a str,
}

impl Vapid {
    pub fn from_secret(secret: &SecretKey) -> anyhow::Result<Vapid> {
        let der = secret
            .to_pkcs8_der()
            .map_err(|e| anyhow::anyhow!("encoding the VAPID key: {e}"))?;
        let point = secret.public_key().to_encoded_point(false);
        Ok(Vapid {
            signing: EncodingKey::from_ec_der(der.as_bytes()),
            public: URL_SAFE_NO_PAD.encode(point.as_bytes()),
        })
    }

    /// The key in `data_dir`, or a new one written there.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Vapid> {
        let path = data_dir.join(FILE);
        if let Ok(existing) = std::fs::read_to_string(&path) {
            // A broken file is an error, not a reason to make a new key: that would silently
            // cut off every registered browser.
            let bytes = URL_SAFE_NO_PAD
                .decode(existing.trim())
                .with_context(|| format!("{} is not base64url", path.display()))?;
            let secret = SecretKey::from_slice(&bytes)
                .map_err(|_| anyhow::anyhow!("{} holds no P-256 private key", path.display()))?;
            return Vapid::from_secret(&secret);
        }
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
        let secret = SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
        crate::auth::tokens::write_private(&path, &URL_SAFE_NO_PAD.encode(secret.to_bytes()))
            .with_context(|| format!("writing {}", path.display()))?;
        Vapid::from_secret(&secret)
    }

    pub fn public_key(&self) -> &str {
        &self.public
    }

    /// The `Authorization` header for a request to `endpoint`: `vapid t=<JWT>, k=<public key>`.
    /// The audience is the endpoint's origin (scheme, host and a non-default port).
    pub fn authorization(
        &self,
        endpoint: &url::Url,
        subject: &str,
        now_secs: i64,
    ) -> anyhow::Result<String> {
        let aud = endpoint.origin().ascii_serialization();
        let claims = Claims {
            aud: &aud,
            exp: now_secs + VALID_SECS,
            sub: subject,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &self.signing)?;
        Ok(format!("vapid t={token}, k={}", self.public))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = Vapid::load_or_create(dir.path()).unwrap();
        let again = Vapid::load_or_create(dir.path()).unwrap();
        assert_eq!(first.public_key(), again.public_key());
        let raw = URL_SAFE_NO_PAD.decode(first.public_key()).unwrap();
        assert_eq!((raw.len(), raw[0]), (65, 4), "an uncompressed P-256 point");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_broken_key_file_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), "not a key").unwrap();
        assert!(Vapid::load_or_create(dir.path()).is_err());
    }

    #[test]
    fn the_signature_verifies_with_the_public_key_for_the_endpoint_origin() {
        let dir = tempfile::tempdir().unwrap();
        let vapid = Vapid::load_or_create(dir.path()).unwrap();
        let endpoint = url::Url::parse("https://push.example.com:8443/send/abc").unwrap();
        let header = vapid
            .authorization(&endpoint, "mailto:ops@example.com", 1_000_000)
            .unwrap();
        let (t, k) = header
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .unwrap();
        assert_eq!(k, vapid.public_key());
        let point = URL_SAFE_NO_PAD.decode(k).unwrap();
        let key = jsonwebtoken::DecodingKey::from_ec_components(
            &URL_SAFE_NO_PAD.encode(&point[1..33]),
            &URL_SAFE_NO_PAD.encode(&point[33..65]),
        )
        .unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::ES256);
        validation.set_audience(&["https://push.example.com:8443"]);
        validation.validate_exp = false; // a fixed clock in this test
        let data = jsonwebtoken::decode::<serde_json::Value>(t, &key, &validation).unwrap();
        assert_eq!(data.claims["sub"], "mailto:ops@example.com");
        assert_eq!(data.claims["exp"], 1_000_000 + VALID_SECS);
    }
}

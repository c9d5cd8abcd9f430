//! Typed settings: built-in defaults, then an optional `switchboard.toml`, then `SWITCHBOARD_*`
//! environment variables. `Settings::load` validates everything and reports one line per problem.

use std::net::SocketAddr;
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// A secret that never shows up in `Debug` output or logs.
#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Raw settings as read from the sources, before validation.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct RawSettings {
    pub listen: String,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub jwt_secret: Option<Secret>,
    /// Comma separated list of origins allowed for CORS and WebSocket upgrades.
    pub allowed_origins: String,
    pub web_dir: PathBuf,
    pub log_format: LogFormat,
    pub log_level: String,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub redis_url: Option<String>,
    /// Prefix of every Redis key and channel (several installations can share one Redis).
    pub redis_prefix: String,
    pub max_body_bytes: usize,
    pub max_upload_bytes: usize,
    pub request_timeout_secs: u64,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_days: u64,
    /// `on` or `off`: rate limits on register and login.
    pub auth_rate_limit: String,
    pub auth_rate_per_minute_ip: u32,
    pub auth_rate_per_minute_account: u32,
    pub ws_max_connections_per_user: usize,
    pub ws_messages_per_second: u32,
    pub ws_outbound_queue: usize,
    pub ws_auth_timeout_secs: u64,
    pub password_hash_concurrency: usize,
    /// Recent messages kept in memory per active conversation (`chat::recent`); 0 turns it off.
    pub recent_messages: usize,
    /// Memory for those messages, in MiB, the least recently used conversations going first.
    pub recent_messages_mb: usize,
    /// SQLite: the longest a new message waits for the search index (`search::index`) when
    /// fewer than a chunk arrive. Search finds it meanwhile all the same.
    pub search_index_wait_ms: u64,
    /// Linux 6.12+: the scheduling slice (µs) the runtime's workers and the chat writer ask
    /// for (`sched`); 0 keeps the kernel's default.
    pub sched_slice_us: u64,
    pub sla: SlaTargets,
    /// Let webhooks call private, loopback and link-local addresses, and plain `http://`
    /// (a local receiver in tests or on a trusted network). Off: only public HTTPS targets.
    pub webhook_allow_private: bool,
    /// How long one delivery attempt may take.
    pub webhook_timeout_secs: u64,
    /// The first retry's delay; each next one doubles (at most an hour), with jitter.
    pub webhook_retry_base_ms: u64,
    /// How long a delivery is retried; an endpoint failing that long is disabled.
    pub webhook_retry_window_secs: u64,
    /// How often each node looks for due deliveries.
    pub webhook_poll_ms: u64,
    /// How long a call rings before it counts as missed.
    pub call_ring_timeout_secs: u64,
    /// Calls one user may start per minute.
    pub call_invites_per_minute: u32,
    /// Comma separated STUN/TURN URLs handed to the app (`stun:`, `stuns:`, `turn:`, `turns:`).
    pub ice_servers: String,
    /// The secret shared with the TURN server (coturn's `static-auth-secret`): TURN
    /// credentials are derived from it per request, the secret itself never leaves the server.
    pub turn_secret: Option<Secret>,
    /// How long TURN credentials stay valid.
    pub turn_ttl_secs: u64,
    /// Let push subscriptions name private, loopback and link-local addresses and plain
    /// `http://` (a local receiver in tests). Off: only public HTTPS push services.
    pub push_allow_private: bool,
    /// The Expo push API (`https://exp.host/--/api/v2/push/send`); a stub's URL in tests.
    pub push_expo_url: String,
    /// The VAPID `sub` claim: how a push service can reach the operator (`mailto:` or `https:`).
    pub push_vapid_subject: String,
    /// How often each node looks for due pushes.
    pub push_poll_ms: u64,
    /// The first retry's delay; each next one doubles (at most an hour), with jitter.
    pub push_retry_base_ms: u64,
    /// How long a push is retried before it is dropped (a late notification is noise).
    pub push_retry_window_secs: u64,
    /// Someone connected who has not read a message after this long is pushed anyway (one
    /// push per conversation per delay, `push::nudge`); 0 turns that off.
    pub push_unread_delay_ms: u64,
}

/// First-response and resolution targets per priority, in minutes.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SlaTargets {
    pub urgent: [i64; 2],
    pub high: [i64; 2],
    pub medium: [i64; 2],
    pub low: [i64; 2],
}

impl Default for SlaTargets {
    fn default() -> Self {
        Self {
            urgent: [60, 8 * 60],
            high: [4 * 60, 24 * 60],
            medium: [8 * 60, 3 * 24 * 60],
            low: [24 * 60, 5 * 24 * 60],
        }
    }
}

impl Default for RawSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://./data/switchboard.db".into(),
            data_dir: PathBuf::from("./data"),
            jwt_secret: None,
            allowed_origins: String::new(),
            web_dir: PathBuf::from("client/dist"),
            log_format: LogFormat::Text,
            log_level: "info".into(),
            tls_cert: None,
            tls_key: None,
            redis_url: None,
            redis_prefix: "switchboard".into(),
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 25 * 1024 * 1024,
            request_timeout_secs: 30,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            auth_rate_limit: "on".into(),
            auth_rate_per_minute_ip: 30,
            auth_rate_per_minute_account: 10,
            ws_max_connections_per_user: 20,
            ws_messages_per_second: 50,
            ws_outbound_queue: 1024,
            ws_auth_timeout_secs: 10,
            password_hash_concurrency: 2,
            recent_messages: 1000,
            recent_messages_mb: 64,
            search_index_wait_ms: 1000,
            sched_slice_us: 100,
            sla: SlaTargets::default(),
            webhook_allow_private: false,
            webhook_timeout_secs: 10,
            webhook_retry_base_ms: 30_000,
            webhook_retry_window_secs: 24 * 60 * 60,
            webhook_poll_ms: 1000,
            call_ring_timeout_secs: 45,
            call_invites_per_minute: 10,
            ice_servers: String::new(),
            turn_secret: None,
            turn_ttl_secs: 24 * 60 * 60,
            push_allow_private: false,
            push_expo_url: "https://exp.host/--/api/v2/push/send".into(),
            push_vapid_subject: "mailto:admin@localhost".into(),
            push_poll_ms: 1000,
            push_retry_base_ms: 5_000,
            push_retry_window_secs: 60 * 60,
            push_unread_delay_ms: 60_000,
        }
    }
}

/// Validated settings used by the running server.
#[derive(Clone, Debug)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub jwt_secret: Option<Secret>,
    pub allowed_origins: Vec<String>,
    pub web_dir: PathBuf,
    pub log_format: LogFormat,
    pub log_level: String,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub redis_url: Option<String>,
    /// Prefix of every Redis key and channel (several installations can share one Redis).
    pub redis_prefix: String,
    pub max_body_bytes: usize,
    pub max_upload_bytes: usize,
    pub request_timeout_secs: u64,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_days: u64,
    pub auth_rate_limit: bool,
    pub auth_rate_per_minute_ip: u32,
    pub auth_rate_per_minute_account: u32,
    pub ws_max_connections_per_user: usize,
    pub ws_messages_per_second: u32,
    pub ws_outbound_queue: usize,
    pub ws_auth_timeout_secs: u64,
    pub password_hash_concurrency: usize,
    pub recent_messages: usize,
    pub recent_messages_mb: usize,
    pub search_index_wait: std::time::Duration,
    pub sched_slice_us: u64,
    pub sla: SlaTargets,
    pub webhook_allow_private: bool,
    pub webhook_timeout_secs: u64,
    pub webhook_retry_base_ms: u64,
    pub webhook_retry_window_secs: u64,
    pub webhook_poll_ms: u64,
    pub call_ring_timeout_secs: u64,
    pub call_invites_per_minute: u32,
    /// STUN and TURN URLs, checked (`calls::ice`).
    pub ice_servers: Vec<String>,
    pub turn_secret: Option<Secret>,
    pub turn_ttl_secs: u64,
    pub push_allow_private: bool,
    pub push_expo_url: String,
    pub push_vapid_subject: String,
    pub push_poll_ms: u64,
    pub push_retry_base_ms: u64,
    pub push_retry_window_secs: u64,
    pub push_unread_delay_ms: u64,
}

impl Settings {
    /// Reads defaults, `switchboard.toml` (or the file named by `SWITCHBOARD_CONFIG`) and the
    /// environment. Returns every problem found, one line each.
    pub fn load() -> Result<Settings, Vec<String>> {
        let file =
            std::env::var("SWITCHBOARD_CONFIG").unwrap_or_else(|_| "switchboard.toml".into());
        let raw: RawSettings = Figment::from(Serialized::defaults(RawSettings::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("SWITCHBOARD_").ignore(&["config"]))
            .extract()
            .map_err(|e| {
                e.into_iter()
                    .map(|e| format!("configuration: {e}"))
                    .collect::<Vec<_>>()
            })?;
        raw.validate()
    }
}

impl RawSettings {
    pub fn validate(self) -> Result<Settings, Vec<String>> {
        let mut problems = Vec::new();
        let listen = match self.listen.parse::<SocketAddr>() {
            Ok(addr) => Some(addr),
            Err(_) => {
                problems.push(format!(
                    "SWITCHBOARD_LISTEN: `{}` is not an address:port such as 127.0.0.1:8080",
                    self.listen
                ));
                None
            }
        };
        let scheme_ok = ["sqlite:", "postgres:", "postgresql:", "mysql:", "mariadb:"]
            .iter()
            .any(|s| self.database_url.starts_with(s));
        if !scheme_ok {
            problems.push(
                "SWITCHBOARD_DATABASE_URL: must start with sqlite:, postgres:, postgresql: or mysql:"
                    .into(),
            );
        }
        if self.redis_url.as_deref().is_some_and(|u| !u.is_empty())
            && self.database_url.starts_with("sqlite:")
        {
            problems.push(
                "SWITCHBOARD_REDIS_URL: several nodes can't share SQLite; use PostgreSQL or MySQL with Redis".into(),
            );
        }
        if !(self.push_vapid_subject.starts_with("mailto:")
            || self.push_vapid_subject.starts_with("https://"))
        {
            problems
                .push("SWITCHBOARD_PUSH_VAPID_SUBJECT: must start with mailto: or https://".into());
        }
        if url::Url::parse(&self.push_expo_url).is_err() {
            problems.push("SWITCHBOARD_PUSH_EXPO_URL: must be a URL".into());
        }
        if let Some(secret) = &self.jwt_secret
            && secret.0.len() < 32
        {
            problems.push("SWITCHBOARD_JWT_SECRET: must be at least 32 bytes long".into());
        }
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(c), Some(k)) => {
                for (name, path) in [("SWITCHBOARD_TLS_CERT", c), ("SWITCHBOARD_TLS_KEY", k)] {
                    if !path.is_file() {
                        problems.push(format!("{name}: no such file {}", path.display()));
                    }
                }
                Some((c.clone(), k.clone()))
            }
            (None, None) => None,
            _ => {
                problems.push(
                    "SWITCHBOARD_TLS_CERT and SWITCHBOARD_TLS_KEY must be set together".into(),
                );
                None
            }
        };
        let auth_rate_limit = match self.auth_rate_limit.as_str() {
            "on" | "true" => true,
            "off" | "false" => false,
            other => {
                problems.push(format!(
                    "SWITCHBOARD_AUTH_RATE_LIMIT: `{other}` is neither on nor off"
                ));
                true
            }
        };
        let mut allowed_origins = Vec::new();
        for origin in self
            .allowed_origins
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
        {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) {
                problems.push(format!(
                    "SWITCHBOARD_ALLOWED_ORIGINS: `{origin}` must start with http:// or https://"
                ));
            }
            allowed_origins.push(origin.trim_end_matches('/').to_string());
        }
        let slice = self.sched_slice_us;
        if slice != 0 && !(crate::sched::MIN_SLICE_US..=crate::sched::MAX_SLICE_US).contains(&slice)
        {
            problems.push(format!(
                "SWITCHBOARD_SCHED_SLICE_US: {slice} is neither 0 nor between {} and {}",
                crate::sched::MIN_SLICE_US,
                crate::sched::MAX_SLICE_US
            ));
        }
        for (name, value) in [
            ("SWITCHBOARD_MAX_BODY_BYTES", self.max_body_bytes),
            ("SWITCHBOARD_MAX_UPLOAD_BYTES", self.max_upload_bytes),
            (
                "SWITCHBOARD_WS_MAX_CONNECTIONS_PER_USER",
                self.ws_max_connections_per_user,
            ),
            ("SWITCHBOARD_WS_OUTBOUND_QUEUE", self.ws_outbound_queue),
            (
                "SWITCHBOARD_PASSWORD_HASH_CONCURRENCY",
                self.password_hash_concurrency,
            ),
        ] {
            if value == 0 {
                problems.push(format!("{name}: must be greater than 0"));
            }
        }
        for (name, value) in [
            (
                "SWITCHBOARD_REQUEST_TIMEOUT_SECS",
                self.request_timeout_secs,
            ),
            (
                "SWITCHBOARD_WS_AUTH_TIMEOUT_SECS",
                self.ws_auth_timeout_secs,
            ),
            (
                "SWITCHBOARD_ACCESS_TOKEN_TTL_SECS",
                self.access_token_ttl_secs,
            ),
            (
                "SWITCHBOARD_REFRESH_TOKEN_TTL_DAYS",
                self.refresh_token_ttl_days,
            ),
            (
                "SWITCHBOARD_AUTH_RATE_PER_MINUTE_IP",
                self.auth_rate_per_minute_ip.into(),
            ),
            (
                "SWITCHBOARD_AUTH_RATE_PER_MINUTE_ACCOUNT",
                self.auth_rate_per_minute_account.into(),
            ),
            (
                "SWITCHBOARD_WS_MESSAGES_PER_SECOND",
                self.ws_messages_per_second.into(),
            ),
            (
                "SWITCHBOARD_WEBHOOK_TIMEOUT_SECS",
                self.webhook_timeout_secs,
            ),
            (
                "SWITCHBOARD_WEBHOOK_RETRY_BASE_MS",
                self.webhook_retry_base_ms,
            ),
            (
                "SWITCHBOARD_WEBHOOK_RETRY_WINDOW_SECS",
                self.webhook_retry_window_secs,
            ),
            ("SWITCHBOARD_WEBHOOK_POLL_MS", self.webhook_poll_ms),
            (
                "SWITCHBOARD_CALL_RING_TIMEOUT_SECS",
                self.call_ring_timeout_secs,
            ),
            (
                "SWITCHBOARD_CALL_INVITES_PER_MINUTE",
                self.call_invites_per_minute.into(),
            ),
            ("SWITCHBOARD_TURN_TTL_SECS", self.turn_ttl_secs),
            ("SWITCHBOARD_PUSH_POLL_MS", self.push_poll_ms),
            ("SWITCHBOARD_PUSH_RETRY_BASE_MS", self.push_retry_base_ms),
            (
                "SWITCHBOARD_PUSH_RETRY_WINDOW_SECS",
                self.push_retry_window_secs,
            ),
        ] {
            if value == 0 {
                problems.push(format!("{name}: must be greater than 0"));
            }
        }
        let turn_secret = self.turn_secret.filter(|s| !s.0.is_empty());
        let ice_servers =
            match crate::calls::ice::parse_urls(&self.ice_servers, turn_secret.is_some()) {
                Ok(urls) => urls,
                Err(problem) => {
                    problems.push(format!("SWITCHBOARD_ICE_SERVERS: {problem}"));
                    Vec::new()
                }
            };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Settings {
            listen: listen.expect("checked above"),
            database_url: self.database_url,
            data_dir: self.data_dir,
            jwt_secret: self.jwt_secret,
            allowed_origins,
            web_dir: self.web_dir,
            log_format: self.log_format,
            log_level: self.log_level,
            tls,
            redis_url: self.redis_url.filter(|u| !u.is_empty()),
            redis_prefix: self.redis_prefix,
            max_body_bytes: self.max_body_bytes,
            max_upload_bytes: self.max_upload_bytes,
            request_timeout_secs: self.request_timeout_secs,
            access_token_ttl_secs: self.access_token_ttl_secs,
            refresh_token_ttl_days: self.refresh_token_ttl_days,
            auth_rate_limit,
            auth_rate_per_minute_ip: self.auth_rate_per_minute_ip,
            auth_rate_per_minute_account: self.auth_rate_per_minute_account,
            ws_max_connections_per_user: self.ws_max_connections_per_user,
            ws_messages_per_second: self.ws_messages_per_second,
            ws_outbound_queue: self.ws_outbound_queue,
            ws_auth_timeout_secs: self.ws_auth_timeout_secs,
            password_hash_concurrency: self.password_hash_concurrency,
            recent_messages: self.recent_messages,
            recent_messages_mb: self.recent_messages_mb,
            search_index_wait: std::time::Duration::from_millis(self.search_index_wait_ms),
            sched_slice_us: self.sched_slice_us,
            sla: self.sla,
            webhook_allow_private: self.webhook_allow_private,
            webhook_timeout_secs: self.webhook_timeout_secs,
            webhook_retry_base_ms: self.webhook_retry_base_ms,
            webhook_retry_window_secs: self.webhook_retry_window_secs,
            webhook_poll_ms: self.webhook_poll_ms,
            call_ring_timeout_secs: self.call_ring_timeout_secs,
            call_invites_per_minute: self.call_invites_per_minute,
            ice_servers,
            turn_secret,
            turn_ttl_secs: self.turn_ttl_secs,
            push_allow_private: self.push_allow_private,
            push_expo_url: self.push_expo_url,
            push_vapid_subject: self.push_vapid_subject,
            push_poll_ms: self.push_poll_ms,
            push_retry_base_ms: self.push_retry_base_ms,
            push_retry_window_secs: self.push_retry_window_secs,
            push_unread_delay_ms: self.push_unread_delay_ms,
        })
    }
}

impl Settings {
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let s = RawSettings::default().validate().unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert!(s.is_sqlite());
    }

    #[test]
    fn every_problem_is_reported() {
        let raw = RawSettings {
            listen: "nope".into(),
            database_url: "oracle://x".into(),
            jwt_secret: Some(Secret("short".into())),
            ..RawSettings::default()
        };
        let problems = raw.validate().unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[2].contains("at least 32 bytes"));
    }

    #[test]
    fn a_scheduling_slice_outside_the_kernels_range_is_refused() {
        for (slice, ok) in [
            (0, true),
            (100, true),
            (100_000, true),
            (99, false),
            (100_001, false),
        ] {
            let raw = RawSettings {
                sched_slice_us: slice,
                ..RawSettings::default()
            };
            assert_eq!(raw.validate().is_ok(), ok, "{slice}");
        }
    }
}

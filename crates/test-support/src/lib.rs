//! What the server's integration and security tests share. `spawn_app`: the real server on
//! port 0 with a fresh database, plus typed HTTP and WebSocket clients, so tests read like user
//! stories. A crate of its own, so both test targets use it without `#[path]` tricks and
//! nothing in it is "dead code" to one of them.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use switchboard::config::{RawSettings, Secret, Settings};
use switchboard::domain::{DisplayName, Email, Password, Role};
use switchboard::state::AppState;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

mod protocol;
pub use protocol::{Desk, View, send_frame, view};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

/// Generates one test per database: `name::sqlite`, `name::postgres`, `name::mysql`.
/// PostgreSQL and MariaDB run when `SWITCHBOARD_TEST_POSTGRES_URL` / `SWITCHBOARD_TEST_MYSQL_URL`
/// are set; with `SWITCHBOARD_TEST_REQUIRE_ALL=1` (as in CI) a missing one fails the test.
#[macro_export]
macro_rules! db_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::spawn_app($crate::Backend::Sqlite).await;
                ($body)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::try_spawn_app($crate::Backend::Postgres).await {
                    ($body)(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() {
                if let Some(app) = $crate::try_spawn_app($crate::Backend::Mysql).await {
                    ($body)(app).await;
                }
            }
        }
    };
}

pub struct TestApp {
    pub address: String,
    pub ws_url: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub backend: Backend,
    _dir: tempfile::TempDir,
    db_cleanup: Option<Cleanup>,
}

/// What goes when a test's server stops: the database it created, or the SQLite file's folder.
#[derive(Clone, Debug)]
pub enum Cleanup {
    Database { base: String, name: String },
    Folder(std::path::PathBuf),
}

#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: i64,
    pub email: String,
    pub token: String,
    pub refresh: String,
}

pub fn base_url(backend: Backend) -> Option<String> {
    let var = match backend {
        Backend::Sqlite => return Some(String::new()),
        Backend::Postgres => "SWITCHBOARD_TEST_POSTGRES_URL",
        Backend::Mysql => "SWITCHBOARD_TEST_MYSQL_URL",
    };
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("SWITCHBOARD_TEST_REQUIRE_ALL").is_err(),
                "{var} is not set but SWITCHBOARD_TEST_REQUIRE_ALL is"
            );
            eprintln!("skipped: {var} is not set");
            None
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {})
        .await
        .expect("backend configured")
}

pub async fn try_spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Replaces the database name at the end of a server URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let cut = base.rfind('/').expect("database URL has a path");
    let mut out = format!("{}/{name}", &base[..cut]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Creates a database of its own for this test and returns its URL.
async fn create_database(base: &str, name: &str) -> String {
    use sea_orm::ConnectionTrait;
    let admin = sea_orm::Database::connect(base)
        .await
        .unwrap_or_else(|e| panic!("cannot reach {base}: {e}"));
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await.ok();
    with_database(base, name)
}

fn drop_database(base: String, name: String) {
    // Drop runs outside any runtime: use a thread with its own.
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            use sea_orm::ConnectionTrait;
            if let Ok(admin) = sea_orm::Database::connect(&base).await {
                let force = if base.starts_with("postgres") {
                    " WITH (FORCE)"
                } else {
                    ""
                };
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}{force}"))
                    .await;
                admin.close().await.ok();
            }
        });
    })
    .join();
}

pub fn test_settings(dir: &std::path::Path, database_url: String) -> RawSettings {
    RawSettings {
        listen: "127.0.0.1:0".into(),
        database_url,
        data_dir: dir.to_path_buf(),
        jwt_secret: Some(Secret(
            "test-secret-test-secret-test-secret-0123456789".into(),
        )),
        web_dir: dir.join("no-web-build"),
        auth_rate_limit: "off".into(),
        // Tests that check the frame rate limit set their own.
        ws_messages_per_second: 1_000_000,
        ..RawSettings::default()
    }
}

pub async fn spawn_app_with(
    backend: Backend,
    customise: impl FnOnce(&mut RawSettings),
) -> Option<TestApp> {
    let base = base_url(backend)?;
    let (url, cleanup) = fresh_database(backend, &base).await;
    Some(spawn_node(backend, url, cleanup, customise).await)
}

/// A database of its own for one test: a SQLite file in a temp dir, or a new database.
pub async fn fresh_database(backend: Backend, base: &str) -> (String, Option<Cleanup>) {
    let name = format!("sb_test_{}", uuid::Uuid::new_v4().simple());
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(&name);
            std::fs::create_dir_all(&dir).expect("temp dir");
            let url = format!("sqlite://{}/switchboard.db", dir.display());
            (url, Some(Cleanup::Folder(dir)))
        }
        _ => (
            create_database(base, &name).await,
            Some(Cleanup::Database {
                base: base.to_string(),
                name,
            }),
        ),
    }
}

/// Starts one server on `database_url`; `cleanup` names a database to drop when it stops.
pub async fn spawn_node(
    backend: Backend,
    database_url: String,
    cleanup: Option<Cleanup>,
    customise: impl FnOnce(&mut RawSettings),
) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        switchboard::telemetry::init(switchboard::config::LogFormat::Text, "info");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut raw = test_settings(dir.path(), database_url);
    customise(&mut raw);
    let settings: Settings = raw.validate().expect("valid test settings");
    let state = switchboard::startup::build_state(settings)
        .await
        .expect("state");
    let listener = switchboard::startup::bind("127.0.0.1:0".parse().unwrap()).expect("bind");
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(switchboard::startup::serve(listener, state.clone()));
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        ws_url: format!("ws://127.0.0.1:{port}/api/v1/ws"),
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        state,
        backend,
        _dir: dir,
        db_cleanup: cleanup,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
        match self.db_cleanup.take() {
            Some(Cleanup::Database { base, name }) => drop_database(base, name),
            // The server may still hold the file open for a moment; what is left is tiny.
            Some(Cleanup::Folder(dir)) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            None => {}
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut req = self.client.post(self.url(path)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        into_parts(req.send().await.expect("request")).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut req = self.client.patch(self.url(path)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        into_parts(req.send().await.expect("request")).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.put(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        into_parts(req.send().await.expect("request")).await
    }

    /// The Prometheus text of `/metrics`.
    pub async fn metrics_text(&self) -> String {
        self.client
            .get(self.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        into_parts(req.send().await.expect("request")).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.delete(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        into_parts(req.send().await.expect("request")).await
    }

    /// Registers a customer through the API.
    pub async fn register(&self, name: &str) -> TestUser {
        let email = format!("{}@example.com", name.to_lowercase());
        let (status, body) = self
            .post(
                "/api/v1/auth/register",
                None,
                json!({"email": email, "display_name": name, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        user_from(&body)
    }

    /// Creates a user with a role directly (as `switchboard user create` does) and signs in.
    pub async fn user_with_role(&self, name: &str, role: Role) -> TestUser {
        let email = Email::parse(&format!("{}@example.com", name.to_lowercase())).unwrap();
        let password = Password::parse("correct horse battery".into()).unwrap();
        switchboard::auth::service::create_user(
            &self.state,
            &email,
            &DisplayName::parse(name).unwrap(),
            &password,
            role,
        )
        .await
        .expect("create user");
        self.login(email.as_str(), "correct horse battery").await
    }

    pub async fn login(&self, email: &str, password: &str) -> TestUser {
        let (status, body) = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        user_from(&body)
    }

    /// Opens a WebSocket and authenticates; returns after `ready`.
    pub async fn ws(&self, user: &TestUser) -> WsClient {
        let mut ws = self.ws_raw().await;
        ws.send(json!({"type": "auth", "token": user.token})).await;
        let ready = ws.recv().await;
        assert_eq!(ready["type"], "ready", "{ready}");
        ws
    }

    /// Like [`ws`](Self::ws), with `resume` positions in the `auth` frame: the connection then
    /// owes every message above them (without a position it starts at the first one it sees).
    pub async fn ws_from(&self, user: &TestUser, positions: &[(i64, i64)]) -> WsClient {
        let resume: serde_json::Map<String, Value> = positions
            .iter()
            .map(|(conversation, seq)| (conversation.to_string(), json!(seq)))
            .collect();
        self.ws_resume(user, Value::Object(resume)).await
    }

    /// Like [`ws`](Self::ws), with the `auth` frame's `resume` as given (e.g.
    /// `{"7": {"seq": 3, "change": 0}}` to replay messages and changes).
    pub async fn ws_resume(&self, user: &TestUser, resume: Value) -> WsClient {
        let mut ws = self.ws_raw().await;
        ws.send(json!({"type": "auth", "token": user.token, "resume": resume}))
            .await;
        let ready = ws.recv().await;
        assert_eq!(ready["type"], "ready", "{ready}");
        ws
    }

    pub async fn ws_raw(&self) -> WsClient {
        let (stream, _) = tokio_tungstenite::connect_async(&self.ws_url)
            .await
            .expect("ws connect");
        WsClient { stream }
    }

    /// A direct conversation between two users (agents may open one with anyone).
    /// Creates a team (as `admin`) with these agents; returns its id.
    pub async fn team_with(&self, admin: &TestUser, name: &str, agents: &[&TestUser]) -> i64 {
        let (status, team) = self
            .post("/api/v1/teams", Some(&admin.token), json!({"name": name}))
            .await;
        assert_eq!(status, 201, "{team}");
        let id = team["id"].as_i64().unwrap();
        for agent in agents {
            let (status, team) = self
                .post(
                    &format!("/api/v1/teams/{id}/members"),
                    Some(&admin.token),
                    json!({"user_id": agent.id}),
                )
                .await;
            assert_eq!(status, 200, "{team}");
        }
        id
    }

    pub async fn direct(&self, a: &TestUser, b: &TestUser) -> i64 {
        let (status, body) = self
            .post(
                "/api/v1/conversations/direct",
                Some(&a.token),
                json!({"user_id": b.id}),
            )
            .await;
        assert!(status == 201 || status == 200, "{status} {body}");
        body["id"].as_i64().unwrap()
    }

    pub async fn send(&self, user: &TestUser, conversation_id: i64, body: &str) -> (u16, Value) {
        self.post(
            &format!("/api/v1/conversations/{conversation_id}/messages"),
            Some(&user.token),
            json!({"body": body, "client_id": uuid::Uuid::new_v4().to_string()}),
        )
        .await
    }

    pub async fn messages(&self, user: &TestUser, conversation_id: i64, query: &str) -> Vec<Value> {
        let (status, body) = self
            .get(
                &format!("/api/v1/conversations/{conversation_id}/messages?{query}"),
                Some(&user.token),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["items"].as_array().unwrap().clone()
    }
}

fn user_from(body: &Value) -> TestUser {
    TestUser {
        id: body["user"]["id"].as_i64().unwrap(),
        email: body["user"]["email"].as_str().unwrap().to_string(),
        token: body["access_token"].as_str().unwrap().to_string(),
        refresh: body["refresh_token"].as_str().unwrap().to_string(),
    }
}

pub async fn into_parts(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

pub struct WsClient {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

pub const WAIT: Duration = Duration::from_secs(10);

impl WsClient {
    pub async fn send(&mut self, frame: Value) {
        self.stream
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("ws send");
    }

    /// The next JSON frame (skipping pings), failing after 10 s.
    pub async fn recv(&mut self) -> Value {
        self.try_recv(WAIT).await.expect("a frame within 10 s")
    }

    pub async fn try_recv(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??;
            match msg.ok()? {
                Message::Text(t) => return Some(serde_json::from_str(&t).expect("json frame")),
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Receives until a frame of `kind` arrives, returning it (other frames are dropped).
    pub async fn recv_type(&mut self, kind: &str) -> Value {
        loop {
            let f = self.recv().await;
            if f["type"] == kind {
                return f;
            }
        }
    }

    /// Waits for the server to close and returns the close code.
    pub async fn closed_with(&mut self) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => panic!("no close within 10 s"),
                Ok(None) => return None,
                Ok(Some(Err(_))) => return None,
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return frame.map(|f: CloseFrame| u16::from(f.code));
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Asserts nothing but pings arrives for `wait`.
    pub async fn expect_silence(&mut self, wait: Duration) {
        if let Some(frame) = self.try_recv(wait).await {
            panic!("expected no frame, got {frame}");
        }
    }
}

impl TestApp {
    /// Sends `bytes` as the multipart field `file` with the given name and declared type.
    pub async fn upload(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> (u16, Value) {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(file_name.to_string())
            .mime_str(content_type)
            .expect("content type");
        let form = reqwest::multipart::Form::new().part("file", part);
        let resp = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await;
        match resp {
            Ok(resp) => into_parts(resp).await,
            // The server may answer 413 and close before the client has written the whole
            // body; the client then sees its write fail instead of the answer. Report it as
            // such (status 0) so tests can tell it apart from anything else.
            Err(e) if e.is_request() && format!("{e:?}").contains("BodyWrite") => {
                (0, serde_json::json!({"closed_early": true}))
            }
            Err(e) => panic!("request: {e:?}"),
        }
    }

    /// A GET answered as is (for binary bodies and headers).
    pub async fn get_raw(
        &self,
        path: &str,
        token: &str,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self.client.get(self.url(path)).bearer_auth(token);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.send().await.expect("request")
    }
}

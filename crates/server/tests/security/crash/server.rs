//! The real binary under test: started, SIGKILLed and restarted on a database file, its
//! integrity checked; and the small filesystems it runs on (full, read-only).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

pub(super) const PASSWORD: &str = "correct horse battery";

pub(super) struct Server {
    pub(super) dir: PathBuf,
    pub(super) db: PathBuf,
    pub(super) port: u16,
    pub(super) child: Option<Child>,
    /// More `SWITCHBOARD_*` settings for this server.
    pub(super) env: Vec<(&'static str, String)>,
}

pub(super) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    pub(super) fn new(dir: &Path, db: &Path) -> Server {
        Server {
            dir: dir.to_path_buf(),
            db: db.to_path_buf(),
            port: free_port(),
            child: None,
            env: Vec::new(),
        }
    }

    pub(super) fn command(&self) -> Command {
        let bin = std::env::var_os("SWITCHBOARD_BIN")
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_switchboard").into());
        let mut c = Command::new(bin);
        c.current_dir(&self.dir)
            .env("SWITCHBOARD_LISTEN", format!("127.0.0.1:{}", self.port))
            .env(
                "SWITCHBOARD_DATABASE_URL",
                format!("sqlite://{}", self.db.display()),
            )
            .env("SWITCHBOARD_DATA_DIR", self.db.parent().unwrap())
            .env("SWITCHBOARD_JWT_SECRET", crate::TEST_SECRET)
            .env("SWITCHBOARD_WEB_DIR", self.dir.join("no-web"))
            .env("SWITCHBOARD_AUTH_RATE_LIMIT", "off")
            .env("SWITCHBOARD_WS_MESSAGES_PER_SECOND", "100000")
            .env("SWITCHBOARD_LOG_LEVEL", "warn")
            .env_remove("RUST_LOG");
        for (name, value) in &self.env {
            c.env(name, value);
        }
        c
    }

    pub(super) fn create_user(&self, email: &str, role: &str) {
        let mut child = self
            .command()
            .args(["user", "create", "--email", email, "--role", role])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the server; `false` if it exited instead of becoming healthy.
    pub(super) async fn start(&mut self) -> bool {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .unwrap();
        let child = self
            .command()
            .arg("serve")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = reqwest::Client::new();
        while Instant::now() < deadline {
            if let Some(Ok(Some(_))) = self.child.as_mut().map(|c| c.try_wait()) {
                self.child = None;
                return false;
            }
            if let Ok(r) = client.get(self.url("/healthz")).send().await
                && r.status() == 200
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "the server did not become healthy in 30 s; see {}",
            self.dir.join("server.log").display()
        );
    }

    pub(super) fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill(); // SIGKILL
            let _ = c.wait();
        }
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub(super) async fn login(&self, email: &str) -> (String, i64) {
        let r: Value = reqwest::Client::new()
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (
            r["access_token"].as_str().expect("a token").to_string(),
            r["user"]["id"].as_i64().unwrap(),
        )
    }

    pub(super) async fn ws(&self, token: &str) -> Ws {
        let (mut ws, _) =
            tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{}/api/v1/ws", self.port))
                .await
                .expect("ws connect");
        ws.send(Message::Text(
            json!({"type": "auth", "token": token}).to_string().into(),
        ))
        .await
        .unwrap();
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) if t.contains("\"ready\"") => return ws,
                Some(Ok(_)) => {}
                other => panic!("no ready frame: {other:?}"),
            }
        }
    }

    /// Every stored message of the conversation: (seq, client_id, body), via REST pages.
    pub(super) async fn history(
        &self,
        token: &str,
        conversation: i64,
    ) -> Vec<(i64, String, String)> {
        let client = reqwest::Client::new();
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let page: Value = client
                .get(self.url(&format!(
                    "/api/v1/conversations/{conversation}/messages?after_seq={after}&limit=200"
                )))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let items = page["items"].as_array().expect("items").clone();
            if items.is_empty() {
                return out;
            }
            for m in items {
                after = m["seq"].as_i64().unwrap();
                out.push((
                    after,
                    m["client_id"].as_str().unwrap_or_default().to_string(),
                    m["body"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }

    /// The same through `resume` from 0 on a new socket.
    pub(super) async fn resumed(
        &self,
        token: &str,
        conversation: i64,
    ) -> Vec<(i64, String, String)> {
        let mut ws = self.ws(token).await;
        ws.send(Message::Text(
            json!({"type": "resume", "positions": {conversation.to_string(): 0}})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
        let mut out = Vec::new();
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(20), ws.next())
                .await
                .expect("resume in time");
            let Some(Ok(Message::Text(t))) = msg else {
                continue;
            };
            let f: Value = serde_json::from_str(&t).unwrap();
            match f["type"].as_str() {
                Some("message") => out.push((
                    f["message"]["seq"].as_i64().unwrap(),
                    f["message"]["client_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    f["message"]["body"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )),
                Some("resumed") => return out,
                _ => {}
            }
        }
    }

    pub(super) async fn integrity(&self) -> String {
        integrity_check(&self.db).await
    }

    /// With the server stopped: the search indexer's file catches up (as its thread does), then
    /// holds exactly one entry per message with a text (`search::index::catch_up_and_check`).
    /// After the kills, every message must be indexed or waiting, once.
    pub(super) async fn search_index_check(&self) -> Result<(), String> {
        let db = self.db.to_string_lossy().into_owned();
        tokio::task::spawn_blocking(move || switchboard::search::index::catch_up_and_check(&db))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("{e:#}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub async fn integrity_check(db: &Path) -> String {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let conn = sea_orm::Database::connect(format!("sqlite://{}?mode=rw", db.display()))
        .await
        .expect("open the database");
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .expect("integrity_check")
        .expect("a row");
    let result: String = row.try_get("", "integrity_check").expect("a text column");
    conn.close().await.ok();
    result
}

pub(super) type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Mounts a tmpfs of `size`; `None` where mounting isn't permitted (not root, no CAP_SYS_ADMIN).
pub(super) fn mount_tmpfs(at: &Path, size: &str) -> Option<()> {
    std::fs::create_dir_all(at).unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(at)
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(())
}

pub(super) fn remount(at: &Path, mode: &str) -> bool {
    Command::new("mount")
        .args(["-o", &format!("remount,{mode}")])
        .arg(at)
        .status()
        .is_ok_and(|s| s.success())
}

pub(super) struct Unmount(pub(super) PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

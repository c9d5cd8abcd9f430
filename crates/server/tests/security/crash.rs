//! Crash durability with the real binary on SQLite: messages are sent over the WebSocket at a
//! steady rate while the server is SIGKILLed at random moments and restarted; unacknowledged
//! sends are retried with the same client id (as the app's outbox does). At the end every
//! acknowledged message is stored exactly once with its body and seq (REST history and resume
//! agree), seqs are gapless, and `PRAGMA integrity_check` says ok after every kill.
//!
//! `SECURITY_CRASH_CYCLES` (default 20) and `SECURITY_CRASH_SECS` (default 60) bound the run;
//! `SECURITY_CRASH_RATE` (default 250) is the offered rate in messages per second, and
//! `SWITCHBOARD_BIN` runs another build of the server (scripts/crash-bench.sh: a release build at
//! 5,000 msg/s). scripts/soak.sh raises the cycles and the time.
//!
//! Disk full: the database lives on a small tmpfs that is filled up mid-run; sends are refused
//! with an error frame, nothing acknowledged is lost, and sends succeed again once space
//! returns. Read-only: the filesystem is remounted read-only while the server is stopped (Linux
//! refuses `remount,ro` while a process holds files open for writing, and root ignores file
//! modes, so it can't be done under a running server).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const PASSWORD: &str = "correct horse battery";

struct Server {
    dir: PathBuf,
    db: PathBuf,
    port: u16,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    fn new(dir: &Path, db: &Path) -> Server {
        Server {
            dir: dir.to_path_buf(),
            db: db.to_path_buf(),
            port: free_port(),
            child: None,
        }
    }

    fn command(&self) -> Command {
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
        c
    }

    fn create_user(&self, email: &str, role: &str) {
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
    async fn start(&mut self) -> bool {
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

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill(); // SIGKILL
            let _ = c.wait();
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn login(&self, email: &str) -> (String, i64) {
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

    async fn ws(&self, token: &str) -> Ws {
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
    async fn history(&self, token: &str, conversation: i64) -> Vec<(i64, String, String)> {
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
    async fn resumed(&self, token: &str, conversation: i64) -> Vec<(i64, String, String)> {
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

    async fn integrity(&self) -> String {
        integrity_check(&self.db).await
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

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Client ids must be UUIDs: message `n` gets one that spells `n`.
fn cid(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn parse_cid(s: &str) -> Option<u64> {
    s.strip_prefix("00000000-0000-4000-8000-")?.parse().ok()
}

fn body_of(n: u64) -> String {
    format!("message {n} {}", "x".repeat((n % 50) as usize))
}

#[derive(Default)]
struct Ledger {
    /// client ids written to a socket, in order.
    sent: Vec<u64>,
    /// The same, to look one up.
    sent_set: HashSet<u64>,
    /// client id → (seq, body) from its ack.
    acked: HashMap<u64, (i64, String)>,
    /// acks that contradicted an earlier ack of the same client id.
    contradictions: Vec<String>,
    errors: Vec<String>,
}

/// How often a sender writes; it writes a burst each time to offer its rate.
const TICK: Duration = Duration::from_millis(4);

/// Sends (resending `pending` first, then new ids from `next`) `burst` frames every [`TICK`]
/// until `stop`, recording acks.
#[allow(clippy::too_many_arguments)]
async fn run_sender(
    ws: Ws,
    conversation: i64,
    ledger: Arc<Mutex<Ledger>>,
    pending: Vec<u64>,
    next: Arc<Mutex<u64>>,
    burst: usize,
    fresh: bool,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let (mut sink, mut stream) = ws.split();
    let reader_ledger = ledger.clone();
    let reader = tokio::spawn(async move {
        while let Some(Ok(msg)) = stream.next().await {
            let Message::Text(t) = msg else { continue };
            let f: Value = serde_json::from_str(&t).unwrap();
            if f["type"] == "ack" {
                let id = parse_cid(f["client_id"].as_str().unwrap()).expect("our client id");
                let seq = f["message"]["seq"].as_i64().unwrap();
                let body = f["message"]["body"].as_str().unwrap().to_string();
                let mut l = reader_ledger.lock().unwrap();
                if let Some(prev) = l.acked.get(&id)
                    && prev.0 != seq
                {
                    let c = format!(
                        "client id {id} acked as seq {} and later as seq {seq}",
                        prev.0
                    );
                    l.contradictions.push(c);
                }
                l.acked.insert(id, (seq, body));
            } else if f["type"] == "error" {
                reader_ledger.lock().unwrap().errors.push(f.to_string());
            }
        }
    });
    let mut ticker = tokio::time::interval(TICK);
    let mut queue: std::collections::VecDeque<u64> = pending.into();
    'ticks: loop {
        ticker.tick().await;
        if *stop.borrow() {
            break;
        }
        for _ in 0..burst {
            let id = match queue.pop_front() {
                Some(id) => id,
                None if fresh => {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n
                }
                None => continue 'ticks,
            };
            let frame = json!({"type": "send", "conversation_id": conversation, "client_id": cid(id), "body": body_of(id)});
            if sink
                .send(Message::Text(frame.to_string().into()))
                .await
                .is_err()
            {
                break 'ticks;
            }
            let mut l = ledger.lock().unwrap();
            if l.sent_set.insert(id) {
                l.sent.push(id);
            }
        }
    }
    reader.abort();
}

fn pending(ledger: &Ledger) -> Vec<u64> {
    ledger
        .sent
        .iter()
        .copied()
        .filter(|id| !ledger.acked.contains_key(id))
        .collect()
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Checks a listing against the ledger; returns (lost, duplicated, wrong) descriptions.
fn audit(listing: &[(i64, String, String)], ledger: &Ledger, source: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let seqs: Vec<i64> = listing.iter().map(|m| m.0).collect();
    if seqs != (1..=listing.len() as i64).collect::<Vec<_>>() {
        problems.push(format!(
            "{source}: seqs are not 1..={}: gaps or disorder",
            listing.len()
        ));
    }
    let mut by_client: BTreeMap<&str, Vec<&(i64, String, String)>> = BTreeMap::new();
    for m in listing {
        by_client.entry(m.1.as_str()).or_default().push(m);
    }
    for (client, copies) in &by_client {
        if copies.len() > 1 {
            problems.push(format!(
                "{source}: client id {client} stored {} times",
                copies.len()
            ));
        }
    }
    for (id, (seq, body)) in &ledger.acked {
        match by_client.get(cid(*id).as_str()) {
            None => problems.push(format!("{source}: acked message {id} (seq {seq}) is lost")),
            Some(copies) => {
                let m = copies[0];
                if m.0 != *seq || m.2 != *body || *body != body_of(*id) {
                    problems.push(format!(
                        "{source}: message {id} acked as seq {seq} but stored as seq {} body {:?}",
                        m.0, m.2
                    ));
                }
            }
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_messages_survive_sigkill_exactly_once() {
    let cycles = env_or("SECURITY_CRASH_CYCLES", 20);
    let budget = Duration::from_secs(env_or("SECURITY_CRASH_SECS", 60));
    let rate = env_or("SECURITY_CRASH_RATE", 250);
    let burst = (rate * TICK.as_millis() as u64).div_ceil(1000).max(1) as usize;
    let tmp = tempfile::tempdir().unwrap();
    let mut server = Server::new(tmp.path(), &tmp.path().join("data/switchboard.db"));
    std::fs::create_dir_all(tmp.path().join("data")).unwrap();
    server.create_user("agent@example.com", "agent");
    server.create_user("ana@example.com", "customer");
    assert!(server.start().await);
    let (agent_token, _) = server.login("agent@example.com").await;
    let (_, ana_id) = server.login("ana@example.com").await;
    let conv: Value = reqwest::Client::new()
        .post(server.url("/api/v1/conversations/direct"))
        .bearer_auth(&agent_token)
        .json(&json!({"user_id": ana_id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = conv["id"].as_i64().expect("a conversation");

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let next = Arc::new(Mutex::new(0u64));
    let started = Instant::now();
    let per_cycle = budget.as_millis() as u64 / cycles.max(1);
    let mut kills = 0;
    let mut integrity_failures = Vec::new();
    for cycle in 0..cycles {
        if cycle > 0 {
            assert!(server.start().await, "restart {cycle} failed");
        }
        let (token, _) = server.login("agent@example.com").await;
        let ws = server.ws(&token).await;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let todo = pending(&ledger.lock().unwrap());
        let sender = tokio::spawn(run_sender(
            ws,
            conversation,
            ledger.clone(),
            todo,
            next.clone(),
            burst,
            true,
            stop_rx,
        ));
        // A random moment within this cycle's share of the budget (startup takes part of it).
        let window = per_cycle.saturating_sub(700).max(100);
        let wait = 50 + rand::random::<u64>() % window;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        server.kill();
        kills += 1;
        let _ = stop_tx.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(5), sender).await;
        let check = server.integrity().await;
        if check != "ok" {
            integrity_failures.push(format!("after kill {kills}: {check}"));
        }
    }

    // The last start: retry everything unacknowledged until it is.
    assert!(server.start().await);
    let (token, _) = server.login("agent@example.com").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let todo = pending(&ledger.lock().unwrap());
        if todo.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} sends never acknowledged",
            todo.len()
        );
        let ws = server.ws(&token).await;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let n = todo.len();
        let sender = tokio::spawn(run_sender(
            ws,
            conversation,
            ledger.clone(),
            todo,
            next.clone(),
            burst,
            false,
            stop_rx,
        ));
        let writing = TICK * (n / burst + 1) as u32;
        tokio::time::sleep(writing * 2 + Duration::from_secs(1)).await;
        let _ = stop_tx.send(true);
        let _ = sender.await;
    }

    let history = server.history(&token, conversation).await;
    let (ana_token, _) = server.login("ana@example.com").await;
    let replay = server.resumed(&ana_token, conversation).await;
    let l = std::mem::take(&mut *ledger.lock().unwrap());
    let mut problems = audit(&history, &l, "REST history");
    problems.extend(audit(&replay, &l, "resume"));
    if history != replay {
        problems.push(format!(
            "REST history ({}) and resume ({}) differ",
            history.len(),
            replay.len()
        ));
    }
    problems.extend(l.contradictions.iter().cloned());
    problems.extend(integrity_failures);
    server.kill();
    if let Some(bad) = Some(server.integrity().await).filter(|c| c != "ok") {
        problems.push(format!("final integrity_check: {bad}"));
    }
    let lost = problems.iter().filter(|p| p.contains("is lost")).count();
    crate::figures(&format!(
        "crash kills={kills} offered_per_sec={rate} sent={} acked={} stored={} lost={lost} problems={} errors={} secs={:.0}",
        l.sent.len(),
        l.acked.len(),
        history.len(),
        problems.len(),
        l.errors.len(),
        started.elapsed().as_secs_f64()
    ));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        history.len(),
        l.sent.len(),
        "every send was eventually stored once"
    );
}

/// Mounts a tmpfs of `size`; `None` where mounting isn't permitted (not root, no CAP_SYS_ADMIN).
fn mount_tmpfs(at: &Path, size: &str) -> Option<()> {
    std::fs::create_dir_all(at).unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(at)
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(())
}

fn remount(at: &Path, mode: &str) -> bool {
    Command::new("mount")
        .args(["-o", &format!("remount,{mode}")])
        .arg(at)
        .status()
        .is_ok_and(|s| s.success())
}

struct Unmount(PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Sends `ids` one at a time and returns, per id, the ack's seq or the error code.
async fn send_each(
    ws: &mut Ws,
    conversation: i64,
    ids: &[u64],
    big: bool,
) -> Vec<Result<i64, String>> {
    let mut out = Vec::new();
    for id in ids {
        let body = if big {
            format!("{}{}", body_of(*id), "b".repeat(9_000))
        } else {
            body_of(*id)
        };
        let frame = json!({"type": "send", "conversation_id": conversation, "client_id": cid(*id), "body": body});
        ws.send(Message::Text(frame.to_string().into()))
            .await
            .unwrap();
        let answer = loop {
            let msg = tokio::time::timeout(Duration::from_secs(20), ws.next())
                .await
                .expect("an answer to every send");
            let t = match msg {
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(Message::Close(c))) => panic!("socket closed: {c:?}"),
                Some(Ok(_)) => continue,
                other => panic!("socket ended: {other:?}"),
            };
            let f: Value = serde_json::from_str(&t).unwrap();
            if f["client_id"] == cid(*id) || f["type"] == "error" {
                break f;
            }
        };
        out.push(match answer["type"].as_str() {
            Some("ack") => Ok(answer["message"]["seq"].as_i64().unwrap()),
            _ => Err(answer["code"].as_str().unwrap_or("?").to_string()),
        });
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_sends_loses_nothing_and_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("mnt");
    if mount_tmpfs(&mnt, "24m").is_none() {
        eprintln!("skipped: mounting a tmpfs is not permitted here (needs root / CAP_SYS_ADMIN)");
        crate::figures("disk-full skipped=mount-not-permitted");
        return;
    }
    let _unmount = Unmount(mnt.clone());
    let log_path = tmp.path().join("server.log");
    let t0 = Instant::now();
    let step = |what: &str| eprintln!("disk-full: {what} at {:.1}s", t0.elapsed().as_secs_f64());
    struct DumpLog(PathBuf);
    impl Drop for DumpLog {
        fn drop(&mut self) {
            if std::thread::panicking() {
                let log = std::fs::read_to_string(&self.0).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(40).collect();
                eprintln!(
                    "server log (last lines, newest first):\n{}",
                    tail.join("\n")
                );
            }
        }
    }
    let _dump = DumpLog(log_path);
    let mut server = Server::new(tmp.path(), &mnt.join("switchboard.db"));
    server.create_user("agent@example.com", "agent");
    server.create_user("ana@example.com", "customer");
    assert!(server.start().await);
    let (token, _) = server.login("agent@example.com").await;
    let (_, ana_id) = server.login("ana@example.com").await;
    let conv: Value = reqwest::Client::new()
        .post(server.url("/api/v1/conversations/direct"))
        .bearer_auth(&token)
        .json(&json!({"user_id": ana_id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = conv["id"].as_i64().unwrap();
    let mut ws = server.ws(&token).await;
    let first: Vec<u64> = (1..=20).collect();
    let acked_before: Vec<i64> = send_each(&mut ws, conversation, &first, false)
        .await
        .into_iter()
        .map(|r| r.expect("room to spare"))
        .collect();

    step("20 acked");
    // Fill the filesystem.
    let filler = mnt.join("filler");
    {
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
    }
    step("filled");
    let during: Vec<u64> = (100..140).collect();
    let during_copy = during.clone();
    let results = match tokio::spawn(async move {
        let r = send_each(&mut ws, conversation, &during_copy, true).await;
        (r, ws)
    })
    .await
    {
        Ok((r, returned)) => {
            ws = returned;
            r
        }
        Err(e) => {
            let status = server.child.as_mut().map(|c| c.try_wait());
            panic!("the socket broke while the disk was full ({e}); server process: {status:?}");
        }
    };
    let refused: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let acked_full = results.iter().filter(|r| r.is_ok()).count();
    assert!(
        !refused.is_empty(),
        "no send was refused on a full disk: {results:?}"
    );
    let health = reqwest::get(server.url("/healthz")).await.unwrap().status();
    assert_eq!(health, 200, "the server stays up on a full disk");

    step("sent while full");
    // Space returns: the refused sends go through on retry, with the same client ids.
    std::fs::remove_file(&filler).unwrap();
    let retry: Vec<u64> = during
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.is_err())
        .map(|(id, _)| *id)
        .collect();
    let after = send_each(&mut ws, conversation, &retry, true).await;
    assert!(
        after.iter().all(Result::is_ok),
        "no recovery after space returned: {after:?}"
    );
    let history = server.history(&token, conversation).await;
    for (id, seq) in first.iter().zip(&acked_before) {
        assert!(
            history.iter().any(|m| m.0 == *seq && m.1 == cid(*id)),
            "message {id} acked before the disk filled is lost"
        );
    }
    let seqs: Vec<i64> = history.iter().map(|m| m.0).collect();
    assert_eq!(
        seqs,
        (1..=history.len() as i64).collect::<Vec<_>>(),
        "gapless"
    );
    assert_eq!(
        history.len(),
        first.len() + during.len(),
        "while full: {results:?}; after: {after:?}; history: {:?}",
        history
            .iter()
            .map(|m| (m.0, m.1.clone()))
            .collect::<Vec<_>>()
    );
    drop(ws);
    server.kill();
    assert_eq!(server.integrity().await, "ok");

    step("recovered");
    crate::figures(&format!(
        "disk-full acked_before={} refused_while_full={} acked_while_full={acked_full} retried_ok={} lost=0",
        acked_before.len(),
        refused.len(),
        after.len()
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_loses_nothing_and_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("mnt");
    if mount_tmpfs(&mnt, "16m").is_none() {
        eprintln!("skipped: mounting a tmpfs is not permitted here (needs root / CAP_SYS_ADMIN)");
        crate::figures("read-only skipped=mount-not-permitted");
        return;
    }
    let _unmount = Unmount(mnt.clone());
    let mut server = Server::new(tmp.path(), &mnt.join("switchboard.db"));
    server.create_user("agent@example.com", "agent");
    server.create_user("ana@example.com", "customer");
    assert!(server.start().await);
    let (token, _) = server.login("agent@example.com").await;
    let (_, ana_id) = server.login("ana@example.com").await;
    let conv: Value = reqwest::Client::new()
        .post(server.url("/api/v1/conversations/direct"))
        .bearer_auth(&token)
        .json(&json!({"user_id": ana_id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = conv["id"].as_i64().unwrap();
    let mut ws = server.ws(&token).await;
    let first: Vec<u64> = (1..=10).collect();
    for r in send_each(&mut ws, conversation, &first, false).await {
        r.expect("acked");
    }
    drop(ws);
    let history = server.history(&token, conversation).await;
    server.kill();
    assert_eq!(server.integrity().await, "ok");
    // Read-only: the server starts (or refuses to) without losing anything.
    let mut ro = "remount refused".to_string();
    if remount(&mnt, "ro") {
        let started = server.start().await;
        ro = if started {
            let (token, _) = server.login("agent@example.com").await;
            let mut ws = server.ws(&token).await;
            let r = send_each(&mut ws, conversation, &[500], false).await;
            assert!(
                r[0].is_err(),
                "a send was acked on a read-only database: {r:?}"
            );
            let kept = server.history(&token, conversation).await.len();
            assert_eq!(
                kept,
                history.len(),
                "history readable and intact while read-only"
            );
            server.kill();
            format!("served reads, refused the send with {:?}", r[0])
        } else {
            let log = std::fs::read_to_string(tmp.path().join("server.log")).unwrap_or_default();
            format!(
                "refused to start: {}",
                log.lines().last().unwrap_or_default()
            )
        };
        assert!(remount(&mnt, "rw"));
        assert!(server.start().await, "recovers once writable again");
        let (token, _) = server.login("agent@example.com").await;
        let mut ws = server.ws(&token).await;
        let r = send_each(&mut ws, conversation, &[500], false).await;
        assert!(r[0].is_ok(), "{r:?}");
        assert_eq!(
            server.history(&token, conversation).await.len(),
            history.len() + 1
        );
        server.kill();
        assert_eq!(server.integrity().await, "ok");
    }
    crate::figures(&format!(
        "read-only acked_before=10 lost=0 outcome=\"{ro}\""
    ));
}

//! Failures: a Redis outage leaves no permanent gap, a SIGKILLed node loses no acknowledged
//! message (its clients resume elsewhere), and SQLite refuses to be shared.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use switchboard_test_support::{Backend, TestUser, WsClient, base_url, fresh_database, spawn_node};

use super::*;

/// A reader that survives closes: it reconnects (to the next URL in turn) and resumes from the
/// last seq it saw, checking every message arrives once and in order, until it has `until`.
async fn resilient_reader(
    urls: Vec<String>,
    user: TestUser,
    conv: i64,
    until: i64,
) -> (Vec<i64>, usize) {
    let mut seen: Vec<i64> = Vec::new();
    let mut reconnects = 0;
    let mut turn = 0;
    loop {
        let url = &urls[turn % urls.len()];
        let Ok((stream, _)) = tokio_tungstenite::connect_async(url.as_str()).await else {
            turn += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let mut ws = WsClient { stream };
        let last = seen.last().copied().unwrap_or(0);
        // Positions in the auth frame: the replay precedes every live event.
        ws.send(json!({"type": "auth", "token": user.token, "resume": {conv.to_string(): last}}))
            .await;
        loop {
            match tokio::time::timeout(Duration::from_secs(20), ws.stream.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    let f: Value = serde_json::from_str(&t).unwrap();
                    if f["type"] == "message" && f["message"]["conversation_id"] == conv {
                        let seq = f["message"]["seq"].as_i64().unwrap();
                        assert_eq!(
                            seq,
                            seen.last().copied().unwrap_or(0) + 1,
                            "gap or repeat after {:?}",
                            seen.last()
                        );
                        seen.push(seq);
                        if seq >= until {
                            return (seen, reconnects);
                        }
                    }
                }
                Ok(Some(Ok(_))) => {}
                Ok(_) => break,
                Err(_) => panic!("reader starved at {:?}", seen.last()),
            }
        }
        reconnects += 1;
        turn += 1;
    }
}

async fn redis_outage(backend: Backend) {
    let Some(c) = Cluster::start(backend, 2, true).await else {
        return;
    };
    let (a, b) = (&c.nodes[0], &c.nodes[1]);
    let (agent, ana, conv) = a.agent_and_customer().await;
    const TOTAL: i64 = 150;
    let reader = tokio::spawn(resilient_reader(
        vec![b.ws_url.clone()],
        ana.clone(),
        conv,
        TOTAL,
    ));
    let mut sender = a.ws(&agent).await;
    for i in 1..=TOTAL {
        if i == 40 {
            c.proxy.as_ref().unwrap().set_up(false);
        }
        if i == 110 {
            c.proxy.as_ref().unwrap().set_up(true);
        }
        let (client_id, frame) = send_frame(conv, &format!("m{i}"));
        // Sends keep being acknowledged while Redis is away: acks wait only for the database.
        // When the subscription returns the node asks its clients to reconnect (1012): the
        // sender then retries with the same client id, which stores nothing twice.
        let ack = loop {
            sender.send(frame.clone()).await;
            match sender.try_recv(Duration::from_secs(10)).await {
                Some(f) if f["type"] == "ack" => break f,
                Some(f) if f["type"] != "error" => {
                    // Other frames (presence) before the ack: wait for the ack itself.
                    let mut next = f;
                    while next["type"] != "ack" {
                        next = sender.recv().await;
                    }
                    break next;
                }
                _ => sender = a.ws(&agent).await,
            }
        };
        assert_eq!(
            (ack["client_id"].as_str(), ack["message"]["seq"].as_i64()),
            (Some(client_id.as_str()), Some(i))
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (seen, _) = tokio::time::timeout(Duration::from_secs(60), reader)
        .await
        .expect("reader done")
        .unwrap();
    assert_eq!(
        seen,
        (1..=TOTAL).collect::<Vec<_>>(),
        "every message once, in order: no permanent gap"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redis_outage_leaves_no_permanent_gap_postgres() {
    redis_outage(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redis_outage_leaves_no_permanent_gap_mysql() {
    redis_outage(Backend::Mysql).await;
}

/// Starts the real binary as a child process (so it can be SIGKILLed).
struct Child {
    proc: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_child(database_url: &str, redis: &str, prefix: &str) -> Child {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let proc = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .env("SWITCHBOARD_LISTEN", format!("127.0.0.1:{port}"))
        .env("SWITCHBOARD_DATABASE_URL", database_url)
        .env("SWITCHBOARD_DATA_DIR", dir.path())
        .env(
            "SWITCHBOARD_JWT_SECRET",
            "test-secret-test-secret-test-secret-0123456789",
        )
        .env("SWITCHBOARD_REDIS_URL", redis)
        .env("SWITCHBOARD_REDIS_PREFIX", prefix)
        .env("SWITCHBOARD_AUTH_RATE_LIMIT", "off")
        .env("SWITCHBOARD_WS_MESSAGES_PER_SECOND", "100000")
        .env("SWITCHBOARD_LOG_LEVEL", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start switchboard");
    // Owned at once: Child's Drop kills and reaps it even if the start fails.
    let child = Child {
        proc,
        port,
        _dir: dir,
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok()
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("node did not start");
}

async fn killed_node(backend: Backend) {
    let (Some(base), Some(redis)) = (base_url(backend), redis_url()) else {
        return;
    };
    let prefix = format!("sbtest-{}", uuid::Uuid::new_v4().simple());
    let (url, cleanup) = fresh_database(backend, &base).await;
    // An in-process node to set up users and to keep the database dropped at the end.
    let owner = spawn_node(backend, url.clone(), cleanup, |s| {
        s.redis_url = Some(redis.clone());
        s.redis_prefix = prefix.clone();
    })
    .await;
    let (agent, ana, conv) = owner.agent_and_customer().await;
    let mut doomed = start_child(&url, &redis, &prefix).await;
    let survivor = start_child(&url, &redis, &prefix).await;
    let ws = |port: u16| format!("ws://127.0.0.1:{port}/api/v1/ws");
    const TOTAL: i64 = 120;
    // The reader starts on the doomed node and must fall over to the survivor.
    let reader = tokio::spawn(resilient_reader(
        vec![ws(doomed.port), ws(survivor.port)],
        ana.clone(),
        conv,
        TOTAL,
    ));
    let acked = Arc::new(tokio::sync::Mutex::new(BTreeSet::new()));
    let mut sender = connect(&ws(survivor.port), &agent).await;
    let killed = AtomicBool::new(false);
    for i in 1..=TOTAL {
        if i == 50 {
            doomed.proc.kill().expect("SIGKILL");
            killed.store(true, Ordering::SeqCst);
        }
        let (client_id, frame) = send_frame(conv, &format!("m{i}"));
        sender.send(frame).await;
        let ack = sender.recv_type("ack").await;
        assert_eq!(ack["client_id"], client_id.as_str());
        acked.lock().await.insert(client_id);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (seen, reconnects) = tokio::time::timeout(Duration::from_secs(60), reader)
        .await
        .expect("reader done")
        .unwrap();
    assert!(killed.load(Ordering::SeqCst));
    assert!(
        reconnects >= 1,
        "the reader lost its node and came back elsewhere"
    );
    assert_eq!(seen, (1..=TOTAL).collect::<Vec<_>>());
    let history = owner.messages(&ana, conv, "limit=200").await;
    let stored: Vec<String> = history
        .iter()
        .map(|m| m["client_id"].as_str().unwrap().to_string())
        .collect();
    let unique: BTreeSet<String> = stored.iter().cloned().collect();
    assert_eq!(unique.len(), stored.len(), "no message stored twice");
    assert!(
        acked.lock().await.iter().all(|id| unique.contains(id)),
        "every acked message is stored"
    );
    drop(survivor);
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.proc.kill();
        let _ = self.proc.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_node_loses_no_acknowledged_message_postgres() {
    killed_node(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_node_loses_no_acknowledged_message_mysql() {
    killed_node(Backend::Mysql).await;
}

#[test]
fn sqlite_refuses_to_be_shared() {
    // With Redis (i.e. several nodes) SQLite is refused at start…
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("migrate")
        .env("SWITCHBOARD_REDIS_URL", "redis://127.0.0.1:6379")
        .env("SWITCHBOARD_DATABASE_URL", "sqlite://./nowhere.db")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("several nodes can't share SQLite"));
    // … and a second server on the same SQLite file stops with a clear error.
    let dir = tempfile::tempdir().unwrap();
    let start = |port: u16| {
        std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .env("SWITCHBOARD_LISTEN", format!("127.0.0.1:{port}"))
            .env("SWITCHBOARD_DATA_DIR", dir.path())
            .env(
                "SWITCHBOARD_DATABASE_URL",
                format!("sqlite://{}/sb.db", dir.path().display()),
            )
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut first = start(free_port());
    std::thread::sleep(Duration::from_millis(1500));
    let second = start(free_port()).wait_with_output().unwrap();
    let _ = first.kill();
    let _ = first.wait();
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("already using"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
}

//! Several nodes sharing one database and Redis behave like one node: cross-node delivery and
//! presence, a Redis outage that leaves no permanent gap, a killed node whose clients resume
//! elsewhere, and gapless seqs from many senders on two nodes.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use switchboard::domain::Role;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use switchboard_test_support::{
    Backend, TestApp, TestUser, WsClient, base_url, fresh_database, spawn_node,
};

/// One test per database that can be shared (SQLite can't): `name::postgres`, `name::mysql`.
macro_rules! cluster_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(c) = Cluster::start(Backend::Postgres, 2, false).await {
                    ($body)(c).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn mysql() {
                if let Some(c) = Cluster::start(Backend::Mysql, 2, false).await {
                    ($body)(c).await;
                }
            }
        }
    };
}

fn redis_url() -> Option<String> {
    match std::env::var("SWITCHBOARD_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("SWITCHBOARD_TEST_REQUIRE_ALL").is_err(),
                "SWITCHBOARD_TEST_REDIS_URL is not set but SWITCHBOARD_TEST_REQUIRE_ALL is"
            );
            eprintln!("skipped: SWITCHBOARD_TEST_REDIS_URL is not set");
            None
        }
    }
}

/// A TCP proxy in front of Redis that a test can cut, to play a Redis outage without touching
/// the machine's Redis (other tests share it).
struct RedisProxy {
    url: String,
    up: watch::Sender<bool>,
}

impl RedisProxy {
    async fn start(upstream: &str) -> RedisProxy {
        let target = upstream
            .trim_start_matches("redis://")
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("redis://{}", listener.local_addr().unwrap());
        let (up, rx) = watch::channel(true);
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if !*rx.borrow() {
                    continue; // down: drop it
                }
                let target = target.clone();
                let mut rx = rx.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = rx.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        RedisProxy { url, up }
    }

    fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }
}

struct Cluster {
    nodes: Vec<TestApp>,
    proxy: Option<RedisProxy>,
}

impl Cluster {
    async fn start(backend: Backend, n: usize, via_proxy: bool) -> Option<Cluster> {
        let base = base_url(backend)?;
        let redis = redis_url()?;
        let proxy = if via_proxy {
            Some(RedisProxy::start(&redis).await)
        } else {
            None
        };
        let redis = proxy.as_ref().map(|p| p.url.clone()).unwrap_or(redis);
        let prefix = format!("sbtest-{}", uuid::Uuid::new_v4().simple());
        let (url, cleanup) = fresh_database(backend, &base).await;
        let mut nodes = Vec::new();
        for i in 0..n {
            let settings = |s: &mut switchboard::config::RawSettings| {
                s.redis_url = Some(redis.clone());
                s.redis_prefix = prefix.clone();
                s.ws_max_connections_per_user = 100;
            };
            // The first node owns the database and drops it at the end.
            nodes.push(
                spawn_node(
                    backend,
                    url.clone(),
                    if i == 0 { cleanup.clone() } else { None },
                    settings,
                )
                .await,
            );
        }
        Some(Cluster { nodes, proxy })
    }
}

async fn people(app: &TestApp) -> (TestUser, TestUser, i64) {
    let agent = app.user_with_role("Agent", Role::Agent).await;
    let ana = app.register("Ana").await;
    let conv = app.direct(&agent, &ana).await;
    (agent, ana, conv)
}

fn send_frame(conversation_id: i64, body: &str) -> (String, Value) {
    let client_id = uuid::Uuid::new_v4().to_string();
    (
        client_id.clone(),
        json!({"type": "send", "conversation_id": conversation_id, "client_id": client_id, "body": body}),
    )
}

async fn connect(url: &str, user: &TestUser) -> WsClient {
    let (stream, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("ws connect");
    let mut ws = WsClient { stream };
    ws.send(json!({"type": "auth", "token": user.token})).await;
    assert_eq!(ws.recv().await["type"], "ready");
    ws
}

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

cluster_test!(
    clients_on_two_nodes_talk_type_read_and_see_presence,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let (agent, ana, conv) = people(a).await;
        let mut agent_ws = a.ws(&agent).await;
        let mut ana_ws = b.ws(&ana).await;
        let p = agent_ws.recv_type("presence").await;
        assert_eq!(
            (p["user_id"].as_i64(), p["online"].as_bool()),
            (Some(ana.id), Some(true))
        );
        assert!(
            a.state.realtime.is_online(ana.id),
            "node A knows Ana is online on node B"
        );

        let (_, frame) = send_frame(conv, "from node A");
        agent_ws.send(frame).await;
        assert_eq!(agent_ws.recv_type("ack").await["message"]["seq"], 1);
        assert_eq!(
            ana_ws.recv_type("message").await["message"]["body"],
            "from node A"
        );

        ana_ws
            .send(json!({"type": "typing", "conversation_id": conv}))
            .await;
        assert_eq!(agent_ws.recv_type("typing").await["user_id"], ana.id);
        ana_ws
            .send(json!({"type": "read", "conversation_id": conv, "seq": 1}))
            .await;
        assert_eq!(agent_ws.recv_type("read").await["seq"], 1);

        // A ticket opened through node B reaches the agent's queue on node A.
        let (s, t) = b
            .post(
                "/api/v1/tickets",
                Some(&ana.token),
                json!({"subject": "Cross-node", "body": "hi"}),
            )
            .await;
        assert_eq!(s, 201);
        assert_eq!(agent_ws.recv_type("ticket").await["ticket"]["id"], t["id"]);

        drop(ana_ws);
        let p = agent_ws.recv_type("presence").await;
        assert_eq!(
            (p["user_id"].as_i64(), p["online"].as_bool()),
            (Some(ana.id), Some(false))
        );
    }
);

cluster_test!(
    fifty_senders_on_two_nodes_get_one_gapless_order,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let (agent, ana, conv) = people(a).await;
        let mut readers = [a.ws(&agent).await, b.ws(&ana).await];
        let mut tasks = Vec::new();
        for i in 0..50 {
            let (node, user) = if i % 2 == 0 { (a, &agent) } else { (b, &ana) };
            let mut ws = connect(&node.ws_url, user).await;
            tasks.push(tokio::spawn(async move {
                for n in 0..20 {
                    ws.send(send_frame(conv, &format!("s{i} m{n}")).1).await;
                }
                let mut acked = 0;
                while acked < 20 {
                    // Fifty writers queue on one row lock: a single one may wait a while.
                    let f = ws
                        .try_recv(Duration::from_secs(60))
                        .await
                        .expect("an ack within 60 s");
                    if f["type"] == "ack" {
                        acked += 1;
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let mut orders = Vec::new();
        for (i, r) in readers.iter_mut().enumerate() {
            let mut order = Vec::new();
            while order.len() < 1000 {
                let Some(f) = r.try_recv(Duration::from_secs(60)).await else {
                    let mut seqs: Vec<i64> = order.iter().map(|x: &(i64, i64)| x.0).collect();
                    seqs.sort();
                    let missing: Vec<i64> = (1..=1000)
                        .filter(|s| seqs.binary_search(s).is_err())
                        .collect();
                    panic!(
                        "reader {i}: {} messages within 60 s; missing {missing:?}",
                        order.len()
                    );
                };
                if f["type"] == "message" {
                    order.push((
                        f["message"]["seq"].as_i64().unwrap(),
                        f["message"]["id"].as_i64().unwrap(),
                    ));
                }
            }
            orders.push(order);
        }
        assert_eq!(
            orders[0].iter().map(|x| x.0).collect::<Vec<_>>(),
            (1..=1000).collect::<Vec<_>>()
        );
        assert_eq!(
            orders[0], orders[1],
            "readers on both nodes see the same order"
        );
    }
);

cluster_test!(
    a_ticket_moved_on_one_node_changes_who_hears_it_on_the_other,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let admin = a.user_with_role("Admin", Role::Admin).await;
        let alice = a.user_with_role("Alice", Role::Agent).await;
        let barry = a.user_with_role("Barry", Role::Agent).await;
        let ana = a.register("Ana").await;
        let teams = [
            a.team_with(&admin, "Billing", &[&alice]).await,
            a.team_with(&admin, "Tech", &[&barry]).await,
        ];
        let (_, t) = a
            .post(
                "/api/v1/tickets",
                Some(&ana.token),
                json!({"subject": "Invoice", "body": "Wrong amount"}),
            )
            .await;
        let (ticket, conv) = (
            t["id"].as_i64().unwrap(),
            t["conversation_id"].as_i64().unwrap(),
        );
        let move_to = async |team: i64| {
            let (_, cur) = a
                .get(&format!("/api/v1/tickets/{ticket}"), Some(&admin.token))
                .await;
            let (s, t) = a
                .patch(
                    &format!("/api/v1/tickets/{ticket}"),
                    Some(&admin.token),
                    json!({"version": cur["version"], "team_id": team}),
                )
                .await;
            assert_eq!(s, 200, "{t}");
        };
        move_to(teams[0]).await;
        // Everyone on node B; node B sends, so node B's cached audience decides.
        let mut alice_ws = b.ws(&alice).await;
        let mut barry_ws = b.ws(&barry).await;
        let mut ana_ws = b.ws(&ana).await;
        ana_ws.send(send_frame(conv, "to billing").1).await;
        ana_ws.recv_type("ack").await;
        while alice_ws.recv_type("message").await["message"]["body"] != "to billing" {}

        // Moved through node A. Its invalidation reaches node B before the ticket event that
        // follows it on the same broker stream.
        move_to(teams[1]).await;
        barry_ws.recv_type("ticket").await;
        ana_ws.send(send_frame(conv, "to tech").1).await;
        ana_ws.recv_type("ack").await;
        while barry_ws.recv_type("message").await["message"]["body"] != "to tech" {}
        let mut alice_after = Vec::new();
        while let Some(f) = alice_ws.try_recv(Duration::from_millis(700)).await {
            alice_after.push(f);
        }
        assert!(
            !alice_after
                .iter()
                .any(|f| f["type"] == "message" && f["message"]["body"] == "to tech"),
            "node B stopped sending the ticket to the old team: {alice_after:?}"
        );
    }
);

async fn redis_outage(backend: Backend) {
    let Some(c) = Cluster::start(backend, 2, true).await else {
        return;
    };
    let (a, b) = (&c.nodes[0], &c.nodes[1]);
    let (agent, ana, conv) = people(a).await;
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
    let (agent, ana, conv) = people(&owner).await;
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

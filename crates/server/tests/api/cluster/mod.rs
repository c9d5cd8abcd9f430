//! Several nodes sharing one database and Redis behave like one node: cross-node delivery and
//! presence, a Redis outage that leaves no permanent gap, a killed node whose clients resume
//! elsewhere, and gapless seqs from many senders on two nodes.
//!
//! Here the harness (nodes on one database and Redis, a Redis proxy that can be cut);
//! crossnode.rs: what clients on different nodes see; failures.rs: outages, killed nodes and the
//! SQLite refusal.

use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use switchboard_test_support::{
    Backend, TestApp, TestUser, WsClient, base_url, fresh_database, send_frame, spawn_node,
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

mod calls;
mod crossnode;
mod escalation;
mod failures;
mod push;

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
        Self::start_with(backend, n, via_proxy, |_| {}).await
    }

    /// The same, with settings of the test's own on every node.
    async fn start_with(
        backend: Backend,
        n: usize,
        via_proxy: bool,
        customise: fn(&mut switchboard::config::RawSettings),
    ) -> Option<Cluster> {
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
                customise(s);
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

async fn connect(url: &str, user: &TestUser) -> WsClient {
    let (stream, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("ws connect");
    let mut ws = WsClient { stream };
    ws.send(json!({"type": "auth", "token": user.token})).await;
    assert_eq!(ws.recv().await["type"], "ready");
    ws
}

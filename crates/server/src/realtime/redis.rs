//! The Redis broker: every node publishes each event once to one channel and every node hands
//! what it receives to its own connections. Redis is never the source of truth: local delivery
//! doesn't wait for it, acks wait only for the database, and when a node's subscription comes
//! back after an outage it closes its sockets with 1012 so every client resumes from the
//! database and no gap stays permanent.
//!
//! Presence: each node keeps the users connected to it in `{prefix}:node:{id}` and refreshes
//! `{prefix}:alive:{id}` (15 s TTL) every 5 s. Nodes tell each other of first/last connections
//! over the channel; a node whose alive key expired is swept and its users announced offline.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use dashmap::DashMap;
use futures::StreamExt;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::broker::{Broker, dispatch};
use super::close;
use super::events::BrokerItem;
use super::hub::Hub;

const ALIVE_TTL_SECS: u64 = 15;

/// Claims `{prefix}:incall:{user}` for both users of a call, all or nothing: returns the index
/// (1 or 2) of a user already in another call, else 0. KEYS: the two keys; ARGV: call id, TTL.
const CLAIM_CALL: &str = r#"
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v and v ~= ARGV[1] then return i end
end
for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[1], 'EX', ARGV[2]) end
return 0
"#;

/// Drops (ARGV[2] = 0) or refreshes (ARGV[2] = TTL) the keys that still hold this call.
const TOUCH_CALL: &str = r#"
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    if ARGV[2] == '0' then redis.call('DEL', KEYS[i])
    else redis.call('EXPIRE', KEYS[i], ARGV[2]) end
  end
end
return 0
"#;
const HEARTBEAT: Duration = Duration::from_secs(5);

#[derive(Serialize, Deserialize)]
struct Wire {
    node: String,
    item: BrokerItem,
}

/// Users connected to other nodes: user → the nodes holding their connections.
type Remote = DashMap<i64, HashSet<String>>;

pub struct RedisBroker {
    hub: Arc<Hub>,
    node_id: String,
    prefix: String,
    conn: ConnectionManager,
    outbox: mpsc::Sender<String>,
    remote: Arc<Remote>,
    /// The calls homed on this node, claimed in Redis (call id → users): the heartbeat keeps
    /// their keys alive, so a node that dies frees its users within the TTL.
    calls: DashMap<String, [i64; 2]>,
}

/// Things the broker learns that the application must act on.
pub enum Notice {
    /// The user's cluster-wide presence changed because a node died.
    Offline(i64),
}

impl RedisBroker {
    /// Connects, starts the publisher, subscriber and heartbeat tasks, and returns the broker
    /// plus a stream of notices for the application.
    pub async fn start(
        url: &str,
        prefix: &str,
        hub: Arc<Hub>,
        node_id: String,
        shutdown: CancellationToken,
    ) -> anyhow::Result<(Arc<Self>, mpsc::UnboundedReceiver<Notice>)> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_max_delay(Duration::from_secs(2));
        let conn = tokio::time::timeout(
            Duration::from_secs(5),
            client.get_connection_manager_with_config(config),
        )
        .await
        .map_err(|_| anyhow::anyhow!("connecting to Redis at {url} timed out"))??;
        let (outbox, rx) = mpsc::channel(65_536);
        let (notices_tx, notices) = mpsc::unbounded_channel();
        let broker = Arc::new(Self {
            hub,
            node_id,
            prefix: prefix.to_string(),
            conn: conn.clone(),
            outbox,
            remote: Arc::new(DashMap::new()),
            calls: DashMap::new(),
        });
        tokio::spawn(publisher(
            conn.clone(),
            broker.channel(),
            broker.node_id.clone(),
            rx,
            shutdown.clone(),
        ));
        tokio::spawn(subscriber(client, broker.clone(), shutdown.clone()));
        tokio::spawn(heartbeat(broker.clone(), notices_tx, shutdown));
        Ok((broker, notices))
    }

    fn channel(&self) -> String {
        format!("{}:events", self.prefix)
    }

    fn key(&self, what: &str, node: &str) -> String {
        format!("{}:{what}:{node}", self.prefix)
    }

    /// Reloads who is online on the other live nodes (after a (re)connection).
    async fn load_remote(&self) -> redis::RedisResult<()> {
        let mut conn = self.conn.clone();
        let nodes: Vec<String> = conn.smembers(format!("{}:nodes", self.prefix)).await?;
        let mut fresh: HashMap<i64, HashSet<String>> = HashMap::new();
        for node in nodes.into_iter().filter(|n| *n != self.node_id) {
            let users: Vec<i64> = conn.smembers(self.key("node", &node)).await?;
            for u in users {
                fresh.entry(u).or_default().insert(node.clone());
            }
        }
        self.remote.clear();
        for (u, nodes) in fresh {
            self.remote.insert(u, nodes);
        }
        Ok(())
    }

    fn call_keys(&self, users: [i64; 2]) -> [String; 2] {
        users.map(|u| format!("{}:incall:{u}", self.prefix))
    }
}

/// Runs `TOUCH_CALL` for one call's keys (`ttl` 0 drops them).
async fn touch_call(mut conn: ConnectionManager, keys: [String; 2], call_id: &str, ttl: u64) {
    let [k1, k2] = keys;
    let res: redis::RedisResult<i64> = redis::cmd("EVAL")
        .arg(TOUCH_CALL)
        .arg(2)
        .arg(k1)
        .arg(k2)
        .arg(call_id)
        .arg(ttl)
        .query_async(&mut conn)
        .await;
    if let Err(e) = res {
        tracing::warn!(error = %e, call = call_id, "redis: refreshing or dropping a call");
    }
}

impl RedisBroker {
    fn apply_remote(&self, node: &str, user_id: i64, online: bool) {
        if online {
            self.remote
                .entry(user_id)
                .or_default()
                .insert(node.to_string());
        } else {
            self.remote.remove_if_mut(&user_id, |_, nodes| {
                nodes.remove(node);
                nodes.is_empty()
            });
        }
    }
}

#[async_trait::async_trait]
impl Broker for RedisBroker {
    async fn publish(&self, item: BrokerItem) {
        // Local connections first, without waiting for Redis.
        dispatch(&self.hub, &item);
        let wire = Wire {
            node: self.node_id.clone(),
            item,
        };
        match serde_json::to_string(&wire) {
            Ok(text) => {
                if self.outbox.try_send(text).is_err() {
                    metrics::counter!("switchboard_redis_publish_dropped_total").increment(1);
                }
            }
            Err(e) => tracing::error!(error = %e, "serialising a broker item"),
        }
    }

    fn is_cluster(&self) -> bool {
        true
    }

    async fn claim_call(&self, call_id: &str, users: [i64; 2]) -> Result<(), i64> {
        let [k1, k2] = self.call_keys(users);
        let res: redis::RedisResult<i64> = redis::cmd("EVAL")
            .arg(CLAIM_CALL)
            .arg(2)
            .arg(k1)
            .arg(k2)
            .arg(call_id)
            .arg(ALIVE_TTL_SECS)
            .query_async(&mut self.conn.clone())
            .await;
        match res {
            Ok(0) => {
                self.calls.insert(call_id.to_string(), users);
                Ok(())
            }
            Ok(i) => Err(users[if i == 1 { 0 } else { 1 }]),
            // Redis is never the source of truth: without it, only this node's calls count.
            Err(e) => {
                tracing::warn!(error = %e, "redis: claiming a call; busy checked on this node only");
                Ok(())
            }
        }
    }

    async fn release_call(&self, call_id: &str, users: [i64; 2]) {
        if self.calls.remove(call_id).is_none() {
            return;
        }
        touch_call(self.conn.clone(), self.call_keys(users), call_id, 0).await;
    }

    async fn call_of(&self, user_id: i64) -> Option<String> {
        let key = format!("{}:incall:{user_id}", self.prefix);
        let res: redis::RedisResult<Option<String>> = redis::cmd("GET")
            .arg(key)
            .query_async(&mut self.conn.clone())
            .await;
        res.unwrap_or_else(|e| {
            tracing::warn!(error = %e, user_id, "redis: looking up a user's call");
            None
        })
    }

    fn is_online_elsewhere(&self, user_id: i64) -> bool {
        self.remote.get(&user_id).is_some_and(|n| !n.is_empty())
    }

    async fn node_presence(&self, user_id: i64, online: bool) {
        let mut conn = self.conn.clone();
        let key = self.key("node", &self.node_id);
        let res: redis::RedisResult<()> = if online {
            conn.sadd(&key, user_id).await
        } else {
            conn.srem(&key, user_id).await
        };
        if let Err(e) = res {
            tracing::warn!(error = %e, "redis: recording presence");
        }
        self.publish(BrokerItem::NodePresence {
            node: self.node_id.clone(),
            user_id,
            online,
        })
        .await;
    }
}

/// Tries per event before it counts as lost (each try waits up to the 2 s response timeout).
const PUBLISH_TRIES: u32 = 3;

/// One task publishes, so events leave this node in the order they were published. A failed
/// PUBLISH is retried (a repeat is harmless: connections drop a seq they already delivered);
/// an event lost after every try is followed, once Redis answers again, by a `Resync` that makes
/// the other nodes' clients resume from the database, so no gap stays permanent.
async fn publisher(
    mut conn: ConnectionManager,
    channel: String,
    node_id: String,
    mut rx: mpsc::Receiver<String>,
    shutdown: CancellationToken,
) {
    let resync = serde_json::to_string(&Wire {
        node: node_id.clone(),
        item: BrokerItem::Resync { node: node_id },
    })
    .expect("a resync item serialises");
    let mut lost = false;
    loop {
        let text = tokio::select! {
            _ = shutdown.cancelled() => return,
            t = rx.recv() => match t { Some(t) => t, None => return },
        };
        if lost && publish_with_retries(&mut conn, &channel, &resync).await {
            tracing::info!("redis publishing again: other nodes' clients resume");
            lost = false;
        }
        if !publish_with_retries(&mut conn, &channel, &text).await {
            metrics::counter!("switchboard_redis_publish_lost_total").increment(1);
            lost = true;
        }
    }
}

async fn publish_with_retries(conn: &mut ConnectionManager, channel: &str, text: &str) -> bool {
    for attempt in 0..PUBLISH_TRIES {
        let res: redis::RedisResult<i64> = conn.publish(channel, text).await;
        match res {
            Ok(_) => return true,
            Err(e) => {
                metrics::counter!("switchboard_redis_publish_errors_total").increment(1);
                tracing::warn!(error = %e, attempt, "redis publish failed");
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
            }
        }
    }
    false
}

async fn subscriber(client: redis::Client, broker: Arc<RedisBroker>, shutdown: CancellationToken) {
    let mut was_connected = false;
    loop {
        if shutdown.is_cancelled() {
            return;
        }
        let pubsub = tokio::time::timeout(Duration::from_secs(2), client.get_async_pubsub()).await;
        let mut pubsub = match pubsub {
            Ok(Ok(p)) => p,
            _ => {
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        if pubsub.subscribe(broker.channel()).await.is_err() {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        }
        if let Err(e) = broker.load_remote().await {
            tracing::warn!(error = %e, "redis: loading presence");
        }
        if was_connected {
            // Events may have been missed while we were cut off: every client resumes.
            tracing::warn!("redis subscription restored: asking clients to resume");
            metrics::counter!("switchboard_redis_resubscribed_total").increment(1);
            broker.hub.close_all(close::RESUME);
        }
        was_connected = true;
        let mut stream = pubsub.into_on_message();
        loop {
            let msg = tokio::select! {
                _ = shutdown.cancelled() => return,
                m = stream.next() => m,
            };
            let Some(msg) = msg else { break };
            let Ok(payload) = msg.get_payload::<String>() else {
                continue;
            };
            let Ok(wire) = serde_json::from_str::<Wire>(&payload) else {
                tracing::warn!("redis: ignoring a malformed broker item");
                continue;
            };
            if wire.node == broker.node_id {
                continue;
            }
            match &wire.item {
                BrokerItem::NodePresence {
                    node,
                    user_id,
                    online,
                } => broker.apply_remote(node, *user_id, *online),
                BrokerItem::Resync { node } => {
                    tracing::warn!(%node, "a node lost events on their way: asking clients to resume");
                    metrics::counter!("switchboard_redis_resync_total").increment(1);
                    broker.hub.close_all(close::RESUME);
                }
                item => dispatch(&broker.hub, item),
            }
        }
        tracing::warn!("redis subscription lost; reconnecting");
    }
}

/// Keeps this node's alive key fresh and sweeps nodes whose key expired.
async fn heartbeat(
    broker: Arc<RedisBroker>,
    notices: mpsc::UnboundedSender<Notice>,
    shutdown: CancellationToken,
) {
    let mut tick = tokio::time::interval(HEARTBEAT);
    let nodes_key = format!("{}:nodes", broker.prefix);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => {
                // Leave cleanly: others need not wait for the TTL.
                let mut conn = broker.conn.clone();
                let _: redis::RedisResult<()> = conn.del(broker.key("alive", &broker.node_id)).await;
                return;
            }
            _ = tick.tick() => {}
        }
        let mut conn = broker.conn.clone();
        let alive: redis::RedisResult<()> = conn
            .set_ex(broker.key("alive", &broker.node_id), 1, ALIVE_TTL_SECS)
            .await;
        let joined: redis::RedisResult<()> = conn.sadd(&nodes_key, &broker.node_id).await;
        if alive.is_err() || joined.is_err() {
            continue;
        }
        // This node's calls keep their users busy while the node lives.
        let calls: Vec<(String, [i64; 2])> = broker
            .calls
            .iter()
            .map(|e| (e.key().clone(), *e.value()))
            .collect();
        for (call_id, users) in calls {
            touch_call(
                conn.clone(),
                broker.call_keys(users),
                &call_id,
                ALIVE_TTL_SECS,
            )
            .await;
        }
        let Ok(nodes) = conn.smembers::<_, Vec<String>>(&nodes_key).await else {
            continue;
        };
        for node in nodes.into_iter().filter(|n| *n != broker.node_id) {
            let Ok(exists) = conn.exists::<_, bool>(broker.key("alive", &node)).await else {
                continue;
            };
            if exists {
                continue;
            }
            let users: Vec<i64> = conn
                .smembers(broker.key("node", &node))
                .await
                .unwrap_or_default();
            let _: redis::RedisResult<()> = conn.del(broker.key("node", &node)).await;
            let _: redis::RedisResult<()> = conn.srem(&nodes_key, &node).await;
            tracing::warn!(node = %node, users = users.len(), "a node stopped: its users go offline");
            for user in users {
                broker.apply_remote(&node, user, false);
                if !broker.hub.is_online_here(user) && !broker.is_online_elsewhere(user) {
                    let _ = notices.send(Notice::Offline(user));
                }
            }
        }
    }
}

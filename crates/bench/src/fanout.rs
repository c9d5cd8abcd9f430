//! Persisted fan-out: every member holds one WebSocket, senders send at a constant aggregate
//! rate (open loop: the schedule never waits for answers), and each message carries its send
//! time so the bench measures send→ack and send→delivery to every other member. Also drives
//! `large-room` (one conversation, thousands of members, one sender).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt, stream};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::report::{Latency, Meter, round1};
use crate::ws::{self, Frame, Target};

pub struct PlanConv {
    pub id: i64,
    /// Connection indexes of every member with a connection.
    pub members: Vec<usize>,
    /// Who sends (connection indexes), in turn.
    pub senders: Vec<usize>,
}

pub struct Plan {
    /// One access token per connection.
    pub tokens: Vec<String>,
    pub convs: Vec<PlanConv>,
    pub rates: Vec<f64>,
    pub duration: Duration,
    pub drain: Duration,
    pub connect_concurrency: usize,
}

/// A delivery slower than this is counted in its second (the issue's p99.9 budget), so a run
/// shows whether its tail is spread out or comes in bursts.
const SLOW_US: u64 = 20_000;

/// One rate step of a run.
struct Step {
    first: usize,
    count: usize,
    rate: f64,
    /// Per second of the send window: deliveries slower than `SLOW_US` of messages sent then.
    slow: Vec<AtomicU64>,
    /// Per second of the send window: the delivery latency of messages sent then.
    delivery_by_second: Vec<Latency>,
    ack: Latency,
    delivery: Latency,
    acks: AtomicU64,
    deliveries: AtomicU64,
    last_ack_ns: AtomicU64,
    last_delivery_ns: AtomicU64,
}

struct Shared {
    start: Instant,
    steps: Vec<Step>,
    /// Per message: deliveries seen, acked, and the latest delivery latency (µs).
    delivered: Vec<AtomicU32>,
    acked: Vec<AtomicBool>,
    slowest_us: Vec<AtomicU64>,
    /// Per connection: deliveries slower than `SLOW_US` (all steps).
    slow_by_conn: Vec<AtomicU64>,
    errors: Mutex<BTreeMap<String, u64>>,
    foreign: AtomicU64,
    closed: Mutex<BTreeMap<String, u64>>,
    order_violations: AtomicU64,
    message_order_violations: AtomicU64,
    seq_holes: AtomicU64,
    own_echo: AtomicU64,
}

#[derive(Default)]
struct ConnCheck {
    last: std::collections::HashMap<i64, i64>,
    /// The same over `message` frames only (the protocol's ordering guarantee).
    last_message: std::collections::HashMap<i64, i64>,
    own: std::collections::HashSet<usize>,
}

impl Shared {
    fn step_of(&self, idx: usize) -> Option<&Step> {
        let i = self
            .steps
            .partition_point(|s| s.first <= idx)
            .checked_sub(1)?;
        let s = &self.steps[i];
        (idx < s.first + s.count).then_some(s)
    }

    fn now_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    fn bump(map: &Mutex<BTreeMap<String, u64>>, key: String) {
        *map.lock().expect("lock").entry(key).or_default() += 1;
    }

    /// Records a frame; for `ack` and `message` returns (is_ack, conversation, seq, index).
    fn on_text(&self, conn: usize, text: &str) -> Option<(bool, i64, i64, Option<usize>)> {
        let frame = serde_json::from_str::<Frame>(text).ok()?;
        match frame.ty.as_ref() {
            "ack" | "message" => {
                let m = frame.message?;
                let is_ack = frame.ty == "ack";
                let seen = (is_ack, m.conversation_id, m.seq, None);
                let Some((idx, t)) = ws::parse_body(&m.body) else {
                    self.foreign.fetch_add(1, Relaxed);
                    return Some(seen);
                };
                let Some(step) = self.step_of(idx) else {
                    self.foreign.fetch_add(1, Relaxed);
                    return Some(seen);
                };
                let now = self.now_ns();
                let us = now.saturating_sub(t) / 1000;
                if frame.ty == "ack" {
                    self.acked[idx].store(true, Relaxed);
                    step.ack.record_us(us);
                    step.acks.fetch_add(1, Relaxed);
                    step.last_ack_ns.fetch_max(now, Relaxed);
                } else {
                    self.delivered[idx].fetch_add(1, Relaxed);
                    self.slowest_us[idx].fetch_max(us, Relaxed);
                    step.delivery.record_us(us);
                    let second = ((idx - step.first) as f64 / step.rate) as usize;
                    let second = second.min(step.slow.len() - 1);
                    step.delivery_by_second[second].record_us(us);
                    if us > SLOW_US {
                        self.slow_by_conn[conn].fetch_add(1, Relaxed);
                        step.slow[second].fetch_add(1, Relaxed);
                    }
                    step.deliveries.fetch_add(1, Relaxed);
                    step.last_delivery_ns.fetch_max(now, Relaxed);
                }
                Some((is_ack, m.conversation_id, m.seq, Some(idx)))
            }
            "error" => {
                Self::bump(
                    &self.errors,
                    frame.code.map(|c| c.into_owned()).unwrap_or_default(),
                );
                None
            }
            _ => None,
        }
    }

    /// Checks the per-connection guarantees: per conversation, `ack` and `message` frames
    /// together carry strictly increasing seqs without holes, and a connection never gets its
    /// own message as a `message`.
    fn check(&self, conn: &mut ConnCheck, seen: (bool, i64, i64, Option<usize>)) {
        let (is_ack, conv, seq, idx) = seen;
        if let Some(&last) = conn.last.get(&conv) {
            if seq <= last {
                self.order_violations.fetch_add(1, Relaxed);
            } else if seq > last + 1 {
                self.seq_holes.fetch_add(1, Relaxed);
            }
        }
        let e = conn.last.entry(conv).or_insert(seq);
        *e = (*e).max(seq);
        if !is_ack {
            if conn
                .last_message
                .get(&conv)
                .is_some_and(|&last| seq <= last)
            {
                self.message_order_violations.fetch_add(1, Relaxed);
            }
            let e = conn.last_message.entry(conv).or_insert(seq);
            *e = (*e).max(seq);
        }
        if let Some(i) = idx
            && !is_ack
            && conn.own.contains(&i)
        {
            self.own_echo.fetch_add(1, Relaxed);
        }
    }
}

/// A send to perform: message index and conversation.
type Cmd = (usize, i64);

async fn conn_task(
    me: usize,
    mut socket: ws::Ws,
    mut rx: mpsc::UnboundedReceiver<Cmd>,
    shared: Arc<Shared>,
    run: u64,
) {
    let mut check = ConnCheck::default();
    loop {
        tokio::select! {
            cmd = rx.recv() => {
                let Some((idx, conv)) = cmd else { break };
                check.own.insert(idx);
                // Stamped just before the write: the generator's own queueing is included.
                let t = shared.now_ns();
                let frame = format!(
                    r#"{{"type":"send","conversation_id":{conv},"client_id":"{}","body":"{idx} {t}"}}"#,
                    ws::client_id(run, idx as u64)
                );
                if socket.send(Message::text(frame)).await.is_err() {
                    Shared::bump(&shared.closed, "write failed".into());
                    break;
                }
            }
            frame = socket.next() => match frame {
                Some(Ok(Message::Text(t))) => {
                    if let Some(seen) = shared.on_text(me, &t) {
                        shared.check(&mut check, seen);
                    }
                }
                Some(Ok(Message::Close(c))) => {
                    Shared::bump(&shared.closed, c.map(|c| u16::from(c.code).to_string()).unwrap_or_default());
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    Shared::bump(&shared.closed, e.to_string());
                    break;
                }
                None => break,
            }
        }
    }
}

/// Connects every token (bounded concurrency); connection `i` goes to node `i % targets.len()`,
/// so with several nodes the members of a conversation (consecutive connection indexes) sit on
/// different nodes. Returns the sockets in order.
pub async fn connect_all(
    targets: &[Target],
    tokens: &[String],
    concurrency: usize,
) -> anyhow::Result<Vec<ws::Ws>> {
    anyhow::ensure!(!targets.is_empty(), "no WebSocket server");
    let results: Vec<anyhow::Result<ws::Ws>> = stream::iter(tokens.iter().enumerate())
        .map(|(i, t)| ws::connect(&targets[i % targets.len()], None, t))
        .buffered(concurrency)
        .collect()
        .await;
    results.into_iter().collect()
}

/// Runs the plan; returns one record per rate step.
pub async fn run(
    targets: &[Target],
    plan: Plan,
    server_pid: &[u32],
) -> anyhow::Result<Vec<Map<String, Value>>> {
    let t_connect = Instant::now();
    let sockets = connect_all(targets, &plan.tokens, plan.connect_concurrency).await?;
    let connect_s = t_connect.elapsed().as_secs_f64();
    eprintln!("{} connections ready in {connect_s:.1} s", sockets.len());
    let mut steps = Vec::new();
    let mut first = 0;
    for &rate in &plan.rates {
        let count = (rate * plan.duration.as_secs_f64()).round() as usize;
        steps.push(Step {
            first,
            count,
            rate,
            slow: (0..=plan.duration.as_secs())
                .map(|_| AtomicU64::new(0))
                .collect(),
            delivery_by_second: (0..=plan.duration.as_secs())
                .map(|_| Latency::default())
                .collect(),
            ack: Latency::default(),
            delivery: Latency::default(),
            acks: AtomicU64::new(0),
            deliveries: AtomicU64::new(0),
            last_ack_ns: AtomicU64::new(0),
            last_delivery_ns: AtomicU64::new(0),
        });
        first += count;
    }
    let total = first;
    let shared = Arc::new(Shared {
        start: Instant::now(),
        steps,
        delivered: (0..total).map(|_| AtomicU32::new(0)).collect(),
        acked: (0..total).map(|_| AtomicBool::new(false)).collect(),
        slowest_us: (0..total).map(|_| AtomicU64::new(0)).collect(),
        slow_by_conn: (0..sockets.len()).map(|_| AtomicU64::new(0)).collect(),
        errors: Mutex::default(),
        foreign: AtomicU64::new(0),
        closed: Mutex::default(),
        order_violations: AtomicU64::new(0),
        message_order_violations: AtomicU64::new(0),
        seq_holes: AtomicU64::new(0),
        own_echo: AtomicU64::new(0),
    });
    let run_id = crate::api::run_id();
    let mut txs = Vec::with_capacity(sockets.len());
    let mut tasks = Vec::with_capacity(sockets.len());
    for (me, socket) in sockets.into_iter().enumerate() {
        let (tx, rx) = mpsc::unbounded_channel();
        txs.push(tx);
        tasks.push(tokio::spawn(conn_task(
            me,
            socket,
            rx,
            shared.clone(),
            run_id,
        )));
    }
    // Presence frames of everyone coming online settle first.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut records = Vec::new();
    let nconv = plan.convs.len();
    for (s, &rate) in plan.rates.iter().enumerate() {
        let step = &shared.steps[s];
        let meter = Meter::start(server_pid);
        let t0 = Instant::now();
        let t0_ns = shared.now_ns();
        let mut lag_max = Duration::ZERO;
        let mut next = 0;
        let mut tick = tokio::time::interval(Duration::from_millis(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        while next < step.count {
            tick.tick().await;
            let elapsed = t0.elapsed();
            let due = ((elapsed.as_secs_f64() * rate) as usize + 1).min(step.count);
            while next < due {
                let intended = Duration::from_secs_f64(next as f64 / rate);
                lag_max = lag_max.max(elapsed.saturating_sub(intended));
                let i = step.first + next;
                let conv = &plan.convs[next % nconv];
                let sender = conv.senders[(next / nconv) % conv.senders.len()];
                let _ = txs[sender].send((i, conv.id));
                next += 1;
            }
        }
        let send_s = t0.elapsed().as_secs_f64();
        // Expected deliveries: every member connection but the sender's.
        let expected: u64 = (0..step.count)
            .map(|n| plan.convs[n % nconv].members.len() as u64 - 1)
            .sum();
        let drain_until = Instant::now() + plan.drain;
        while Instant::now() < drain_until {
            if step.acks.load(Relaxed) >= step.count as u64
                && step.deliveries.load(Relaxed) >= expected
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut lost = 0u64;
        let mut duplicates = 0u64;
        let mut acked = 0u64;
        let slowest = Latency::default();
        for n in 0..step.count {
            let i = step.first + n;
            let want = plan.convs[n % nconv].members.len() as u64 - 1;
            let got = shared.delivered[i].load(Relaxed) as u64;
            if shared.acked[i].load(Relaxed) {
                acked += 1;
                lost += want.saturating_sub(got);
                if got >= want {
                    slowest.record_us(shared.slowest_us[i].load(Relaxed));
                }
            }
            duplicates += got.saturating_sub(want);
        }
        let deliveries = step.deliveries.load(Relaxed);
        let secs = |ns: u64| ns.saturating_sub(t0_ns) as f64 / 1e9;
        let ack_span = secs(step.last_ack_ns.load(Relaxed)).max(send_s);
        let deliv_span = secs(step.last_delivery_ns.load(Relaxed)).max(send_s);
        let mut r = Map::new();
        r.insert("rate_target".into(), json!(rate));
        r.insert("duration_s".into(), json!(plan.duration.as_secs_f64()));
        r.insert("connections".into(), json!(plan.tokens.len()));
        r.insert("conversations".into(), json!(nconv));
        r.insert(
            "members".into(),
            json!(plan.convs.first().map_or(0, |c| c.members.len())),
        );
        if targets.len() > 1 {
            // Members of the first conversation on a node other than its first member's.
            let node = |m: usize| m % targets.len();
            r.insert(
                "members_remote".into(),
                json!(plan.convs.first().map_or(0, |c| {
                    c.members
                        .iter()
                        .filter(|&&m| node(m) != node(c.members[0]))
                        .count()
                })),
            );
        }
        r.insert("connect_s".into(), json!(round1(connect_s)));
        r.insert("sent".into(), json!(step.count));
        r.insert("acked".into(), json!(acked));
        r.insert("unacked".into(), json!(step.count as u64 - acked));
        r.insert("acked_per_s".into(), json!(round1(acked as f64 / ack_span)));
        r.insert("expected_deliveries".into(), json!(expected));
        r.insert("deliveries".into(), json!(deliveries));
        r.insert(
            "deliveries_per_s".into(),
            json!(round1(deliveries as f64 / deliv_span)),
        );
        r.insert("lost".into(), json!(lost));
        r.insert("duplicates".into(), json!(duplicates));
        r.insert(
            "generator_lag_max_ms".into(),
            json!(lag_max.as_millis() as u64),
        );
        step.ack.summary("ack", &mut r);
        step.delivery.summary("delivery", &mut r);
        slowest.summary("last_member", &mut r);
        // The connections with the most slow deliveries (cumulative), with their place in
        // their conversation's member list: is the tail spread out or a few connections'?
        let mut by_conn: Vec<(u64, usize)> = shared
            .slow_by_conn
            .iter()
            .enumerate()
            .map(|(c, n)| (n.load(Relaxed), c))
            .collect();
        by_conn.sort_unstable_by(|a, b| b.cmp(a));
        let place = |c: usize| {
            plan.convs
                .iter()
                .find_map(|conv| conv.members.iter().position(|&m| m == c))
        };
        r.insert(
            "slow_connections".into(),
            json!(
                by_conn
                    .iter()
                    .take(10)
                    .map(|&(n, c)| json!({"connection": c, "member": place(c), "slow": n}))
                    .collect::<Vec<_>>()
            ),
        );
        r.insert(
            "deliveries_over_20ms_per_second".into(),
            json!(
                step.slow
                    .iter()
                    .map(|n| n.load(Relaxed))
                    .collect::<Vec<_>>()
            ),
        );
        for (q, name) in [(0.99, "p99"), (0.999, "p999")] {
            r.insert(
                format!("delivery_{name}_ms_per_second"),
                json!(
                    step.delivery_by_second
                        .iter()
                        .map(|l| l.quantile_ms(q))
                        .collect::<Vec<_>>()
                ),
            );
        }
        let errors = std::mem::take(&mut *shared.errors.lock().expect("lock"));
        r.insert("errors".into(), json!(errors.values().sum::<u64>()));
        r.insert("error_codes".into(), json!(errors));
        let closed = shared.closed.lock().expect("lock").clone();
        r.insert("closed".into(), json!(closed));
        r.insert("foreign_frames".into(), json!(shared.foreign.load(Relaxed)));
        // Cumulative over the connections' life (all steps so far).
        r.insert(
            "order_violations".into(),
            json!(shared.order_violations.load(Relaxed)),
        );
        // Of those, `message` frames below an earlier `message` (acks excluded): the protocol
        // only orders `message` frames; an `ack` may overtake another member's older message.
        r.insert(
            "message_order_violations".into(),
            json!(shared.message_order_violations.load(Relaxed)),
        );
        r.insert("seq_holes".into(), json!(shared.seq_holes.load(Relaxed)));
        r.insert("own_echo".into(), json!(shared.own_echo.load(Relaxed)));
        meter.finish(&mut r);
        records.push(r);
    }
    drop(txs);
    for t in tasks {
        t.abort();
    }
    Ok(records)
}

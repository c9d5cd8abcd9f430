//! `idle`, `history`, `login` and `reconnect`.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::{SinkExt, StreamExt, stream};
use serde_json::{Map, Value, json};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

use crate::api::{Api, State};
use crate::report::{Latency, Meter, page_load_figures, round1, round3};
use crate::ws::{self, Frame, Target};

/// Past this many connections per source address the ephemeral ports run out.
const PER_SOURCE: usize = 25_000;

/// Holds `conns` authenticated idle connections; samples the server's RSS as they open.
pub async fn idle(
    target: &Target,
    state: &State,
    conns: usize,
    hold: Duration,
    server_pid: &[u32],
) -> anyhow::Result<Map<String, Value>> {
    let meter = Meter::start(server_pid);
    let base_rss = meter.rss_before;
    let sem = Arc::new(Semaphore::new(200));
    let failures = Arc::new(Mutex::new(BTreeMap::<String, u64>::new()));
    let opened = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(conns);
    let mut samples = Vec::new();
    let step = (conns / 10).max(1);
    let t0 = Instant::now();
    for i in 0..conns {
        let token = state.users[i % state.users.len()].access_token.clone();
        let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + (i / PER_SOURCE) as u8));
        let target = target.clone();
        let permit = sem.clone().acquire_owned().await?;
        let failures = failures.clone();
        let counter = opened.clone();
        tasks.push(tokio::spawn(async move {
            let socket = ws::connect(&target, Some(source), &token).await;
            drop(permit);
            match socket {
                Ok(mut socket) => {
                    counter.fetch_add(1, Relaxed);
                    // Read (and so answer pings) until the run ends.
                    while let Some(Ok(_)) = socket.next().await {}
                }
                Err(e) => {
                    let key = format!("{e:#}").chars().take(80).collect::<String>();
                    *failures.lock().expect("lock").entry(key).or_default() += 1;
                }
            }
        }));
        if (i + 1) % step == 0 {
            // Wait for this batch to be up before sampling.
            let _ = sem.acquire_many(200).await?;
            samples.push(json!({
                "connections": opened.load(Relaxed),
                "server_rss_kib": meter.server_rss(),
            }));
        }
    }
    let _ = sem.acquire_many(200).await?;
    let open_s = t0.elapsed().as_secs_f64();
    tokio::time::sleep(hold).await;
    let open = opened.load(Relaxed);
    let rss = meter.server_rss();
    samples.push(json!({"connections": open, "server_rss_kib": rss}));
    let mut r = Map::new();
    r.insert("connections_target".into(), json!(conns));
    r.insert("connections".into(), json!(open));
    r.insert("open_s".into(), json!(round1(open_s)));
    r.insert("opened_per_s".into(), json!(round1(open as f64 / open_s)));
    if let (Some(a), Some(b)) = (base_rss, rss)
        && open > 0
    {
        let per = (b.saturating_sub(a)) as f64 * 1024.0 / open as f64;
        r.insert("server_bytes_per_conn".into(), json!(per.round()));
        r.insert("server_kib_per_conn".into(), json!(round3(per / 1024.0)));
    }
    let failures = failures.lock().expect("lock").clone();
    r.insert("failed".into(), json!(failures.values().sum::<u64>()));
    r.insert("failures".into(), json!(failures));
    r.insert("samples".into(), Value::Array(samples));
    meter.finish(&mut r);
    for t in tasks {
        t.abort();
    }
    Ok(r)
}

use std::sync::Mutex;

/// The last seq of each conversation, read by one of its members.
async fn last_seqs(api: &Api, state: &State) -> anyhow::Result<Vec<i64>> {
    let results: Vec<anyhow::Result<i64>> = stream::iter(state.conversations.iter())
        .map(|c| {
            let api = api.clone();
            let token = state.users[c.members[0]].access_token.clone();
            async move {
                let v = api
                    .ok(
                        reqwest::Method::GET,
                        &format!("/conversations/{}", c.id),
                        Some(&token),
                        None,
                    )
                    .await?;
                v["last_seq"].as_i64().context("last_seq")
            }
        })
        .buffered(32)
        .collect()
        .await;
    results.into_iter().collect()
}

/// A history page, parsed only as far as counting its messages.
#[derive(serde::Deserialize)]
struct Page {
    items: Vec<serde::de::IgnoredAny>,
}

/// Closed loop: `concurrency` workers fetch 50-message pages for `duration`.
pub async fn history(
    api: &Api,
    state: &State,
    concurrency: usize,
    duration: Duration,
    limit: u32,
    server_pid: &[u32],
) -> anyhow::Result<Map<String, Value>> {
    let seqs = Arc::new(last_seqs(api, state).await?);
    let meter = Meter::start(server_pid);
    let lat = Arc::new(Latency::default());
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let items = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let t0 = Instant::now();
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let (api, lat, ok, errors, items, seqs) = (
            api.clone(),
            lat.clone(),
            ok.clone(),
            errors.clone(),
            items.clone(),
            seqs.clone(),
        );
        let targets: Vec<(i64, String)> = state
            .conversations
            .iter()
            .map(|c| (c.id, state.users[c.members[0]].access_token.clone()))
            .collect();
        workers.push(tokio::spawn(async move {
            let mut n = w as u64;
            while Instant::now() < deadline {
                n = n
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let c = (n >> 33) as usize % targets.len();
                let (id, token) = &targets[c];
                let last = seqs[c];
                // A random full page: the newest `limit` below a random seq.
                let path = if last > limit as i64 {
                    let before = limit as i64 + 1 + (n >> 20) as i64 % (last - limit as i64);
                    format!("/conversations/{id}/messages?before_seq={before}&limit={limit}")
                } else {
                    format!("/conversations/{id}/messages?limit={limit}")
                };
                let t = Instant::now();
                let page = match api.get_bytes(&path, token).await {
                    Ok((200, body)) => serde_json::from_slice::<Page>(&body).ok(),
                    _ => None,
                };
                match page {
                    Some(page) => {
                        lat.record_us(t.elapsed().as_micros() as u64);
                        ok.fetch_add(1, Relaxed);
                        items.fetch_add(page.items.len() as u64, Relaxed);
                    }
                    None => {
                        errors.fetch_add(1, Relaxed);
                    }
                }
            }
        }));
    }
    for w in workers {
        w.await?;
    }
    let mut r = page_load_figures(
        concurrency,
        limit,
        t0.elapsed().as_secs_f64(),
        [&ok, &items, &errors],
    );
    lat.summary("latency", &mut r);
    meter.finish(&mut r);
    Ok(r)
}

/// Closed loop: `concurrency` workers log in as random bench users for `duration`.
pub async fn login(
    api: &Api,
    state: &State,
    concurrency: usize,
    duration: Duration,
    server_pid: &[u32],
) -> anyhow::Result<Map<String, Value>> {
    let meter = Meter::start(server_pid);
    let lat = Arc::new(Latency::default());
    let ok = Arc::new(AtomicU64::new(0));
    let limited = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let creds: Arc<Vec<Value>> = Arc::new(
        state
            .users
            .iter()
            .map(|u| json!({"email": u.email, "password": u.password}))
            .collect(),
    );
    let deadline = Instant::now() + duration;
    let t0 = Instant::now();
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let (api, lat, ok, limited, errors, creds) = (
            api.clone(),
            lat.clone(),
            ok.clone(),
            limited.clone(),
            errors.clone(),
            creds.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut i = w * 7919;
            while Instant::now() < deadline {
                i = (i + concurrency) % creds.len();
                let t = Instant::now();
                match api
                    .call(reqwest::Method::POST, "/auth/login", None, Some(&creds[i]))
                    .await
                {
                    Ok((200, _)) => {
                        lat.record_us(t.elapsed().as_micros() as u64);
                        ok.fetch_add(1, Relaxed);
                    }
                    Ok((429, _)) => {
                        limited.fetch_add(1, Relaxed);
                    }
                    _ => {
                        errors.fetch_add(1, Relaxed);
                    }
                }
            }
        }));
    }
    for w in workers {
        w.await?;
    }
    let secs = t0.elapsed().as_secs_f64();
    let n = ok.load(Relaxed);
    let mut r = Map::new();
    r.insert("concurrency".into(), json!(concurrency));
    r.insert("logins".into(), json!(n));
    r.insert("logins_per_s".into(), json!(round1(n as f64 / secs)));
    r.insert("rate_limited".into(), json!(limited.load(Relaxed)));
    r.insert("errors".into(), json!(errors.load(Relaxed)));
    lat.summary("latency", &mut r);
    meter.finish(&mut r);
    Ok(r)
}

/// What one reconnecting client saw.
#[derive(Default)]
struct Seen {
    gaps: u64,
    duplicates: u64,
    caught_up: Option<Duration>,
    error: Option<String>,
}

/// Connects, resumes from `position`, reads until `resumed` and `target` are both seen.
async fn resume_client(
    target: &Target,
    token: &str,
    conversation: i64,
    position: i64,
    want: i64,
    t0: Instant,
    timeout: Duration,
) -> (i64, Seen) {
    let mut seen = Seen::default();
    let mut last = position;
    let run = async {
        let mut socket = ws::connect(target, None, token).await?;
        let resume = format!(r#"{{"type":"resume","positions":{{"{conversation}":{position}}}}}"#);
        socket.send(Message::text(resume)).await?;
        let mut resumed = false;
        while let Some(frame) = socket.next().await {
            let Message::Text(text) = frame? else {
                continue;
            };
            let Ok(f) = serde_json::from_str::<Frame>(&text) else {
                continue;
            };
            match f.ty.as_ref() {
                "message" => {
                    let Some(m) = f.message else { continue };
                    if m.conversation_id != conversation {
                        continue;
                    }
                    if m.seq <= last {
                        seen.duplicates += 1;
                    } else {
                        if m.seq > last + 1 {
                            seen.gaps += 1;
                        }
                        last = m.seq;
                    }
                }
                "resumed" if f.conversation_id == Some(conversation) => {
                    resumed = true;
                    // Above what we saw, `resumed` may only name messages we can't see (notes):
                    // the bench sends none, so a higher seq means messages were skipped.
                    if let Some(s) = f.last_seq
                        && s > last
                    {
                        seen.gaps += 1;
                        last = s;
                    }
                }
                _ => {}
            }
            if resumed && last >= want {
                seen.caught_up = Some(t0.elapsed());
                return Ok::<_, anyhow::Error>(socket);
            }
        }
        anyhow::bail!("closed before catching up")
    };
    match tokio::time::timeout(timeout, run).await {
        Ok(Ok(socket)) => {
            // Hold it until the storm is over so the server isn't measuring disconnects.
            tokio::spawn(async move {
                let mut socket = socket;
                let _ = tokio::time::timeout(Duration::from_secs(5), async {
                    while let Some(Ok(_)) = socket.next().await {}
                })
                .await;
            });
        }
        Ok(Err(e)) => seen.error = Some(format!("{e:#}").chars().take(80).collect()),
        Err(_) => seen.error = Some("timed out".into()),
    }
    (last, seen)
}

/// N clients (spread over the users, several per user when N is larger) are connected and
/// resumed, all drop at once, messages arrive meanwhile, and all reconnect at once with
/// `resume`. Reports the time until the last one has caught up, and gaps and duplicates.
pub async fn reconnect(
    api: &Api,
    target: &Target,
    state: &State,
    clients: usize,
    messages: usize,
    server_pid: &[u32],
) -> anyhow::Result<Map<String, Value>> {
    // Each client follows the conversation of its user.
    let mut conv_of_user = vec![None; state.users.len()];
    for (c, conv) in state.conversations.iter().enumerate() {
        for &m in &conv.members {
            conv_of_user[m] = Some(c);
        }
    }
    let users: Vec<usize> = (0..state.users.len())
        .filter(|&u| conv_of_user[u].is_some())
        .collect();
    let plan: Vec<(usize, usize)> = (0..clients)
        .map(|i| {
            let u = users[i % users.len()];
            (u, conv_of_user[u].expect("filtered"))
        })
        .collect();
    let mut seqs = last_seqs(api, state).await?;
    // Phase 1: everyone online and resumed at the current position.
    eprintln!("reconnect: connecting {clients} clients");
    let t_connect = Instant::now();
    let sockets: Vec<anyhow::Result<ws::Ws>> = stream::iter(plan.iter())
        .map(|&(u, _)| ws::connect(target, None, &state.users[u].access_token))
        .buffered(256)
        .collect()
        .await;
    let sockets: Vec<ws::Ws> = sockets.into_iter().collect::<anyhow::Result<_>>()?;
    let connect_s = t_connect.elapsed().as_secs_f64();
    // Phase 2: all drop at once.
    drop(sockets);
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Phase 3: messages arrive while they are away (posted over REST by the requester).
    eprintln!("reconnect: posting {messages} messages per conversation while offline");
    let positions = seqs.clone();
    let posts: Vec<(usize, usize)> = (0..messages)
        .flat_map(|k| (0..state.conversations.len()).map(move |c| (c, k)))
        .collect();
    let results: Vec<anyhow::Result<(usize, i64)>> = stream::iter(posts)
        .map(|(c, k)| {
            let api = api.clone();
            let conv = &state.conversations[c];
            let token = state.users[conv.members[0]].access_token.clone();
            let run = crate::api::run_id();
            async move {
                let v = api
                    .ok(
                        reqwest::Method::POST,
                        &format!("/conversations/{}/messages", conv.id),
                        Some(&token),
                        Some(&json!({"body": format!("offline {k}"), "client_id": ws::client_id(run, (c * 1000 + k) as u64 + (1 << 40))})),
                    )
                    .await?;
                Ok((c, v["seq"].as_i64().context("seq")?))
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    for r in results {
        let (c, seq) = r?;
        seqs[c] = seqs[c].max(seq);
    }
    let meter = Meter::start(server_pid);
    // Phase 4: the storm.
    eprintln!("reconnect: {clients} clients reconnect at once");
    let t0 = Instant::now();
    let timeout = Duration::from_secs(60);
    let mut tasks = Vec::with_capacity(clients);
    for &(u, c) in &plan {
        let target = target.clone();
        let token = state.users[u].access_token.clone();
        let conv = state.conversations[c].id;
        let (pos, want) = (positions[c], seqs[c]);
        tasks.push(tokio::spawn(async move {
            resume_client(&target, &token, conv, pos, want, t0, timeout).await
        }));
    }
    let mut gaps = 0;
    let mut duplicates = 0;
    let mut done = Vec::new();
    let mut failures: BTreeMap<String, u64> = BTreeMap::new();
    for t in tasks {
        let (_, seen) = t.await?;
        gaps += seen.gaps;
        duplicates += seen.duplicates;
        match (seen.caught_up, seen.error) {
            (Some(d), _) => done.push(d),
            (None, e) => *failures.entry(e.unwrap_or_default()).or_default() += 1,
        }
    }
    done.sort();
    let pct = |q: f64| -> Value {
        if done.is_empty() {
            return Value::Null;
        }
        let i = ((done.len() as f64 * q).ceil() as usize).clamp(1, done.len()) - 1;
        json!(round3(done[i].as_secs_f64()))
    };
    let mut r = Map::new();
    r.insert("clients".into(), json!(clients));
    r.insert("users".into(), json!(users.len().min(clients)));
    r.insert("messages_while_offline".into(), json!(messages));
    r.insert("initial_connect_s".into(), json!(round1(connect_s)));
    r.insert("caught_up".into(), json!(done.len()));
    r.insert("all_caught_up_s".into(), pct(1.0));
    r.insert("p50_caught_up_s".into(), pct(0.5));
    r.insert("p99_caught_up_s".into(), pct(0.99));
    r.insert("gaps".into(), json!(gaps));
    r.insert("duplicates".into(), json!(duplicates));
    r.insert("failed".into(), json!(failures.values().sum::<u64>()));
    r.insert("failures".into(), json!(failures));
    meter.finish(&mut r);
    Ok(r)
}

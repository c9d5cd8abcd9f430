//! `search`: closed-loop `GET /api/v1/search` as the bench's agents, over a database filled by
//! scripts/search-bench-fill.py (the default queries are words that script writes, from common
//! to rare, a part of a word, two words and CJK of two and three characters). Reports the
//! latency over all queries and per query.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::api::{Api, State};
use crate::report::{Latency, Meter, page_load_figures};

#[derive(Deserialize)]
struct Page {
    items: Vec<Value>,
}

pub async fn search(
    api: &Api,
    state: &State,
    queries: Vec<String>,
    concurrency: usize,
    duration: Duration,
    limit: u32,
    server_pid: &[u32],
) -> anyhow::Result<Map<String, Value>> {
    let mut tokens: Vec<String> = state
        .users
        .iter()
        .filter(|u| u.role == "agent")
        .map(|u| u.access_token.clone())
        .collect();
    if tokens.is_empty() {
        tokens = state.users.iter().map(|u| u.access_token.clone()).collect();
    }
    anyhow::ensure!(
        !tokens.is_empty() && !queries.is_empty(),
        "no users or queries"
    );
    let tokens = Arc::new(tokens);
    let queries = Arc::new(queries);
    let per_query: Arc<Vec<Latency>> =
        Arc::new(queries.iter().map(|_| Latency::default()).collect());
    let meter = Meter::start(server_pid);
    let lat = Arc::new(Latency::default());
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let items = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let t0 = Instant::now();
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let (api, lat, ok, errors, items, tokens, queries, per_query) = (
            api.clone(),
            lat.clone(),
            ok.clone(),
            errors.clone(),
            items.clone(),
            tokens.clone(),
            queries.clone(),
            per_query.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut n = w as u64 + 1;
            while Instant::now() < deadline {
                n = n
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let q = (n >> 33) as usize % queries.len();
                let token = &tokens[(n >> 17) as usize % tokens.len()];
                let path = format!("/search?q={}&limit={limit}", encode(&queries[q]));
                let t = Instant::now();
                let page = match api.get_bytes(&path, token).await {
                    Ok((200, body)) => serde_json::from_slice::<Page>(&body).ok(),
                    _ => None,
                };
                match page {
                    Some(page) => {
                        let us = t.elapsed().as_micros() as u64;
                        lat.record_us(us);
                        per_query[q].record_us(us);
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
    let mut by_query = Map::new();
    for (q, l) in queries.iter().zip(per_query.iter()) {
        let mut one = Map::new();
        l.summary("latency", &mut one);
        by_query.insert(q.clone(), Value::Object(one));
    }
    r.insert("by_query".into(), Value::Object(by_query));
    meter.finish(&mut r);
    Ok(r)
}

/// Percent-encodes a query value (everything but unreserved ASCII).
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(super::encode("INV-4 發"), "INV-4%20%E7%99%BC");
    }
}

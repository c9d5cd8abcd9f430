//! Sending as the app's outbox does (client ids that spell their number, resent until acked)
//! and the ledger of acks that the stored history is audited against.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::*;

/// Client ids must be UUIDs: message `n` gets one that spells `n`.
pub(super) fn cid(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

pub(super) fn parse_cid(s: &str) -> Option<u64> {
    s.strip_prefix("00000000-0000-4000-8000-")?.parse().ok()
}

pub(super) fn body_of(n: u64) -> String {
    format!("message {n} {}", "x".repeat((n % 50) as usize))
}

#[derive(Default)]
pub(super) struct Ledger {
    /// client ids written to a socket, in order.
    pub(super) sent: Vec<u64>,
    /// The same, to look one up.
    pub(super) sent_set: HashSet<u64>,
    /// client id → (seq, body) from its ack.
    pub(super) acked: HashMap<u64, (i64, String)>,
    /// acks that contradicted an earlier ack of the same client id.
    pub(super) contradictions: Vec<String>,
    pub(super) errors: Vec<String>,
}

/// How often a sender writes; it writes a burst each time to offer its rate.
pub(super) const TICK: Duration = Duration::from_millis(4);

/// Sends (resending `pending` first, then new ids from `next`) `burst` frames every [`TICK`]
/// until `stop`, recording acks.
#[allow(clippy::too_many_arguments)]
pub(super) async fn run_sender(
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

pub(super) fn pending(ledger: &Ledger) -> Vec<u64> {
    ledger
        .sent
        .iter()
        .copied()
        .filter(|id| !ledger.acked.contains_key(id))
        .collect()
}

pub(super) fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Checks a listing against the ledger; returns (lost, duplicated, wrong) descriptions.
pub(super) fn audit(
    listing: &[(i64, String, String)],
    ledger: &Ledger,
    source: &str,
) -> Vec<String> {
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

/// Sends `ids` one at a time and returns, per id, the ack's seq or the error code.
pub(super) async fn send_each(
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

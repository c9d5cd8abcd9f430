//! Probing: which objects a route's ids name, bodies that would succeed for someone allowed,
//! one request as sent, and what sockets and the sweep collect.

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use switchboard_test_support::{TestApp, TestUser};

use super::*;

/// Classifies a templated route by the objects its ids name. A new route under a known prefix is
/// swept automatically; one under a new prefix fails here until it is added.
pub(super) fn classify(path: &str) -> Option<Kind> {
    let rest = path.strip_prefix("/api/v1/")?;
    let params = path.matches('{').count();
    let first = rest.split('/').next().unwrap_or_default();
    Some(match first {
        "tickets" => Kind::Ticket,
        "conversations" => Kind::Conversation,
        "files" => Kind::File,
        "friend-requests" => Kind::FriendRequest,
        "notifications" => Kind::Notification,
        "teams" if params == 2 => Kind::TeamMember,
        "teams" => Kind::Team,
        "admin" if rest.starts_with("admin/webhooks/") && params == 2 => Kind::AdminWebhookDelivery,
        "admin" if rest.starts_with("admin/webhooks/") => Kind::AdminWebhook,
        // A team's routing: the id is a team's.
        "admin" if rest.starts_with("admin/teams/") => Kind::Team,
        "admin" if rest.starts_with("admin/tickets/") => Kind::AdminTicket,
        "admin" => Kind::AdminUser,
        "users" => Kind::PublicUser,
        "contacts" | "blocks" => Kind::SelfScoped,
        "canned-responses" => Kind::CannedResponse,
        "messages" if params == 2 => Kind::MessageReaction,
        "messages" => Kind::Message,
        // Muting names a conversation; the rest, one of your devices.
        "push" if rest.starts_with("push/mutes/") => Kind::Conversation,
        "push" => Kind::PushSubscription,
        _ => return None,
    })
}

pub(super) fn fill(template: &str, ids: &[i64]) -> String {
    let mut out = String::new();
    let mut ids = ids.iter();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').expect("closing brace") + start;
        out.push_str(&rest[..start]);
        out.push_str(&ids.next().expect("an id per parameter").to_string());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Bodies that would succeed for someone allowed: the refusal must come from authorization.
pub(super) fn bodies(
    method: &str,
    template: &str,
    world: &World,
    caller: Option<Who>,
    obj: &Obj,
) -> Vec<Value> {
    let me = caller.map(|w| world.user(w).id).unwrap_or(1);
    match (method, template) {
        ("PATCH", t) if t.ends_with("/tickets/{id}") => {
            let version = world.ticket_versions.get(&obj.ids[0]).copied().unwrap_or(1);
            vec![
                json!({"version": version, "priority": "urgent", "status": "closed", "tags": ["pwned"], "assignee_id": me}),
                // A stale version: a 409 here would carry the ticket as it is now.
                json!({"version": version + 7, "priority": "low"}),
            ]
        }
        ("POST", t) if t.ends_with("/messages") => vec![
            json!({"body": "PWNED", "client_id": uuid::Uuid::new_v4().to_string()}),
            json!({"body": "PWNED", "client_id": uuid::Uuid::new_v4().to_string(), "kind": "note"}),
        ],
        ("POST", t) if t.ends_with("/read") && t.contains("conversations") => {
            vec![json!({"seq": 1})]
        }
        ("PATCH", t) if t.ends_with("/teams/{id}") => vec![json!({"name": "pwned"})],
        ("PATCH", "/api/v1/messages/{id}") => vec![json!({"body": "PWNED"})],
        ("PATCH", t) if t.starts_with("/api/v1/canned-responses") => {
            vec![json!({"body": "PWNED"})]
        }
        ("POST", t) if t.ends_with("/render") => world
            .conversations
            .iter()
            .map(|(_, id, _)| json!({"conversation_id": id}))
            .collect(),
        ("POST", t) if t.ends_with("/members") => vec![json!({"user_id": me})],
        ("PATCH", t) if t.starts_with("/api/v1/admin/users") => {
            vec![json!({"role": "admin"}), json!({"disabled": true})]
        }
        ("PATCH", t) if t.starts_with("/api/v1/admin/webhooks") => {
            vec![json!({"enabled": true, "include_notes": true})]
        }
        ("POST", t) if t.ends_with("/csat") => vec![json!({"score": 1, "comment": "PWNED"})],
        ("PUT", t) if t.ends_with("/routing") => vec![
            json!({"rule": "round_robin", "max_open": 1, "unassigned_limit_minutes": 1, "on_breach": "reassign"}),
        ],
        ("POST" | "PATCH" | "PUT", _) => vec![json!({})],
        _ => vec![Value::Null],
    }
}

/// Searches as everyone: by the canaries' common prefix (whole, lower-case, partial), the
/// notes' label, the LIKE wildcards (which would match everything if they were not literal),
/// and narrowed to each conversation, each sender and a ticket status.
pub(super) fn search_paths(w: &World) -> Vec<String> {
    let mut paths: Vec<String> = [
        "q=CANARY&limit=50",
        "q=canary&limit=50",
        "q=ANAR",
        "q=note&limit=50",
        "q=%25&limit=50",
        "q=_&limit=50",
        "q=CANARY&ticket_status=open&limit=50",
    ]
    .iter()
    .map(|q| format!("/api/v1/search?{q}"))
    .collect();
    for (_, conv, _) in &w.conversations {
        paths.push(format!(
            "/api/v1/search?q=CANARY&conversation={conv}&limit=50"
        ));
    }
    for who in EVERYONE {
        let id = w.user(who).id;
        paths.push(format!("/api/v1/search?q=CANARY&from={id}&limit=50"));
    }
    paths
}

/// A search answer splits each text into snippet parts around the matched words, so a canary
/// never appears whole in its bytes: the bytes with each hit's parts joined, for the canary
/// checks (any other answer comes back as it was).
pub(super) fn with_snippets_joined(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    // A probe's bytes are its header lines, then the body.
    let body = match bytes.windows(2).position(|w| w == b"\n{") {
        Some(i) => &bytes[i + 1..],
        None => bytes,
    };
    let Ok(page) = serde_json::from_slice::<Value>(body) else {
        return out;
    };
    for hit in page["items"].as_array().into_iter().flatten() {
        for part in hit["snippet"].as_array().into_iter().flatten() {
            out.extend_from_slice(part["text"].as_str().unwrap_or_default().as_bytes());
        }
        out.push(b'\n');
    }
    out
}

/// The next frame that answers a request (presence and typing of others are skipped).
pub(super) async fn next_answer(ws: &mut switchboard_test_support::WsClient) -> Value {
    loop {
        let f = ws.recv().await;
        if f["type"] != "presence" && f["type"] != "typing" {
            return f;
        }
    }
}

pub(super) struct Probe {
    pub(super) status: u16,
    pub(super) bytes: Vec<u8>,
}

pub(super) async fn probe(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: &Value,
) -> Probe {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app.client.request(method, app.url(path));
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    if !body.is_null() {
        req = req.json(body);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let mut bytes = Vec::new();
    for (name, value) in resp.headers() {
        bytes.extend_from_slice(name.as_str().as_bytes());
        bytes.extend_from_slice(b": ");
        bytes.extend_from_slice(value.as_bytes());
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(&resp.bytes().await.unwrap_or_default());
    Probe { status, bytes }
}

/// Every text frame a socket receives, kept for the canary check.
pub(super) struct Collector {
    pub(super) frames: Arc<Mutex<Vec<String>>>,
    pub(super) task: tokio::task::JoinHandle<()>,
}

impl Collector {
    pub(super) async fn open(app: &TestApp, user: &TestUser) -> Collector {
        let ws = app.ws(user).await;
        let frames = Arc::new(Mutex::new(Vec::new()));
        let sink = frames.clone();
        let mut stream = ws.stream;
        let task = tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                if let Message::Text(t) = msg {
                    sink.lock().unwrap().push(t.to_string());
                }
            }
        });
        Collector { frames, task }
    }

    pub(super) fn text(&self) -> String {
        self.frames.lock().unwrap().join("\n")
    }
}

#[derive(Default)]
pub(super) struct Tally {
    pub(super) tried: usize,
    pub(super) refused: usize,
    pub(super) leaked: usize,
    pub(super) failures: Vec<String>,
}

impl Tally {
    pub(super) fn fail(&mut self, what: String) {
        if self.failures.len() < 200 {
            self.failures.push(what);
        }
    }
}

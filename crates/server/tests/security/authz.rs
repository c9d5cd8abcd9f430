//! The authorization sweep. Five people (two customers, two agents in different teams, an admin)
//! each own tickets, conversations, messages, internal notes, files, friend requests and
//! notifications seeded with canary strings. Every route of `/openapi.json` that takes an id is
//! replayed by every identity that may not see the object, and every authenticated route with
//! no, expired, forged and unsigned tokens; every WebSocket frame that takes an id likewise.
//! Answers must be refusals (404 or 403; 401 without a valid token) indistinguishable from an
//! unknown id, and no canary may appear in any response body, header or WebSocket frame of
//! someone who may not see it. Nothing may change.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use switchboard::domain::Role;
use tokio_tungstenite::tungstenite::Message;

use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, TestUser};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Admin,
    AgentA,
    AgentB,
    Ana,
    Bob,
}

const EVERYONE: [Who; 5] = [Who::Admin, Who::AgentA, Who::AgentB, Who::Ana, Who::Bob];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Ticket,
    Conversation,
    File,
    FriendRequest,
    Notification,
    Team,
    TeamMember,
    AdminUser,
    /// A canned response: its owner's, or (shared) every staff member's.
    CannedResponse,
    /// Readable by every signed-in user (avatars).
    PublicUser,
    /// Acts on the caller's own relations (contacts, blocks): any id is fine, nothing leaks.
    SelfScoped,
}

#[derive(Clone, Debug)]
struct Obj {
    kind: Kind,
    label: String,
    ids: Vec<i64>,
    allowed: Vec<Who>,
}

struct World {
    users: BTreeMap<Who, TestUser>,
    canaries: Vec<(String, Vec<Who>)>,
    objects: Vec<Obj>,
    ticket_versions: BTreeMap<i64, i64>,
    conversations: Vec<(String, i64, Vec<Who>)>,
    tickets: Vec<i64>,
}

impl World {
    fn user(&self, who: Who) -> &TestUser {
        &self.users[&who]
    }

    fn canary(&mut self, label: &str, visible: &[Who]) -> String {
        let c = format!(
            "CANARY{}{}",
            label.replace(' ', ""),
            uuid::Uuid::new_v4().simple()
        );
        self.canaries.push((c.clone(), visible.to_vec()));
        c
    }

    /// The canaries `who` may not see that occur in `bytes`.
    fn leaks(&self, who: Option<Who>, bytes: &[u8]) -> Vec<String> {
        let text = String::from_utf8_lossy(bytes);
        self.canaries
            .iter()
            .filter(|(c, visible)| who.is_none_or(|w| !visible.contains(&w)) && text.contains(c))
            .map(|(c, _)| c.clone())
            .collect()
    }
}

/// Classifies a templated route by the objects its ids name. A new route under a known prefix is
/// swept automatically; one under a new prefix fails here until it is added.
fn classify(path: &str) -> Option<Kind> {
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
        "admin" => Kind::AdminUser,
        "users" => Kind::PublicUser,
        "contacts" | "blocks" => Kind::SelfScoped,
        "canned-responses" => Kind::CannedResponse,
        _ => return None,
    })
}

fn fill(template: &str, ids: &[i64]) -> String {
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
fn bodies(
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
        ("POST" | "PATCH" | "PUT", _) => vec![json!({})],
        _ => vec![Value::Null],
    }
}

/// The next frame that answers a request (presence and typing of others are skipped).
async fn next_answer(ws: &mut switchboard_test_support::WsClient) -> Value {
    loop {
        let f = ws.recv().await;
        if f["type"] != "presence" && f["type"] != "typing" {
            return f;
        }
    }
}

struct Probe {
    status: u16,
    bytes: Vec<u8>,
}

async fn probe(app: &TestApp, method: &str, path: &str, auth: Option<&str>, body: &Value) -> Probe {
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

async fn seed(app: &TestApp) -> World {
    let mut users = BTreeMap::new();
    users.insert(Who::Admin, app.user_with_role("Admin", Role::Admin).await);
    users.insert(Who::AgentA, app.user_with_role("Alice", Role::Agent).await);
    users.insert(Who::AgentB, app.user_with_role("Barry", Role::Agent).await);
    users.insert(Who::Ana, app.register("Ana").await);
    users.insert(Who::Bob, app.register("Bob").await);
    let mut w = World {
        users,
        canaries: Vec::new(),
        objects: Vec::new(),
        ticket_versions: BTreeMap::new(),
        conversations: Vec::new(),
        tickets: Vec::new(),
    };
    let admin = w.user(Who::Admin).clone();

    // Teams: A holds Alice, B holds Barry.
    let mut teams = Vec::new();
    for (name, agent) in [("Billing", Who::AgentA), ("Tech", Who::AgentB)] {
        let (s, team) = app
            .post("/api/v1/teams", Some(&admin.token), json!({"name": name}))
            .await;
        assert_eq!(s, 201, "{team}");
        let id = team["id"].as_i64().unwrap();
        let (s, team) = app
            .post(
                &format!("/api/v1/teams/{id}/members"),
                Some(&admin.token),
                json!({"user_id": w.user(agent).id}),
            )
            .await;
        assert_eq!(s, 200, "{team}");
        teams.push(id);
        w.objects.push(Obj {
            kind: Kind::Team,
            label: format!("team {name}"),
            ids: vec![id],
            allowed: vec![Who::Admin],
        });
        w.objects.push(Obj {
            kind: Kind::TeamMember,
            label: format!("team {name} member"),
            ids: vec![id, w.user(agent).id],
            allowed: vec![Who::Admin],
        });
    }

    // A ticket per customer, in the team of one agent and assigned to them.
    for (customer, agent, team) in [
        (Who::Ana, Who::AgentA, teams[0]),
        (Who::Bob, Who::AgentB, teams[1]),
    ] {
        let c = w.user(customer).clone();
        let a = w.user(agent).clone();
        let (s, t) = app
            .post(
                "/api/v1/tickets",
                Some(&c.token),
                json!({"subject": "Help please", "body": "It is broken", "priority": "high"}),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        let id = t["id"].as_i64().unwrap();
        let conv = t["conversation_id"].as_i64().unwrap();
        let (s, t) = app
            .patch(
                &format!("/api/v1/tickets/{id}"),
                Some(&admin.token),
                json!({"version": t["version"], "team_id": team, "assignee_id": a.id}),
            )
            .await;
        assert_eq!(s, 200, "{t}");
        let viewers = vec![customer, agent, Who::Admin];
        let staff = vec![agent, Who::Admin];

        // The customer's message with an attachment.
        let body = w.canary(&format!("{customer:?}ticketmsg"), &viewers);
        let fname = w.canary(&format!("{customer:?}fname"), &viewers);
        let content = w.canary(&format!("{customer:?}fbytes"), &viewers);
        let file = upload(
            app,
            &c,
            &format!("{fname}.txt"),
            content.as_bytes().to_vec(),
        )
        .await;
        post_message(app, &c, conv, &body, None, &[file]).await;
        // The agent's reply and an internal note with a file of its own.
        let reply = w.canary(&format!("{agent:?}reply"), &viewers);
        post_message(app, &a, conv, &reply, None, &[]).await;
        let note = w.canary(&format!("{agent:?}note"), &staff);
        let note_name = w.canary(&format!("{agent:?}notefname"), &staff);
        let note_bytes = w.canary(&format!("{agent:?}notefbytes"), &staff);
        let note_file = upload(
            app,
            &a,
            &format!("{note_name}.txt"),
            note_bytes.as_bytes().to_vec(),
        )
        .await;
        post_message(app, &a, conv, &note, Some("note"), &[note_file]).await;

        let (_, now) = app
            .get(&format!("/api/v1/tickets/{id}"), Some(&admin.token))
            .await;
        w.ticket_versions
            .insert(id, now["version"].as_i64().unwrap());
        w.tickets.push(id);
        w.objects.push(Obj {
            kind: Kind::Ticket,
            label: format!("{customer:?}'s ticket"),
            ids: vec![id],
            allowed: viewers.clone(),
        });
        w.objects.push(Obj {
            kind: Kind::Conversation,
            label: format!("{customer:?}'s ticket conversation"),
            ids: vec![conv],
            allowed: viewers.clone(),
        });
        w.conversations
            .push((format!("{customer:?}'s ticket"), conv, viewers.clone()));
        w.objects.push(Obj {
            kind: Kind::File,
            label: format!("{customer:?}'s attachment"),
            ids: vec![file],
            allowed: viewers.clone(),
        });
        w.objects.push(Obj {
            kind: Kind::File,
            label: format!("{agent:?}'s note attachment"),
            ids: vec![note_file],
            allowed: staff.clone(),
        });

        // A direct conversation between the agent and the customer (not even admins see it).
        let direct = app.direct(&a, &c).await;
        let pair = vec![agent, customer];
        let from_agent = w.canary(&format!("{agent:?}direct"), &pair);
        post_message(app, &a, direct, &from_agent, None, &[]).await;
        let from_customer = w.canary(&format!("{customer:?}direct"), &pair);
        let dname = w.canary(&format!("{customer:?}dfname"), &pair);
        let dbytes = w.canary(&format!("{customer:?}dfbytes"), &pair);
        let dfile = upload(app, &c, &format!("{dname}.txt"), dbytes.into_bytes()).await;
        post_message(app, &c, direct, &from_customer, None, &[dfile]).await;
        w.objects.push(Obj {
            kind: Kind::Conversation,
            label: format!("{agent:?}–{customer:?} direct"),
            ids: vec![direct],
            allowed: pair.clone(),
        });
        w.conversations.push((
            format!("{agent:?}–{customer:?} direct"),
            direct,
            pair.clone(),
        ));
        w.objects.push(Obj {
            kind: Kind::File,
            label: format!("{customer:?}'s direct attachment"),
            ids: vec![dfile],
            allowed: pair,
        });
    }

    // Files never attached: only their uploader.
    for who in [Who::Bob, Who::Admin, Who::AgentA] {
        let u = w.user(who).clone();
        let name = w.canary(&format!("{who:?}loosename"), &[who]);
        let bytes = w.canary(&format!("{who:?}loosebytes"), &[who]);
        let id = upload(app, &u, &format!("{name}.txt"), bytes.into_bytes()).await;
        w.objects.push(Obj {
            kind: Kind::File,
            label: format!("{who:?}'s unattached file"),
            ids: vec![id],
            allowed: vec![who],
        });
    }

    // A pending friend request from Bob to Ana.
    let (s, fr) = app
        .post(
            "/api/v1/friend-requests",
            Some(&w.user(Who::Bob).token),
            json!({"to_user_id": w.user(Who::Ana).id}),
        )
        .await;
    assert_eq!(s, 201, "{fr}");
    w.objects.push(Obj {
        kind: Kind::FriendRequest,
        label: "Bob → Ana friend request".into(),
        ids: vec![fr["id"].as_i64().unwrap()],
        allowed: vec![Who::Bob, Who::Ana],
    });

    // Everyone's notifications, and every user for the user routes.
    for who in EVERYONE {
        let u = w.user(who).clone();
        let (s, list) = app.get("/api/v1/notifications", Some(&u.token)).await;
        assert_eq!(s, 200, "{list}");
        for n in list["items"].as_array().unwrap() {
            w.objects.push(Obj {
                kind: Kind::Notification,
                label: format!("{who:?}'s notification {}", n["kind"]),
                ids: vec![n["id"].as_i64().unwrap()],
                allowed: vec![who],
            });
        }
        w.objects.push(Obj {
            kind: Kind::AdminUser,
            label: format!("user {who:?}"),
            ids: vec![u.id],
            allowed: vec![Who::Admin],
        });
        for kind in [Kind::PublicUser, Kind::SelfScoped] {
            w.objects.push(Obj {
                kind,
                label: format!("user {who:?}"),
                ids: vec![u.id],
                allowed: EVERYONE.to_vec(),
            });
        }
    }
    assert!(
        w.objects.iter().any(|o| o.kind == Kind::Notification),
        "assignments notify the agents"
    );

    // Each agent's own canned response, and one the admin shares with the desk.
    let staff = [Who::Admin, Who::AgentA, Who::AgentB];
    for (owner, shared, allowed) in [
        (Who::AgentA, false, vec![Who::AgentA]),
        (Who::AgentB, false, vec![Who::AgentB]),
        (Who::Admin, true, staff.to_vec()),
    ] {
        let body = w.canary(&format!("canned {owner:?}"), &allowed);
        let (s, r) = app
            .post(
                "/api/v1/canned-responses",
                Some(&w.user(owner).token),
                json!({"shortcut": "hello", "title": "Hello", "body": body, "shared": shared}),
            )
            .await;
        assert_eq!(s, 201, "{r}");
        w.objects.push(Obj {
            kind: Kind::CannedResponse,
            label: format!("{owner:?}'s canned response (shared: {shared})"),
            ids: vec![r["id"].as_i64().unwrap()],
            allowed,
        });
    }
    w
}

async fn upload(app: &TestApp, user: &TestUser, name: &str, bytes: Vec<u8>) -> i64 {
    let (s, f) = app
        .upload(
            reqwest::Method::POST,
            "/api/v1/files",
            &user.token,
            name,
            "text/plain",
            bytes,
        )
        .await;
    assert_eq!(s, 201, "{f}");
    f["id"].as_i64().unwrap()
}

async fn post_message(
    app: &TestApp,
    user: &TestUser,
    conversation: i64,
    body: &str,
    kind: Option<&str>,
    files: &[i64],
) {
    let mut payload = json!({"body": body, "client_id": uuid::Uuid::new_v4().to_string(), "attachment_ids": files});
    if let Some(k) = kind {
        payload["kind"] = json!(k);
    }
    let (s, m) = app
        .post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(&user.token),
            payload,
        )
        .await;
    assert_eq!(s, 201, "{m}");
}

/// What must not change whatever the sweep tries.
async fn snapshot(app: &TestApp, w: &World) -> Value {
    let admin = &w.user(Who::Admin).token;
    let mut out = serde_json::Map::new();
    for id in &w.tickets {
        out.insert(
            format!("ticket {id}"),
            app.get(&format!("/api/v1/tickets/{id}"), Some(admin))
                .await
                .1,
        );
        out.insert(
            format!("ticket {id} events"),
            app.get(&format!("/api/v1/tickets/{id}/events"), Some(admin))
                .await
                .1,
        );
    }
    for (label, conv, members) in &w.conversations {
        let who = w.user(members[0]);
        out.insert(
            format!("{label} messages"),
            app.get(
                &format!("/api/v1/conversations/{conv}/messages?limit=200"),
                Some(&who.token),
            )
            .await
            .1,
        );
        for m in members {
            out.insert(
                format!("{label} as {m:?}"),
                app.get(
                    &format!("/api/v1/conversations/{conv}"),
                    Some(&w.user(*m).token),
                )
                .await
                .1,
            );
        }
    }
    out.insert(
        "teams".into(),
        app.get("/api/v1/teams", Some(admin)).await.1,
    );
    for who in [Who::Admin, Who::AgentA, Who::AgentB] {
        out.insert(
            format!("{who:?} canned responses"),
            app.get("/api/v1/canned-responses", Some(&w.user(who).token))
                .await
                .1,
        );
    }
    out.insert(
        "users".into(),
        app.get("/api/v1/admin/users?limit=100", Some(admin))
            .await
            .1,
    );
    for who in EVERYONE {
        let t = &w.user(who).token;
        out.insert(
            format!("{who:?} notifications"),
            app.get("/api/v1/notifications", Some(t)).await.1,
        );
        out.insert(
            format!("{who:?} friend requests"),
            app.get("/api/v1/friend-requests", Some(t)).await.1,
        );
        out.insert(
            format!("{who:?} contacts"),
            app.get("/api/v1/contacts", Some(t)).await.1,
        );
    }
    Value::Object(out)
}

/// Every text frame a socket receives, kept for the canary check.
struct Collector {
    frames: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Collector {
    async fn open(app: &TestApp, user: &TestUser) -> Collector {
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

    fn text(&self) -> String {
        self.frames.lock().unwrap().join("\n")
    }
}

#[derive(Default)]
struct Tally {
    tried: usize,
    refused: usize,
    leaked: usize,
    failures: Vec<String>,
}

impl Tally {
    fn fail(&mut self, what: String) {
        if self.failures.len() < 200 {
            self.failures.push(what);
        }
    }
}

db_test!(
    every_id_route_and_frame_refuses_everyone_else_and_leaks_nothing,
    |app: TestApp| async move {
        let mut w = seed(&app).await;
        let (s, spec) = app.get("/openapi.json", None).await;
        assert_eq!(s, 200);
        let before = snapshot(&app, &w).await;

        // Positive controls: the people allowed see the canaries (else the sweep proves nothing).
        for obj in w.objects.iter().filter(|o| o.kind == Kind::Conversation) {
            for who in &obj.allowed {
                let p = probe(
                    &app,
                    "GET",
                    &format!("/api/v1/conversations/{}/messages?limit=200", obj.ids[0]),
                    Some(&format!("Bearer {}", w.user(*who).token)),
                    &Value::Null,
                )
                .await;
                assert_eq!(p.status, 200, "{who:?} reads {}", obj.label);
                let text = String::from_utf8_lossy(&p.bytes);
                let visible = w
                    .canaries
                    .iter()
                    .filter(|(c, v)| v.contains(who) && text.contains(c.as_str()))
                    .count();
                assert!(visible > 0, "{who:?} sees canaries in {}", obj.label);
            }
        }
        for obj in w.objects.iter().filter(|o| o.kind == Kind::File) {
            for who in &obj.allowed {
                let p = probe(
                    &app,
                    "GET",
                    &format!("/api/v1/files/{}", obj.ids[0]),
                    Some(&format!("Bearer {}", w.user(*who).token)),
                    &Value::Null,
                )
                .await;
                assert_eq!(p.status, 200, "{who:?} downloads {}", obj.label);
            }
        }

        // Live sockets for everyone during the whole sweep.
        let mut collectors = BTreeMap::new();
        for who in EVERYONE {
            collectors.insert(who, Collector::open(&app, w.user(who)).await);
        }

        // Forged, expired and unsigned tokens of a real user.
        let ana = w.user(Who::Ana).clone();
        let mut claims = crate::claims_of(&ana.token);
        claims["exp"] = json!(crate::now_secs() - 3600);
        claims["iat"] = json!(crate::now_secs() - 7200);
        let expired = crate::sign(
            jsonwebtoken::Algorithm::HS256,
            &claims,
            crate::TEST_SECRET.as_bytes(),
        );
        let real = crate::claims_of(&ana.token);
        let forged = crate::sign(
            jsonwebtoken::Algorithm::HS256,
            &real,
            b"another-secret-another-secret-another-secret",
        );
        let mut admin_claims = real.clone();
        admin_claims["sub"] = json!(w.user(Who::Admin).id.to_string());
        let unsigned_admin = crate::unsigned(&admin_claims);
        let bad_auth: Vec<(&str, Option<String>)> = vec![
            ("no token", None),
            ("garbage", Some("Bearer garbage".into())),
            ("expired", Some(format!("Bearer {expired}"))),
            ("forged", Some(format!("Bearer {forged}"))),
            (
                "alg none as admin",
                Some(format!("Bearer {unsigned_admin}")),
            ),
            ("refresh token", Some(format!("Bearer {}", ana.refresh))),
            ("basic scheme", Some(format!("Basic {}", ana.token))),
        ];

        let mut tally = Tally::default();
        let mut swept_routes = 0;
        for (template, ops) in spec["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                let method = method.to_uppercase();
                let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
                let params = template.matches('{').count();
                let kind = if params > 0 {
                    let kind = classify(template);
                    if kind.is_none() {
                        tally.fail(format!(
                            "{method} {template} takes an id but the sweep does not know what it names: add it to classify()"
                        ));
                        continue;
                    }
                    kind
                } else {
                    None
                };
                swept_routes += 1;
                let objects: Vec<Obj> = match kind {
                    Some(k) => w.objects.iter().filter(|o| o.kind == k).cloned().collect(),
                    None => vec![Obj {
                        kind: Kind::SelfScoped,
                        label: "no id".into(),
                        ids: vec![],
                        allowed: EVERYONE.to_vec(),
                    }],
                };

                // Without a valid token: 401 on every protected route, whatever the id.
                if secured {
                    for obj in objects.iter().take(3) {
                        let path = fill(template, &obj.ids);
                        for (label, auth) in &bad_auth {
                            for body in bodies(&method, template, &w, None, obj) {
                                let p = probe(&app, &method, &path, auth.as_deref(), &body).await;
                                tally.tried += 1;
                                let leaks = w.leaks(None, &p.bytes);
                                if p.status == 401 && leaks.is_empty() {
                                    tally.refused += 1;
                                } else {
                                    tally.leaked += usize::from(!leaks.is_empty());
                                    tally.fail(format!(
                                        "{method} {path} with {label}: {} (leaks {leaks:?}) {}",
                                        p.status,
                                        String::from_utf8_lossy(&p.bytes)
                                            .chars()
                                            .take(300)
                                            .collect::<String>()
                                    ));
                                }
                            }
                        }
                    }
                }
                let Some(kind) = kind else { continue };

                // Every identity against every object it may not see, and an unknown id.
                for who in EVERYONE {
                    let auth = format!("Bearer {}", w.user(who).token);
                    let unknown_ids = vec![987_654_321; params];
                    let unknown = Obj {
                        kind,
                        label: "unknown".into(),
                        ids: unknown_ids.clone(),
                        allowed: vec![],
                    };
                    for obj in &objects {
                        let shared = matches!(kind, Kind::PublicUser | Kind::SelfScoped);
                        if obj.allowed.contains(&who) && !shared {
                            continue;
                        }
                        let path = fill(template, &obj.ids);
                        for (i, body) in bodies(&method, template, &w, Some(who), obj)
                            .into_iter()
                            .enumerate()
                        {
                            let p = probe(&app, &method, &path, Some(&auth), &body).await;
                            tally.tried += 1;
                            let leaks = w.leaks(Some(who), &p.bytes);
                            let show = || {
                                String::from_utf8_lossy(&p.bytes)
                                    .chars()
                                    .take(400)
                                    .collect::<String>()
                            };
                            if !leaks.is_empty() {
                                tally.leaked += 1;
                                tally.fail(format!(
                                    "{who:?} {method} {path} ({}): leaks {leaks:?}: {}",
                                    obj.label,
                                    show()
                                ));
                                continue;
                            }
                            if p.status >= 500 {
                                tally.fail(format!(
                                    "{who:?} {method} {path} ({}): {} {}",
                                    obj.label,
                                    p.status,
                                    show()
                                ));
                                continue;
                            }
                            if shared {
                                tally.refused += 1;
                                continue;
                            }
                            let baseline_body = bodies(&method, template, &w, Some(who), &unknown)
                                .into_iter()
                                .nth(i)
                                .unwrap_or(Value::Null);
                            let base = probe(
                                &app,
                                &method,
                                &fill(template, &unknown_ids),
                                Some(&auth),
                                &baseline_body,
                            )
                            .await;
                            if !matches!(p.status, 403 | 404) {
                                tally.fail(format!(
                                    "{who:?} {method} {path} ({}): {} instead of 403/404: {}",
                                    obj.label,
                                    p.status,
                                    show()
                                ));
                            } else if p.status != base.status {
                                tally.fail(format!(
                                    "{who:?} {method} {path} ({}): {} but {} for an unknown id (an existence oracle)",
                                    obj.label, p.status, base.status
                                ));
                            } else {
                                tally.refused += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(
            swept_routes >= 40,
            "only {swept_routes} routes in /openapi.json"
        );

        // Lists and searches, as everyone: only what each may see.
        let ids: Vec<i64> = EVERYONE.iter().map(|x| w.user(*x).id).collect();
        let mut list_paths = vec![
            "/api/v1/tickets?limit=100".to_string(),
            "/api/v1/tickets?status=open&limit=100".into(),
            "/api/v1/tickets?assignee=none".into(),
            "/api/v1/tickets?q=CANARY".into(),
            "/api/v1/conversations".into(),
            "/api/v1/notifications".into(),
            "/api/v1/friend-requests".into(),
            "/api/v1/contacts".into(),
            "/api/v1/users?q=a".into(),
            "/api/v1/users?q=".into(),
            "/api/v1/users/me".into(),
            "/api/v1/teams".into(),
            "/api/v1/admin/users?limit=100".into(),
        ];
        for id in &ids {
            list_paths.push(format!("/api/v1/tickets?requester={id}"));
            list_paths.push(format!("/api/v1/tickets?assignee={id}"));
        }
        for obj in w.objects.iter().filter(|o| o.kind == Kind::Team) {
            list_paths.push(format!("/api/v1/tickets?team={}", obj.ids[0]));
        }
        for who in EVERYONE {
            let auth = format!("Bearer {}", w.user(who).token);
            for path in &list_paths {
                let p = probe(&app, "GET", path, Some(&auth), &Value::Null).await;
                tally.tried += 1;
                let leaks = w.leaks(Some(who), &p.bytes);
                if !leaks.is_empty() || p.status >= 500 {
                    tally.leaked += usize::from(!leaks.is_empty());
                    tally.fail(format!("{who:?} GET {path}: {} leaks {leaks:?}", p.status));
                } else {
                    tally.refused += 1;
                }
            }
        }
        // Counts must not reveal tickets one can't see.
        for (who, other) in [(Who::Bob, Who::Ana), (Who::Ana, Who::Bob)] {
            let (_, list) = app
                .get(
                    &format!("/api/v1/tickets?requester={}", w.user(other).id),
                    Some(&w.user(who).token),
                )
                .await;
            let counted: i64 = ["open", "in_progress", "closed"]
                .iter()
                .map(|k| list["counts"][k].as_i64().unwrap_or(0))
                .sum();
            if !list["items"].as_array().is_some_and(Vec::is_empty) || counted != 0 {
                tally.fail(format!(
                    "{who:?} sees {other:?}'s tickets in a filtered list: {list}"
                ));
            }
        }

        // WebSocket frames that take ids, from every identity at every conversation it can't see.
        let conversations = w.conversations.clone();
        for who in EVERYONE {
            let mut ws = app.ws(w.user(who)).await;
            for (label, conv, members) in &conversations {
                if members.contains(&who) {
                    continue;
                }
                let client_id = uuid::Uuid::new_v4().to_string();
                let frames = [
                    json!({"type": "send", "conversation_id": conv, "client_id": client_id, "body": "PWNED"}),
                    json!({"type": "send", "conversation_id": conv, "client_id": client_id, "body": "PWNED", "kind": "note"}),
                    json!({"type": "typing", "conversation_id": conv}),
                    json!({"type": "read", "conversation_id": conv, "seq": 1}),
                    json!({"type": "resume", "positions": {conv.to_string(): 0}}),
                ];
                for frame in frames {
                    ws.send(frame.clone()).await;
                    tally.tried += 1;
                    let answer = next_answer(&mut ws).await;
                    let leaks = w.leaks(Some(who), answer.to_string().as_bytes());
                    if answer["type"] == "error"
                        && answer["code"] == "forbidden"
                        && leaks.is_empty()
                    {
                        tally.refused += 1;
                    } else {
                        tally.leaked += usize::from(!leaks.is_empty());
                        tally.fail(format!("{who:?} WS {frame} on {label}: {answer}"));
                    }
                }
            }
            ws.send(json!({"type": "ping", "nonce": "end"})).await;
            loop {
                let f = ws.recv().await;
                let leaks = w.leaks(Some(who), f.to_string().as_bytes());
                if !leaks.is_empty() {
                    tally.leaked += 1;
                    tally.fail(format!("{who:?} WS got {f}"));
                }
                if f["type"] == "pong" {
                    break;
                }
            }
        }

        // What the sweep must not have changed (before the live messages below change it).
        let after = snapshot(&app, &w).await;
        let mut changed = Vec::new();
        let (Value::Object(b), Value::Object(mut a)) = (before, after) else {
            unreachable!()
        };
        for (k, v) in b {
            let now = a.remove(&k).unwrap_or(Value::Null);
            if v != now {
                changed.push(format!("{k}: {v} → {now}"));
            }
        }
        if !changed.is_empty() {
            tally.fail(format!("the sweep changed state: {changed:#?}"));
        }

        // Fresh canaries sent live while everyone listens: only the right sockets get them.
        let mut live = Vec::new();
        for (label, conv, members) in &conversations {
            let author = members[0];
            let text = w.canary(
                &format!("live{}", label.replace(['\'', ' ', '–'], "")),
                members,
            );
            post_message(&app, w.user(author), *conv, &text, None, &[]).await;
            live.push((text, members.clone()));
            if label.ends_with("ticket") {
                let staff: Vec<Who> = members
                    .iter()
                    .copied()
                    .filter(|m| !matches!(m, Who::Ana | Who::Bob))
                    .collect();
                let agent = staff.iter().copied().find(|m| *m != Who::Admin).unwrap();
                let note = w.canary("livenote", &staff);
                post_message(&app, w.user(agent), *conv, &note, Some("note"), &[]).await;
                live.push((note, staff));
            }
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        for (text, receivers) in &live {
            for who in receivers {
                while !collectors[who].text().contains(text.as_str()) {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "{who:?} never got the live frame {text}"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut frames_seen = 0;
        for (who, c) in &collectors {
            let text = c.text();
            frames_seen += c.frames.lock().unwrap().len();
            let leaks = w.leaks(Some(*who), text.as_bytes());
            if !leaks.is_empty() {
                tally.leaked += 1;
                tally.fail(format!("{who:?}'s socket received {leaks:?}"));
            }
            c.task.abort();
        }

        crate::figures(&format!(
            "authz backend={:?} routes={swept_routes} probes={} refused={} leaked={} ws_frames_checked={frames_seen} failures={}",
            app.backend,
            tally.tried,
            tally.refused,
            tally.leaked,
            tally.failures.len()
        ));
        assert!(
            tally.failures.is_empty(),
            "{} failures:\n{}",
            tally.failures.len(),
            tally.failures.join("\n")
        );
    }
);

#[test]
fn classify_knows_the_documented_prefixes() {
    assert_eq!(classify("/api/v1/tickets/{id}/events"), Some(Kind::Ticket));
    assert_eq!(
        classify("/api/v1/teams/{id}/members/{user_id}"),
        Some(Kind::TeamMember)
    );
    assert_eq!(classify("/api/v1/widgets/{id}"), None);
    assert_eq!(fill("/a/{id}/b/{user_id}", &[1, 2]), "/a/1/b/2");
}

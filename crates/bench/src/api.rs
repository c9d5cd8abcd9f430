//! The REST side: a small client for the public API, the saved state (users, tokens,
//! conversations) and `setup`, which builds that state through the API like an admin would.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use futures_util::StreamExt;
use futures_util::stream;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(base: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            http,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    /// Sends a JSON request; returns the status and the body (Null when empty).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Ok((status, value))
    }

    /// A GET whose body is left to the caller to parse (the history step counts items without
    /// building a `Value`, so the generator's own parsing doesn't cap the figure).
    pub async fn get_bytes(&self, path: &str, token: &str) -> anyhow::Result<(u16, bytes::Bytes)> {
        let resp = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await?;
        let status = resp.status().as_u16();
        Ok((status, resp.bytes().await?))
    }

    /// Like `call`, but a status other than 2xx is an error carrying the body.
    pub async fn ok(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        // Registration and login are rate limited unless the server runs with
        // SWITCHBOARD_AUTH_RATE_LIMIT=off; a 429 is retried after a pause.
        for _ in 0..20 {
            let (status, value) = self.call(method.clone(), path, token, body).await?;
            if status == 429 {
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
            if !(200..300).contains(&status) {
                bail!("{method} {path}: {status} {value}");
            }
            return Ok(value);
        }
        bail!(
            "{method} {path}: still rate limited (run the server with SWITCHBOARD_AUTH_RATE_LIMIT=off)"
        )
    }

    pub fn ws_url(&self) -> String {
        format!(
            "{}/api/v1/ws",
            self.base
                .replacen("http://", "ws://", 1)
                .replacen("https://", "wss://", 1)
        )
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub password: String,
    pub role: String,
    pub access_token: String,
    pub refresh_token: String,
    /// Unix seconds when the access token expires.
    pub expires_at: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Conversation {
    pub id: i64,
    pub ticket_id: Option<i64>,
    /// Indexes into `State::users`; the first is the one who opened it (the customer).
    pub members: Vec<usize>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct State {
    pub base_url: String,
    pub kind: String,
    pub group: usize,
    pub users: Vec<User>,
    pub conversations: Vec<Conversation>,
    /// A ticket with no team and no assignee: every agent is in its audience.
    pub large_room: Option<Conversation>,
}

impl State {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Ok(serde_json::from_str(&text)?)
    }

    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(self)?)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// Refreshes the access tokens that expire within `margin`, and saves the state (refresh
    /// tokens rotate on every use).
    pub async fn ensure_tokens(
        &mut self,
        api: &Api,
        path: &Path,
        margin: Duration,
    ) -> anyhow::Result<()> {
        let limit = now_secs() + margin.as_secs();
        let stale: Vec<usize> = (0..self.users.len())
            .filter(|&i| self.users[i].expires_at < limit)
            .collect();
        if stale.is_empty() {
            return Ok(());
        }
        eprintln!("refreshing {} access tokens", stale.len());
        let results: Vec<(usize, anyhow::Result<Value>)> = stream::iter(stale)
            .map(|i| {
                let api = api.clone();
                let rt = self.users[i].refresh_token.clone();
                async move {
                    let r = api
                        .ok(
                            reqwest::Method::POST,
                            "/auth/refresh",
                            None,
                            Some(&json!({"refresh_token": rt})),
                        )
                        .await;
                    (i, r)
                }
            })
            .buffer_unordered(32)
            .collect()
            .await;
        for (i, r) in results {
            let v = r?;
            apply_auth(&mut self.users[i], &v);
        }
        self.save(path)
    }
}

/// A number unique to this run (nanoseconds since the epoch).
pub fn run_id() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn apply_auth(user: &mut User, auth: &Value) {
    user.access_token = auth["access_token"].as_str().unwrap_or_default().into();
    user.refresh_token = auth["refresh_token"].as_str().unwrap_or_default().into();
    user.expires_at = now_secs() + auth["expires_in"].as_u64().unwrap_or(900);
}

pub struct SetupArgs {
    pub users: usize,
    pub group: usize,
    pub kind: String,
    pub admin_email: String,
    pub admin_password: String,
    pub password: String,
    pub prefix: String,
    pub large_room: bool,
    pub concurrency: usize,
}

/// Runs `f` over `items` with bounded concurrency, failing on the first error.
async fn each<T, R, F, Fut>(items: Vec<T>, concurrency: usize, f: F) -> anyhow::Result<Vec<R>>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<R>>,
{
    let results: Vec<anyhow::Result<R>> = stream::iter(items)
        .map(f)
        .buffered(concurrency)
        .collect()
        .await;
    results.into_iter().collect()
}

pub async fn setup(api: &Api, args: SetupArgs) -> anyhow::Result<State> {
    let t0 = std::time::Instant::now();
    let admin = api
        .ok(
            reqwest::Method::POST,
            "/auth/login",
            None,
            Some(&json!({"email": args.admin_email, "password": args.admin_password})),
        )
        .await
        .context("admin login (create it with `switchboard user create --role admin`)")?;
    let admin_token: Arc<str> = admin["access_token"].as_str().unwrap_or_default().into();
    let group = args.group.max(2);
    let conversations = args.users / group;
    if conversations == 0 {
        bail!("--users must be at least --group");
    }
    // Tickets: one customer and group-1 agents per conversation. Direct: one customer and
    // one agent (the agent opens it: agents may talk to anyone).
    let (customers, agents_per) = match args.kind.as_str() {
        "ticket" => (conversations, group - 1),
        "direct" => {
            if group != 2 {
                bail!("direct conversations have 2 members: use --group 2");
            }
            (conversations, 1)
        }
        other => bail!("--kind must be ticket or direct, not {other}"),
    };
    let agents = conversations * agents_per;
    let extra = usize::from(args.large_room);
    let total = customers + agents + extra;
    eprintln!(
        "registering {total} users ({customers} customers, {agents} agents{})",
        if extra > 0 {
            ", 1 large-room requester"
        } else {
            ""
        }
    );
    let specs: Vec<(usize, String)> = (0..total)
        .map(|i| {
            let role = if i < customers || i >= customers + agents {
                "customer"
            } else {
                "agent"
            };
            (i, role.to_string())
        })
        .collect();
    let mut users: Vec<User> = each(specs, args.concurrency, |(i, role)| {
        let api = api.clone();
        let email = format!("{}-{i}@example.com", args.prefix);
        let password = args.password.clone();
        async move {
            let v = api
                .ok(
                    reqwest::Method::POST,
                    "/auth/register",
                    None,
                    Some(&json!({"email": email, "display_name": format!("Bench {i}"), "password": password})),
                )
                .await?;
            let mut u = User {
                id: v["user"]["id"].as_i64().context("user id")?,
                email,
                password,
                role,
                access_token: String::new(),
                refresh_token: String::new(),
                expires_at: 0,
            };
            apply_auth(&mut u, &v);
            if (i + 1) % 500 == 0 {
                eprintln!("  {} registered", i + 1);
            }
            Ok(u)
        }
    })
    .await?;
    eprintln!("registered in {:.1} s", t0.elapsed().as_secs_f64());
    // Customers open their tickets before any agent exists: a ticket opened in the shared
    // queue notifies every agent (one row each), which with thousands of agents would make
    // setup take many minutes. Assigning a team later notifies only its members.
    let mut tickets: Vec<(i64, i64, Value)> = Vec::new();
    if args.kind == "ticket" {
        let items: Vec<usize> = (0..conversations).collect();
        let users_ref = &users;
        tickets = each(items, 16, |c| {
            let api = api.clone();
            async move {
                let t = api
                    .ok(
                        reqwest::Method::POST,
                        "/tickets",
                        Some(&users_ref[c].access_token),
                        Some(&json!({"subject": format!("Bench ticket {c}"), "body": "hello", "priority": "low"})),
                    )
                    .await?;
                Ok((
                    t["id"].as_i64().context("ticket id")?,
                    t["conversation_id"].as_i64().context("conversation id")?,
                    t["version"].clone(),
                ))
            }
        })
        .await?;
    }
    let large_room = if args.large_room {
        let r = customers + agents;
        let ticket = api
            .ok(
                reqwest::Method::POST,
                "/tickets",
                Some(&users[r].access_token),
                Some(&json!({"subject": "Bench large room", "body": "hello everyone", "priority": "low"})),
            )
            .await?;
        let mut members = vec![r];
        members.extend(customers..customers + agents);
        Some(Conversation {
            id: ticket["conversation_id"]
                .as_i64()
                .context("conversation id")?,
            ticket_id: ticket["id"].as_i64(),
            members,
        })
    } else {
        None
    };
    eprintln!("tickets opened at {:.1} s", t0.elapsed().as_secs_f64());
    let agent_ids: Vec<i64> = users[customers..customers + agents]
        .iter()
        .map(|u| u.id)
        .collect();
    each(agent_ids, 32, |id| {
        let api = api.clone();
        let token = admin_token.clone();
        async move {
            api.ok(
                reqwest::Method::PATCH,
                &format!("/admin/users/{id}"),
                Some(&token),
                Some(&json!({"role": "agent"})),
            )
            .await
        }
    })
    .await?;
    let items: Vec<usize> = (0..conversations).collect();
    let users_ref = &users;
    let tickets_ref = &tickets;
    let convs = if args.kind == "ticket" {
        each(items, 16, |c| {
            let api = api.clone();
            let token = admin_token.clone();
            let prefix = args.prefix.clone();
            async move {
                let team = api
                    .ok(
                        reqwest::Method::POST,
                        "/teams",
                        Some(&token),
                        Some(&json!({"name": format!("{prefix} team {c}")})),
                    )
                    .await?;
                let team_id = team["id"].as_i64().context("team id")?;
                let members: Vec<usize> = (0..agents_per)
                    .map(|k| customers + c * agents_per + k)
                    .collect();
                for &m in &members {
                    api.ok(
                        reqwest::Method::POST,
                        &format!("/teams/{team_id}/members"),
                        Some(&token),
                        Some(&json!({"user_id": users_ref[m].id})),
                    )
                    .await?;
                }
                let (ticket_id, conversation_id, version) = tickets_ref[c].clone();
                api.ok(
                    reqwest::Method::PATCH,
                    &format!("/tickets/{ticket_id}"),
                    Some(&token),
                    Some(&json!({"version": version, "team_id": team_id})),
                )
                .await?;
                let mut all = vec![c];
                all.extend(members);
                Ok(Conversation {
                    id: conversation_id,
                    ticket_id: Some(ticket_id),
                    members: all,
                })
            }
        })
        .await?
    } else {
        each(items, 16, |c| {
            let api = api.clone();
            async move {
                let agent = &users_ref[customers + c];
                let conv = api
                    .ok(
                        reqwest::Method::POST,
                        "/conversations/direct",
                        Some(&agent.access_token),
                        Some(&json!({"user_id": users_ref[c].id})),
                    )
                    .await?;
                Ok(Conversation {
                    id: conv["id"].as_i64().context("conversation id")?,
                    ticket_id: None,
                    members: vec![c, customers + c],
                })
            }
        })
        .await?
    };
    // Tokens were issued at registration; make them fresh for the runs that follow.
    for u in users.iter_mut() {
        u.expires_at = u.expires_at.min(now_secs() + 900);
    }
    eprintln!("setup done in {:.1} s", t0.elapsed().as_secs_f64());
    Ok(State {
        base_url: api.base.clone(),
        kind: args.kind,
        group,
        users,
        conversations: convs,
        large_room,
    })
}

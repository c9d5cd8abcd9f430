//! `switchboard-bench`: drives a running Switchboard server over its public API only (REST and
//! WebSocket), like real clients, and reports throughput, latency and memory. Each run prints a
//! table and one JSON line (`JSON {...}`), appended to `--out` when given.

mod api;
mod fanout;
mod other;
mod report;
mod search;
mod stats;
mod table;
mod ws;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use serde_json::{Map, Value, json};

#[derive(Parser)]
#[command(name = "switchboard-bench", version, about)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Common {
    /// The server's base URL.
    #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The state file written by `setup` and read by the other commands.
    #[arg(long, global = true, default_value = "bench-state.json")]
    state: PathBuf,
    /// Append each run's JSON line to this file.
    #[arg(long, global = true)]
    out: Option<PathBuf>,
    /// WebSocket servers (comma-separated base URLs, e.g. the nodes of a cluster): the
    /// connections of `fanout` and `large-room` are assigned to them round-robin, so members of
    /// one conversation sit on different nodes. REST and the other commands use --url.
    /// Default: --url alone.
    #[arg(long, global = true, value_delimiter = ',')]
    ws_servers: Vec<String>,
    /// The server's process id (comma-separated with several nodes): its resident memory and
    /// CPU time are reported (summed over the processes).
    #[arg(long, global = true, value_delimiter = ',')]
    server_pid: Vec<u32>,
    /// A label stored in every record (e.g. the database: sqlite, postgres).
    #[arg(long, global = true, default_value = "")]
    label: String,
}

#[derive(Subcommand)]
enum Command {
    /// Create users and conversations of --group members through the API; save the state.
    Setup {
        #[arg(long, default_value_t = 1000)]
        users: usize,
        /// Members per conversation (tickets: 1 customer + group-1 agents of one team).
        #[arg(long, default_value_t = 10)]
        group: usize,
        /// `ticket` or `direct` (direct: --group 2).
        #[arg(long, default_value = "ticket")]
        kind: String,
        #[arg(long, default_value = "bench-admin@example.com")]
        admin_email: String,
        /// The admin's password (created with `switchboard user create --role admin`).
        #[arg(long, env = "BENCH_ADMIN_PASSWORD")]
        admin_password: String,
        /// Password of every bench user.
        #[arg(long, default_value = "bench-password-1")]
        password: String,
        /// E-mail prefix (default: bench-<nanoseconds since the epoch, hex>).
        #[arg(long)]
        prefix: Option<String>,
        /// Also open one unassigned ticket whose audience is every agent (for large-room).
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
        large_room: bool,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// Open-loop persisted fan-out at one or more aggregate rates (comma-separated).
    Fanout {
        #[arg(long, value_delimiter = ',', default_value = "1000")]
        rate: Vec<f64>,
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        /// Seconds to wait after the last send for acks and deliveries.
        #[arg(long, default_value_t = 5.0)]
        drain: f64,
        /// Use only the first N conversations (0: all).
        #[arg(long, default_value_t = 0)]
        conversations: usize,
    },
    /// Hold N authenticated idle connections and report server memory per connection.
    Idle {
        #[arg(long, default_value_t = 1000)]
        conns: usize,
        /// Seconds to hold them before the final measurement.
        #[arg(long, default_value_t = 3.0)]
        hold: f64,
    },
    /// Message-page requests per second and latency.
    History {
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Logins per second and latency.
    Login {
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
    },
    /// N clients drop at once and reconnect with resume.
    Reconnect {
        #[arg(long, default_value_t = 1000)]
        clients: usize,
        /// Messages posted to each conversation while the clients are away.
        #[arg(long, default_value_t = 5)]
        messages: usize,
    },
    /// Searches per second and latency, as the bench's agents, over a database filled by
    /// scripts/search-bench-fill.py (scripts/search-bench.sh runs both).
    Search {
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Queries, picked at random (`|`-separated).
        #[arg(
            long,
            value_delimiter = '|',
            default_value = "password|invoice|voic|refund policy|INV-4821|請求書|發票"
        )]
        queries: Vec<String>,
        /// How many messages the database holds (recorded with the figures).
        #[arg(long)]
        messages: Option<u64>,
    },
    /// Analytics requests per second and latency, as the admin, over a database filled by
    /// scripts/stats-bench-fill.py (scripts/stats-bench.sh runs both).
    Stats {
        #[arg(long, default_value = "bench-admin@example.com")]
        admin_email: String,
        #[arg(long, env = "BENCH_ADMIN_PASSWORD")]
        admin_password: String,
        /// Windows ending today, taken in turn (`,`-separated): `30d`, `366d`, `30d+team`.
        #[arg(long, value_delimiter = ',', default_value = "30d,366d,30d+team")]
        windows: Vec<String>,
        #[arg(long, default_value_t = 2)]
        concurrency: usize,
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        /// How many tickets and messages the database holds (recorded with the figures).
        #[arg(long)]
        tickets: Option<u64>,
        #[arg(long)]
        messages: Option<u64>,
    },
    /// Print a summary table (with the budget) of a JSON-lines results file.
    Table { file: PathBuf },
    /// One conversation with every agent in its audience; the requester sends at --rate.
    LargeRoom {
        #[arg(long, value_delimiter = ',', default_value = "20")]
        rate: Vec<f64>,
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        #[arg(long, default_value_t = 5.0)]
        drain: f64,
        /// Connect only the first N members (0: all).
        #[arg(long, default_value_t = 0)]
        members: usize,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Table { file } = &cli.command {
        return table::print(file);
    }
    let nofile = report::raise_nofile();
    // Two worker threads by default: the same as the cores the budget assumes, and it keeps
    // the generator from taking more than its share of a machine it shares with the server.
    let threads = match std::env::var("BENCH_GENERATOR_THREADS") {
        Ok(v) => v.parse::<usize>().ok().filter(|&n| n > 0).ok_or_else(|| {
            anyhow::anyhow!("BENCH_GENERATOR_THREADS={v}: a number of threads from 1")
        })?,
        Err(_) => 2,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?;
    rt.block_on(run(cli, nofile))
}

async fn run(cli: Cli, nofile: u64) -> anyhow::Result<()> {
    let c = &cli.common;
    let api = api::Api::new(&c.url)?;
    let target = ws::Target::resolve(&api.ws_url()).await?;
    let mut targets = Vec::new();
    for url in &c.ws_servers {
        targets.push(ws::Target::resolve(&api::Api::new(url)?.ws_url()).await?);
    }
    if targets.is_empty() {
        targets.push(target.clone());
    }
    let mut base = Map::new();
    base.insert("label".into(), json!(c.label));
    base.insert("nodes".into(), json!(targets.len()));
    base.insert("nofile".into(), json!(nofile));
    let records: Vec<Map<String, Value>> = match cli.command {
        Command::Setup {
            users,
            group,
            kind,
            admin_email,
            admin_password,
            password,
            prefix,
            large_room,
            concurrency,
        } => {
            let meter = report::Meter::start(&c.server_pid);
            let state = api::setup(
                &api,
                api::SetupArgs {
                    users,
                    group,
                    kind,
                    admin_email,
                    admin_password,
                    password,
                    prefix: prefix.unwrap_or_else(|| format!("bench-{:x}", api::run_id())),
                    large_room,
                    concurrency,
                },
            )
            .await?;
            state.save(&c.state)?;
            let mut r = Map::new();
            r.insert("scenario".into(), json!("setup"));
            r.insert("users".into(), json!(state.users.len()));
            r.insert("conversations".into(), json!(state.conversations.len()));
            r.insert("group".into(), json!(state.group));
            r.insert("kind".into(), json!(state.kind));
            meter.finish(&mut r);
            vec![r]
        }
        cmd => {
            let mut state = api::State::load(&c.state)?;
            let (scenario, records) = scenario(cmd, &api, &target, &targets, &mut state, c).await?;
            records
                .into_iter()
                .map(|mut r| {
                    r.insert("scenario".into(), json!(scenario));
                    r
                })
                .collect()
        }
    };
    for r in records {
        let mut full = Map::new();
        full.insert(
            "scenario".into(),
            r.get("scenario").cloned().unwrap_or(Value::Null),
        );
        full.extend(base.clone());
        full.insert("time".into(), json!(api::now_secs()));
        full.extend(r);
        report::emit(full, c.out.as_deref())?;
    }
    Ok(())
}

async fn scenario(
    cmd: Command,
    api: &api::Api,
    target: &ws::Target,
    targets: &[ws::Target],
    state: &mut api::State,
    c: &Common,
) -> anyhow::Result<(&'static str, Vec<Map<String, Value>>)> {
    let pid = c.server_pid.as_slice();
    // Tokens must outlive the run: refresh those close to expiry (the state is saved again).
    state
        .ensure_tokens(api, &c.state, Duration::from_secs(240))
        .await?;
    Ok(match cmd {
        Command::Setup { .. } | Command::Table { .. } => unreachable!("handled by the caller"),
        Command::Fanout {
            rate,
            duration,
            drain,
            conversations,
        } => {
            let convs: Vec<&api::Conversation> = if conversations == 0 {
                state.conversations.iter().collect()
            } else {
                state.conversations.iter().take(conversations).collect()
            };
            let mut conn_of_user = vec![None; state.users.len()];
            let mut tokens = Vec::new();
            let mut plan_convs = Vec::new();
            for conv in convs {
                let mut members = Vec::new();
                for &u in &conv.members {
                    let idx = *conn_of_user[u].get_or_insert_with(|| {
                        tokens.push(state.users[u].access_token.clone());
                        tokens.len() - 1
                    });
                    members.push(idx);
                }
                plan_convs.push(fanout::PlanConv {
                    id: conv.id,
                    senders: members.clone(),
                    members,
                });
            }
            let plan = fanout::Plan {
                tokens,
                convs: plan_convs,
                rates: rate,
                duration: Duration::from_secs_f64(duration),
                drain: Duration::from_secs_f64(drain),
                connect_concurrency: 128,
            };
            ("fanout", fanout::run(targets, plan, pid).await?)
        }
        Command::LargeRoom {
            rate,
            duration,
            drain,
            members,
        } => {
            let room = state
                .large_room
                .as_ref()
                .context("the state has no large room (setup --large-room true)")?;
            let mut users = room.members.clone();
            if members > 0 {
                users.truncate(members);
            }
            let tokens = users
                .iter()
                .map(|&u| state.users[u].access_token.clone())
                .collect::<Vec<_>>();
            let plan = fanout::Plan {
                convs: vec![fanout::PlanConv {
                    id: room.id,
                    members: (0..tokens.len()).collect(),
                    senders: vec![0],
                }],
                tokens,
                rates: rate,
                duration: Duration::from_secs_f64(duration),
                drain: Duration::from_secs_f64(drain),
                connect_concurrency: 128,
            };
            ("large-room", fanout::run(targets, plan, pid).await?)
        }
        Command::Idle { conns, hold } => (
            "idle",
            vec![other::idle(target, state, conns, Duration::from_secs_f64(hold), pid).await?],
        ),
        Command::History {
            concurrency,
            duration,
            limit,
        } => (
            "history",
            vec![
                other::history(
                    api,
                    state,
                    concurrency,
                    Duration::from_secs_f64(duration),
                    limit,
                    pid,
                )
                .await?,
            ],
        ),
        Command::Login {
            concurrency,
            duration,
        } => (
            "login",
            vec![
                other::login(
                    api,
                    state,
                    concurrency,
                    Duration::from_secs_f64(duration),
                    pid,
                )
                .await?,
            ],
        ),
        Command::Search {
            concurrency,
            duration,
            limit,
            queries,
            messages,
        } => {
            let mut r = search::search(
                api,
                state,
                queries,
                concurrency,
                Duration::from_secs_f64(duration),
                limit,
                pid,
            )
            .await?;
            r.insert("messages".into(), json!(messages));
            ("search", vec![r])
        }
        Command::Stats {
            admin_email,
            admin_password,
            windows,
            concurrency,
            duration,
            tickets,
            messages,
        } => {
            let mut r = stats::stats(
                api,
                stats::StatsArgs {
                    admin_email,
                    admin_password,
                    windows,
                    concurrency,
                    duration: Duration::from_secs_f64(duration),
                },
                pid,
            )
            .await?;
            r.insert("tickets".into(), json!(tickets));
            r.insert("messages".into(), json!(messages));
            ("stats", vec![r])
        }
        Command::Reconnect { clients, messages } => (
            "reconnect",
            vec![other::reconnect(api, target, state, clients, messages, pid).await?],
        ),
    })
}

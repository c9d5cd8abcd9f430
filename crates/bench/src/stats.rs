//! `stats`: closed-loop `GET /api/v1/admin/stats` as the admin, over a database filled by
//! scripts/stats-bench-fill.py (tickets spread over a year, with times, assignees, teams and
//! ratings, plus the messages of scripts/search-bench-fill.py). Windows are given relative to
//! today (`30d`: the last 30 days; `366d`; a `+team` suffix narrows to the first team). Reports
//! the latency over all windows and per window.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Map, Value, json};

use crate::api::Api;
use crate::report::{Latency, Meter, round1};

pub struct StatsArgs {
    pub admin_email: String,
    pub admin_password: String,
    pub windows: Vec<String>,
    pub concurrency: usize,
    pub duration: Duration,
}

/// The query string of a window such as `30d` or `366d+team`, ending today (UTC).
fn query_of(window: &str, team: Option<i64>) -> anyhow::Result<String> {
    let (days, team_part) = match window.split_once('+') {
        Some((d, "team")) => (d, team.map(|t| format!("&team={t}")).unwrap_or_default()),
        Some((_, other)) => anyhow::bail!("unknown window suffix {other:?}"),
        None => (window, String::new()),
    };
    let days: u64 = days
        .trim_end_matches('d')
        .parse()
        .with_context(|| format!("window {window:?}: expected e.g. 30d"))?;
    let to = chrono::Utc::now().date_naive();
    let from = to
        .checked_sub_days(chrono::Days::new(days.saturating_sub(1)))
        .context("window too long")?;
    Ok(format!("?from={from}&to={to}{team_part}"))
}

pub async fn stats(
    api: &Api,
    args: StatsArgs,
    server_pid: &[u32],
) -> anyhow::Result<Map<String, Value>> {
    let login = api
        .ok(
            reqwest::Method::POST,
            "/auth/login",
            None,
            Some(&json!({"email": args.admin_email, "password": args.admin_password})),
        )
        .await
        .context("admin login")?;
    let token: Arc<str> = login["access_token"].as_str().unwrap_or_default().into();
    let (_, teams) = api
        .call(reqwest::Method::GET, "/teams", Some(&token), None)
        .await?;
    let team = teams
        .as_array()
        .or_else(|| teams["items"].as_array())
        .and_then(|t| t.first())
        .and_then(|t| t["id"].as_i64());
    let queries: Vec<String> = args
        .windows
        .iter()
        .map(|w| query_of(w, team))
        .collect::<anyhow::Result<_>>()?;
    anyhow::ensure!(!queries.is_empty(), "no windows");
    // One request first: its figures show what was measured.
    let (status, sample) = api
        .call(
            reqwest::Method::GET,
            &format!("/admin/stats{}", queries[0]),
            Some(&token),
            None,
        )
        .await?;
    anyhow::ensure!(status == 200, "stats answered {status}: {sample}");

    let queries = Arc::new(queries);
    let per_window: Arc<Vec<Latency>> =
        Arc::new(queries.iter().map(|_| Latency::default()).collect());
    let lat = Arc::new(Latency::default());
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let meter = Meter::start(server_pid);
    let deadline = Instant::now() + args.duration;
    let t0 = Instant::now();
    let mut workers = Vec::new();
    for w in 0..args.concurrency {
        let (api, token, queries, per_window, lat, ok, errors) = (
            api.clone(),
            token.clone(),
            queries.clone(),
            per_window.clone(),
            lat.clone(),
            ok.clone(),
            errors.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut i = w;
            while Instant::now() < deadline {
                let q = i % queries.len();
                i += 1;
                let t = Instant::now();
                match api
                    .get_bytes(&format!("/admin/stats{}", queries[q]), &token)
                    .await
                {
                    Ok((200, _)) => {
                        let us = t.elapsed().as_micros() as u64;
                        lat.record_us(us);
                        per_window[q].record_us(us);
                        ok.fetch_add(1, Relaxed);
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
    let n = ok.load(Relaxed);
    let mut r = Map::new();
    r.insert("concurrency".into(), json!(args.concurrency));
    r.insert("requests".into(), json!(n));
    r.insert(
        "requests_per_s".into(),
        json!(round1(n as f64 / t0.elapsed().as_secs_f64())),
    );
    r.insert("errors".into(), json!(errors.load(Relaxed)));
    lat.summary("latency", &mut r);
    let mut by_window = Map::new();
    for (w, l) in args.windows.iter().zip(per_window.iter()) {
        let mut one = Map::new();
        l.summary("latency", &mut one);
        by_window.insert(w.clone(), Value::Object(one));
    }
    r.insert("by_window".into(), Value::Object(by_window));
    r.insert(
        "first_window_totals".into(),
        json!({
            "opened": sample["totals"]["opened"],
            "closed": sample["totals"]["closed"],
            "agents": sample["agents"].as_array().map_or(0, Vec::len),
            "teams": sample["teams"].as_array().map_or(0, Vec::len),
        }),
    );
    meter.finish(&mut r);
    Ok(r)
}

#[cfg(test)]
mod tests {
    #[test]
    fn windows_end_today_and_may_name_a_team() {
        let q = super::query_of("30d+team", Some(4)).unwrap();
        assert!(q.starts_with("?from=") && q.ends_with("&team=4"), "{q}");
        assert!(super::query_of("30x", None).is_err());
        assert!(super::query_of("7d+agent", None).is_err());
    }
}

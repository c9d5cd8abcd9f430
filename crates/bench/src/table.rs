//! `table`: one summary row per JSON line, with the write-path issue's budget beside each
//! figure (the same on PostgreSQL but for fan-out, where it asks for 5,000 msg/s).

use std::path::Path;

use serde_json::Value;

fn f(v: &Value, k: &str) -> f64 {
    v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn u(v: &Value, k: &str) -> u64 {
    v.get(k).and_then(Value::as_u64).unwrap_or(0)
}

fn lat(v: &Value, p: &str) -> String {
    format!(
        "{:.2}/{:.2}/{:.2}",
        f(v, &format!("{p}_p50_ms")),
        f(v, &format!("{p}_p99_ms")),
        f(v, &format!("{p}_p999_ms"))
    )
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

/// (parameters, result, latency p50/p99/p99.9 ms, target, verdict)
fn row(v: &Value) -> Option<[String; 5]> {
    let pg = v["label"].as_str().unwrap_or("").contains("postgres");
    Some(match v["scenario"].as_str()? {
        "fanout" => {
            let rate = f(v, "rate_target");
            let acked = f(v, "acked_per_s");
            let lost = u(v, "lost") + u(v, "unacked");
            let (p50, p99, p999) = (
                f(v, "delivery_p50_ms"),
                f(v, "delivery_p99_ms"),
                f(v, "delivery_p999_ms"),
            );
            let need = if pg { 5_000.0 } else { 10_000.0 };
            let lat_ok = p50 <= 1.0 && p99 <= 5.0 && p999 <= 20.0;
            // Every message offered at `rate` acked, none lost, and the acks kept pace: the rate
            // is divided by the time to the last ack, so a server that keeps up exactly shows a
            // hair under the offered rate (9,998.8 at 10,000 for 30 s): 1 % is allowed for it.
            let (target, ok) = if rate >= need {
                (
                    format!("≥{need} msg/s, 0 lost"),
                    lost == 0 && (acked >= need || acked >= 0.99 * rate),
                )
            } else if rate >= 5_000.0 {
                (
                    "p50≤1 p99≤5 p99.9≤20 ms @5000/s".into(),
                    lat_ok && lost == 0,
                )
            } else {
                ("(below the budget's rates)".into(), lost == 0)
            };
            [
                format!(
                    "{} convs × {}, {rate}/s{}",
                    u(v, "conversations"),
                    u(v, "members"),
                    match u(v, "nodes") {
                        n if n > 1 => format!(", {n} nodes"),
                        _ => String::new(),
                    }
                ),
                format!(
                    "{acked:.0} msg/s, {:.0} deliv/s, lost {lost}",
                    f(v, "deliveries_per_s")
                ),
                format!("ack {} deliv {}", lat(v, "ack"), lat(v, "delivery")),
                target,
                verdict(ok).into(),
            ]
        }
        "idle" => {
            let n = u(v, "connections");
            let kib = f(v, "server_kib_per_conn");
            [
                format!("{} conns", u(v, "connections_target")),
                format!("{n} open, {kib:.2} KiB/conn"),
                String::new(),
                "19000 at ≤8 KiB".into(),
                verdict(n >= 19_000 && kib <= 8.0).into(),
            ]
        }
        "history" => {
            let rps = f(v, "requests_per_s");
            let p99 = f(v, "latency_p99_ms");
            [
                format!(
                    "{} workers, {} msgs/page",
                    u(v, "concurrency"),
                    u(v, "limit")
                ),
                format!("{rps:.0} req/s, errors {}", u(v, "errors")),
                lat(v, "latency"),
                "≥10000 req/s, p99≤5 ms".into(),
                verdict(rps >= 10_000.0 && p99 <= 5.0).into(),
            ]
        }
        // Issue 15 asks for the figure, not a budget.
        "search" => [
            format!(
                "{} workers, {} messages",
                u(v, "concurrency"),
                v.get("messages")
                    .and_then(Value::as_u64)
                    .map_or("?".into(), |m| m.to_string())
            ),
            format!(
                "{:.0} searches/s, errors {}",
                f(v, "requests_per_s"),
                u(v, "errors")
            ),
            lat(v, "latency"),
            "(figure only)".into(),
            "-".into(),
        ],
        "login" => [
            format!("{} workers", u(v, "concurrency")),
            format!(
                "{:.0} logins/s, errors {}",
                f(v, "logins_per_s"),
                u(v, "errors")
            ),
            lat(v, "latency"),
            "(none)".into(),
            "-".into(),
        ],
        "reconnect" => {
            let n = u(v, "clients");
            let all = f(v, "all_caught_up_s");
            let (g, d) = (u(v, "gaps"), u(v, "duplicates"));
            [
                format!(
                    "{n} clients, {} msgs offline",
                    u(v, "messages_while_offline")
                ),
                format!(
                    "{}/{n} caught up in {all:.2} s, gaps {g}, dups {d}",
                    u(v, "caught_up")
                ),
                format!(
                    "p50 {:.2} s p99 {:.2} s",
                    f(v, "p50_caught_up_s"),
                    f(v, "p99_caught_up_s")
                ),
                "10000 in ≤3 s, 0 gaps/dups".into(),
                verdict(n >= 10_000 && all <= 3.0 && g == 0 && d == 0 && u(v, "caught_up") == n)
                    .into(),
            ]
        }
        "large-room" => {
            let members = u(v, "members");
            let rate = f(v, "rate_target");
            let p99 = f(v, "last_member_p99_ms");
            let lost = u(v, "lost") + u(v, "unacked");
            [
                format!("{members} members, {rate}/s"),
                format!("{:.0} deliv/s, lost {lost}", f(v, "deliveries_per_s")),
                format!("last member {}", lat(v, "last_member")),
                "1000 @100/s p99≤50 ms; 5000 @20/s p99≤100 ms".into(),
                verdict(
                    lost == 0
                        && ((members >= 5000 && rate >= 20.0 && p99 <= 100.0)
                            || (members >= 1000 && rate >= 100.0 && p99 <= 50.0)),
                )
                .into(),
            ]
        }
        _ => return None,
    })
}

pub fn print(path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let mut rows = vec![[
        "scenario".to_string(),
        "db".into(),
        "parameters".into(),
        "result".into(),
        "latency ms p50/p99/p99.9".into(),
        "budget".into(),
        "".into(),
        "bench/server CPU".into(),
    ]];
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)?;
        if let Some([a, b, c, d, e]) = row(&v) {
            rows.push([
                v["scenario"].as_str().unwrap_or("").into(),
                v["label"].as_str().unwrap_or("").into(),
                a,
                b,
                c,
                d,
                e,
                format!(
                    "{:.0}%/{:.0}%",
                    f(&v, "bench_cpu_pct"),
                    f(&v, "server_cpu_pct")
                ),
            ]);
        }
    }
    let mut widths = [0usize; 8];
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for (i, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        println!("{}", line.join(" │ ").trim_end());
        if i == 0 {
            println!("{}", widths.map(|w| "─".repeat(w)).join("─┼─"));
        }
    }
    Ok(())
}

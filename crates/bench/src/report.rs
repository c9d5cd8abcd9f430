//! What every run reports: latency summaries, the generator's own CPU time, the server's
//! memory and CPU (from /proc), the machine load, the table for humans and one JSON line.

use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

use hdrhistogram::Histogram;
use serde_json::{Map, Value, json};

/// A latency histogram in microseconds, shared between tasks (two worker threads: the lock
/// is almost never contended).
pub struct Latency(Mutex<Histogram<u64>>);

impl Default for Latency {
    fn default() -> Self {
        Self(Mutex::new(
            Histogram::new_with_bounds(1, 120_000_000, 3).expect("valid bounds"),
        ))
    }
}

impl Latency {
    pub fn record_us(&self, us: u64) {
        let mut h = self.0.lock().expect("histogram lock");
        h.saturating_record(us.max(1));
    }

    /// One quantile in milliseconds (`None` when nothing was recorded).
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        let h = self.0.lock().expect("histogram lock");
        (!h.is_empty()).then(|| h.value_at_quantile(q) as f64 / 1000.0)
    }

    /// `{p50, p90, p99, p999, max, mean}` in milliseconds, under `prefix_`.
    pub fn summary(&self, prefix: &str, out: &mut Map<String, Value>) {
        let h = self.0.lock().expect("histogram lock");
        let ms = |us: u64| (us as f64 / 1000.0 * 1000.0).round() / 1000.0;
        if h.is_empty() {
            for k in ["p50", "p90", "p99", "p999", "max"] {
                out.insert(format!("{prefix}_{k}_ms"), Value::Null);
            }
            return;
        }
        out.insert(
            format!("{prefix}_p50_ms"),
            json!(ms(h.value_at_quantile(0.5))),
        );
        out.insert(
            format!("{prefix}_p90_ms"),
            json!(ms(h.value_at_quantile(0.9))),
        );
        out.insert(
            format!("{prefix}_p99_ms"),
            json!(ms(h.value_at_quantile(0.99))),
        );
        out.insert(
            format!("{prefix}_p999_ms"),
            json!(ms(h.value_at_quantile(0.999))),
        );
        out.insert(format!("{prefix}_max_ms"), json!(ms(h.max())));
        out.insert(format!("{prefix}_mean_ms"), json!(ms(h.mean() as u64)));
    }
}

/// CPU seconds (user + system) this process has used.
pub fn own_cpu_secs() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Resident memory of a process in KiB (`VmRSS` in /proc/<pid>/status).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// CPU seconds (user + system) used by a process so far.
pub fn proc_cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Some((utime + stime) / hz)
}

pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Raises the soft open-files limit to the hard one (each connection is a descriptor).
pub fn raise_nofile() -> u64 {
    // SAFETY: plain getrlimit/setrlimit on a local struct.
    unsafe {
        let mut rl: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) == 0 {
            rl.rlim_cur = rl.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &rl);
            return rl.rlim_cur;
        }
    }
    0
}

/// Measures one run: wall time, own CPU, server CPU and RSS.
pub struct Meter {
    pub started: Instant,
    cpu0: f64,
    server_pids: Vec<u32>,
    server_cpu0: Option<f64>,
    pub rss_before: Option<u64>,
}

impl Meter {
    /// `server_pids`: every server process (several nodes: CPU and RSS are their sums).
    pub fn start(server_pids: &[u32]) -> Self {
        Self {
            started: Instant::now(),
            cpu0: own_cpu_secs(),
            server_pids: server_pids.to_vec(),
            server_cpu0: sum_over(server_pids, proc_cpu_secs),
            rss_before: sum_over(server_pids, rss_kib),
        }
    }

    pub fn server_rss(&self) -> Option<u64> {
        sum_over(&self.server_pids, rss_kib)
    }

    /// Adds the common fields to a run's record.
    pub fn finish(&self, out: &mut Map<String, Value>) {
        let wall = self.started.elapsed().as_secs_f64();
        let cpu = own_cpu_secs() - self.cpu0;
        out.insert("wall_s".into(), json!(round3(wall)));
        out.insert("bench_cpu_s".into(), json!(round3(cpu)));
        // 100 % = one core busy; near 200 % on 2 cores means the generator is the limit.
        out.insert("bench_cpu_pct".into(), json!(round1(100.0 * cpu / wall)));
        if let Some(c0) = self.server_cpu0
            && let Some(c1) = sum_over(&self.server_pids, proc_cpu_secs)
        {
            out.insert("server_cpu_s".into(), json!(round3(c1 - c0)));
            out.insert(
                "server_cpu_pct".into(),
                json!(round1(100.0 * (c1 - c0) / wall)),
            );
        }
        if let Some(r) = self.rss_before {
            out.insert("server_rss_before_kib".into(), json!(r));
        }
        if let Some(r) = self.server_rss() {
            out.insert("server_rss_kib".into(), json!(r));
        }
        out.insert("loadavg".into(), json!(loadavg()));
    }
}

/// The sum of `f` over the processes; `None` when there are none or one can't be read.
fn sum_over<T: std::iter::Sum<T>>(pids: &[u32], f: impl Fn(u32) -> Option<T>) -> Option<T> {
    if pids.is_empty() {
        return None;
    }
    pids.iter().map(|&p| f(p)).sum()
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Prints the record as an aligned table on stderr-free stdout, then appends the JSON line to
/// `jsonl` (when given) and prints it after a `JSON ` marker.
pub fn emit(record: Map<String, Value>, jsonl: Option<&std::path::Path>) -> anyhow::Result<()> {
    let width = record.keys().map(|k| k.len()).max().unwrap_or(0);
    let title = record
        .get("scenario")
        .and_then(Value::as_str)
        .unwrap_or("run");
    println!("── {title} ──");
    for (k, v) in &record {
        let shown = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        println!("  {k:<width$}  {shown}");
    }
    let line = Value::Object(record).to_string();
    println!("JSON {line}");
    if let Some(path) = jsonl {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        writeln!(f, "{line}")?;
    }
    Ok(())
}

/// The figures of a closed-loop page load (history pages, searches): `[ok, items, errors]` are
/// the workers' counters after `secs` seconds.
pub fn page_load_figures(
    concurrency: usize,
    limit: u32,
    secs: f64,
    [ok, items, errors]: [&std::sync::atomic::AtomicU64; 3],
) -> serde_json::Map<String, serde_json::Value> {
    use std::sync::atomic::Ordering::Relaxed;
    let n = ok.load(Relaxed);
    let mut r = serde_json::Map::new();
    r.insert("concurrency".into(), serde_json::json!(concurrency));
    r.insert("limit".into(), serde_json::json!(limit));
    r.insert("requests".into(), serde_json::json!(n));
    r.insert(
        "requests_per_s".into(),
        serde_json::json!(round1(n as f64 / secs)),
    );
    r.insert(
        "avg_items".into(),
        serde_json::json!(round1(items.load(Relaxed) as f64 / n.max(1) as f64)),
    );
    r.insert("errors".into(), serde_json::json!(errors.load(Relaxed)));
    r
}

#!/usr/bin/env bash
# `make bench-stats`: the analytics figure of BENCHMARKS.md. Builds the binaries, starts a fresh
# SQLite server, creates the bench's users, teams and tickets through the API, stops it, writes
# STATS_TICKETS tickets (scripts/stats-bench-fill.py: a year of them, with times, assignees,
# teams and ratings) and STATS_MESSAGES messages (scripts/search-bench-fill.py) straight into the
# database, starts it again and runs `switchboard-bench stats` (GET /api/v1/admin/stats as the
# admin over 30-day, 366-day and team-narrowed windows ending today).
#
#   STATS_TICKETS=100000      tickets to write (default 100,000)
#   STATS_MESSAGES=1000000    messages to write (default 1,000,000)
#   STATS_USERS=200           bench users (10 per ticket: 20 teams, 180 agents)
#   STATS_DURATION=20         seconds of requests;  STATS_CONCURRENCY=2 workers
#   BENCH_NO_BUILD=1          use the binaries already built;  BENCH_OUT=file  the JSON lines
#   BENCH_BIN_DIR=dir         where the binaries are (default target/release; target/debug for a
#                             quick look: the figures of a debug build are not the release's)
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_NAME=stats
# shellcheck source=lib/bench-sqlite-server.sh
source scripts/lib/bench-sqlite-server.sh
MESSAGES=${STATS_MESSAGES:-1000000}
TICKETS=${STATS_TICKETS:-100000}

start
echo "== setup"
"${B[@]}" setup --users "${STATS_USERS:-200}" --group 10 --large-room false | grep -v '^JSON '
stop
echo "== fill: $TICKETS tickets, $MESSAGES messages"
python3 scripts/stats-bench-fill.py "$WORK/db/switchboard.db" "$TICKETS"
python3 scripts/search-bench-fill.py "$WORK/db/switchboard.db" "$MESSAGES"
echo "== database: $(du -sh "$WORK/db" | cut -f1)"
start
wait_for_search_index
B+=(--server-pid "$SERVER_PID")
echo "== stats"
"${B[@]}" stats --duration "${STATS_DURATION:-20}" --concurrency "${STATS_CONCURRENCY:-2}" \
  --tickets "$TICKETS" --messages "$MESSAGES" | grep -v '^JSON ' || { echo "stats failed"; exit 1; }
grep '"scenario":"stats"' "$OUT" | tail -1 | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
p50, p99, rate = r["latency_p50_ms"], r["latency_p99_ms"], r["requests_per_s"]
print(f"all windows: p50 {p50} ms, p99 {p99} ms, {rate} reports/s")
for w, l in r["by_window"].items():
    print("  %-10s p50 %s ms, p99 %s ms" % (w, l["latency_p50_ms"], l["latency_p99_ms"]))
print("30-day window:", r["first_window_totals"])
'
echo "JSON lines: $OUT"

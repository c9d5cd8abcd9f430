#!/usr/bin/env bash
# `make bench-search`: the search figure of BENCHMARKS.md. Builds the release binaries, starts a
# fresh SQLite server, creates the bench's users and tickets through the API, stops it, writes
# SEARCH_MESSAGES messages straight into the database (scripts/search-bench-fill.py), starts it
# again, waits for its search indexer to index them all (`search::index`: the time is printed)
# and runs `switchboard-bench search`.
#
#   SEARCH_MESSAGES=1000000   messages to write (default 1,000,000)
#   SEARCH_USERS=200          bench users (10 per ticket: 20 tickets, 180 agents)
#   SEARCH_DURATION=20        seconds of searching;  SEARCH_CONCURRENCY=4 workers
#   BENCH_NO_BUILD=1          use the binaries already built;  BENCH_OUT=file  the JSON lines
#   BENCH_BIN_DIR=dir         where the binaries are (default target/release; target/debug for a
#                             quick look: the figures of a debug build are not the release's)
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_NAME=search
# shellcheck source=lib/bench-sqlite-server.sh
source scripts/lib/bench-sqlite-server.sh
MESSAGES=${SEARCH_MESSAGES:-1000000}

start
echo "== setup"
"${B[@]}" setup --users "${SEARCH_USERS:-200}" --group 10 --large-room false | grep -v '^JSON '
stop
echo "== fill: $MESSAGES messages"
python3 scripts/search-bench-fill.py "$WORK/db/switchboard.db" "$MESSAGES"
echo "== database: $(du -sh "$WORK/db" | cut -f1)"
start
wait_for_search_index
B+=(--server-pid "$SERVER_PID")
echo "== search"
"${B[@]}" search --duration "${SEARCH_DURATION:-20}" --concurrency "${SEARCH_CONCURRENCY:-4}" \
  --messages "$MESSAGES" | grep -v '^JSON ' || { echo "search failed"; exit 1; }
grep '"scenario":"search"' "$OUT" | tail -1 | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
p50, p99, rate = r["latency_p50_ms"], r["latency_p99_ms"], r["requests_per_s"]
print(f"all queries: p50 {p50} ms, p99 {p99} ms, {rate} searches/s")
for q, l in r["by_query"].items():
    print("  %-16r p50 %s ms, p99 %s ms" % (q, l["latency_p50_ms"], l["latency_p99_ms"]))
'
echo "JSON lines: $OUT"

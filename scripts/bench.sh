#!/usr/bin/env bash
# `make bench`: builds release binaries, starts a fresh server in a temp dir (SQLite by default),
# runs a short version of the benchmark suite (under 3 minutes once built) and prints the table.
#
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pg   another database (created
#                                                                    empty when it is PostgreSQL)
#   BENCH_FULL=1        the full-size suite used for BENCHMARKS.md (several minutes)
#   BENCH_OUT=file      where the JSON lines go (default: a temp dir, printed at the end)
#   BENCH_LABEL=name    label of the records (default: sqlite / postgres / mysql)
#   BENCH_NO_BUILD=1    use the binaries already built
#   BENCH_NODES=2       a cluster: N nodes on different ports sharing the database (PostgreSQL or
#                       MySQL, not SQLite), the data dir, a JWT secret and Redis
#                       (BENCH_REDIS_URL, default redis://127.0.0.1:6379, under a unique
#                       prefix); REST goes to the first node, the WebSockets of fanout and
#                       large-room round-robin over all, so every conversation spans the nodes
#   BENCH_REDIS=1       turn the Redis broker on with a single node too
#   BENCH_STEPS="setup fanout"   run only these steps (default: all, in the usual order)
# Any variable below (BENCH_USERS, BENCH_RATES, …) can be set to override one step.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}

if [ -z "${BENCH_NO_BUILD:-}" ]; then
  "$CARGO" build --release -p switchboard -p switchboard-bench
fi
SERVER_BIN=$TARGET_DIR/release/switchboard
BENCH_BIN=$TARGET_DIR/release/switchboard-bench

if [ -n "${BENCH_FULL:-}" ]; then
  : "${BENCH_USERS:=5560}"            # 556 ten-member tickets; 5,004 agents in the large room
  : "${BENCH_RATES:=1000,2500,5000,10000}"   # the figures issue 12 asks for
  : "${BENCH_DURATION:=30}"           # sustained: checkpoints and all
  : "${BENCH_HISTORY_READERS:=32}"
  : "${BENCH_IDLE:=19000}"            # the machine's hard open-files limit is 20,000
  : "${BENCH_RECONNECT:=10000}"
  : "${BENCH_ROOM_MEMBERS:=0}"        # 0: every agent
  : "${BENCH_PHASE_SECS:=10}"
else
  : "${BENCH_USERS:=300}"
  : "${BENCH_RATES:=1000,5000}"
  : "${BENCH_DURATION:=4}"
  : "${BENCH_HISTORY_READERS:=16}"
  : "${BENCH_IDLE:=2000}"
  : "${BENCH_RECONNECT:=1000}"
  : "${BENCH_ROOM_MEMBERS:=0}"
  : "${BENCH_PHASE_SECS:=4}"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench.XXXXXX")
OUT=${BENCH_OUT:-$WORK/results.jsonl}
NODES=${BENCH_NODES:-1}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((18080 + $1))
}
PORTS=("${BENCH_PORT:-$(free_port 0)}")
for i in $(seq 2 "$NODES"); do PORTS+=("$(free_port "$i")"); done
PORT=${PORTS[0]}
DB_URL=${BENCH_DATABASE_URL:-sqlite://$WORK/db/switchboard.db}
case "$DB_URL" in
  postgres*) LABEL=postgres
    # A fresh database for every run.
    ADMIN_URL=${DB_URL%/*}/postgres; DB_NAME=${DB_URL##*/}
    psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$DB_NAME\"" -c "CREATE DATABASE \"$DB_NAME\"" ;;
  mysql*|mariadb*) LABEL=mysql ;;
  *) LABEL=sqlite
    if [ "$NODES" -gt 1 ]; then
      echo "BENCH_NODES=$NODES needs BENCH_DATABASE_URL=postgres://… (or mysql://…): SQLite is one node"
      exit 1
    fi ;;
esac
if [ "$NODES" -gt 1 ]; then LABEL=$LABEL-${NODES}nodes; fi
LABEL=${BENCH_LABEL:-$LABEL}
if [ "$NODES" -gt 1 ] || [ -n "${BENCH_REDIS:-}" ]; then
  export SWITCHBOARD_REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379}
  export SWITCHBOARD_REDIS_PREFIX=switchboard-bench-$$-$(date +%s)
  # Every node must accept the tokens issued by the others.
  SWITCHBOARD_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  export SWITCHBOARD_JWT_SECRET
fi

export SWITCHBOARD_LISTEN=127.0.0.1:$PORT
export SWITCHBOARD_DATABASE_URL=$DB_URL
export SWITCHBOARD_DATA_DIR=$WORK/data
export SWITCHBOARD_WEB_DIR=$WORK/no-web
export SWITCHBOARD_AUTH_RATE_LIMIT=off
export SWITCHBOARD_WS_MESSAGES_PER_SECOND=100000
export SWITCHBOARD_WS_MAX_CONNECTIONS_PER_USER=1000
export SWITCHBOARD_WS_OUTBOUND_QUEUE=${BENCH_OUTBOUND_QUEUE:-4096}
export SWITCHBOARD_ACCESS_TOKEN_TTL_SECS=86400
export SWITCHBOARD_LOG_LEVEL=${BENCH_LOG_LEVEL:-warn}
export BENCH_ADMIN_PASSWORD=bench-admin-password
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg), open files $(ulimit -n)"
echo "== database: $LABEL; nodes: $NODES (ports ${PORTS[*]}); redis: ${SWITCHBOARD_REDIS_URL:-off}; work dir $WORK; results $OUT"
printf '%s\n' "$BENCH_ADMIN_PASSWORD" |
  "$SERVER_BIN" user create --email bench-admin@example.com --role admin >/dev/null

SERVER_PIDS=()
cleanup() {
  for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -z "${BENCH_KEEP:-}" ] && [ -z "${BENCH_OUT:-}" ]; then rm -rf "$WORK/db" "$WORK/data"; fi
}
trap cleanup EXIT
WS_SERVERS=""
for i in "${!PORTS[@]}"; do
  log=$WORK/server.log; [ "$NODES" -gt 1 ] && log=$WORK/server$((i + 1)).log
  SWITCHBOARD_LISTEN=127.0.0.1:${PORTS[$i]} "$SERVER_BIN" serve >"$log" 2>&1 &
  SERVER_PIDS+=($!)
  WS_SERVERS+=${WS_SERVERS:+,}http://127.0.0.1:${PORTS[$i]}
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:${PORTS[$i]}/healthz" >/dev/null 2>&1 && break
    kill -0 "${SERVER_PIDS[$i]}" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
  done
done
SERVER_PID=$(IFS=,; echo "${SERVER_PIDS[*]}")

B=("$BENCH_BIN" --url "http://127.0.0.1:$PORT" --state "$WORK/state.json" --out "$OUT"
   --server-pid "$SERVER_PID" --label "$LABEL")
[ "$NODES" -gt 1 ] && B+=(--ws-servers "$WS_SERVERS")
STEPS=" ${BENCH_STEPS:-setup login idle fanout history reconnect large-room} "
step() {
  case "$STEPS" in *" $1 "*) ;; *) return 0 ;; esac
  echo "== $*"; "${B[@]}" "$@" | grep -v '^JSON ' || { echo "step failed: $*"; exit 1; }
}

step setup --users "$BENCH_USERS" --group 10
step login --duration "$BENCH_PHASE_SECS" --concurrency 4
step idle --conns "$BENCH_IDLE" --hold 2
step fanout --rate "$BENCH_RATES" --duration "$BENCH_DURATION" --drain "${BENCH_DRAIN:-5}"
step history --duration "$BENCH_PHASE_SECS" --concurrency "$BENCH_HISTORY_READERS"
step reconnect --clients "$BENCH_RECONNECT" --messages 5
# Two sizes: 1,000 connected members at 100 msg/s, then every agent (5,004 in the full suite)
# at 20 msg/s.
step large-room --rate 100 --duration "$BENCH_PHASE_SECS" --members 1000
step large-room --rate 20 --duration "$BENCH_PHASE_SECS" --members "$BENCH_ROOM_MEMBERS"

# The crash figure needs the security suite's harness (a test build): the full suite only.
if [ -n "${BENCH_FULL:-}" ] || [[ "$STEPS" == *" crash "* ]]; then
  SWITCHBOARD_BIN=$SERVER_BIN BENCH_OUT=$OUT bash scripts/crash-bench.sh
fi

echo
echo "== results ($LABEL; $NODES node(s); $(nproc) cores shared with the generator; load $(cut -d' ' -f1-3 /proc/loadavg))"
"$BENCH_BIN" table "$OUT"
echo
echo "JSON lines: $OUT   (plots: python3 scripts/plot_bench.py $OUT)"
[ -f "$OUT.crash.txt" ] && cat "$OUT.crash.txt"
true

#!/usr/bin/env bash
# Judges a change against its parent: two server binaries, back to back, on copies of the same
# state (SQLite, or a PostgreSQL database cloned from one template), under the same load.
#
#   scripts/bench-compare.sh BEFORE_BIN AFTER_BIN
#
#   BENCH_BIN=target/release/switchboard-bench   the load generator (one for both runs)
#   BENCH_USERS=1000 BENCH_RATES=1000,2000 BENCH_DURATION=10 BENCH_DRAIN=5
#   BENCH_STEPS="fanout history"                 steps run against each binary
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmp   PostgreSQL instead of SQLite
#   BENCH_OUT=file                               JSON lines (labels: before / after)
#   BENCH_ROUNDS=1                               before, after, before, after … to see the noise
#   BENCH_ROOM_RATE=20 BENCH_ROOM_MEMBERS=0      the large room: messages/s, members connected (0: all)
#   BENCH_FILL=450000                            SQLite: that many messages written into the state
#                                                first (search-bench-fill.py), so history pages
#                                                come from the database, not from memory
#   BENCH_METRICS=prefix                         after each run, the writer's /metrics lines
#                                                (batch sizes, step times) to prefix.LABEL-ROUND.txt
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${1:?usage: bench-compare.sh BEFORE_BIN AFTER_BIN}
AFTER=${2:?usage: bench-compare.sh BEFORE_BIN AFTER_BIN}
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
BENCH=${BENCH_BIN:-$TARGET_DIR/release/switchboard-bench}
: "${BENCH_USERS:=1000}" "${BENCH_RATES:=1000,2000}" "${BENCH_DURATION:=10}" "${BENCH_DRAIN:=5}"
: "${BENCH_STEPS:=fanout history}" "${BENCH_ROUNDS:=1}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-compare.XXXXXX")
OUT=${BENCH_OUT:-$WORK/results.jsonl}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PG=${BENCH_DATABASE_URL:-}

export SWITCHBOARD_LISTEN=127.0.0.1:$PORT SWITCHBOARD_WEB_DIR=$WORK/no-web
export SWITCHBOARD_AUTH_RATE_LIMIT=off SWITCHBOARD_WS_MESSAGES_PER_SECOND=100000
export SWITCHBOARD_WS_MAX_CONNECTIONS_PER_USER=1000 SWITCHBOARD_WS_OUTBOUND_QUEUE=4096
export SWITCHBOARD_ACCESS_TOKEN_TTL_SECS=86400 SWITCHBOARD_LOG_LEVEL=warn
export BENCH_ADMIN_PASSWORD=bench-admin-password
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

PID=""
stop() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; PID=""; }
trap stop EXIT
# serve BIN DIR DB_URL: starts a server on the state in DIR and waits until it answers.
serve() {
  SWITCHBOARD_DATABASE_URL=$3 SWITCHBOARD_DATA_DIR=$2/data "$1" serve >"$2/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$PID" 2>/dev/null || { cat "$2/server.log"; exit 1; }
    sleep 0.1
  done
  echo "server did not start"; exit 1
}
db_url() { # DIR NAME
  if [ -n "$PG" ]; then echo "${PG%/*}/$2"; else echo "sqlite://$1/db/switchboard.db"; fi
}

echo "== state: $BENCH_USERS users, made once with $BEFORE (work dir $WORK, port $PORT)"
mkdir -p "$WORK/state"
if [ -n "$PG" ]; then
  psql "${PG%/*}/postgres" -qc "DROP DATABASE IF EXISTS cmp_state" -c "CREATE DATABASE cmp_state"
fi
STATE_DB=$(db_url "$WORK/state" cmp_state)
printf '%s\n' "$BENCH_ADMIN_PASSWORD" | SWITCHBOARD_DATABASE_URL=$STATE_DB \
  SWITCHBOARD_DATA_DIR=$WORK/state/data "$BEFORE" user create --email bench-admin@example.com --role admin >/dev/null
serve "$BEFORE" "$WORK/state" "$STATE_DB"
"$BENCH" --url "http://127.0.0.1:$PORT" --state "$WORK/state.json" --out "$WORK/setup.jsonl" \
  setup --users "$BENCH_USERS" --group 10 | grep -v '^JSON '
stop
if [ -n "${BENCH_FILL:-}" ] && [ -z "$PG" ]; then
  python3 scripts/search-bench-fill.py "$WORK/state/db/switchboard.db" "$BENCH_FILL"
  # The search index built once, in the state, so no run starts by building it.
  serve "$BEFORE" "$WORK/state" "$STATE_DB"
  python3 scripts/lib/wait-for-search-index.py "$WORK/state/db/switchboard.db"
  stop
fi

for round in $(seq 1 "$BENCH_ROUNDS"); do
  for which in before after; do
    bin=$BEFORE; [ "$which" = after ] && bin=$AFTER
    dir=$WORK/$which-$round
    rm -rf "$dir"; mkdir -p "$dir"; cp -r "$WORK/state/data" "$dir/data"
    if [ -n "$PG" ]; then
      psql "${PG%/*}/postgres" -qc "DROP DATABASE IF EXISTS cmp_run" -c "CREATE DATABASE cmp_run TEMPLATE cmp_state"
      url=$(db_url "$dir" cmp_run)
    else
      cp -r "$WORK/state/db" "$dir/db"; url=$(db_url "$dir" x)
    fi
    serve "$bin" "$dir" "$url"
    echo "== $which (round $round): $bin, load $(cut -d' ' -f1-3 /proc/loadavg)"
    B=("$BENCH" --url "http://127.0.0.1:$PORT" --state "$WORK/state.json" --out "$OUT"
       --server-pid "$PID" --label "$which")
    for s in $BENCH_STEPS; do
      case $s in
        fanout) "${B[@]}" fanout --rate "$BENCH_RATES" --duration "$BENCH_DURATION" --drain "$BENCH_DRAIN" | grep -v '^JSON ' ;;
        history) "${B[@]}" history --duration "$BENCH_DURATION" --concurrency 32 | grep -v '^JSON ' ;;
        reconnect) "${B[@]}" reconnect --clients "${BENCH_RECONNECT:-2000}" --messages 5 | grep -v '^JSON ' ;;
        large-room) "${B[@]}" large-room --rate "${BENCH_ROOM_RATE:-20}" --duration "$BENCH_DURATION" --members "${BENCH_ROOM_MEMBERS:-0}" | grep -v '^JSON ' ;;
        idle) "${B[@]}" idle --conns "${BENCH_IDLE:-2000}" --hold 2 | grep -v '^JSON ' ;;
        *) echo "unknown step $s"; exit 1 ;;
      esac
    done
    if [ -n "${BENCH_METRICS:-}" ]; then
      curl -fs "http://127.0.0.1:$PORT/metrics" | grep -E '^switchboard_(writer_|message_stage|ws_event_wait|sqlite_)' >"$BENCH_METRICS.$which-$round.txt"
    fi
    stop
  done
done
echo
"$BENCH" table "$OUT"
echo "JSON lines: $OUT"

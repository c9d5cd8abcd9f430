# Shared by the benchmarks that fill a SQLite database beside a real server (search-bench.sh,
# stats-bench.sh). Sourced after `cd` to the repository and after setting BENCH_NAME; builds the
# release binaries (unless BENCH_NO_BUILD), prepares a work dir and the server's environment,
# creates the bench admin, defines `start` / `stop` and the bench command line `B`.
CARGO=${CARGO:-cargo}
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  "$CARGO" build --release -p switchboard -p switchboard-bench
fi
BIN_DIR=${BENCH_BIN_DIR:-$TARGET_DIR/release}
SERVER_BIN=$BIN_DIR/switchboard
BENCH_BIN=$BIN_DIR/switchboard-bench
WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-$BENCH_NAME-bench.XXXXXX")
OUT=${BENCH_OUT:-$WORK/results.jsonl}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export SWITCHBOARD_LISTEN=127.0.0.1:$PORT
export SWITCHBOARD_DATABASE_URL=sqlite://$WORK/db/switchboard.db
export SWITCHBOARD_DATA_DIR=$WORK/data
export SWITCHBOARD_WEB_DIR=$WORK/no-web
export SWITCHBOARD_AUTH_RATE_LIMIT=off
export SWITCHBOARD_ACCESS_TOKEN_TTL_SECS=86400
export SWITCHBOARD_LOG_LEVEL=${BENCH_LOG_LEVEL:-warn}
export BENCH_ADMIN_PASSWORD=bench-admin-password

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); work dir $WORK"
printf '%s\n' "$BENCH_ADMIN_PASSWORD" |
  "$SERVER_BIN" user create --email bench-admin@example.com --role admin >/dev/null

SERVER_PID=""
start() {
  "$SERVER_BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
    sleep 0.1
  done
  echo "the server did not start"; exit 1
}
stop() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
# Waits until the server's search indexer has indexed every message (lib/wait-for-search-index.py).
wait_for_search_index() { python3 scripts/lib/wait-for-search-index.py "$WORK/db/switchboard.db"; }
cleanup() {
  [ -n "$SERVER_PID" ] && stop
  if [ -z "${BENCH_KEEP:-}" ]; then rm -rf "$WORK/db" "$WORK/data"; fi
}
trap cleanup EXIT

B=("$BENCH_BIN" --url "http://127.0.0.1:$PORT" --state "$WORK/state.json" --out "$OUT" --label sqlite)

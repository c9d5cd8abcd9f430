#!/usr/bin/env bash
# Bounded security checks, run by `make test` (and `make security`): a few minutes in all.
#   1. supply chain: cargo-deny (advisories from the offline RustSec snapshot, licences, bans,
#      sources) with deny.toml at the repository root;
#   2. API fuzzing: schemathesis against a freshly started server's /openapi.json with a valid
#      bearer token, all checks, stateful links, bounded examples: no 5xx, answers match schemas;
#   3. the security test target (authorization sweep, tokens, WebSocket abuse, brute force,
#      uploads, mass assignment, property tests, crash durability).
# Figures go to target/security-figures.txt; schemathesis reports to target/schemathesis/.
# Knobs (scripts/soak.sh raises them): SCHEMATHESIS_MAX_EXAMPLES, SCHEMATHESIS_MAX_TIME,
# SECURITY_CRASH_CYCLES, SECURITY_CRASH_SECS, PROPTEST_CASES. SKIP_SCHEMATHESIS=1,
# SKIP_DENY=1, SKIP_SECURITY_TESTS=1 skip a part.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CARGO=${CARGO:-cargo}
SCHEMATHESIS_VERSION=4.32.5
CACHE=${SWITCHBOARD_SECURITY_CACHE:-$HOME/.cache/switchboard-security}
# The offline RustSec snapshot sits beside the checkout (../shared) on the team's machines; a
# clone elsewhere (CI) finds it at the machine's shared folder.
if [[ -z ${ADVISORY_DB:-} ]]; then
  for candidate in "$ROOT/../shared/advisory-db" /work/shared/advisory-db; do
    if [[ -d $candidate ]]; then
      ADVISORY_DB=$candidate
      break
    fi
  done
  ADVISORY_DB=${ADVISORY_DB:-$ROOT/../shared/advisory-db}
fi
FIGURES=$ROOT/target/security-figures.txt
mkdir -p "$ROOT/target" "$CACHE"
: >"$FIGURES"
status=0
step() { printf '\n== %s\n' "$*"; }

# ---------------------------------------------------------------- 1. supply chain
if [[ -z ${SKIP_DENY:-} ]]; then
  step "cargo deny (advisories from $ADVISORY_DB, licences, bans, sources)"
  if ! command -v cargo-deny >/dev/null; then
    # A debug build: it compiles in about half the time, and the check runs in seconds anyway.
    $CARGO install cargo-deny --locked --debug
  fi
  # cargo-deny wants the advisory database as a git checkout under db-path (deny.toml):
  # copy the offline snapshot there and make it a repository.
  DBS=$ROOT/target/advisory-dbs
  if [[ -d $ADVISORY_DB ]]; then
    rm -rf "$DBS"
    mkdir -p "$DBS"
    dest=$DBS/advisory-db-3157b0e258782691
    cp -r "$ADVISORY_DB" "$dest"
    if [[ ! -d $dest/.git ]]; then
      (cd "$dest" && git init -q && git add -A && git -c user.email=ci@localhost -c user.name=ci commit -qm snapshot)
    fi
    echo "advisory snapshot: $(cat "$dest/SNAPSHOT" 2>/dev/null || echo unknown)"
  else
    echo "no advisory snapshot at $ADVISORY_DB: cargo deny will try to fetch one" >&2
  fi
  # `cargo deny` reads `cargo metadata` for every target (wasm, Android, Windows crates too),
  # and a new machine's cache holds only what this platform built: fetch the rest first (the
  # registry is reachable; only the advisory database must come from the offline snapshot).
  $CARGO fetch --locked
  if $CARGO deny --offline check --show-stats; then
    echo "FIGURES supply-chain cargo-deny=ok" >>"$FIGURES"
  else
    echo "FIGURES supply-chain cargo-deny=FAILED" >>"$FIGURES"
    status=1
  fi
fi

# ---------------------------------------------------------------- 2. API fuzzing
if [[ -z ${SKIP_SCHEMATHESIS:-} ]]; then
  step "schemathesis $SCHEMATHESIS_VERSION against /openapi.json"
  VENV=$CACHE/venv
  if [[ ! -x $VENV/bin/st ]] || ! "$VENV/bin/pip" show schemathesis 2>/dev/null | grep -q "^Version: $SCHEMATHESIS_VERSION$"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  BIN=${SWITCHBOARD_BIN:-$ROOT/target/debug/switchboard}
  [[ -x $BIN ]] || $CARGO build -p switchboard
  WORK=$(mktemp -d)
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export SWITCHBOARD_LISTEN=127.0.0.1:$PORT SWITCHBOARD_DATA_DIR=$WORK \
    SWITCHBOARD_DATABASE_URL=sqlite://$WORK/sb.db SWITCHBOARD_WEB_DIR=$WORK/none \
    SWITCHBOARD_AUTH_RATE_LIMIT=off SWITCHBOARD_LOG_LEVEL=warn
  printf 'a long admin password\n' | "$BIN" user create --email admin@example.com --role admin >/dev/null
  "$BIN" serve >"$WORK/server.log" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  TOKEN=$(curl -fs "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"admin@example.com","password":"a long admin password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  # Some data for the stateful phase and for ids in paths.
  curl -fs "http://127.0.0.1:$PORT/api/v1/tickets" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"subject":"Printer","body":"It jams","priority":"low"}' >/dev/null
  OUT=$ROOT/target/schemathesis
  rm -rf "$OUT"
  mkdir -p "$OUT"
  set +e
  # Run from target/ so schemathesis' own cache stays out of the work tree.
  (cd "$OUT" && "$VENV/bin/st" run "http://127.0.0.1:$PORT/openapi.json" \
    --header "Authorization: Bearer $TOKEN" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" \
    --max-time "${SCHEMATHESIS_MAX_TIME:-120}" \
    --request-timeout 10 \
    --workers 2 \
    --seed "${SCHEMATHESIS_SEED:-9}" \
    --no-color \
    --warnings off \
    --report junit,ndjson --report-dir "$OUT" \
    --exclude-path /api/v1/auth/logout \
    --generation-database :memory: \
    >"$OUT/output.txt" 2>&1)
  st_status=$?
  set -e
  tail -n 60 "$OUT/output.txt"
  # The summary lists each failure class as "❌ STnnn Title: count".
  classes=$(grep -oE '❌ ST[0-9]+ [^:]+: [0-9]+' "$OUT/output.txt" | sed 's/❌ //' || true)
  cases=$(grep -oE '[0-9]+ generated' "$OUT/output.txt" | head -1 | grep -oE '[0-9]+' || echo 0)
  # Known OpenAPI-accuracy classes (undocumented status codes, input constraints the document
  # and the server disagree on, stateful-link false positives) are reported but only fail the
  # run with SCHEMATHESIS_STRICT=1. Anything else (server errors ST1xx 5xx, response schema
  # violations, crashes) always fails it.
  known='^ST(103|201|202|302) '
  hard=$(printf '%s\n' "$classes" | grep -vE "$known" | grep -v '^$' || true)
  server_errors=$(printf '%s\n' "$classes" | grep -iE 'server error' | grep -oE '[0-9]+$' || echo 0)
  echo "FIGURES schemathesis cases=$cases server_errors=${server_errors:-0} classes=[$(printf '%s' "$classes" | tr '\n' ';')] report=target/schemathesis/output.txt" >>"$FIGURES"
  if [[ -n $hard ]]; then
    echo "schemathesis: failures outside the known OpenAPI-accuracy classes:" >&2
    printf '%s\n' "$hard" >&2
    st_status=1
  elif [[ -z ${SCHEMATHESIS_STRICT:-} && -n $classes && $cases -gt 0 ]] &&
    ! grep -qiE '^(Errors|Warnings):|network error|schema error|failed to load' "$OUT/output.txt"; then
    st_status=0
  fi
  if ! kill -0 $SERVER 2>/dev/null; then
    echo "the server died during fuzzing:" >&2
    tail -n 40 "$WORK/server.log" >&2
    status=1
  fi
  kill $SERVER 2>/dev/null || true
  wait $SERVER 2>/dev/null || true
  trap - EXIT
  rm -rf "$WORK"
  unset SWITCHBOARD_LISTEN SWITCHBOARD_DATA_DIR SWITCHBOARD_DATABASE_URL SWITCHBOARD_WEB_DIR SWITCHBOARD_AUTH_RATE_LIMIT SWITCHBOARD_LOG_LEVEL
  if [[ $st_status -ne 0 ]]; then
    echo "schemathesis found failures (see target/schemathesis/output.txt)" >&2
    status=1
  fi
fi

# ---------------------------------------------------------------- 3. security tests
if [[ -z ${SKIP_SECURITY_TESTS:-} ]]; then
  step "cargo test --test security"
  if SECURITY_FIGURES=$FIGURES $CARGO test -p switchboard --test security -- --test-threads=2; then
    :
  else
    status=1
  fi
fi

step "figures"
cat "$FIGURES"
exit $status

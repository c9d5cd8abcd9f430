#!/usr/bin/env bash
# The crash figure of BENCHMARKS.md: a release build of the server SIGKILLed 20 times while
# 5,000 msg/s are offered over the WebSocket (the harness is the security suite's crash test,
# crates/server/tests/security/crash.rs); every acked message must be stored exactly once, seqs
# gapless, retried client ids stored once. Part of `make bench` with BENCH_FULL=1.
#
#   SECURITY_CRASH_RATE (5000), SECURITY_CRASH_CYCLES (20), SECURITY_CRASH_SECS (60)
#   SWITCHBOARD_BIN     the server to kill (default: the release build, built first)
#   BENCH_OUT           append the figures line to this file
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
if [ -z "${SWITCHBOARD_BIN:-}" ]; then
  "$CARGO" build --release -p switchboard
  export SWITCHBOARD_BIN=$TARGET_DIR/release/switchboard
fi
export SECURITY_CRASH_RATE=${SECURITY_CRASH_RATE:-5000}
export SECURITY_CRASH_CYCLES=${SECURITY_CRASH_CYCLES:-20}
export SECURITY_CRASH_SECS=${SECURITY_CRASH_SECS:-60}
FIGURES=$(mktemp)
trap 'rm -f "$FIGURES"' EXIT
echo "== crash: $SECURITY_CRASH_CYCLES SIGKILLs of $SWITCHBOARD_BIN over ${SECURITY_CRASH_SECS} s at $SECURITY_CRASH_RATE msg/s offered (load $(cut -d' ' -f1-3 /proc/loadavg))"
SECURITY_FIGURES=$FIGURES "$CARGO" test -p switchboard --test security \
  crash::acknowledged_messages_survive_sigkill_exactly_once -- --exact --nocapture 2>&1 | grep -E "FIGURES|test result|panicked" || true
cat "$FIGURES"
grep -q "problems=0" "$FIGURES" || { echo "crash: problems found (see above)"; exit 1; }
if [ -n "${BENCH_OUT:-}" ]; then sed "s/^FIGURES /crash /" "$FIGURES" >>"${BENCH_OUT}.crash.txt"; fi

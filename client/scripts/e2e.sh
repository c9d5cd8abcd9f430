#!/usr/bin/env bash
# End-to-end tests: Debian's Chromium (installed here when missing) driven by playwright-core
# against the real switchboard server, which e2e/run.mjs starts itself with a fresh database.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian chromium =="
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi

[ -d node_modules ] || npm ci --no-audit --no-fund
[ -f dist/index.html ] || npm run build:web

export SWITCHBOARD_BIN="${SWITCHBOARD_BIN:-$(pwd)/../target/debug/switchboard}"
if [ ! -x "$SWITCHBOARD_BIN" ]; then
  echo "server binary missing: $SWITCHBOARD_BIN (cargo build -p switchboard)" >&2
  exit 1
fi
node e2e/run.mjs "$@"

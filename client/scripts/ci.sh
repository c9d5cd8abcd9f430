#!/usr/bin/env bash
# The app's CI: install, static checks, unit tests (android + web), web build, android bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=1 EXPO_NO_TELEMETRY=1 EXPO_OFFLINE=1

step() { echo; echo "== client: $* =="; }

step "npm ci";          npm ci --no-audit --no-fund
step "api:check";       npm run api:check
step "typecheck";       npm run typecheck
step "lint";            npm run lint
step "format:check";    npm run format:check
step "test";            npm test -- --ci
step "build:web";       npm run build:web
step "build:android";   npm run build:android
echo; echo "== client: all green =="

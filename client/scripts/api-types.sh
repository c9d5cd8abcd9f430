#!/usr/bin/env bash
# The app's API types, generated from the server's OpenAPI document (docs/openapi.json, which a
# server test keeps equal to `switchboard openapi`).
#   scripts/api-types.sh generate   writes src/api/schema.ts
#   scripts/api-types.sh check      fails when src/api/schema.ts differs from a fresh generation
set -euo pipefail
cd "$(dirname "$0")/.."
spec=../docs/openapi.json
out=src/api/schema.ts
bin=node_modules/.bin

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin/openapi-typescript" "$spec" -o "$tmp/schema.ts" >/dev/null
# Formatted as the rest of the code is, so format:check and this check agree.
"$bin/prettier" --stdin-filepath "$out" <"$tmp/schema.ts" >"$tmp/formatted.ts"

case "${1:-check}" in
  generate)
    cp "$tmp/formatted.ts" "$out"
    echo "wrote $out from $spec"
    ;;
  check)
    if ! diff -u "$out" "$tmp/formatted.ts" >"$tmp/diff"; then
      head -n 60 "$tmp/diff"
      echo "$out is out of date with $spec: run npm run api:generate and commit it" >&2
      exit 1
    fi
    echo "$out matches $spec"
    ;;
  *)
    echo "usage: $0 generate|check" >&2
    exit 2
    ;;
esac

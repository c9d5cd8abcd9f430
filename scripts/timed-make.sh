#!/usr/bin/env bash
# Runs make targets in order and prints how long each took, so CI's time can be read off its
# log (`make test` uses it). Stops at the first failure, after printing the times so far.
set -uo pipefail
summary=""
report() { printf '\n== step times\n%b' "$summary"; }
for target in "$@"; do
  start=$(date +%s)
  make --no-print-directory "$target"
  status=$?
  summary+="$(printf '%-12s %5d s' "$target" $(($(date +%s) - start)))\n"
  if [[ $status -ne 0 ]]; then
    report
    exit $status
  fi
done
report

#!/usr/bin/env bash
# `make soak`: the long versions of the security checks: 200 SIGKILL cycles over 10 minutes,
# 20 000 cases per property test, and schemathesis with 500 examples per operation for up to
# 20 minutes. Each knob can be overridden from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
export SECURITY_CRASH_CYCLES=${SECURITY_CRASH_CYCLES:-200}
export SECURITY_CRASH_SECS=${SECURITY_CRASH_SECS:-600}
export PROPTEST_CASES=${PROPTEST_CASES:-20000}
export SCHEMATHESIS_MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-500}
export SCHEMATHESIS_MAX_TIME=${SCHEMATHESIS_MAX_TIME:-1200}
exec bash scripts/security.sh

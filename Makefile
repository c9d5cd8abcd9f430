# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
SHELL := bash
CARGO ?= cargo
export SWITCHBOARD_WEB_DIR ?= $(CURDIR)/client/dist
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)

.PHONY: run test server-test lint client-test e2e web build release bench bench-crash bench-search bench-stats bench-compare soak cluster fmt

## Build the web app (when Node.js is present) and start the server on http://127.0.0.1:8080
run: build
	@if command -v node >/dev/null; then $(MAKE) web; else echo "Node.js not found: serving the API without the web app"; fi
	$(TARGET_DIR)/debug/switchboard serve

build:
	$(CARGO) build -p switchboard

release:
	$(CARGO) build --release -p switchboard

web:
	cd client && ([ -d node_modules ] || npm ci --no-audit --no-fund) && npm run build:web

## Everything CI runs: lints, the server suite on every configured database, the app's checks,
## and the browser end-to-end tests.
test:
	@bash scripts/timed-make.sh lint server-test security client-test e2e

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

server-test:
	$(CARGO) test --workspace

client-test:
	bash client/scripts/ci.sh

e2e: build
	SWITCHBOARD_BIN=$(TARGET_DIR)/debug/switchboard bash client/scripts/e2e.sh

fmt:
	$(CARGO) fmt --all

## Bounded security checks (API fuzzing, supply chain, crash durability); part of `make test`.
security: build
	# The security test target already ran in server-test.
	SKIP_SECURITY_TESTS=1 SWITCHBOARD_BIN=$(TARGET_DIR)/debug/switchboard bash scripts/security.sh

## Release build and a short benchmark suite (under 3 minutes); prints the table.
bench:
	bash scripts/bench.sh

## 20 SIGKILLs of the release build at 5,000 msg/s offered (also in BENCH_FULL=1 make bench).
bench-crash:
	bash scripts/crash-bench.sh

## Search over 1,000,000 messages on SQLite: p50/p99 (BENCHMARKS.md, "Search").
bench-search:
	bash scripts/search-bench.sh

## Analytics over 100,000 tickets and 1,000,000 messages on SQLite: p50/p99 (BENCHMARKS.md, "Analytics").
bench-stats:
	bash scripts/stats-bench.sh

## Two server binaries back to back on one state: make bench-compare BEFORE=path AFTER=path
bench-compare:
	bash scripts/bench-compare.sh $(BEFORE) $(AFTER)

## The long versions of the fuzzing, crash and load runs.
soak:
	bash scripts/soak.sh

## Two (or NODES=3) nodes on PostgreSQL + Redis behind nginx on :8080 (docs/deploy.md).
cluster:
	bash scripts/cluster $(or $(NODES),2)

#!/usr/bin/env bash
# Runs bench/overload against a freshly started lakehouse on a free
# loopback port (its pid given for peak RSS). Arguments go to
# build/overload_bench (--quick for CI).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/smoke.sh

# The bounds under test: past 64 open connections a client gets 503 at
# accept (an HTTP/1.1 server's queue is its connections: accepted latency
# is about max_connections / throughput); an I/O thread 20 ms behind
# refuses what it reads.
config=$SMOKE_DIR/overload.toml
cat >"$config" <<TOML
max_connections = ${OVERLOAD_MAX_CONNECTIONS:-64}
max_queue_delay_ms = ${OVERLOAD_MAX_QUEUE_DELAY_MS:-20}
TOML
start_service lakehouse --config "$config" --data-dir "$SMOKE_DIR/data"
"$BIN_DIR/overload_bench" --port "$PORT_lakehouse" --pid "$PID_lakehouse" "$@"

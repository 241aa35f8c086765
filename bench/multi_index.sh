#!/usr/bin/env bash
# Runs bench/multi_index against a freshly started lakehouse on a free
# loopback port: many indexes under a mixed load, with and without a hot
# index flooded by batch adds. Arguments go to build/multi_index_bench
# (--quick for CI).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/smoke.sh

start_service lakehouse --data-dir "$SMOKE_DIR/data"
"$BIN_DIR/multi_index_bench" --port "$PORT_lakehouse" "$@"

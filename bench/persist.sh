#!/usr/bin/env bash
# Runs bench/persist for both persistence paths, each in its own process:
# the embedded RocksDB store (lakehouse) and a freshly started storaged
# over HTTP (vectord).
#   bench/persist.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/smoke.sh

start_service storaged --data-dir "$SMOKE_DIR/storaged-data"
echo "== embedded RocksDB (lakehouse)"
"$BIN_DIR/persist_bench" --store embedded --dir "$SMOKE_DIR/embedded" "$@"
echo "== storaged over HTTP (vectord)"
"$BIN_DIR/persist_bench" --store "http://127.0.0.1:$PORT_storaged" \
  --dir "$SMOKE_DIR/remote" "$@"

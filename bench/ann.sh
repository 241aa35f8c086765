#!/usr/bin/env bash
# Runs bench/ann against a freshly started vectord on a free loopback port.
# Arguments go to bench/ann (e.g. --quick). Output: a table and
# bench/out/ann.png.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/smoke.sh

mkdir -p bench/out
start_service vectord
"$BIN_DIR/ann_bench" --port "$PORT_vectord" --target vectord \
  --plot bench/out/ann.png "$@"

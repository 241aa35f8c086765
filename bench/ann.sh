#!/usr/bin/env bash
# Runs bench/ann against a freshly started vectord on a free loopback port.
# Arguments go to bench/ann (e.g. --quick). Output: a table and
# bench/out/ann.png.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
bin=$PWD/$BUILD_DIR
work=$(mktemp -d /tmp/lakehouse-ann.XXXXXX)
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p bench/out

(cd "$work" && exec "$bin/vectord" --port 0) >"$work/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$work/log")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { echo "vectord did not start"; cat "$work/log"; exit 1; }
"$bin/ann_bench" --port "$port" --target vectord --plot bench/out/ann.png "$@"

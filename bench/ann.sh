#!/usr/bin/env bash
# Runs bench/ann against freshly started targets on free loopback ports.
#   bench/ann.sh [--target vectord|lakehouse|gateway]... [ann options]
# Default targets: vectord, lakehouse and gateway (in front of its own
# storaged and vectord), measured in the same run.
# Output: a table and bench/out/ann.png.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/smoke.sh

names=()
args=()
while (($#)); do
  if [[ $1 == --target ]]; then
    names+=("$2")
    shift 2
  else
    args+=("$1")
    shift
  fi
done
((${#names[@]})) || names=(vectord lakehouse gateway)

mkdir -p bench/out
targets=()
for name in "${names[@]}"; do
  case $name in
    vectord) start_service vectord --storaged-url "" ;; # in memory only
    lakehouse) start_service lakehouse --data-dir "$SMOKE_DIR/data" ;;
    gateway)
      # Its own upstreams, so that no other target's index is in the way.
      start_service storaged --data-dir "$SMOKE_DIR/gateway-data"
      PORT_upstream_storaged=$PORT_storaged
      start_service vectord \
        --storaged-url "http://127.0.0.1:$PORT_upstream_storaged"
      start_service gateway --vectord-url "http://127.0.0.1:$PORT_vectord" \
        --storaged-url "http://127.0.0.1:$PORT_upstream_storaged"
      ;;
    *) echo "unknown target $name" >&2; exit 2 ;;
  esac
  port_var=PORT_$name
  targets+=(--target "$name:${!port_var}")
done
"$BIN_DIR/ann_bench" "${targets[@]}" --plot bench/out/ann.png "${args[@]}"

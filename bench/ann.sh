#!/usr/bin/env bash
# Runs bench/ann against freshly started targets on free loopback ports.
#   bench/ann.sh [--target vectord|lakehouse]... [ann options, e.g. --quick]
# Default targets: vectord and lakehouse, measured in the same run.
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
((${#names[@]})) || names=(vectord lakehouse)

mkdir -p bench/out
targets=()
for name in "${names[@]}"; do
  case $name in
    vectord) start_service vectord ;;
    lakehouse) start_service lakehouse --data-dir "$SMOKE_DIR/data" ;;
    *) echo "unknown target $name" >&2; exit 2 ;;
  esac
  port_var=PORT_$name
  targets+=(--target "$name:${!port_var}")
done
"$BIN_DIR/ann_bench" "${targets[@]}" --plot bench/out/ann.png "${args[@]}"

#!/usr/bin/env bash
# kill -9 under load: every acknowledged change survives (issue 12). For
# each mode, clients add and delete items on several indexes while the
# target process is SIGKILLed at random moments; after each restart every
# acknowledged item must be there, exact, and every acknowledged delete
# must hold (scripts/lib/crash_client.py says how).
#   scripts/crash_test.sh [--cycles N] [--seed S] [MODE...]
# MODE: lakehouse, vectord (kill vectord beside storaged), storaged (kill
# storaged under vectord); default all three. CI runs 10 cycles each.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cycles=10
seed=$(date +%s)
modes=()
while (($#)); do
  case $1 in
    --cycles) cycles=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) modes+=("$1"); shift ;;
  esac
done
((${#modes[@]})) || modes=(lakehouse vectord storaged)
for mode in "${modes[@]}"; do
  echo "-- crash test: $mode, $cycles cycles"
  python3 scripts/lib/crash_client.py --bin "$BUILD_DIR" --mode "$mode" \
    --cycles "$cycles" --seed "$seed"
done

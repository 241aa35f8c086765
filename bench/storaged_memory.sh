#!/usr/bin/env bash
# Peak memory of storaged for one large PUT and GET: the growth of its peak
# RSS (VmHWM, reset before each call) must stay under 2.5x the object size.
# Memory is not a timing, so this one asserts. Default 512 MiB; --quick 64.
set -euo pipefail
cd "$(dirname "$0")/.."

mib=512
[[ ${1:-} == --quick ]] && mib=64
source scripts/lib/smoke.sh

start_service storaged --data-dir "$SMOKE_DIR/data"
pid=$PID_storaged
work=$SMOKE_DIR
base=http://127.0.0.1:$PORT_storaged

kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$pid/status"; }

# measure LABEL CMD...: runs CMD, prints the growth of storaged's peak RSS.
measure() {
  local label=$1
  shift
  local before
  before=$(kib VmRSS)
  echo 5 >"/proc/$pid/clear_refs" # resets VmHWM to the current RSS
  "$@"
  local peak growth
  peak=$(kib VmHWM)
  growth=$(((peak - before) / 1024))
  python3 - "$label" "$growth" "$mib" <<'PY'
import sys
label, growth, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ratio = growth / mib
print(f"{label:<22} peak RSS +{growth} MiB for {mib} MiB = {ratio:.2f}x (limit 2.5x)")
sys.exit(0 if ratio <= 2.5 else 1)
PY
}

head -c $((mib << 20)) /dev/urandom >"$work/object"
measure "PUT ${mib} MiB" curl -sf -T "$work/object" -o /dev/null \
  "$base/storage/put/big"
measure "GET ${mib} MiB" curl -sf -o "$work/back" "$base/storage/get/big"
cmp -s "$work/object" "$work/back" || { echo "GET returned other bytes"; exit 1; }
echo "memory check passed"

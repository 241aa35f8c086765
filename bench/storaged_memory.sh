#!/usr/bin/env bash
# Peak memory of storaged for one large PUT and GET: the growth of its peak
# RSS (VmHWM, reset before each call) must stay under 2.5x the object size.
# Memory is not a timing, so this one asserts. Default 512 MiB; --quick 64.
set -euo pipefail
cd "$(dirname "$0")/.."

mib=512
[[ ${1:-} == --quick ]] && mib=64
BUILD_DIR=${BUILD_DIR:-build}
bin=$PWD/$BUILD_DIR
work=$(mktemp -d /tmp/lakehouse-mem.XXXXXX)
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$work" && exec "$bin/storaged" --port 0 --data-dir "$work/data" \
  --log-level info) >"$work/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$work/log")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { echo "storaged did not start"; cat "$work/log"; exit 1; }
base=http://127.0.0.1:$port

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

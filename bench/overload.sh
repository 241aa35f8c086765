#!/usr/bin/env bash
# Runs bench/overload against a freshly started lakehouse on a free
# loopback port (its pid given for peak RSS). Arguments go to
# build/overload_bench (--quick for CI).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/smoke.sh

# The bound under test: a request that waited more than 1 ms before its
# I/O thread read it (the kernel's arrival stamp) is refused at once, so
# the accepted ones keep their latency; connections are not capped below
# the default (4096), so refusals go out on kept-alive connections
# instead of costing a TCP connection each.
#
# With 2 or more cores the server runs on core 0 (one I/O thread) and the
# load client on core 1 (OVERLOAD_SPLIT_CORES=0 to share them): a client
# sharing the server's cores adds its own scheduling delays to every
# latency it measures, and steals the CPU that the server's refusals
# are meant to keep for the accepted requests.
split=${OVERLOAD_SPLIT_CORES:-1}
[[ $(nproc) -ge 2 ]] || split=0
io_threads=0
[[ $split == 1 ]] && io_threads=1
config=$SMOKE_DIR/overload.toml
cat >"$config" <<TOML
max_queue_delay_ms = ${OVERLOAD_MAX_QUEUE_DELAY_MS:-1}
io_threads = $io_threads
TOML
[[ -n ${OVERLOAD_MAX_CONNECTIONS:-} ]] \
  && echo "max_connections = $OVERLOAD_MAX_CONNECTIONS" >>"$config"
start_service lakehouse --config "$config" --data-dir "$SMOKE_DIR/data"
client=()
if [[ $split == 1 ]]; then
  taskset -a -p -c 0 "$PID_lakehouse" >/dev/null
  client=(taskset -c 1)
  echo "overload: lakehouse on core 0 (1 I/O thread), the load client on core 1"
else
  echo "overload: lakehouse and the load client share the cores"
fi
"${client[@]}" "$BIN_DIR/overload_bench" --port "$PORT_lakehouse" \
  --pid "$PID_lakehouse" "$@"

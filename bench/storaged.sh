#!/usr/bin/env bash
# storaged's speed against baselines measured in the same run:
#   1. GET /health of storaged vs nginx (1 worker, `return 200`): goal >= 0.5x
#   2. 4 KiB PUT over HTTP vs synced RocksDB puts in-process:   goal >= 0.7x
# Prints figures and ratios; asserts nothing. --quick: 1 s per measurement.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=10
[[ ${1:-} == --quick ]] && duration=1
BUILD_DIR=${BUILD_DIR:-build}
bin=$PWD/$BUILD_DIR
work=$(mktemp -d /tmp/lakehouse-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wrk_rps ARGS...: requests per second from a wrk run.
wrk_rps() {
  wrk "$@" | awk '/^Requests\/sec:/ {print $2}'
}

ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

# nginx baseline: one worker answering a constant.
nginx_port=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
error_log $work/nginx/logs/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { return 200 'ok'; }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)

storaged_port=$(free_port)
(cd "$work" && exec "$bin/storaged" --port "$storaged_port" \
  --data-dir "$work/data" --log-level warn) &
pids+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$storaged_port/health" >/dev/null \
    && curl -sf "http://127.0.0.1:$nginx_port/" >/dev/null && break
  sleep 0.1
done

echo "storaged benchmark (${duration}s per figure, wrk -t2 -c64 for GETs)"
nginx_rps=$(wrk_rps -t2 -c64 -d"${duration}s" "http://127.0.0.1:$nginx_port/")
health_rps=$(wrk_rps -t2 -c64 -d"${duration}s" \
  "http://127.0.0.1:$storaged_port/health")
printf '%-34s %10s req/s\n' "nginx GET / (baseline)" "$nginx_rps"
printf '%-34s %10s req/s  ratio %s (goal >= 0.5)\n' "storaged GET /health" \
  "$health_rps" "$(ratio "$health_rps" "$nginx_rps")"

rocks_rate=$("$bin/rocks_put_bench" "$work/rocks" 4096 "$duration" \
  | awk '/puts_per_s/ {print $2}')
put_rps=$(wrk_rps -t2 -c8 -d"${duration}s" -s bench/put_4k.lua \
  "http://127.0.0.1:$storaged_port")
printf '%-34s %10s put/s\n' "RocksDB synced 4 KiB put (baseline)" "$rocks_rate"
printf '%-34s %10s put/s  ratio %s (goal >= 0.7)\n' "storaged HTTP 4 KiB PUT (-c8)" \
  "$put_rps" "$(ratio "$put_rps" "$rocks_rate")"

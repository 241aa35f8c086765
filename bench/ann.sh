#!/usr/bin/env bash
# Runs bench/ann against freshly started targets on free loopback ports.
#   bench/ann.sh [--target vectord|lakehouse|gateway]... [ann options]
# Default targets: vectord, lakehouse and gateway (in front of its own
# storaged and vectord), measured in the same run.
# Each target's pid goes along (server CPU per request). nginx (Debian's
# nginx-light, one worker per core, every request answered at once with a
# small JSON body) is started too, as the floor that sets the ceiling.
# lakehouse keeps its index (ann-bench) and is restarted at the end: its
# RSS after rehydration against the in-process build's RSS growth.
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
  pid_var=PID_$name
  targets+=(--target "$name:${!port_var}:${!pid_var}")
done

# The floor: nginx on a free loopback port, in the smoke directory.
floor=()
if nginx_bin=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null); then
  floor_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  ndir=$SMOKE_DIR/nginx
  mkdir -p "$ndir"
  cat >"$ndir/nginx.conf" <<NGINX
worker_processes $(nproc);
pid $ndir/nginx.pid;
error_log $ndir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $ndir/body;
  proxy_temp_path $ndir/proxy;
  fastcgi_temp_path $ndir/fastcgi;
  uwsgi_temp_path $ndir/uwsgi;
  scgi_temp_path $ndir/scgi;
  client_body_buffer_size 64k;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$floor_port;
    location / {
      default_type application/json;
      return 200 '{"results":[]}';
    }
  }
}
NGINX
  "$nginx_bin" -p "$ndir" -c "$ndir/nginx.conf" -g 'daemon off;' \
    >"$ndir/out.log" 2>&1 &
  SMOKE_PIDS+=($!)
  nginx_pid=$!
  for _ in $(seq 1 50); do
    curl -s -o /dev/null "http://127.0.0.1:$floor_port/" && break
    sleep 0.1
  done
  floor=(--floor "$floor_port:$nginx_pid")
  echo "started nginx (pid $nginx_pid, $(nproc) workers) on port $floor_port"
else
  echo "nginx not found: no floor measured (scripts/setup installs nginx-light)"
fi
log=$SMOKE_DIR/ann.out
status=0
"$BIN_DIR/ann_bench" "${targets[@]}" "${floor[@]}" --plot bench/out/ann.png \
  --keep ann-bench "${args[@]}" | tee "$log" || status=$?

# Memory after a restart: lakehouse rehydrates the index it saved.
if [[ -n ${PID_lakehouse:-} ]] && kill -0 "$PID_lakehouse" 2>/dev/null; then
  kill "$PID_lakehouse"
  wait "$PID_lakehouse" 2>/dev/null || true
  start_service lakehouse --data-dir "$SMOKE_DIR/data"
  sleep 1 # /ready is up; let the last rehydration buffers go
  rss=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$PID_lakehouse/status")
  growth=$(sed -n 's/^memory: in-process growth bytes //p' "$log")
  awk -v rss="$rss" -v growth="$growth" 'BEGIN {
    printf "lakehouse after a restart: RSS %.1f MiB = %.2f x the in-process build growth (target <= 1.15)\n",
      rss / 1048576, rss / growth }'
fi
exit "$status"

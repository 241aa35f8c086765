#!/usr/bin/env bash
# Smoke test of persistence: indexes survive restarts, kill -9 included,
# and a drop deletes the blob. First storaged + vectord + gateway from an
# empty directory (the API through the gateway, the blob seen through
# storaged's internal route), then lakehouse restarted on its own data directory.
set -euo pipefail
source "$(dirname "$0")/lib/smoke.sh"
source "$(dirname "$0")/lib/persist_checks.sh"

# Stops a service with SIGNAL and starts it again on the same port.
restart_named() {
  local name=$1 signal=$2
  shift 2
  local pid_var=PID_$name port_var=PORT_$name
  kill "-$signal" "${!pid_var}"
  wait "${!pid_var}" 2>/dev/null || true
  START_PORT=${!port_var} start_service "$name" "$@"
}

echo "== split services"
start_service storaged --data-dir "$SMOKE_DIR/split-data"
storaged=http://127.0.0.1:$PORT_storaged
start_service vectord --storaged-url "$storaged"
start_service gateway --vectord-url "http://127.0.0.1:$PORT_vectord" \
  --storaged-url "$storaged"
restart_vectord() { restart_named vectord "$1" --storaged-url "$storaged"; }
check_persistence "http://127.0.0.1:$PORT_gateway/v1" \
  "$storaged/internal/storage/get/_vectors/docs.lhv1" restart_vectord
check "vectord says where it saves" yes \
  "$(grep -q 'listening on.*saved to storaged' "$SMOKE_DIR/vectord.log" \
    && echo yes)"

echo "== lakehouse"
start_service lakehouse --data-dir "$SMOKE_DIR/lakehouse-data"
lakehouse=http://127.0.0.1:$PORT_lakehouse
restart_lakehouse() {
  restart_named lakehouse "$1" --data-dir "$SMOKE_DIR/lakehouse-data"
}
check_persistence "$lakehouse/v1" "" restart_lakehouse
smoke_summary

#!/usr/bin/env bash
# Smoke test: the built vectord from an empty directory, driven with curl
# and jq through the /vectors API.
set -euo pipefail
source "$(dirname "$0")/lib/smoke.sh"
source "$(dirname "$0")/lib/vector_api_checks.sh"

# No storaged: ephemeral, and it says so.
start_service vectord --storaged-url ""
base=http://127.0.0.1:$PORT_vectord
check "start-up line says ephemeral" 1 \
  "$(grep -c 'listening on.*EPHEMERAL' "$SMOKE_DIR/vectord.log")"

check "health" 200 "$(http_status GET "$base/health")"
check "ready" 200 "$(http_status GET "$base/ready")"
check_vector_api "$base"

kill -TERM "$PID_vectord"
status=0
wait "$PID_vectord" || status=$?
check "SIGTERM exits 0" 0 "$status"
smoke_summary

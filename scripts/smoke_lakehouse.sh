#!/usr/bin/env bash
# Smoke test: the built all-in-one lakehouse from an empty directory, the
# /v1 API driven with curl and jq: vectors and storage in one process.
set -euo pipefail
source "$(dirname "$0")/lib/smoke.sh"
source "$(dirname "$0")/lib/vector_api_checks.sh"
source "$(dirname "$0")/lib/storage_api_checks.sh"

start_service lakehouse --data-dir "$SMOKE_DIR/data"
base=http://127.0.0.1:$PORT_lakehouse

check "health" 200 "$(http_status GET "$base/health")"
check "ready" 200 "$(http_status GET "$base/ready")"
check_vector_api "$base/v1"

check_storage_api "$base/v1"
check "unprefixed route is 404" 404 "$(http_status GET "$base/vectors/index")"

kill -TERM "$PID_lakehouse"
status=0
wait "$PID_lakehouse" || status=$?
check "SIGTERM exits 0" 0 "$status"
start_service lakehouse --data-dir "$SMOKE_DIR/data"
check "stored object survives restart" hi \
  "$(curl -s "http://127.0.0.1:$PORT_lakehouse/v1/storage/get/notes/a.txt")"
smoke_summary

#!/usr/bin/env bash
# Smoke test: storaged + vectord + gateway from an empty directory, the /v1
# API driven through the gateway with curl and jq.
set -euo pipefail
source "$(dirname "$0")/lib/smoke.sh"
source "$(dirname "$0")/lib/vector_api_checks.sh"
source "$(dirname "$0")/lib/storage_api_checks.sh"

start_service storaged --data-dir "$SMOKE_DIR/data"
start_service vectord --storaged-url "http://127.0.0.1:$PORT_storaged"
start_service gateway --vectord-url "http://127.0.0.1:$PORT_vectord" \
  --storaged-url "http://127.0.0.1:$PORT_storaged"
base=http://127.0.0.1:$PORT_gateway

check "health" 200 "$(http_status GET "$base/health")"
check_vector_api "$base/v1"
check_storage_api "$base/v1"
check "unknown route" 404 "$(http_status GET "$base/v2/x")"

# vectord down: the gateway answers 502 with a JSON error, at once.
kill -TERM "$PID_vectord"
wait "$PID_vectord" || true
check "upstream down is 502" 502 "$(http_status GET "$base/v1/vectors/index")"
check "502 body is JSON" bad_gateway \
  "$(curl -s "$base/v1/vectors/index" | jq -r .code)"
check "storage still served" hi "$(curl -s "$base/v1/storage/get/notes/a.txt")"
# The gateway's /ready follows its upstreams (probed every second).
check "gateway not ready with vectord down" 503 \
  "$(wait_for_status "$base/ready" 503)"
check "its detail names vectord" unreachable \
  "$(curl -s "$base/ready" | jq -r '.detail.vectord' | cut -d: -f1)"
smoke_summary

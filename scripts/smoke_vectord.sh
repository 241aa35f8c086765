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

# A mutation is answered once applied, not cut off by request_timeout_ms:
# with a 20 ms limit, a batch that takes longer still answers its result.
printf 'request_timeout_ms = 20\n' >"$SMOKE_DIR/short-timeout.toml"
kill -TERM "$PID_vectord"
wait "$PID_vectord" || true
start_service vectord --storaged-url "" --config "$SMOKE_DIR/short-timeout.toml"
base=http://127.0.0.1:$PORT_vectord
curl -s -X POST "$base/vectors/index" \
  -d '{"name":"big","dimension":128,"distance":"l2"}' >/dev/null
items=$(awk 'BEGIN { srand(7); printf "{\"items\":[";
  for (i = 0; i < 3000; i++) { printf "%s{\"id\":\"b%d\",\"vector\":[", (i ? "," : ""), i;
    for (j = 0; j < 128; j++) printf "%s%.3f", (j ? "," : ""), rand();
    printf "]}" } printf "]}" }')
t0=$(date +%s%N)
reply=$(curl -s -X POST "$base/vectors/index/big/add" --data-binary @- <<<"$items")
took_ms=$((($(date +%s%N) - t0) / 1000000))
check "a ${took_ms} ms add under a 20 ms timeout answers its result" \
  '{"added":3000,"length":3000}' "$(jq -c . <<<"$reply")"

kill -TERM "$PID_vectord"
status=0
wait "$PID_vectord" || status=$?
check "SIGTERM exits 0" 0 "$status"
smoke_summary

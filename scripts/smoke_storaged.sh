#!/usr/bin/env bash
# Smoke test: the built storaged from an empty directory, driven with curl.
set -euo pipefail
source "$(dirname "$0")/lib/smoke.sh"

start_service storaged --data-dir "$SMOKE_DIR/data"
base=http://127.0.0.1:$PORT_storaged

check "health" 200 "$(http_status GET "$base/health")"
check "ready" 200 "$(http_status GET "$base/ready")"
check "put" '{"key":"docs/a.txt","bytes":5}' \
  "$(curl -s -X PUT --data-binary hello "$base/storage/put/docs/a.txt")"
check "get" hello "$(curl -s "$base/storage/get/docs/a.txt")"
check "put with %2F" 200 \
  "$(http_status PUT "$base/storage/put/notes%2Fb.txt" --data-binary x)"
check "get of %2F key by slash" x "$(curl -s "$base/storage/get/notes/b.txt")"
check "list by prefix" '["notes/b.txt"]' \
  "$(curl -s "$base/storage/list?prefix=notes/" | jq -c .keys)"
check "list all, sorted" '["docs/a.txt","notes/b.txt"]' \
  "$(curl -s "$base/storage/list" | jq -c .keys)"
check "internal prefixes refused" 403 \
  "$(http_status PUT "$base/storage/put/_vectors%2Fdocs.lhv1" --data-binary x)"
check "internal route takes them" 200 \
  "$(http_status PUT "$base/internal/storage/put/_vectors/docs.lhv1" --data-binary x)"
check "hidden from the public list" '["docs/a.txt","notes/b.txt"]' \
  "$(curl -s "$base/storage/list" | jq -c .keys)"
check "missing key" 404 "$(http_status GET "$base/storage/get/nope")"
check "missing key error code" not_found \
  "$(curl -s "$base/storage/get/nope" | jq -r .code)"
check "dot-dot key refused" 400 \
  "$(http_status PUT "$base/storage/put/a/%2e%2e/b" --data-binary x)"
check "NUL key refused" 400 "$(http_status PUT "$base/storage/put/a%00" --data-binary x)"
check "unknown route" 404 "$(http_status GET "$base/nope")"
check "wrong method" 405 "$(http_status POST "$base/storage/get/a")"
head -c 3000000 /dev/urandom >"$SMOKE_DIR/blob"
check "3 MB put" 200 \
  "$(http_status PUT "$base/storage/put/blob" --data-binary @"$SMOKE_DIR/blob")"
curl -s "$base/storage/get/blob" -o "$SMOKE_DIR/blob.back"
check "3 MB get is identical" same \
  "$(cmp -s "$SMOKE_DIR/blob" "$SMOKE_DIR/blob.back" && echo same || echo differs)"
check "delete" 200 "$(http_status DELETE "$base/storage/delete/docs/a.txt")"
check "deleted key is gone" 404 "$(http_status GET "$base/storage/get/docs/a.txt")"

# SIGTERM stops it cleanly (exit 0), and the data survives a restart.
kill -TERM "$PID_storaged"
status=0
wait "$PID_storaged" || status=$?
check "SIGTERM exits 0" 0 "$status"
start_service storaged --data-dir "$SMOKE_DIR/data"
base=http://127.0.0.1:$PORT_storaged
check "data survives restart" x "$(curl -s "$base/storage/get/notes/b.txt")"

# A bad config file stops it before it starts, with exit code 2.
printf '[storaged]\nprot = 1\n' >"$SMOKE_DIR/bad.toml"
status=0
"$BIN_DIR/storaged" --config "$SMOKE_DIR/bad.toml" 2>"$SMOKE_DIR/bad.err" || status=$?
check "bad config exits 2" 2 "$status"
check "bad config names the key" yes \
  "$(grep -q "storaged.prot" "$SMOKE_DIR/bad.err" && echo yes || echo no)"

smoke_summary

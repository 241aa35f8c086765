# The persistence flow shared by smoke_persist.sh's two setups:
#   check_persistence API BLOB RESTART
# API: the URL the /vectors routes hang from; BLOB: the URL that GETs the
# index's stored blob (storaged's internal route), or "" where no route
# reaches it (lakehouse: the blob checks are skipped); RESTART SIGNAL: a function that stops the vector
# service with SIGNAL and starts it again on its data (ready when it
# returns). Sourced after scripts/lib/smoke.sh.

# 8 dimensions, distinct directions for cosine: item i.
persist_vector() {
  awk -v i="$1" 'BEGIN { printf "["; for (j = 0; j < 8; j++)
    printf "%s%.6f", (j ? "," : ""), cos(i * 1.37 + j * 0.91) + (j == i % 8);
    printf "]" }'
}

# Items FIRST..LAST as an add body, metadata {"n": i, "tag": "t<i>"}.
persist_items() {
  local body='{"items":[' sep=''
  for ((i = $1; i <= $2; i++)); do
    body+="$sep{\"id\":\"doc-$i\",\"vector\":$(persist_vector "$i"),\"metadata\":{\"n\":$i,\"tag\":\"t$i\"}}"
    sep=,
  done
  echo "$body]}"
}

# Waits (at most 10 s) until the stored blob's envelope holds TEXT.
wait_for_blob_field() {
  local blob=$1 text=$2
  for _ in $(seq 1 100); do
    curl -s "$blob" | grep -a -q -F "$text" && return 0
    sleep 0.1
  done
  return 1
}

# Waits (at most 10 s) until the stored blob holds COUNT items.
wait_for_blob_count() {
  wait_for_blob_field "$1" "\"count\":$2,"
}

# Checks that a search for doc-17's vector finds doc-17 at distance ~0
# with its metadata. DESCRIPTION prefixes the check names.
check_search_finds_doc17() {
  local api=$1 what=$2
  local r
  r=$(curl -s -X POST -H 'Content-Type: application/json' \
    "$api/vectors/index/docs/search" \
    -d "{\"vector\":$(persist_vector 17),\"k\":3}")
  check "$what: nearest is doc-17" doc-17 "$(jq -r '.results[0].id' <<<"$r")"
  check "$what: at distance ~0" true \
    "$(jq '.results[0].distance | fabs < 0.0001' <<<"$r")"
  check "$what: with its metadata" t17 \
    "$(jq -r '.results[0].metadata.tag' <<<"$r")"
}

check_persistence() {
  local api=$1 blob=$2 restart=$3
  local json=(-H 'Content-Type: application/json')
  check "create cosine dim 8" 201 "$(http_status POST "$api/vectors/index" \
    "${json[@]}" -d '{"name":"docs","dimension":8,"distance":"cosine"}')"
  check "add 50 with metadata" '{"added":50,"length":50}' \
    "$(curl -s -X POST "${json[@]}" "$api/vectors/index/docs/add" \
      -d "$(persist_items 0 49)" | jq -c .)"
  check "the blob is not public" 403 \
    "$(http_status GET "$api/storage/get/_vectors/docs.lhv1")"
  if [[ -n $blob ]]; then
    wait_for_blob_count "$blob" 50
    check "blob is stored" 200 "$(http_status GET "$blob")"
    check "blob starts with LHV1" LHV1 "$(curl -s "$blob" | head -c 4)"
  fi
  check_search_finds_doc17 "$api" "before restart"

  "$restart" KILL # no goodbye: the log and the blob are all there is
  check "after kill -9: listed" '["docs"]' \
    "$(curl -s "$api/vectors/index" | jq -c .names)"
  check "after kill -9: length 50" 50 \
    "$(curl -s "$api/vectors/index/docs" | jq .length)"
  check_search_finds_doc17 "$api" "after kill -9"

  # A clean stop saves what is pending before it exits.
  check "add 10 more" '{"added":10,"length":60}' \
    "$(curl -s -X POST "${json[@]}" "$api/vectors/index/docs/add" \
      -d "$(persist_items 50 59)" | jq -c .)"
  "$restart" TERM
  check "after SIGTERM right after an add: length 60" 60 \
    "$(curl -s "$api/vectors/index/docs" | jq .length)"

  # Deletes are saved like adds: by id and by filter, then kill -9.
  check "delete by ids" '{"deleted":1,"length":59}' \
    "$(curl -s -X POST "${json[@]}" "$api/vectors/index/docs/delete" \
      -d '{"ids":["doc-5","no-such-doc"]}' | jq -c .)"
  check "delete by filter" '{"deleted":5,"length":54}' \
    "$(curl -s -X POST "${json[@]}" "$api/vectors/index/docs/delete" \
      -d '{"filter":{"must":[{"key":"n","range":{"gte":55}}]}}' | jq -c .)"
  if [[ -n $blob ]]; then
    check "the deletes are saved" yes \
      "$(wait_for_blob_field "$blob" '"deleted":6,' && echo yes)"
  fi
  "$restart" KILL
  check "after kill -9: deletes kept" 54 \
    "$(curl -s "$api/vectors/index/docs" | jq .length)"
  check "after kill -9: doc-5 missing" '["doc-5"]' \
    "$(curl -s -X POST "${json[@]}" "$api/vectors/index/docs/get" \
      -d '{"ids":["doc-5","doc-6"]}' | jq -c .missing)"
  check "after kill -9: none matches n >= 55" 0 \
    "$(curl -s -X POST "${json[@]}" "$api/vectors/index/docs/count" \
      -d '{"filter":{"must":[{"key":"n","range":{"gte":55}}]}}' | jq .count)"
  check_search_finds_doc17 "$api" "after deletes and kill -9"
  check "re-add reuses a freed slot" 5 \
    "$(curl -s -X POST "${json[@]}" "$api/vectors/index/docs/add" \
      -d "$(persist_items 5 5)" >/dev/null \
      && curl -s "$api/vectors/index/docs" | jq .deleted_slots)"

  check "drop" 200 "$(http_status DELETE "$api/vectors/index/docs")"
  if [[ -n $blob ]]; then
    check "blob is deleted" 404 "$(wait_for_status "$blob" 404)"
  fi
  "$restart" KILL
  check "after restart: no index" '[]' \
    "$(curl -s "$api/vectors/index" | jq -c .names)"
}

# The /vectors API checks shared by smoke_vectord.sh and
# smoke_lakehouse.sh: check_vector_api BASE, where BASE is the URL the
# /vectors routes hang from (http://host:port or http://host:port/v1).
# Sourced after scripts/lib/smoke.sh.

check_vector_api() {
  local base=$1
  local json=(-H 'Content-Type: application/json')

  check "create" 201 "$(http_status POST "$base/vectors/index" "${json[@]}" \
    -d '{"name":"docs","dimension":3,"distance":"cosine"}')"
  check "create again is 409" 409 "$(http_status POST "$base/vectors/index" \
    "${json[@]}" -d '{"name":"docs","dimension":3,"distance":"cosine"}')"
  check "bad dimension is 400" 400 "$(http_status POST "$base/vectors/index" \
    "${json[@]}" -d '{"name":"x","dimension":0,"distance":"l2"}')"
  check "list" '["docs"]' "$(curl -s "$base/vectors/index" | jq -c .names)"
  check "add" '{"added":3,"length":3}' "$(curl -s -X POST "${json[@]}" \
    "$base/vectors/index/docs/add" -d '{"items":[
      {"id":"red","vector":[1,0,0],"metadata":{"color":"red"}},
      {"id":"green","vector":[0,1,0]},
      {"id":"blue","vector":[0,0,1],"metadata":{"color":"blue"}}]}' | jq -c .)"
  result=$(curl -s -X POST "${json[@]}" "$base/vectors/index/docs/search" \
    -d '{"vector":[0.9,0.1,0],"k":2}')
  check "nearest id" red "$(jq -r '.results[0].id' <<<"$result")"
  check "nearest metadata" red "$(jq -r '.results[0].metadata.color' <<<"$result")"
  check "second id" green "$(jq -r '.results[1].id' <<<"$result")"
  check "same direction is distance 0" 0 "$(curl -s -X POST "${json[@]}" \
    "$base/vectors/index/docs/search" -d '{"vector":[0,0,5],"k":1}' \
    | jq '.results[0].distance')"
  check "upsert keeps length" 3 "$(curl -s -X POST "${json[@]}" \
    "$base/vectors/index/docs/add" \
    -d '{"items":[{"id":"red","vector":[1,1,0]}]}' | jq .length)"
  check "bad item is 400" 400 "$(http_status POST "$base/vectors/index/docs/add" \
    "${json[@]}" -d '{"items":[{"id":"a","vector":[1,0,0]},{"id":"b","vector":[1]}]}')"
  check "bad item names its position" true "$(curl -s -X POST "${json[@]}" \
    "$base/vectors/index/docs/add" \
    -d '{"items":[{"id":"a","vector":[1,0,0]},{"id":"b","vector":[1]}]}' \
    | jq '.error | contains("item 1")')"
  check "length unchanged after bad batch" 3 \
    "$(curl -s "$base/vectors/index/docs" | jq .length)"
  check "info" '{"name":"docs","dimension":3,"distance":"cosine"}' \
    "$(curl -s "$base/vectors/index/docs" | jq -c '{name,dimension,distance}')"
  check "bad k is 400" 400 "$(http_status POST "$base/vectors/index/docs/search" \
    "${json[@]}" -d '{"vector":[1,0,0],"k":0}')"
  check "missing index is 404" 404 "$(http_status POST \
    "$base/vectors/index/nope/search" "${json[@]}" -d '{"vector":[1,0,0]}')"
  check "drop" 200 "$(http_status DELETE "$base/vectors/index/docs")"
  check "dropped index is 404" 404 "$(http_status GET "$base/vectors/index/docs")"
  check "list empty" '[]' "$(curl -s "$base/vectors/index" | jq -c .names)"
}

# Storage checks through the /v1 front, shared by smoke_api.sh and
# smoke_lakehouse.sh: check_storage_api BASE (http://host:port/v1).
# Sourced after scripts/lib/smoke.sh.

check_storage_api() {
  local base=$1
  check "storage put" 200 \
    "$(http_status PUT "$base/storage/put/notes/a.txt" --data-binary hi)"
  check "storage get" hi "$(curl -s "$base/storage/get/notes/a.txt")"
  check "storage list" '["notes/a.txt"]' \
    "$(curl -s "$base/storage/list?prefix=notes/" | jq -c .keys)"
  check "storage 404 passes through" not_found \
    "$(curl -s "$base/storage/get/nope" | jq -r .code)"
}

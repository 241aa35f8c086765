# Helpers for the smoke scripts: start a built binary on a free port from
# an empty directory, wait until it is ready, check HTTP answers with curl.
# Sourced, not run.

BUILD_DIR=${BUILD_DIR:-build}
BIN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/$BUILD_DIR
SMOKE_DIR=$(mktemp -d /tmp/lakehouse-smoke.XXXXXX)
SMOKE_PIDS=()
FAILURES=0
CHECKS=0

smoke_cleanup() {
  for pid in "${SMOKE_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$SMOKE_DIR"
}
trap smoke_cleanup EXIT

# start_service NAME ARGS...: runs $BIN_DIR/NAME with --port $START_PORT
# (default 0: any free port) in $SMOKE_DIR, waits for its "listening on"
# line, sets PORT_<NAME> and PID_<NAME>, then waits until GET /ready
# answers 200 (rehydrated). Its log is appended to $SMOKE_DIR/NAME.log.
start_service() {
  local name=$1
  shift
  local log=$SMOKE_DIR/$name.log
  local skip=0
  [[ -f $log ]] && skip=$(wc -l <"$log") # a restart: read only new lines
  (cd "$SMOKE_DIR" && exec "$BIN_DIR/$name" --port "${START_PORT:-0}" "$@") \
    >>"$log" 2>&1 &
  local pid=$!
  SMOKE_PIDS+=("$pid")
  eval "PID_$name=$pid"
  local port=""
  for _ in $(seq 1 100); do
    port=$(tail -n +$((skip + 1)) "$log" \
      | sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' | head -1)
    [[ -n $port ]] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "FAIL: $name exited at start:"; cat "$log"; exit 1
    fi
    sleep 0.1
  done
  if [[ -z $port ]]; then
    echo "FAIL: $name did not start in 10 s:"; cat "$log"; exit 1
  fi
  eval "PORT_$name=$port"
  local ready=""
  for _ in $(seq 1 300); do
    ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")
    [[ $ready == 200 ]] && break
    sleep 0.1
  done
  if [[ $ready != 200 ]]; then
    echo "FAIL: $name not ready in 30 s:"; cat "$log"; exit 1
  fi
  echo "started $name (pid $pid) on port $port"
}

# check DESCRIPTION EXPECTED ACTUAL
check() {
  CHECKS=$((CHECKS + 1))
  if [[ "$2" == "$3" ]]; then
    echo "ok   $1"
  else
    echo "FAIL $1: expected '$2', got '$3'"
    FAILURES=$((FAILURES + 1))
  fi
}

# http_status METHOD URL [curl args...]: prints the status code only.
http_status() {
  local method=$1 url=$2
  shift 2
  curl -s -o /dev/null -w '%{http_code}' -X "$method" "$url" "$@"
}

# Polls GET URL (at most 10 s) until it answers STATUS; prints the last
# status seen.
wait_for_status() {
  local url=$1 want=$2 got=""
  for _ in $(seq 1 100); do
    got=$(http_status GET "$url")
    [[ $got == "$want" ]] && break
    sleep 0.1
  done
  echo "$got"
}

smoke_summary() {
  echo "$((CHECKS - FAILURES)) passed, $FAILURES failed"
  [[ $FAILURES -eq 0 ]]
}

#!/usr/bin/env bash
# Smoke test of GET /metrics on lakehouse, read with a real parser of the
# Prometheus text format (Debian's python3-prometheus-client): the output
# parses, and its values move as the requests made here say they must
# (requests by route and status, latency histograms, index length and
# memory, log records, group commits, saves, refusals, rehydration after
# a restart). Also /metrics on storaged and the gateway parses.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/smoke.sh

# Debian's python3 has the parser (a pyenv python on PATH may not).
PY=/usr/bin/python3
cat >"$SMOKE_DIR/small.toml" <<'EOF'
max_connections = 6
EOF
start_service lakehouse --data-dir "$SMOKE_DIR/data" \
  --config "$SMOKE_DIR/small.toml"

check_lakehouse() {
  "$PY" - "$PORT_lakehouse" "$1" <<'PY'
import http.client, json, socket, sys, time
from prometheus_client.parser import text_string_to_metric_families

port, phase = int(sys.argv[1]), sys.argv[2]
failures = 0

def check(what, ok):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += 0 if ok else 1

def call(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, body=json.dumps(body) if body is not None else None)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheader("Content-Type"), data

def scrape():
    status, ctype, data = call("GET", "/metrics")
    assert status == 200, status
    assert ctype.startswith("text/plain; version=0.0.4"), ctype
    samples = {}
    for family in text_string_to_metric_families(data.decode()):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples

def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)

search_route = "/v1/vectors/index/{name}/search"
if phase == "restart":
    m = scrape()
    check("rehydration duration is there after a restart",
          ("lakehouse_rehydration_seconds", ()) in m)
    check("one index rehydrated",
          value(m, "lakehouse_rehydrated_indexes", result="loaded") == 1)
    check("its length came back",
          value(m, "lakehouse_index_length", index="docs") == 20)
    sys.exit(1 if failures else 0)

before = scrape()
call("POST", "/v1/vectors/index", {"name": "docs", "dimension": 4, "distance": "l2"})
items = [{"id": f"i{i}", "vector": [i, 1, 2, 3]} for i in range(20)]
status, _, _ = call("POST", "/v1/vectors/index/docs/add", {"items": items})
check("add answered 200", status == 200)
for _ in range(7):
    call("POST", "/v1/vectors/index/docs/search", {"vector": [1, 1, 2, 3], "k": 3})
call("POST", "/v1/vectors/index/docs/search", {"vector": [1, 2], "k": 3})  # 400
call("GET", "/v1/no/such/route")
# Past max_connections (6): idle connections fill it, the next is refused.
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(6)]
time.sleep(0.2)
extra = socket.create_connection(("127.0.0.1", port))
extra.settimeout(5)
reply = extra.recv(4096).decode(errors="replace")
check("the connection past max_connections gets 503 with Retry-After",
      reply.startswith("HTTP/1.1 503") and "Retry-After" in reply)
for s in held + [extra]:
    s.close()
time.sleep(0.3)
# Saves run in the background: wait for the first.
for _ in range(100):
    after = scrape()
    if value(after, "lakehouse_saves_total", result="ok") > value(before, "lakehouse_saves_total", result="ok"):
        break
    time.sleep(0.1)

def moved(name, by, **labels):
    d = value(after, name, **labels) - value(before, name, **labels)
    check(f"{name}{labels or ''} moved by {d:g} (want {by:g})", d == by)

moved("lakehouse_http_requests_total", 7, route=search_route, method="POST", status="200")
moved("lakehouse_http_requests_total", 1, route=search_route, method="POST", status="400")
moved("lakehouse_http_requests_total", 1, route="unmatched", method="GET", status="404")
moved("lakehouse_http_request_duration_seconds_count", 8, route=search_route, method="POST")
check("search latency sum grew",
      value(after, "lakehouse_http_request_duration_seconds_sum", route=search_route, method="POST")
      > value(before, "lakehouse_http_request_duration_seconds_sum", route=search_route, method="POST"))
check("the +Inf bucket holds every search",
      value(after, "lakehouse_http_request_duration_seconds_bucket", route=search_route, method="POST", le="+Inf")
      == value(after, "lakehouse_http_request_duration_seconds_count", route=search_route, method="POST"))
moved("lakehouse_refused_requests_total", 1, reason="connections")
moved("lakehouse_log_records_total", 2, result="ok")  # the create and the add
check("group commits were counted",
      value(after, "lakehouse_log_group_commit_records_count") >= 1)
check("a save landed", value(after, "lakehouse_saves_total", result="ok") >= 1)
check("save durations observed", value(after, "lakehouse_save_duration_seconds_count") >= 1)
check("one index served", value(after, "lakehouse_indexes") == 1)
check("its length is 20", value(after, "lakehouse_index_length", index="docs") == 20)
mem = value(after, "lakehouse_index_memory_bytes", index="docs")
check(f"its memory estimate ({mem:g} B) covers 20 x 4 floats", mem >= 20 * 16)
check("no changes queued at rest",
      value(after, "lakehouse_index_queued_changes", index="docs") == 0)
check("no request waits in the bridge at rest",
      value(after, "lakehouse_bridge_waiting_requests") == 0)
sys.exit(1 if failures else 0)
PY
}

check_lakehouse first
kill -TERM "$PID_lakehouse"
wait "$PID_lakehouse" || true
start_service lakehouse --data-dir "$SMOKE_DIR/data" \
  --config "$SMOKE_DIR/small.toml"
check_lakehouse restart

# storaged and the gateway: their /metrics parse and count requests.
start_service storaged --data-dir "$SMOKE_DIR/storaged-data"
start_service vectord --storaged-url "http://127.0.0.1:$PORT_storaged"
start_service gateway --vectord-url "http://127.0.0.1:$PORT_vectord" \
  --storaged-url "http://127.0.0.1:$PORT_storaged"
for name in storaged gateway; do
  port_var=PORT_$name
  "$PY" - "${!port_var}" "$name" <<'PY'
import sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
port, name = sys.argv[1], sys.argv[2]
urllib.request.urlopen(f"http://127.0.0.1:{port}/health").read()
text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
n = sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
        if s.name == "lakehouse_http_requests_total" and s.labels["route"] == "/health")
print(("ok   " if n >= 1 else "FAIL ") + f"{name} /metrics parses and counts /health ({n:g})")
sys.exit(0 if n >= 1 else 1)
PY
done
echo "metrics smoke passed"

#!/usr/bin/env bash
# What an index costs lakehouse: threads and RSS before and after creating
# N empty 64-dimension indexes (default 1000; --quick 200), then how one
# index's RSS grows with its item count (capacity follows the items, not
# ahead of them). Memory and thread counts are not timings, so this
# asserts the issue-14 bounds: N empty indexes add at most 64 KiB of RSS
# each (64 MiB per 1000) and at most 8 threads.
set -euo pipefail
cd "$(dirname "$0")/.."

count=1000
items=20000
if [[ ${1:-} == --quick ]]; then
  count=200
  items=4000
fi
source scripts/lib/smoke.sh

start_service lakehouse --data-dir "$SMOKE_DIR/data"
pid=$PID_lakehouse
port=$PORT_lakehouse

python3 - "$pid" "$port" "$count" "$items" <<'PY'
import http.client, json, random, sys, time

pid, port, count, items = (int(a) for a in sys.argv[1:])

def status(field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise SystemExit(f"no {field} in /proc/{pid}/status")

def rss_kib():
    return status("VmRSS")

conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

def call(method, path, body=None, expect=(200, 201)):
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if r.status not in expect:
        raise SystemExit(f"{method} {path}: {r.status} {data[:200]!r}")
    return json.loads(data) if data else None

def settle():
    # Background saves and allocator caches: measure once RSS stops moving.
    last = rss_kib()
    for _ in range(20):
        time.sleep(0.25)
        now = rss_kib()
        if abs(now - last) < 256:
            return now
        last = now
    return last

threads0, rss0 = status("Threads"), settle()
start = time.monotonic()
for i in range(count):
    call("POST", "/v1/vectors/index",
         {"name": f"empty-{i:04d}", "dimension": 64, "distance": "l2"})
took = time.monotonic() - start
threads1, rss1 = status("Threads"), settle()
per_index = (rss1 - rss0) / count
print(f"{count} empty 64-d indexes created in {took:.1f} s "
      f"({count / took:.0f}/s)")
print(f"threads {threads0} -> {threads1} (+{threads1 - threads0})")
print(f"RSS {rss0 / 1024:.1f} -> {rss1 / 1024:.1f} MiB: "
      f"+{(rss1 - rss0) / 1024:.1f} MiB, {per_index:.1f} KiB per empty index, "
      f"{per_index * 1000 / 1024:.1f} MiB per 1000 (bound 64 MiB)")

# One index's RSS as it fills: 64-d float vectors are 256 B of data each.
call("POST", "/v1/vectors/index", {"name": "growing", "dimension": 64, "distance": "l2"})
rng = random.Random(7)
base = settle()
print(f"{'items':>8} {'RSS growth':>12} {'per item':>10} {'x float data':>13}")
added, batch, mark = 0, 500, 1000
while added < items:
    body = {"items": [{"id": f"v{added + j}",
                       "vector": [rng.random() for _ in range(64)]}
                      for j in range(batch)]}
    call("POST", "/v1/vectors/index/growing/add", body)
    added += batch
    if added >= mark or added >= items:
        grown = settle() - base
        print(f"{added:>8} {grown / 1024:>9.1f} MiB {grown * 1024 / added:>8.0f} B "
              f"{grown * 1024 / (added * 256):>12.2f}x")
        mark *= 2
info = call("GET", "/v1/vectors/index/growing")
assert info["length"] == items, info

failed = []
if per_index > 64:
    failed.append(f"{per_index:.1f} KiB per empty index > 64 KiB")
if threads1 - threads0 > 8:
    failed.append(f"{threads1 - threads0} new threads > 8")
if failed:
    raise SystemExit("FAIL: " + "; ".join(failed))
print("many-indexes check passed")
PY

#!/usr/bin/env python3
"""kill -9 under load (scripts/crash_test.sh runs this).

Starts the services on loopback ports, creates a few indexes, and then, for
each cycle: clients add items (single and batches of 10) and delete some on
several indexes, recording every change the server acknowledged (a 200);
at a random moment the target process gets SIGKILL; it is started again;
then every acknowledged item must be present with its exact vector and
metadata, every acknowledged delete must stay deleted, and no id may show
twice. A change whose answer was lost (the connection died, a 5xx) is
"uncertain" until a later acknowledged change of the same id settles it:
each client owns its ids, so the changes of one id are sequential.

Modes: lakehouse (kill lakehouse), vectord (storaged + vectord, kill
vectord), storaged (kill storaged; vectord stays up, its failed log writes
reload the index once storaged is back).
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

DIM = 8
INDEXES = ["crash0", "crash1", "crash2"]
CLIENTS = 6


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    def __init__(self, binary, port, args, log):
        self.binary, self.port, self.args, self.log = binary, port, args, log
        self.proc = None

    def start(self):
        log = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port)] + self.args,
            stdout=log, stderr=subprocess.STDOUT)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def request(conn, method, path, body=None, timeout=10):
    conn.timeout = timeout
    data = None if body is None else json.dumps(body, separators=(",", ":"))
    conn.request(method, path, body=data,
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, r.read()


def wait_ready(port, what, timeout=60):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            status, body = request(c, "GET", "/ready")
            c.close()
            if status == 200:
                return
            last = f"{status} {body[:500]!r}"
        except OSError as e:
            last = e
        time.sleep(0.05)
    sys.exit(f"FAIL: {what} not ready in {timeout} s (last: {last})")


class Model:
    """What the server acknowledged, per index and id."""

    def __init__(self):
        self.lock = threading.Lock()
        self.present = {n: {} for n in INDEXES}  # id -> (vector, metadata)
        self.deleted = {n: set() for n in INDEXES}
        self.uncertain = {n: set() for n in INDEXES}
        self.acked = 0

    def ack_add(self, index, items):
        with self.lock:
            for it in items:
                self.present[index][it["id"]] = (it["vector"], it["metadata"])
                self.deleted[index].discard(it["id"])
                self.uncertain[index].discard(it["id"])
            self.acked += 1

    def ack_delete(self, index, ids):
        with self.lock:
            for i in ids:
                self.present[index].pop(i, None)
                self.deleted[index].add(i)
                self.uncertain[index].discard(i)
            self.acked += 1

    def unsure(self, index, ids):
        with self.lock:
            for i in ids:
                self.uncertain[index].add(i)


def client(k, port, api, model, stop, rng):
    """One client: its own ids, its own connection, until `stop`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    mine = {n: [] for n in INDEXES}
    serial = 0
    while not stop.is_set():
        index = rng.choice(INDEXES)
        op = rng.random()
        if op < 0.75 or not mine[index]:
            n = 1 if op < 0.5 else 10
            items = []
            for _ in range(n):
                reuse = mine[index] and rng.random() < 0.2
                item_id = rng.choice(mine[index]) if reuse else f"c{k}-{serial}"
                serial += 1
                vector = [rng.randint(-32, 32) / 4 for _ in range(DIM)]
                meta = json.dumps({"c": k, "s": serial}, separators=(",", ":"))
                items.append({"id": item_id, "vector": vector,
                              "metadata": meta})
            # Ids unique within a batch (a repeat is refused whole).
            seen, unique = set(), []
            for it in items:
                if it["id"] not in seen:
                    seen.add(it["id"])
                    unique.append(it)
            body = {"items": [{"id": it["id"], "vector": it["vector"],
                               "metadata": json.loads(it["metadata"])}
                              for it in unique]}
            ids = [it["id"] for it in unique]
            path, on_ack = f"{api}/vectors/index/{index}/add", \
                (lambda idx=index, its=unique: model.ack_add(idx, its))
            on_add = ids
        else:
            ids = rng.sample(mine[index], min(len(mine[index]),
                                              rng.randint(1, 3)))
            body = {"ids": ids}
            path, on_ack = f"{api}/vectors/index/{index}/delete", \
                (lambda idx=index, i=ids: model.ack_delete(idx, i))
            on_add = []
        model.unsure(index, ids)  # until the answer says otherwise
        try:
            status, text = request(conn, "POST", path, body)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            time.sleep(0.02)
            continue
        if status == 200:
            on_ack()
            for i in on_add:
                if i not in mine[index]:
                    mine[index].append(i)
            if not on_add:
                for i in ids:
                    mine[index].remove(i)
        elif status < 500:
            sys.exit(f"FAIL: {path} answered {status}: {text[:300]!r}")
        else:
            time.sleep(0.02)  # 503 while loading, say: the outcome is open
    conn.close()


def scroll_all(conn, api, index):
    items, after = [], None
    while True:
        body = {"limit": 1000, "with_vector": True}
        if after is not None:
            body["after"] = after
        status, text = request(conn, "POST",
                               f"{api}/vectors/index/{index}/scroll", body)
        if status != 200:
            sys.exit(f"FAIL: scroll of {index} answered {status}: {text!r}")
        page = json.loads(text)
        items += page["items"]
        after = page["next"]
        if after is None:
            return items


def verify(port, api, model, cycle):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    checked = 0
    for index in INDEXES:
        items = scroll_all(conn, api, index)
        ids = [it["id"] for it in items]
        if len(ids) != len(set(ids)):
            sys.exit(f"FAIL cycle {cycle}: {index} lists an id twice")
        status, text = request(conn, "GET", f"{api}/vectors/index/{index}")
        length = json.loads(text)["length"]
        if length != len(ids):
            sys.exit(f"FAIL cycle {cycle}: {index} length {length}, "
                     f"{len(ids)} items listed")
        stored = {it["id"]: it for it in items}
        with model.lock:
            for item_id, (vector, meta) in model.present[index].items():
                if item_id in model.uncertain[index]:
                    continue
                got = stored.get(item_id)
                if got is None:
                    sys.exit(f"FAIL cycle {cycle}: acknowledged {index}/"
                             f"{item_id} is missing after the restart")
                if got["vector"] != vector or \
                        json.dumps(got.get("metadata"),
                                   separators=(",", ":")) != meta:
                    sys.exit(f"FAIL cycle {cycle}: {index}/{item_id} is "
                             f"{got}, acknowledged {vector} {meta}")
                checked += 1
            for item_id in model.deleted[index]:
                if item_id not in model.uncertain[index] and \
                        item_id in stored:
                    sys.exit(f"FAIL cycle {cycle}: deleted {index}/{item_id}"
                             " is back after the restart")
                checked += 1
    conn.close()
    return checked


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--mode", choices=["lakehouse", "vectord", "storaged"],
                   default="lakehouse")
    p.add_argument("--cycles", type=int, default=10)
    p.add_argument("--seed", type=int, default=int(time.time()))
    a = p.parse_args()
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix=f"lakehouse-crash-{a.mode}-")
    services = []
    try:
        if a.mode == "lakehouse":
            front = Service(f"{a.bin}/lakehouse", free_port(),
                            ["--data-dir", f"{work}/data"],
                            f"{work}/lakehouse.log")
            services, target, api = [front], front, "/v1"
        else:
            store = Service(f"{a.bin}/storaged", free_port(),
                            ["--data-dir", f"{work}/data"],
                            f"{work}/storaged.log")
            front = Service(f"{a.bin}/vectord", free_port(),
                            ["--storaged-url",
                             f"http://127.0.0.1:{store.port}"],
                            f"{work}/vectord.log")
            services = [store, front]
            target = front if a.mode == "vectord" else store
            api = ""
        for s in services:
            s.start()
            wait_ready(s.port, os.path.basename(s.binary))
        conn = http.client.HTTPConnection("127.0.0.1", front.port)
        for index in INDEXES:
            status, text = request(conn, "POST", f"{api}/vectors/index",
                                   {"name": index, "dimension": DIM,
                                    "distance": "l2", "m": 8,
                                    "ef_construction": 32})
            if status != 201:
                sys.exit(f"FAIL: create {index}: {status} {text!r}")
        conn.close()
        model = Model()
        total_checked = 0
        for cycle in range(1, a.cycles + 1):
            before = model.acked
            stop = threading.Event()
            threads = [threading.Thread(
                target=client,
                args=(k, front.port, api, model, stop,
                      random.Random(rng.random())))
                for k in range(CLIENTS)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.2, 1.2))
            target.kill()  # mid-load, at a random moment
            time.sleep(0.1)
            stop.set()
            for t in threads:
                t.join(timeout=30)
            target.start()
            wait_ready(target.port, os.path.basename(target.binary))
            if target is not front:
                wait_ready(front.port, "vectord")
            total_checked += verify(front.port, api, model, cycle)
            print(f"cycle {cycle}: {model.acked - before} acknowledged "
                  f"changes, then SIGKILL of {a.mode}; all present after "
                  "the restart", flush=True)
        print(f"crash test ({a.mode}, seed {a.seed}): {a.cycles} cycles, "
              f"{model.acked} acknowledged changes, {total_checked} item "
              "checks, none lost")
    except SystemExit:
        # What the services said, for the failure's reader; the data stays.
        for s in services:
            print(f"--- last lines of {s.log}", file=sys.stderr)
            with open(s.log, errors="replace") as f:
                print("".join(f.readlines()[-40:]), file=sys.stderr)
        print(f"data kept in {work}", file=sys.stderr)
        work = None
        raise
    finally:
        for s in services:
            s.stop()
        if work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

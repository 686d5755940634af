#!/usr/bin/python3
"""Load test of the quoting server: six people quoting at once, and a burst.

    loadtest.py --exe build/dxfquote [--users 6] [--rounds 20] [--size-kb 1000]
                [--corpus DIR] [--keep] [--json OUT.json]
    loadtest.py --exe build/dxfquote --burst [--burst-n 30]

It starts `dxfquote serve` itself on a free loopback port with a fresh data
folder (users made with `dxfquote user add`), so it knows the server's pid
and reads its resident memory (VmRSS of /proc/PID/status) every 100 ms.

Normal mode: each user signs in, makes a quote, then for --rounds rounds
uploads one part (a corpus-like part of --size-kb kilobytes made by
genpart.py, a different one for every user and round; or the files of
--corpus DIR of 100 KB to 5 MB, in turn), follows its job on the event
stream (GET /api/jobs/{id}/events) until it is priced, fetches the part and
its thumbnail, re-prices it (PATCH /api/parts/{id} with another quantity
and a thickness of --thicknesses in turn: 2, 3, 4 mm) and fetches the quote's PDF.  It prints p50/p95/p99 per call,
answers by status, parts per second from the first upload to the last
part priced, the memory series (the highest sample of each second), its
peak, and the memory once the server has been idle for 5 seconds (--idle-s).  Exit 1
when any call failed (a status other than the expected one).

"upload->priced" is the time from the first byte of the upload to the
event saying the part is done: stored, measured, priced, both previews
written.  The part's price and preview are then checked (GET part,
GET preview.png?size=thumb).

Burst mode: --burst-n uploads (30) sent at the same moment, each one file,
against a server with the default [jobs] workers and queue (6 + 15 = 21).
Exactly 21 must be admitted (202) and the rest refused with 503 and a
Retry-After header; no other status.  That is only decidable if no
admitted job ends before the last request is answered, since an ended job
frees its slot; so the burst installs rules that spend about a second of
Lua (a counted loop, with [pricing] max_instructions raised for this
server) before pricing a part uploaded with the option loadtest_slow,
then price it as usual.  Uploads of a 20 KB part take a few
milliseconds each, the admitted jobs at least a second, and the tool
checks that it held: right after the last answer /health must still show
21 jobs running or queued, else the burst is reported as not conclusive
(exit 1).  The jobs are then cancelled (DELETE /api/jobs/{id}).

Python 3 standard library only.  Timings are printed, never asserted: the
targets are judged by a person reading BENCHMARKS.md, not by a test.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import genpart  # noqa: E402

PW = "loadtest password 1"
STEEL = "Mild steel S235"  # db/002_materials.sql: 1..10 mm


# ------------------------------------------------------------------ server

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXFQUOTE_")}
    env.update(extra)
    return env


class Server:
    def __init__(self, exe, users, env=None):
        self.dir = tempfile.mkdtemp(prefix="dxfq-load-")
        self.data = os.path.join(self.dir, "data")
        # Sign-in is not what is measured: the cheapest yescrypt cost.
        self.env = clean_env(dict({"DXFQUOTE_SECURITY_PASSWORD_COST": "1"}, **(env or {})))
        for name, role in users:
            p = subprocess.run([exe, "user", "add", name, "--role", role, "--data", self.data],
                               input=(PW + "\n").encode(), env=self.env, capture_output=True)
            if p.returncode:
                sys.exit(f"loadtest: user add {name}: {p.stderr.decode()}")
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        self.proc = subprocess.Popen([exe, "serve", "--listen", f"127.0.0.1:{self.port}",
                                      "--data", self.data], cwd=self.dir, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                if call(self.port, "GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"loadtest: the server did not start; see {self.dir}/server.log")
            time.sleep(0.05)

    def rss_kb(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def stop(self, keep=False):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        if keep:
            print(f"data folder kept: {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------ client

def call(port, method, path, body=None, headers=None, timeout=120):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
    finally:
        conn.close()


def multipart(name, data, fields):
    b = "----dxfqload" + uuid.uuid4().hex
    out = [f"--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
           for k, v in fields]
    out.append(f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
               "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    out.append(f"--{b}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={b}"


class Stats:
    """Latencies per call type and answers by status, shared by threads."""

    def __init__(self):
        self.mu = threading.Lock()
        self.lat = {}
        self.status = {}
        self.errors = []

    def add(self, what, seconds, status, ok):
        with self.mu:
            self.lat.setdefault(what, []).append(seconds)
            self.status.setdefault(what, {})
            self.status[what][status] = self.status[what].get(status, 0) + 1
            if not ok:
                self.errors.append(f"{what}: {status}")


class User(threading.Thread):
    def __init__(self, srv, name, parts, stats, start):
        super().__init__(daemon=True)
        self.srv, self.name, self.parts, self.stats, self.start_evt = srv, name, parts, stats, start
        self.cookie = self.csrf = None
        self.priced = []  # time.monotonic() when each part was priced
        self.no_pdf = False
        self.thick = [2.0, 3.0, 4.0]
        self.failure = None

    def req(self, what, method, path, body=None, ctype="application/json", want=(200,)):
        h = {}
        if self.cookie:
            h["Cookie"] = "dxfq_session=" + self.cookie
        if self.csrf and method != "GET":
            h["X-CSRF-Token"] = self.csrf
        if body is not None:
            h["Content-Type"] = ctype
            if not isinstance(body, bytes):
                body = json.dumps(body).encode()
        t0 = time.monotonic()
        status, headers, data = call(self.srv.port, method, path, body, h)
        dt = time.monotonic() - t0
        self.stats.add(what, dt, status, status in want)
        m = re.match(r"dxfq_session=([^;]*)", headers.get("set-cookie", ""))
        if m:
            self.cookie = m.group(1)
        if status not in want:
            raise RuntimeError(f"{self.name} {what}: {status} {data[:200]!r}")
        return status, headers, data

    def follow(self, job):
        """Reads the job's event stream until it ends; its final state."""
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=300)
        try:
            conn.request("GET", f"/api/jobs/{job}/events",
                         headers={"Cookie": "dxfq_session=" + self.cookie})
            r = conn.getresponse()
            if r.status != 200:
                raise RuntimeError(f"{self.name} events: {r.status}")
            event = None
            while True:
                line = r.fp.readline()
                if not line:
                    raise RuntimeError(f"{self.name} events: the stream ended early")
                line = line.decode().rstrip("\r\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event in ("done", "failed", "cancelled"):
                    return event, json.loads(line[6:])
        finally:
            conn.close()

    def new_quote(self):
        _, _, data = self.req("create quote", "POST", "/api/quotes", {}, want=(201,))
        return json.loads(data)["id"]

    def run(self):
        try:
            _, _, data = self.req("login", "POST", "/api/login",
                                  {"username": self.name, "password": PW})
            self.csrf = json.loads(data)["csrf"]
            qid = self.new_quote()
            self.start_evt.wait()
            for k, (fname, dxf) in enumerate(self.parts):
                body, ct = multipart(fname, dxf, [("material", STEEL), ("thickness", "3"),
                                                  ("quantity", "10")])
                t0 = time.monotonic()
                _, _, data = self.req("upload", "POST", f"/api/quotes/{qid}/parts", body, ct,
                                      want=(202,))
                p = json.loads(data)["parts"][0]
                state, st = self.follow(p["job_id"])
                t1 = time.monotonic()
                ok = state == "done"
                self.stats.add("upload->priced", t1 - t0, state, ok)
                if not ok:
                    raise RuntimeError(f"{self.name} {fname}: {state} {st.get('error')}")
                self.priced.append(t1)
                _, _, data = self.req("get part", "GET", f"/api/parts/{p['part_id']}")
                part = json.loads(data)
                if not part.get("price") or part["price"].get("total") is None:
                    raise RuntimeError(f"{self.name} {fname}: done without a price")
                _, h, png = self.req("preview thumb", "GET",
                                     f"/api/parts/{p['part_id']}/preview.png?size=thumb")
                if not png.startswith(b"\x89PNG"):
                    raise RuntimeError(f"{self.name} {fname}: the preview is not a PNG")
                # Another quantity and thickness: priced again from the
                # stored figures, answered priced (200) or followed (202).
                st, _, data = self.req("re-price", "PATCH", f"/api/parts/{p['part_id']}",
                                       {"qty": 25 + k,
                                        "thickness_mm": self.thick[k % len(self.thick)]},
                                       want=(200, 202))
                if st == 202:
                    self.follow(json.loads(data)["job"]["id"])
                if not self.no_pdf:
                    self.req("pdf", "GET", f"/api/quotes/{qid}/pdf")
        except Exception as e:  # reported, and the run fails
            self.failure = str(e)


class Sampler(threading.Thread):
    """VmRSS every 100 ms: [(seconds since start, kB)]."""

    def __init__(self, srv):
        super().__init__(daemon=True)
        self.srv, self.samples, self.stop = srv, [], False
        self.t0 = time.monotonic()

    def run(self):
        while not self.stop:
            self.samples.append((time.monotonic() - self.t0, self.srv.rss_kb()))
            time.sleep(0.1)


def smaps_top(pid, n=8):
    """The n mappings of pid with the most resident memory, as text."""
    out, cur = [], None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                    parts = line.split()
                    lo, hi = (int(x, 16) for x in parts[0].split("-"))
                    cur = [0, (hi - lo) >> 10, parts[5] if len(parts) > 5 else "[anon]"]
                    out.append(cur)
                elif line.startswith("Rss:"):
                    cur[0] = int(line.split()[1])
    except OSError:
        return []
    out.sort(reverse=True)
    return [f"{r / 1024:.1f} MB resident of {sz / 1024:.1f} MB {name}" for r, sz, name in out[:n]]


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def corpus_parts(folder):
    out = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.lower().endswith(".dxf") and 100_000 <= os.path.getsize(path) <= 5_000_000:
            with open(path, "rb") as f:
                out.append((name, f.read()))
    if not out:
        sys.exit(f"loadtest: no .dxf of 100 KB to 5 MB in {folder}")
    return out


def run_load(a):
    users = [f"user{i + 1}" for i in range(a.users)]
    print(f"generating parts: {a.users} users x {a.rounds} rounds ...", flush=True)
    if a.corpus:
        pool = corpus_parts(a.corpus)
    else:
        pool = [(f"part-{a.size_kb:g}kb.dxf", genpart.part(a.size_kb, 1))]
    plan = {}
    n = 0
    for u in users:
        plan[u] = []
        for k in range(a.rounds):
            name, data = pool[n % len(pool)]
            n += 1
            # A leading comment makes every upload a different file (the
            # server stores by SHA-256 but measures every part anyway).
            plan[u].append((name, f"999\nloadtest {u} round {k}\n".encode() + data))
    sizes = [len(d) for u in users for _, d in plan[u]]
    srv = Server(a.exe, [(u, "sales") for u in users])
    stats, start = Stats(), threading.Event()
    sampler = Sampler(srv)
    sampler.start()
    rss_start = srv.rss_kb()
    threads = [User(srv, u, plan[u], stats, start) for u in users]
    for t in threads:
        t.no_pdf = a.no_pdf
        t.thick = [float(x) for x in a.thicknesses.split(",")]
        t.start()
    time.sleep(0.5)  # all signed in with their quote
    t_begin = time.monotonic()
    start.set()
    for t in threads:
        t.join()
    t_end = max([x for t in threads for x in t.priced] or [time.monotonic()])
    busy_until = time.monotonic()
    # Idle: no request for --idle-s seconds; the samples of its last
    # second are the idle RSS.
    time.sleep(a.idle_s)
    sampler.stop = True
    sampler.join()
    idle = [kb for t, kb in sampler.samples if t >= busy_until - sampler.t0 + a.idle_s - 1.0]
    _, h, body = call(srv.port, "GET", "/health")
    health = json.loads(body)
    maps = smaps_top(srv.proc.pid) if a.smaps else []
    srv.stop(keep=a.keep)

    failures = [t.failure for t in threads if t.failure]
    priced = sum(len(t.priced) for t in threads)
    wall = t_end - t_begin
    print()
    print(f"dxfquote load test: {a.users} users x {a.rounds} rounds, parts of "
          f"{statistics.median(sizes) / 1e6:.2f} MB (median; {min(sizes)}-{max(sizes)} bytes), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print()
    print(f"{'call':<16}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}  answers")
    order = ["login", "create quote", "upload", "upload->priced", "get part", "preview thumb",
             "re-price", "pdf"]
    for what in order + sorted(set(stats.lat) - set(order)):
        xs = stats.lat.get(what)
        if not xs:
            continue
        ans = ", ".join(f"{k}: {v}" for k, v in sorted(stats.status[what].items(), key=str))
        print(f"{what:<16}{len(xs):>6}{pct(xs, 50) * 1e3:>10.1f}{pct(xs, 95) * 1e3:>10.1f}"
              f"{pct(xs, 99) * 1e3:>10.1f}{max(xs) * 1e3:>10.1f}  {ans}")
    print()
    rate = priced / wall if wall > 0 else 0.0
    print(f"parts priced with preview: {priced} in {wall:.2f} s = {rate:.1f} parts/s sustained")
    per_s = {}
    for t, kb in sampler.samples:
        per_s[int(t)] = max(per_s.get(int(t), 0), kb)
    series = " ".join(f"{per_s[k] / 1024:.0f}" for k in sorted(per_s))
    peak = max(kb for _, kb in sampler.samples)
    idle_mb = (statistics.median(idle) if idle else 0) / 1024
    print(f"RSS MB, highest sample of each second from the start: {series}")
    print(f"RSS: {rss_start / 1024:.1f} MB at start, peak {peak / 1024:.1f} MB, "
          f"{idle_mb:.1f} MB after {a.idle_s:g} s idle ({len(sampler.samples)} samples every 100 ms)")
    print(f"server jobs after the run: {health.get('jobs')}")
    for line in maps:
        print(f"  idle mapping: {line}")
    p95 = pct(stats.lat.get("upload->priced", []), 95) * 1e3
    print()
    print("targets (2-core machine):")
    verdict = [("1 MB part upload->priced p95", p95, 150.0, "ms", True),
               ("parts per second sustained", rate, 20.0, "/s", False),
               ("peak RSS", peak / 1024, 200.0, "MB", True),
               ("RSS when idle", idle_mb, 30.0, "MB", True)]
    for name, got, target, unit, below in verdict:
        ok = got < target if below else got >= target
        how = "met" if ok else f"MISSED by {abs(got - target):.1f} {unit} ({got / target:.2f}x)"
        print(f"  {name:<32} {got:8.1f} {unit:<3} target {'<' if below else '>='} "
              f"{target:g} {unit}: {how}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"p95_upload_priced_ms": p95, "parts_per_s": rate, "peak_rss_mb":
                       peak / 1024, "idle_rss_mb": idle_mb,
                       "latency_ms": {k: {"p50": pct(v, 50) * 1e3, "p95": pct(v, 95) * 1e3,
                                          "p99": pct(v, 99) * 1e3} for k, v in stats.lat.items()},
                       "status": {k: {str(s): n for s, n in v.items()}
                                  for k, v in stats.status.items()},
                       "rss_series_mb": [per_s[k] / 1024 for k in sorted(per_s)]}, f, indent=1)
    if failures or stats.errors:
        print()
        for f in failures:
            print(f"FAILED: {f}")
        print(f"{len(stats.errors)} calls answered with an unexpected status")
        return 1
    return 0


# ------------------------------------------------------------------ burst

SLOW_RULE = """

-- loadtest --burst: about a second of Lua before the price of a part
-- uploaded with the option loadtest_slow, so that no admitted job ends
-- while the burst is still arriving.  Other prices (the server's trial
-- quotes when the rules are installed) are not slowed.
local loadtest_price = quote
function quote(part, ctx)
  if ctx.options.loadtest_slow then
    ctx.options.loadtest_slow = nil
    local x = 0
    for i = 1, %d do x = x + i %% 7 end
  end
  return loadtest_price(part, ctx)
end
"""


def run_burst(a):
    srv = Server(a.exe, [("admin", "admin"), ("sales", "sales")],
                 env={"DXFQUOTE_PRICING_MAX_INSTRUCTIONS": "1000000000"})
    try:
        return burst(a, srv)
    finally:
        srv.stop(keep=a.keep)


def burst(a, srv):
    admin = User(srv, "admin", [], Stats(), None)
    _, _, d = admin.req("login", "POST", "/api/login", {"username": "admin", "password": PW})
    admin.csrf = json.loads(d)["csrf"]
    rules = os.path.join(HERE, "..", "..", "rules", "pricing.lua")
    with open(rules) as f:
        src = f.read() + SLOW_RULE % a.burst_loop
    t0 = time.monotonic()
    admin.req("install rule", "POST", "/api/rules", {"source": src, "note": "loadtest --burst"},
              want=(200, 201))
    print(f"slow rules installed ({time.monotonic() - t0:.1f} s, with the server's trial "
          "quotes)")
    sales = User(srv, "sales", [], Stats(), None)
    _, _, d = sales.req("login", "POST", "/api/login", {"username": "sales", "password": PW})
    sales.csrf = json.loads(d)["csrf"]
    qid = sales.new_quote()
    _, _, body = call(srv.port, "GET", "/health")
    jobs = json.loads(body)["jobs"]
    capacity = jobs["workers"] + jobs["queue"]
    dxf = genpart.part(20, 5)
    reqs = []
    for i in range(a.burst_n):
        body, ct = multipart(f"burst{i}.dxf", f"999\nburst {i}\n".encode() + dxf,
                             [("material", STEEL), ("thickness", "3"),
                              ("options", '{"loadtest_slow": true}')])
        head = (f"POST /api/quotes/{qid}/parts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Cookie: dxfq_session={sales.cookie}\r\nX-CSRF-Token: {sales.csrf}\r\n"
                f"Content-Type: {ct}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n").encode()
        reqs.append(head + body)
    # Connect all first, then send all at once.
    socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=120) for _ in reqs]
    answers = [None] * len(reqs)
    go = threading.Barrier(len(reqs) + 1)

    def one(i):
        go.wait()
        t = time.monotonic()
        socks[i].sendall(reqs[i])
        got = b""
        while True:
            chunk = socks[i].recv(65536)
            if not chunk:
                break
            got += chunk
        socks[i].close()
        answers[i] = (t, time.monotonic(), got)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(reqs))]
    for t in threads:
        t.start()
    go.wait()
    for t in threads:
        t.join()
    last = max(x[1] for x in answers)
    _, _, body = call(srv.port, "GET", "/health")
    after = json.loads(body)["jobs"]
    by = {}
    retry = []
    jobs_admitted = []
    for t0, t1, got in answers:
        head, _, payload = got.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.") else 0
        by[status] = by.get(status, 0) + 1
        if status == 503:
            m = re.search(rb"\r\nRetry-After: *(\d+)", head, re.I)
            retry.append(int(m.group(1)) if m else None)
        if status == 202:
            jobs_admitted.append(json.loads(payload)["parts"][0]["job_id"])
    spread = (max(x[0] for x in answers) - min(x[0] for x in answers)) * 1e3
    took = (last - min(x[0] for x in answers)) * 1e3
    live = after["running"] + after["queued"]
    print()
    print(f"burst: {a.burst_n} uploads of a {len(dxf) / 1e3:.0f} KB part sent within "
          f"{spread:.1f} ms, all answered {took:.0f} ms after the first; workers "
          f"{jobs['workers']} + queue {jobs['queue']} = {capacity}")
    print(f"answers: {', '.join(f'{k}: {v}' for k, v in sorted(by.items()))}; Retry-After on "
          f"the 503s: {sorted(set(retry), key=str)}")
    print(f"right after the last answer: {after['running']} running, {after['queued']} queued "
          f"(each admitted job spends about a second in the rules; none may have ended yet)")
    for j in jobs_admitted:
        sales.req("cancel", "DELETE", f"/api/jobs/{j}", want=(200, 202, 409))
    ok = True
    if live != by.get(202, 0):
        print(f"NOT CONCLUSIVE: {by.get(202, 0) - live} admitted jobs ended before the last "
              "answer, so their slots may have been given again; raise --burst-loop")
        ok = False
    if by.get(202, 0) != capacity or by.get(503, 0) != a.burst_n - capacity or \
            set(by) - {202, 503} or None in retry:
        print(f"FAILED: want {capacity} x 202 and {a.burst_n - capacity} x 503 with Retry-After, "
              "nothing else")
        ok = False
    else:
        print(f"exactly {capacity} admitted, {a.burst_n - capacity} refused with 503 and "
              "Retry-After, no other status: as specified")
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exe", required=True, help="the dxfquote binary")
    ap.add_argument("--users", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--size-kb", type=float, default=1000.0, help="generated part size")
    ap.add_argument("--corpus", help="upload these .dxf files (100 KB to 5 MB) instead")
    ap.add_argument("--burst", action="store_true", help="the burst of simultaneous uploads")
    ap.add_argument("--burst-n", type=int, default=30)
    ap.add_argument("--burst-loop", type=int, default=20_000_000,
                    help="Lua loop steps before each price in the burst (about 1 s)")
    ap.add_argument("--idle-s", type=float, default=5.0,
                    help="how long the server is left idle before its memory is read")
    ap.add_argument("--thicknesses", default="2,3,4",
                    help="the thicknesses re-pricing goes through, round by round (mm)")
    ap.add_argument("--no-pdf", action="store_true",
                    help="leave out the PDF of each round (to see the parts alone)")
    ap.add_argument("--smaps", action="store_true",
                    help="print the largest mappings of the idle server")
    ap.add_argument("--keep", action="store_true", help="keep the data folder")
    ap.add_argument("--json", help="also write the figures to this file")
    a = ap.parse_args()
    a.exe = os.path.abspath(a.exe)
    return run_burst(a) if a.burst else run_load(a)


if __name__ == "__main__":
    sys.exit(main())

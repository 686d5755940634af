#!/usr/bin/python3
"""Integration tests of `dxfquote serve`: the real binary on a free loopback
port, in an empty temporary folder, talked to over HTTP.

    test_server.py CASE DXFQUOTE PROMTOOL

CASE is one of the functions named case_* below.  Exit 0 passed, 1 failed,
77 skipped (ctest's SKIP_RETURN_CODE).  Python 3 standard library only.
"""
import gzip
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
CSP_PARTS = ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'",
             "base-uri 'none'", "form-action 'self'"]


class Failed(Exception):
    pass


def run_cases(ns, doc, nargs=1, prepare=None):
    """The main() of every server test file: `test_x.py CASE ARG...` runs
    ns["case_CASE"] with the nargs arguments (prepare, when given, maps them
    to the case's arguments first).  Returns the exit status: 0 passed, 1
    failed, 77 skipped (the case returned SKIP), 2 misused."""
    if len(sys.argv) != 2 + nargs:
        print(doc)
        return 2
    case, args = sys.argv[1], sys.argv[2:]
    fn = ns.get("case_" + case)
    if not fn:
        print(f"unknown case {case}")
        return 2
    if prepare:
        args = prepare(args)
    t0 = time.monotonic()
    try:
        rc = fn(*args)
    except Failed as e:
        print(f"FAIL {case}: {e}")
        return 1
    if rc == SKIP:
        return SKIP
    print(f"PASS {case} ({time.monotonic() - t0:.1f} s)")
    return 0


def check(cond, what):
    if not cond:
        raise Failed(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(extra=None):
    """The environment without DXFQUOTE_* overrides, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXFQUOTE_")}
    env.update(extra or {})
    return env


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def request(port, path, method="GET", headers=None, timeout=5, tls=False):
    if tls:
        # The test's own self-signed certificate: nothing to verify against.
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout,
                                           context=ssl._create_unverified_context())
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        body = r.read()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, body)
    finally:
        conn.close()


def check_security(r, what):
    for name, value in SECURITY.items():
        check(r.header(name) == value, f"{what}: {name} is {r.header(name)!r}, want {value!r}")
    csp = r.header("Content-Security-Policy") or ""
    for part in CSP_PARTS:
        check(part in csp, f"{what}: CSP {csp!r} lacks {part!r}")


class Server:
    """dxfquote serve in a fresh temporary folder; stopped on exit.
    ini: text of an appliance.ini written into that folder and passed with
    --config; tls: listen with HTTPS (the ini names the certificate); folder:
    an existing temporary folder to run in (removed at the end)."""

    def __init__(self, exe, env=None, ini=None, tls=False, folder=None):
        self.exe = exe
        self.dir = folder or tempfile.mkdtemp(prefix="dxfq-server-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.tls = tls
        self.log = open(os.path.join(self.dir, "stderr.log"), "w+b")
        args = [exe, "serve", "--listen", f"127.0.0.1:{self.port}{'s' if tls else ''}",
                "--data", self.data]
        if ini is not None:
            path = os.path.join(self.dir, "appliance.ini")
            with open(path, "w") as f:
                f.write(ini)
            args += ["--config", path]
        self.proc = subprocess.Popen(args, cwd=self.dir, env=clean_env(env), stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.health_ok = 0  # GET /health answered 200, for the metrics count

    def wait_ready(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failed(f"server exited with {self.proc.returncode}: {self.output()}")
            try:
                r = request(self.port, "/health", timeout=1, tls=self.tls)
                if r.status == 200:
                    self.health_ok += 1
                return r
            except OSError:
                time.sleep(0.05)
        raise Failed(f"no answer on port {self.port} within {timeout} s: {self.output()}")

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self):
        """SIGTERM; returns (exit code, seconds taken)."""
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failed("server still running 15 s after SIGTERM")
        return rc, time.monotonic() - t0

    def __enter__(self):
        self.wait_ready()
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------ cases

def case_health(exe, promtool):
    with Server(exe) as s:
        r = request(s.port, "/health")
        check(r.status == 200, f"/health status {r.status}")
        check_security(r, "/health")
        check(r.header("Content-Type") == "application/json", r.header("Content-Type"))
        h = r.json()
        check(h["status"] == "ok", h)
        check(isinstance(h["version"], str) and h["version"], h)
        check(isinstance(h["uptime_s"], (int, float)) and 0 <= h["uptime_s"] < 60, h)
        db = h["database"]
        check(db["status"] == "ok" and db["size_bytes"] > 0 and db["wal_bytes"] >= 0, db)
        disk = h["disk"]
        free = shutil.disk_usage(s.data).free
        check(abs(disk["free_bytes"] - free) < 1e9, f"free_bytes {disk['free_bytes']} vs {free}")
        check(disk["min_free_bytes"] == 200 * 1024 * 1024, disk)  # the 200 MB default
        check(h["jobs"] == {"workers": 6, "queue": 15, "running": 0, "queued": 0}, h["jobs"])
        rec = h["recent"]
        check(rec["window_s"] == 300 and rec["jobs_ended"] == 0 and rec["jobs_failed"] == 0, rec)
        check(rec["errors_5xx"] == 0 and rec["answers"] >= 0, rec)
        check("degraded" not in h, h)
        files = os.listdir(s.data)
        check("dxfquote.db" in files, files)
        check("dxfquote.db-wal" in files, f"no WAL file: {files}")
        check(os.path.getsize(os.path.join(s.data, "dxfquote.db")) == db["size_bytes"],
              "size_bytes differs from the file")


def case_assets(exe, promtool):
    with Server(exe) as s:
        r = request(s.port, "/")
        check(r.status == 200, f"/ status {r.status}")
        check_security(r, "/")
        check(r.header("Content-Type") == "text/html; charset=utf-8", r.header("Content-Type"))
        check(b"DXF Quote Appliance" in r.body and b'id="app"' in r.body, "not the shell page")
        check(b"<script>" not in r.body and b"style=" not in r.body, "inline script or style")
        etag = r.header("ETag")
        check(etag and etag.startswith('"') and etag.endswith('"'), f"ETag {etag!r}")
        check(r.header("Cache-Control") == "no-cache", r.header("Cache-Control"))

        r2 = request(s.port, "/", headers={"If-None-Match": etag})
        check(r2.status == 304 and r2.body == b"", f"If-None-Match: {r2.status}")
        check_security(r2, "304")
        check(r2.header("ETag") == etag, r2.header("ETag"))

        for name, ctype in [("app.css", "text/css; charset=utf-8"),
                            ("app.js", "text/javascript; charset=utf-8")]:
            plain = request(s.port, "/" + name)
            check(plain.status == 200 and plain.header("Content-Type") == ctype,
                  f"/{name}: {plain.status} {plain.header('Content-Type')}")
            z = request(s.port, "/" + name, headers={"Accept-Encoding": "gzip, deflate"})
            check(z.status == 200 and z.header("Content-Encoding") == "gzip",
                  f"/{name} gzip: {z.status} {z.header('Content-Encoding')}")
            check(z.header("Vary") == "Accept-Encoding", z.header("Vary"))
            check(gzip.decompress(z.body) == plain.body, f"/{name}: gzip body differs")
            check(len(z.body) < len(plain.body), "gzip not smaller")
            check(z.header("ETag") != plain.header("ETag"), "one ETag for two encodings")

        html = request(s.port, "/", headers={"Accept-Encoding": "gzip"})
        check(gzip.decompress(html.body) == r.body, "index.html gzip body differs")


def case_not_found(exe, promtool):
    with Server(exe) as s:
        for path in ["/nope", "/api/nothing?x=1", "/../../etc/passwd", "/app.js/x"]:
            r = request(s.port, path)
            check(r.status == 404, f"{path}: status {r.status}")
            check_security(r, path)
            check(r.header("Content-Type") == "application/json", r.header("Content-Type"))
            err = r.json().get("error")
            check(isinstance(err, dict) and err.get("code") == "not_found"
                  and isinstance(err.get("message"), str) and err["message"]
                  and "field" in err and err["field"] is None, r.body)
        r = request(s.port, "/health", method="POST")
        check(r.status == 405, f"POST /health: {r.status}")
        check(r.header("Allow") == "GET, HEAD", r.header("Allow"))
        check(r.json()["error"]["code"] == "method_not_allowed", r.body)
        check_security(r, "405")


def metric_value(text, series):
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return None


def case_metrics(exe, promtool):
    with Server(exe) as s:
        for _ in range(3):
            check(request(s.port, "/health").status == 200, "health")
            s.health_ok += 1
        check(request(s.port, "/nope").status == 404, "nope")
        check(request(s.port, "/app.css").status == 200, "app.css")
        r = request(s.port, "/metrics")
        check(r.status == 200, f"/metrics status {r.status}")
        check_security(r, "/metrics")
        check(r.header("Content-Type").startswith("text/plain; version=0.0.4"),
              r.header("Content-Type"))
        text = r.body.decode()
        want = {
            'http_requests_total{route="/health",method="GET",status="200"}': s.health_ok,
            'http_requests_total{route="unmatched",method="GET",status="404"}': 1,
            'http_requests_total{route="/{asset}",method="GET",status="200"}': 1,
            'http_request_duration_seconds_count{route="/health"}': s.health_ok,
            'http_request_duration_seconds_bucket{route="/health",le="+Inf"}': s.health_ok,
            "dxfquote_jobs_queued": 0,
            "dxfquote_jobs_running": 0,
        }
        for series, value in want.items():
            got = metric_value(text, series)
            check(got == value, f"{series} = {got}, want {value}")
        check(metric_value(text, "process_resident_memory_bytes") > 1e6, "resident memory")
        check(metric_value(text, "dxfquote_database_bytes") > 0, "database bytes")
        check(metric_value(text, "dxfquote_uptime_seconds") >= 0, "uptime")
        check("/nope" not in text, "a raw path became a label")

        if not promtool or not os.access(promtool, os.X_OK):
            print(f"SKIP promtool check: promtool not found ({promtool!r})")
            return SKIP
        p = subprocess.run([promtool, "check", "metrics"], input=r.body, capture_output=True)
        check(p.returncode == 0, f"promtool: {p.stdout.decode()} {p.stderr.decode()}")
        print("promtool check metrics: ok")


def case_sigterm(exe, promtool):
    with Server(exe) as s:
        check(request(s.port, "/").status == 200, "/")
        rc, secs = s.stop()
        print(f"exit {rc} after {secs:.2f} s")
        check(rc == 0, f"exit code {rc}: {s.output()}")
        check(secs < 5, f"took {secs:.2f} s to stop")
        wal = os.path.join(s.data, "dxfquote.db-wal")
        wal_bytes = os.path.getsize(wal) if os.path.exists(wal) else 0
        check(wal_bytes == 0, f"WAL not checkpointed: {wal_bytes} bytes")
        out = s.output()
        check("msg=stopped" in out, f"no 'stopped' line: {out}")
        with sqlite3.connect(os.path.join(s.data, "dxfquote.db")) as db:
            check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity")


def case_bad_config(exe, promtool):
    d = tempfile.mkdtemp(prefix="dxfq-badcfg-")
    try:
        ini = os.path.join(d, "bad.ini")
        with open(ini, "w") as f:
            f.write(f"[http]\nlisten = 127.0.0.1:{free_port()}\nthreads = abc\n")
        p = subprocess.run([exe, "serve", "--config", ini, "--data", os.path.join(d, "data")],
                           cwd=d, env=clean_env(), capture_output=True, timeout=10)
        err = (p.stdout + p.stderr).decode()
        print(err.strip())
        check(p.returncode != 0, "a bad config started the server")
        check(ini in err or "bad.ini" in err, f"file not named: {err}")
        check("bad.ini:3" in err, f"line 3 not named: {err}")
        check("threads" in err, f"key not named: {err}")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def case_backup(exe, promtool):
    with Server(exe) as s:
        stop = threading.Event()
        counts = {"ok": 0, "bad": 0}

        def hammer():
            while not stop.is_set():
                try:
                    if request(s.port, "/health").status == 200:
                        counts["ok"] += 1
                    else:
                        counts["bad"] += 1
                except OSError:
                    counts["bad"] += 1

        threads = [threading.Thread(target=hammer) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.5)
            out = os.path.join(s.dir, "backup.db")
            t0 = time.monotonic()
            p = subprocess.run([exe, "backup", out, "--data", s.data], cwd=s.dir,
                               env=clean_env(), capture_output=True, timeout=60)
            print(f"backup took {time.monotonic() - t0:.2f} s")
            time.sleep(max(0.0, 2.0 - (time.monotonic() - t0)))
        finally:
            stop.set()
            for t in threads:
                t.join()
        print(f"/health during backup: {counts['ok']} ok, {counts['bad']} not ok")
        check(p.returncode == 0, f"backup exit {p.returncode}: {p.stderr.decode()}")
        check(counts["bad"] == 0 and counts["ok"] > 0, counts)
        with sqlite3.connect(out) as db:
            check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity")
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            check(len(tables) > 0, "backup has no tables")
        rc, _ = s.stop()
        check(rc == 0, f"exit {rc}")


def case_low_disk(exe, promtool):
    # [data] min_free_mb allows at most 1000000 (about 1 TB).
    limit_mb = 1000000
    probe = tempfile.mkdtemp(prefix="dxfq-disk-")
    free = shutil.disk_usage(probe).free
    shutil.rmtree(probe, ignore_errors=True)
    if free >= limit_mb * 1024 * 1024:
        print(f"SKIP: {free} bytes free, more than the largest min_free_mb")
        return SKIP
    with Server(exe, env={"DXFQUOTE_DATA_MIN_FREE_MB": str(limit_mb)}) as s:
        r = request(s.port, "/health")
        check(r.status == 503, f"status {r.status}")
        check_security(r, "503")
        h = r.json()
        check(h["status"] == "fail" and h["failing"] == ["disk"], h)
        check(h["disk"]["status"] == "fail", h["disk"])
        check(h["disk"]["min_free_bytes"] == limit_mb * 1024 * 1024, h["disk"])
        check(h["database"]["status"] == "ok", h["database"])


def case_tls(exe, promtool):
    openssl = shutil.which("openssl")
    if not openssl:
        print("SKIP: the openssl command is not installed")
        return SKIP
    d = tempfile.mkdtemp(prefix="dxfq-tls-")
    try:
        key, crt, pem = (os.path.join(d, n) for n in ("key.pem", "crt.pem", "both.pem"))
        subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", crt, "-days", "2", "-subj", "/CN=127.0.0.1"],
                       check=True, capture_output=True)
        with open(pem, "wb") as f:
            f.write(open(crt, "rb").read() + open(key, "rb").read())
        with Server(exe, ini=f"[http]\ntls_certificate = {pem}\n", tls=True) as s:
            r = request(s.port, "/health", tls=True)
            check(r.status == 200 and r.json()["status"] == "ok", f"https /health {r.status}")
            check_security(r, "https /health")
            rc, _ = s.stop()
            check(rc == 0, f"exit {rc}")

        # A file that is not a certificate: refused at start, naming the file.
        bad = os.path.join(d, "bad.pem")
        with open(bad, "w") as f:
            f.write("not a certificate\n")
        ini = os.path.join(d, "bad.ini")
        with open(ini, "w") as f:
            f.write(f"[http]\ntls_certificate = {bad}\n")
        p = subprocess.run([exe, "serve", "--config", ini, "--listen",
                            f"127.0.0.1:{free_port()}s", "--data", os.path.join(d, "data")],
                           cwd=d, env=clean_env(), capture_output=True, timeout=10)
        err = (p.stdout + p.stderr).decode()
        check(p.returncode != 0, "started with a bad certificate")
        check(bad in err and "tls_certificate" in err, f"message: {err}")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    return run_cases(globals(), __doc__, 2)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Fault tests: the real `dxfquote serve` killed, starved of disk, and
held by slow clients, on a free loopback port.

    test_faults.py CASE DXFQUOTE SHIM SANITIZED

CASE is one of the functions named case_* below; SHIM the LD_PRELOAD
library that fails writes with ENOSPC under a path prefix
(tests/integration/upload/enospc_shim.c); SANITIZED 1 when the binary has
ASan (the shim cannot be preloaded before its runtime: that case is
skipped).  Exit 0 passed, 1 failed, 77 skipped.

What the other groups test already is not repeated: refused uploads (413
by Content-Length, a 1 GB Content-Length with a small body, truncated and
malformed multipart, two slow clients beside a served upload, 507 for low
disk and for ENOSPC while an upload is stored) in upload/test_upload.py;
a Lua rule that loops (that part fails, the others are priced) in
parts/test_parts.py, case rule_loops.

After a kill -9 and a restart, every upload the client was told was
accepted (each 202) must end priced or failed with a reason, the database
must pass PRAGMA integrity_check, and DATA/tmp must be empty.
"""
import gzip
import json
import os
import socket
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
sys.path.insert(0, os.path.join(HERE, "..", "upload"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tools", "loadtest"))
from test_server import Failed, Server, check, run_cases  # noqa: E402
from test_api import ADMIN_PW, FAST, SALES_PW, Client, add_user, db  # noqa: E402
from test_upload import multipart, req_head  # noqa: E402
import genpart  # noqa: E402

SKIP = 77
STEEL = "Mild steel S235"
ENDED = ("done", "failed", "cancelled")


def folder():
    d = tempfile.mkdtemp(prefix="dxfq-faults-")
    data = os.path.join(d, "data")
    add_user(ARGS["exe"], data, "admin", "admin", ADMIN_PW)
    add_user(ARGS["exe"], data, "sales", "sales", SALES_PW)
    return d


def start(d, env=None):
    """A server on folder d (kept when it is killed: Server removes its
    folder only on __exit__)."""
    e = dict(FAST)
    e.update(env or {})
    s = Server(ARGS["exe"], env=e, folder=d)
    s.wait_ready(timeout=30)
    return s


def kill9(s):
    s.proc.kill()  # SIGKILL: no handler, no checkpoint, no cleanup
    s.proc.wait()
    s.log.close()


def login(s, user="sales"):
    c = Client(s.port)
    c.login(user, SALES_PW if user == "sales" else ADMIN_PW)
    return c


def new_quote(c, s):
    r = c.call("POST", "/api/quotes", {})
    check(r.status == 201, f"POST /api/quotes: {r.status} {r.body[:300]}")
    return r.json()["id"]


def upload(c, qid, files, fields=()):
    body, ct = multipart(files, fields)
    return c.call("POST", f"/api/quotes/{qid}/parts", body, ctype=ct)


def counts(s):
    with db(s) as c:
        return dict(c.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall())


def wait_idle(s):
    """Until no job is queued or running (the ctest timeout guards it)."""
    while True:
        n = counts(s)
        if not n.get("queued") and not n.get("running"):
            return n
        time.sleep(0.2)


def check_after_restart(s, accepted, what):
    """Every accepted part ended priced or failed with a reason; the
    database whole; no temporary file; every stored drawing complete."""
    wait_idle(s)
    with db(s) as c:
        check(c.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"{what}: integrity")
        check(c.execute("PRAGMA foreign_key_check").fetchall() == [], f"{what}: foreign keys")
        rows = {r[0]: r[1:] for r in c.execute(
            "SELECT id, state, error, total_minor, preview_path, stored_path FROM parts")}
    done = failed = 0
    for pid in accepted:
        check(pid in rows, f"{what}: part {pid} was accepted (202) and is gone")
        state, error, total, preview, stored = rows[pid]
        if state == "done":
            check(total is not None and total > 0, f"{what}: part {pid} done but not priced")
            check(preview and os.path.isfile(os.path.join(s.data, preview)),
                  f"{what}: part {pid} done without its preview {preview}")
            done += 1
        else:
            check(state == "failed" and error, f"{what}: part {pid} is {state} ({error!r})")
            failed += 1
    # Parts the client never heard of (the kill came between the commit
    # and the answer) are held to the same rule.
    for pid, (state, error, _, _, _) in rows.items():
        check(state in ENDED and (state != "failed" or error),
              f"{what}: part {pid} left {state} ({error!r})")
    tmp = os.listdir(os.path.join(s.data, "tmp"))
    check(not tmp, f"{what}: temporary files left: {tmp}")
    files = os.path.join(s.data, "files")
    for name in os.listdir(files):
        with gzip.open(os.path.join(files, name)) as g:
            try:
                while g.read(1 << 20):
                    pass
            except (OSError, EOFError) as e:
                raise Failed(f"{what}: stored drawing {name} is half-written: {e}")
    for pid, (state, _, _, _, stored) in rows.items():
        check(state != "done" or os.path.isfile(os.path.join(s.data, stored)),
              f"{what}: part {pid} is done, its drawing {stored} missing")
    print(f"{what}: {len(accepted)} accepted uploads: {done} priced, {failed} failed "
          f"with a reason; {len(rows)} parts in all")
    return done, failed


class Uploader(threading.Thread):
    """Uploads parts one after another until stopped, half of them with
    the body sent in slow pieces, so a kill finds some mid-body; records
    the part ids of every 202."""

    def __init__(self, s, c, qid, n, seed, size_kb, slow):
        super().__init__(daemon=True)
        self.s, self.c, self.qid, self.n = s, c, qid, n
        self.seed, self.size_kb, self.slow = seed, size_kb, slow
        self.accepted, self.statuses, self.stop = [], {}, False
        self.mid_body = False

    def one(self, k):
        data = genpart.part(self.size_kb, seed=self.seed * 1000 + k)
        body, ct = multipart([("file", f"p{self.seed}-{k}.dxf", data)],
                             [("material", STEEL), ("thickness", "3"), ("quantity", "5")])
        sock = socket.create_connection(("127.0.0.1", self.s.port), timeout=30)
        try:
            sock.sendall(req_head(self.c, self.qid, ct, length=len(body)))
            step = 16384 if self.slow else len(body)
            for i in range(0, len(body), step):
                self.mid_body = i > 0
                sock.sendall(body[i:i + step])
                if self.slow:
                    time.sleep(0.01)
            self.mid_body = False
            got = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                got += chunk
                if b"\r\n\r\n" in got:
                    head, rest = got.split(b"\r\n\r\n", 1)
                    length = [int(h.split(b":")[1]) for h in head.split(b"\r\n")
                              if h.lower().startswith(b"content-length:")]
                    if length and len(rest) >= length[0]:
                        break
        finally:
            sock.close()
        if not got:  # closed without an answer: the server was killed under us
            raise ConnectionResetError("no answer")
        status = int(got.split(b" ", 2)[1]) if got.startswith(b"HTTP/1.") else 0
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == 202:
            self.accepted += [p["part_id"] for p in
                              json.loads(got.split(b"\r\n\r\n", 1)[1])["parts"]]

    def run(self):
        for k in range(self.n):
            if self.stop:
                return
            try:
                self.one(k)
            except OSError:  # the server was killed under us
                self.statuses["cut"] = self.statuses.get("cut", 0) + 1
                return


# ------------------------------------------------------------------ cases

def case_kill_uploads(exe):
    """kill -9 while four clients upload (two of them slowly, so bodies
    are in flight) and jobs run; restart; nothing accepted is lost."""
    d = folder()
    s = start(d)
    c = login(s)
    qid = new_quote(c, s)
    size = 100 if ARGS["sanitized"] == "1" else 300  # the sanitizers are slow
    ups = [Uploader(s, c, qid, 200, i + 1, size, slow=i % 2 == 1) for i in range(4)]
    for u in ups:
        u.start()
    # Kill once a few uploads were accepted, while a slow body is in
    # flight and jobs are queued or running.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        n = counts(s)
        live = n.get("queued", 0) + n.get("running", 0)
        if sum(len(u.accepted) for u in ups) >= 6 and live and any(u.mid_body for u in ups):
            break
        time.sleep(0.01)
    else:
        raise Failed("no moment with uploads in flight and jobs live within 60 s")
    tmp = os.listdir(os.path.join(s.data, "tmp"))
    kill9(s)
    for u in ups:
        u.stop = True
        u.join(30)
    accepted = [p for u in ups for p in u.accepted]
    statuses = {}
    for u in ups:
        for k, v in u.statuses.items():
            statuses[k] = statuses.get(k, 0) + v
    check(set(statuses) <= {202, 503, "cut"}, f"statuses before the kill: {statuses}")
    print(f"killed with {len(accepted)} parts accepted, jobs {n}, answers {statuses}, "
          f"{len(tmp)} temporary files")
    with start(d) as s2:
        check_after_restart(s2, accepted, "kill during uploads")
        # And the server takes new work.
        c2 = login(s2)
        r = upload(c2, qid, [("file", "after.dxf", genpart.part(5, 99))],
                   [("material", STEEL), ("thickness", "3")])
        check(r.status == 202, f"upload after restart: {r.status} {r.body[:200]}")
        pid = r.json()["parts"][0]["part_id"]
        check_after_restart(s2, accepted + [pid], "after restart")


def case_kill_jobs(exe):
    """kill -9 while jobs run (one worker, a queue of big parts); restart:
    the queued and running jobs run again from the stored drawings.  Then
    a second kill during the recovery itself, one stored drawing lost,
    and a third start: all priced but that one, failed with a reason."""
    d = folder()
    env = {"DXFQUOTE_JOBS_WORKERS": "1", "DXFQUOTE_JOBS_QUEUE": "15"}
    s = start(d, env)
    c = login(s)
    qid = new_quote(c, s)
    # Big enough that the queue is still full when the first job runs;
    # smaller under the sanitizers, which make every job several times
    # slower.
    size = 100 if ARGS["sanitized"] == "1" else 800
    files = [("file", f"big{k}.dxf", genpart.part(size, k)) for k in range(12)]
    r = upload(c, qid, files, [("material", STEEL), ("thickness", "3")])
    check(r.status == 202, f"upload: {r.status} {r.body[:200]}")
    accepted = [p["part_id"] for p in r.json()["parts"]]
    while not s.wait_ready().json()["jobs"]["running"]:
        time.sleep(0.01)
    n = counts(s)
    kill9(s)
    check(n.get("queued", 0) >= 3, f"too little queued at the kill: {n}")
    print(f"killed with jobs {n}")
    # Second life: killed again as soon as a recovered job runs.
    s = start(d, env)
    while not s.wait_ready().json()["jobs"]["running"]:
        time.sleep(0.01)
    n2 = counts(s)
    kill9(s)
    print(f"killed again during the recovery with jobs {n2}")
    # A stored drawing lost while the server was down (a restore from an
    # old backup of files/, a disk error): its job cannot run again, so it
    # fails with a reason instead of vanishing.
    with db(s) as dbc:
        lost, path = dbc.execute("SELECT id, stored_path FROM parts WHERE state = 'queued' "
                                 "ORDER BY id DESC LIMIT 1").fetchone()
    os.unlink(os.path.join(s.data, path))
    with start(d, env) as s3:
        done, failed = check_after_restart(s3, accepted, "kill during jobs")
        check(done == len(accepted) - 1 and failed == 1, f"{done} done, {failed} failed")
        with db(s3) as dbc:
            state, error = dbc.execute("SELECT state, error FROM parts WHERE id = ?",
                                       (lost,)).fetchone()
        check(state == "failed" and "upload" in error, f"the lost drawing: {state} {error!r}")
        print(f"the part whose drawing was lost: {error}")
        with db(s3) as dbc:
            left = dbc.execute("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')"
                               ).fetchone()[0]
        check(left == 0, f"{left} jobs still live")


def case_disk_full_job(exe):
    """The disk fills while a job writes its previews (ENOSPC on
    DATA/tmp/job-*): that part fails with a reason that names the disk,
    no preview is half-written anywhere, the server stays healthy; once
    writes work again (a restart without the shim) a new upload is
    priced."""
    if ARGS["sanitized"] == "1":
        print("SKIP: the write-failure shim cannot be preloaded before the sanitizer runtime")
        return SKIP
    d = os.path.realpath(folder())
    env = {"LD_PRELOAD": ARGS["shim"],
           "DXFQ_TEST_ENOSPC_DIR": os.path.join(d, "data", "tmp", "job-")}
    s = start(d, env)
    c = login(s)
    qid = new_quote(c, s)
    r = upload(c, qid, [("file", "full.dxf", genpart.part(20, 7))],
               [("material", STEEL), ("thickness", "3")])
    check(r.status == 202, f"upload: {r.status} {r.body[:300]}")
    pid = r.json()["parts"][0]["part_id"]
    wait_idle(s)
    with db(s) as dbc:
        state, error, preview = dbc.execute("SELECT state, error, preview_path FROM parts "
                                            "WHERE id = ?", (pid,)).fetchone()
    check(state == "failed" and error and "space" in error.lower(), f"{state}: {error!r}")
    check(preview is None, f"a preview is recorded: {preview}")
    print(f"the job's reason: {error}")
    left = os.listdir(os.path.join(s.data, "tmp"))
    check(not left, f"half-written previews in tmp/: {left}")
    pv = os.path.join(s.data, "previews")
    check(not os.path.isdir(pv) or not os.listdir(pv), f"previews: {os.listdir(pv)}")
    h = s.wait_ready()
    check(h.status == 200, f"/health {h.status}")
    kill9(s)
    with start(d) as s2:
        c2 = login(s2)
        r = upload(c2, qid, [("file", "ok.dxf", genpart.part(20, 8))],
                   [("material", STEEL), ("thickness", "3")])
        check(r.status == 202, r.body[:200])
        check_after_restart(s2, [pid, r.json()["parts"][0]["part_id"]], "after the disk")


def case_slow_clients(exe):
    """Three clients hang (headers half sent; a 1 GB Content-Length with a
    few bytes; a body stopped half-way) while the job system has one
    worker and no queue: no worker is held (/health shows 0 running), and
    another user's upload is admitted (202) and measured meanwhile."""
    d = folder()
    s = start(d, {"DXFQUOTE_JOBS_WORKERS": "1", "DXFQUOTE_JOBS_QUEUE": "0",
                  "DXFQUOTE_HTTP_REQUEST_TIMEOUT_S": "30"})
    with s:
        c, other = login(s), login(s)
        qid = new_quote(c, s)
        body, ct = multipart([("file", "slow.dxf", genpart.part(50, 1))],
                             [("material", STEEL), ("thickness", "3")])
        head = req_head(c, qid, ct, length=len(body))
        socks = []
        a = socket.create_connection(("127.0.0.1", s.port), timeout=60)
        a.sendall(head[:30])
        socks.append(a)
        b = socket.create_connection(("127.0.0.1", s.port), timeout=60)
        b.sendall(req_head(c, qid, ct, length=1 << 30) + body[:100])
        socks.append(b)
        x = socket.create_connection(("127.0.0.1", s.port), timeout=60)
        x.sendall(head + body[:len(body) // 2])
        socks.append(x)
        time.sleep(0.5)  # the three are in the server's hands now
        h = s.wait_ready().json()
        check(h["jobs"]["running"] == 0 and h["jobs"]["queued"] == 0,
              f"a hanging client holds a job slot: {h['jobs']}")
        q2 = new_quote(other, s)
        t0 = time.monotonic()
        r = upload(other, q2, [("file", "ok.dxf", genpart.part(50, 2))],
                   [("material", STEEL), ("thickness", "3")])
        t_upload = time.monotonic() - t0
        check(r.status == 202, f"upload beside slow clients: {r.status} {r.body[:300]}")
        pid = r.json()["parts"][0]["part_id"]
        while True:
            p = other.call("GET", f"/api/parts/{pid}").json()
            if p["state"] in ENDED:
                break
            time.sleep(0.05)
        t_priced = time.monotonic() - t0
        check(p["state"] == "done" and p["price"], f"measured beside slow clients: {p['state']}")
        print(f"beside 3 hanging clients: 202 in {t_upload * 1000:.0f} ms, priced with its "
              f"preview {t_priced * 1000:.0f} ms after the upload began")
        # The 1 GB client was answered at once (413), not read to the end.
        b.settimeout(10)
        try:
            got = b.recv(4096)
        except socket.timeout:
            raise Failed("the 1 GB Content-Length client had no answer after 10 s")
        check(b" 413 " in got.split(b"\r\n")[0], f"1 GB: {got[:200]}")
        for sk in socks:
            sk.close()
        while os.listdir(os.path.join(s.data, "tmp")):  # removed as each ends
            time.sleep(0.1)
        h = s.wait_ready().json()
        check(h["jobs"]["running"] == 0, h["jobs"])


def case_burst_fresh(exe):
    """30 uploads at the same moment on a server that just started: each
    of CivetWeb's threads opens its database connection while others are
    writing.  Only 202 and 503 "busy" may come back, the database stays
    whole and every admitted part is priced.  (Opening a connection used to
    open and close the database file itself, which drops every POSIX lock
    the process holds on it: 500s with "disk I/O error" and "database disk
    image is malformed".)"""
    d = folder()
    with start(d) as s:
        c = login(s)
        qid = new_quote(c, s)
        body, ct = multipart([("file", "b.dxf", genpart.part(20, 5))],
                             [("material", STEEL), ("thickness", "3")])
        head = req_head(c, qid, ct, length=len(body))
        go = threading.Barrier(30)
        answers = []

        def one():
            sk = socket.create_connection(("127.0.0.1", s.port), timeout=60)
            go.wait()
            sk.sendall(head + body)
            got = b""
            while True:
                chunk = sk.recv(65536)
                if not chunk:
                    break
                got += chunk
                if b"\r\n\r\n" in got and got.rstrip().endswith(b"}"):
                    break
            sk.close()
            answers.append(got)
        ts = [threading.Thread(target=one) for _ in range(30)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        by, accepted = {}, []
        for got in answers:
            status = int(got.split(b" ", 2)[1])
            by[status] = by.get(status, 0) + 1
            payload = json.loads(got.split(b"\r\n\r\n", 1)[1])
            if status == 202:
                accepted += [p["part_id"] for p in payload["parts"]]
            else:
                check(status == 503 and payload["error"]["code"] == "busy",
                      f"{status}: {payload}")
        print(f"30 uploads at once on a fresh server: {by}")
        check(by.get(202, 0) >= 21, f"fewer than workers + queue admitted: {by}")
        check_after_restart(s, accepted, "burst on a fresh server")


ARGS = {}


def main():
    def prepare(args):
        ARGS.update(zip(('exe', 'shim', 'sanitized'), args))
        return [ARGS["exe"]]

    return run_cases(globals(), __doc__, 3, prepare)


if __name__ == "__main__":
    sys.exit(main())

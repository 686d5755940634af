#!/usr/bin/python3
"""Integration tests of uploads, POST /api/quotes/{id}/parts (docs/api.md),
against the real `dxfquote serve` on a free loopback port.

    test_upload.py CASE DXFQUOTE FIXTURES SHIM PRELOAD

CASE is one of the functions named case_* below; FIXTURES is
tests/fixtures/dxf; SHIM the LD_PRELOAD library that fails writes with
ENOSPC (enospc_shim.c); PRELOAD "" or the sanitizer's shared runtime,
preloaded before SHIM (it must come first).  Exit 0 passed, 1 failed, 77
skipped.  Python 3 standard library only; the server
and client helpers come from tests/integration/server.

After every refused upload the data folder's tmp/ must be empty: no
temporary file outlives its request.
"""
import gzip
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
from test_server import Failed, Server, check, run_cases  # noqa: E402
from test_api import ADMIN_PW, FAST, SALES_PW, Client, add_user, audit  # noqa: E402

SKIP = 77
STEEL = "Mild steel S235"  # db/002_materials.sql: 1..10 mm
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
# DXF-looking but broken: a coordinate that is not a number (line 12).
BROKEN = (b"0\nSECTION\n2\nENTITIES\n0\nLINE\n8\n0\n10\n0\n20\n0\n11\nnot-a-number\n"
          b"21\n5\n0\nENDSEC\n0\nEOF\n")


def fixture(name):
    with open(os.path.join(ARGS["fixtures"], name), "rb") as f:
        return f.read()


def multipart(files=(), fields=(), boundary=None):
    """(body, content type) of a form: files are (field, filename, bytes),
    fields (name, text)."""
    b = boundary or "----dxfq" + uuid.uuid4().hex
    out = []
    for name, value in fields:
        out.append(f"--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                   .encode() + value.encode() + b"\r\n")
    for field, filename, data in files:
        fn = filename.replace('"', '\\"')  # as curl sends it
        out.append(f"--{b}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                   f"filename=\"{fn}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                   .encode() + data + b"\r\n")
    out.append(f"--{b}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={b}"


def serve(env=None, folder=None):
    d = folder or tempfile.mkdtemp(prefix="dxfq-upload-")
    data = os.path.join(d, "data")
    add_user(ARGS["exe"], data, "admin", "admin", ADMIN_PW)
    add_user(ARGS["exe"], data, "sales", "sales", SALES_PW)
    env2 = dict(FAST)
    env2.update(env or {})
    return Server(ARGS["exe"], env=env2, folder=d)


def db(s):
    c = sqlite3.connect(os.path.join(s.data, "dxfquote.db"), timeout=10)
    c.execute("PRAGMA busy_timeout = 10000")
    return c


def new_quote(s, status="draft"):
    """A quote made through the API (POST /api/quotes, then PATCH to send
    it): (id, number)."""
    c = login(s, "admin")
    r = c.call("POST", "/api/quotes", {})
    check(r.status == 201, f"POST /api/quotes: {r.status} {r.body[:300]}")
    q = r.json()
    if status != "draft":
        r = c.call("PATCH", f"/api/quotes/{q['id']}", {"status": status})
        check(r.status == 200 and r.json()["status"] == status, f"PATCH status: {r.body[:300]}")
    return q["id"], q["number"]


def login(s, user="sales"):
    c = Client(s.port)
    c.login(user, SALES_PW if user == "sales" else ADMIN_PW)
    return c


def upload(c, qid, files=(), fields=(), body=None, ctype=None):
    if body is None:
        body, ctype = multipart(files, fields)
    return c.call("POST", f"/api/quotes/{qid}/parts", body, ctype=ctype)


def tmp_files(s):
    d = os.path.join(s.data, "tmp")
    return os.listdir(d) if os.path.isdir(d) else []


def stored(s):
    d = os.path.join(s.data, "files")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def check_tmp_empty(s, what):
    left = tmp_files(s)
    check(not left, f"{what}: temporary files left in tmp/: {left}")


def refused(r, status, code=None, field=None, words=(), what=""):
    check(r.status == status, f"{what}: status {r.status}, want {status}: {r.body[:300]}")
    e = r.error()
    if code:
        check(e["code"] == code, f"{what}: code {e}")
    if field is not None:
        check(e["field"] == field, f"{what}: field {e}")
    for w in words:
        check(w in e["message"], f"{what}: {w!r} not in {e['message']!r}")
    return e


def wait_jobs(c, parts):
    """Follows each part's job by GET /api/jobs/{id} until it ended (the
    ctest timeout guards a hang); {part_id: job status}."""
    out = {}
    for p in parts:
        while True:
            r = c.call("GET", f"/api/jobs/{p['job_id']}")
            check(r.status == 200, f"GET /api/jobs/{p['job_id']}: {r.status} {r.body[:200]}")
            j = r.json()
            check(j["part_id"] == p["part_id"], j)
            if j["state"] in ("done", "failed", "cancelled"):
                out[p["part_id"]] = j
                break
            time.sleep(0.1)
    return out


def raw_exchange(port, head, body_parts=(), shut=False, timeout=60):
    """Sends head and body_parts on a raw socket (in a thread, ignoring a
    reset: the server may answer before the body is sent), then reads the
    answer to the end; returns (status, whole answer bytes)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def send():
        try:
            sock.sendall(head)
            for p in body_parts:
                sock.sendall(p)
            if shut:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    t = threading.Thread(target=send)
    t.start()
    got = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
    except ConnectionResetError:
        pass
    t.join()
    sock.close()
    status = int(got.split(b" ", 2)[1]) if got.startswith(b"HTTP/1.") else 0
    return status, got


def req_head(c, qid, ctype, length=None, chunked=False):
    h = (f"POST /api/quotes/{qid}/parts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
         f"Cookie: dxfq_session={c.cookie}\r\nX-CSRF-Token: {c.csrf}\r\n"
         f"Content-Type: {ctype}\r\n")
    if length is not None:
        h += f"Content-Length: {length}\r\n"
    if chunked:
        h += "Transfer-Encoding: chunked\r\n"
    return (h + "\r\n").encode()


def json_body(got):
    return json.loads(got.split(b"\r\n\r\n", 1)[1].decode())


# ------------------------------------------------------------------ cases

def case_happy(exe):
    with serve() as s:
        c = login(s)
        qid, number = new_quote(s)
        ascii_dxf, binary_dxf = fixture("features_r2000.dxf"), fixture("binary_r2000.dxf")
        files = [("file", "plate.dxf", ascii_dxf), ("file", "bracket.dxf", binary_dxf),
                 ("file", "broken.dxf", BROKEN)]
        r = upload(c, qid, files, [("material", STEEL), ("thickness", "3"), ("quantity", "12"),
                                   ("options", '{"deburr": true}')])
        check(r.status == 202, f"upload: {r.status} {r.body[:300]}")
        parts = r.json()["parts"]
        check(len(parts) == 3, parts)
        for p, (_, name, _) in zip(parts, files):
            check(set(p) == {"part_id", "job_id", "file"} and p["file"] == name, p)
        check_tmp_empty(s, "happy")

        # Stored compressed by content hash, byte for byte the original.
        want = sorted(hashlib.sha256(d).hexdigest() + ".dxf.gz" for _, _, d in files)
        check(stored(s) == want, f"stored {stored(s)} want {want}")
        for _, name, data in files:
            sha = hashlib.sha256(data).hexdigest()
            with gzip.open(os.path.join(s.data, "files", sha + ".dxf.gz")) as g:
                check(g.read() == data, f"{name}: stored content differs")
        with db(s) as d:
            rows = d.execute("SELECT id, file_name, stored_path, sha256, size_bytes, material, "
                             "thickness_mm, qty, options FROM parts WHERE quote_id = ? "
                             "ORDER BY position", (qid,)).fetchall()
        check([r[0] for r in rows] == [p["part_id"] for p in parts], rows)
        for row, (_, name, data) in zip(rows, files):
            sha = hashlib.sha256(data).hexdigest()
            check(row[1:] == (name, f"files/{sha}.dxf.gz", sha, len(data), STEEL, 3.0, 12,
                              '{"deburr": true}'), row)

        ended = wait_jobs(c, parts)
        check(ended[parts[0]["part_id"]]["state"] == "done", f"ASCII part: {ended}")
        check(ended[parts[1]["part_id"]]["state"] == "done", f"binary part: {ended}")
        j = ended[parts[2]["part_id"]]
        check(j["state"] == "failed" and "line" in (j["error"] or ""), f"broken part: {j}")
        check("broken.dxf" in j["error"], j)
        with db(s) as d:
            err = d.execute("SELECT state, error FROM parts WHERE id = ?",
                            (parts[2]["part_id"],)).fetchone()
        check(err[0] == "failed" and "line" in err[1], err)

        a = audit(s, "part.upload")
        check(len(a) == 1 and a[0][0] == "sales" and number in a[0][1] and
              "plate.dxf" in a[0][1] and "broken.dxf" in a[0][1], a)
        # No material: measured, not priced.
        r = upload(c, qid, [("file", "bare.dxf", ascii_dxf)])
        check(r.status == 202, r.body)
        p = r.json()["parts"][0]
        pid = p["part_id"]
        check(wait_jobs(c, [p])[pid]["state"] == "done", "unpriced part")
        with db(s) as d:
            row = d.execute("SELECT material, geometry IS NOT NULL, total_minor FROM parts "
                            "WHERE id = ?", (pid,)).fetchone()
        check(row == (None, 1, None), row)
        m = c.call("GET", "/metrics")
        check(b"dxfquote_upload_files_total 4" in m.body, "metrics: upload files not counted")


def case_dedup(exe):
    with serve() as s:
        c = login(s)
        qid, _ = new_quote(s)
        data = fixture("features_r2000.dxf")
        r = upload(c, qid, [("file", "a.dxf", data), ("file", "b.dxf", data)])
        check(r.status == 202, r.body)
        r2 = upload(c, qid, [("file", "c.dxf", data)])
        check(r2.status == 202, r2.body)
        check(stored(s) == [hashlib.sha256(data).hexdigest() + ".dxf.gz"], stored(s))
        with db(s) as d:
            n = d.execute("SELECT count(DISTINCT stored_path), count(*) FROM parts").fetchone()
        check(n == (1, 3), n)
        check_tmp_empty(s, "dedup")


def case_too_large(exe):
    with serve(env={"DXFQUOTE_LIMITS_UPLOAD_MB": "1"}) as s:
        c = login(s)
        qid, _ = new_quote(s)
        big = b"0\nSECTION\n" + b"999\n" + b"x" * (2 << 20) + b"\n"
        # Refused by its Content-Length before the body is read (the
        # connection is closed, so a client may not get to send it all).
        body, ct = multipart([("file", "big.dxf", big)])
        st, got = raw_exchange(s.port, req_head(c, qid, ct, length=len(body)), [body])
        check(st == 413, f"Content-Length: {got[:300]}")
        e = json_body(got)["error"]
        check(e["code"] == "payload_too_large" and "1 MB" in e["message"] and
              "upload_mb" in e["message"], e)
        check_tmp_empty(s, "413 by Content-Length")

        # Chunked: no length announced; cut once past the cap.
        body, ct = multipart([("file", "big.dxf", big)])
        chunks = [b"%x\r\n%s\r\n" % (len(body[i:i + 65536]), body[i:i + 65536])
                  for i in range(0, len(body), 65536)] + [b"0\r\n\r\n"]
        st, got = raw_exchange(s.port, req_head(c, qid, ct, chunked=True), chunks)
        check(st == 413, f"chunked: {got[:300]}")
        check("1 MB" in json_body(got)["error"]["message"], got)
        check_tmp_empty(s, "413 chunked")

        # 1 GB announced, a few bytes sent, the client then waits: answered
        # at once (the read times out after 60 s; the default request
        # timeout is 60 s, so a server that drained the body would fail).
        body, ct = multipart([("file", "a.dxf", BROKEN)])
        st, got = raw_exchange(s.port, req_head(c, qid, ct, length=1 << 30), [body], timeout=30)
        check(st == 413, f"1 GB: {got[:300]}")
        check_tmp_empty(s, "413 1 GB")
        # Under the cap: accepted.
        r = upload(c, qid, [("file", "small.dxf", BROKEN)])
        check(r.status == 202, r.body)
        check(s.wait_ready().status == 200, "server unwell")


def case_refused(exe):
    with serve() as s:
        c = login(s)
        qid, _ = new_quote(s)
        r = upload(c, qid, [("file", "photo.dxf", PNG)])
        refused(r, 415, "unsupported_media_type", "file", ["photo.dxf", "PNG"], "png")
        check_tmp_empty(s, "png")
        pdf = b"%PDF-1.7\n" + b"x" * 100
        refused(upload(c, qid, [("file", "a.dxf", BROKEN), ("file", "doc.pdf", pdf)]), 415,
                words=["doc.pdf", "PDF"], what="pdf second")
        check_tmp_empty(s, "pdf")
        refused(upload(c, qid, [("file", "empty.dxf", b"")]), 415, words=["empty"],
                what="empty")
        refused(upload(c, qid, [("file", "nul.dxf", b"0\nSECTION\n\0\0\0")]), 415,
                words=["nul.dxf"], what="NUL")
        refused(upload(c, qid, [("file", "notes.dxf", b"hello, this is text\n")]), 415,
                words=["notes.dxf", "group code"], what="text")
        refused(upload(c, qid, body=b'{"file": 1}', ctype="application/json"), 415,
                words=["multipart/form-data"], what="json")
        refused(upload(c, qid, body=b"x", ctype="multipart/form-data"), 400,
                words=["boundary"], what="no boundary")
        refused(upload(c, qid, [], [("quantity", "2")]), 400, field="file",
                words=["no file"], what="no file")
        body, ct = multipart([("file", "a.dxf", BROKEN)])
        refused(upload(c, qid, body=body[:-8], ctype=ct), 400, words=["closing boundary"],
                what="no final boundary")
        bad = body.replace(b"Content-Disposition: form-data;", b"Content-Disposition form-data;")
        refused(upload(c, qid, body=bad, ctype=ct), 400, words=["header"], what="bad header")
        long_hdr = body.replace(b"Content-Type: application/octet-stream",
                                b"X-Long: " + b"a" * 5000)
        refused(upload(c, qid, body=long_hdr, ctype=ct), 400, words=["too large"],
                what="long header")
        check_tmp_empty(s, "malformed")
        # Truncated: the body announced is longer than what comes; the
        # client then closes its side.
        st, got = raw_exchange(s.port, req_head(c, qid, ct, length=len(body) + 5000),
                               [body[:len(body) // 2]], shut=True, timeout=30)
        check(st == 400 and b"truncated" in got, f"truncated: {got[-300:]}")
        check_tmp_empty(s, "truncated")
        with db(s) as d:
            check(d.execute("SELECT count(*) FROM parts").fetchone()[0] == 0, "parts added")
        check(stored(s) == [], f"files stored for refused uploads: {stored(s)}")


def case_fields(exe):
    with serve() as s:
        c = login(s)
        qid, _ = new_quote(s)
        f = [("file", "a.dxf", BROKEN)]
        cases = [
            ([("material", "Unobtainium"), ("thickness", "3")], "material", "Mild steel"),
            ([("material", STEEL), ("thickness", "7")], "thickness", "1, 2, 3"),
            ([("material", STEEL)], "thickness", "thickness"),
            ([("thickness", "3")], "material", "material"),
            ([("material", STEEL), ("thickness", "-1")], "thickness", "above 0"),
            ([("material", STEEL), ("thickness", "abc")], "thickness", "number"),
            ([("material", "x" * 101), ("thickness", "3")], "material", "100"),
            ([("quantity", "0")], "quantity", "1 to 1000000"),
            ([("quantity", "1000001")], "quantity", "1 to 1000000"),
            ([("quantity", "2.5")], "quantity", "whole number"),
            ([("options", "[1, 2]")], "options", "JSON object"),
            ([("options", '{"Bad Key": true}')], "options", "Bad Key"),
            ([("colour", "red")], "colour", "unknown field"),
            ([("quantity", "2"), ("quantity", "3")], "quantity", "twice"),
        ]
        for fields, field, word in cases:
            refused(upload(c, qid, f, fields), 400, "invalid", field, [word], str(fields))
        check_tmp_empty(s, "fields")
        check(stored(s) == [], f"files stored for refused fields: {stored(s)}")
        r = upload(c, qid, f, [("material", STEEL), ("thickness", "2.0"), ("quantity", "3")])
        check(r.status == 202, r.body)


def case_slowloris(exe):
    with serve(env={"DXFQUOTE_HTTP_REQUEST_TIMEOUT_S": "2"}) as s:
        c = login(s)
        qid, _ = new_quote(s)
        body, ct = multipart([("file", "a.dxf", fixture("features_r2000.dxf"))])
        head = req_head(c, qid, ct, length=len(body))
        # A: the headers trickle in and stop.  B: the body stops half-way.
        a = socket.create_connection(("127.0.0.1", s.port), timeout=60)
        a.sendall(head[:20])
        b = socket.create_connection(("127.0.0.1", s.port), timeout=60)
        b.sendall(head + body[:len(body) // 2])
        # C: the headers come a byte at a time, never ending: CivetWeb
        # bounds the time a request's headers may take.
        ended = threading.Event()

        def trickle():
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=60)
            try:
                for i in range(len(head)):
                    sock.sendall(head[i:i + 1])
                    sock.settimeout(0.3)
                    try:
                        if sock.recv(4096) == b"":
                            ended.set()
                            return
                    except socket.timeout:
                        pass
                    except OSError:
                        ended.set()
                        return
            except OSError:
                ended.set()
            finally:
                sock.close()
        t = threading.Thread(target=trickle)
        t.start()
        # Others are served meanwhile.
        for _ in range(5):
            check(s.wait_ready().status == 200, "health while slow clients wait")
        r = upload(c, qid, [("file", "ok.dxf", BROKEN)])
        check(r.status == 202, f"upload beside slow clients: {r.status}")
        # The server ends both (the recv timeout guards a hang).
        for name, sock in (("headers", a), ("body", b)):
            got = b""
            try:
                while True:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    got += chunk
            except ConnectionResetError:
                pass
            except socket.timeout:
                raise Failed(f"slow {name} client not ended by the server")
            sock.close()
            if name == "body":
                check(b" 400 " in got.split(b"\r\n")[0], f"slow body: {got[:300]}")
        t.join()
        check(ended.is_set(), "a client trickling its headers was never ended")
        check_tmp_empty(s, "slowloris")
        with db(s) as d:
            check(d.execute("SELECT count(*) FROM parts").fetchone()[0] == 1, "parts")


def case_names(exe):
    with serve() as s:
        c = login(s)
        qid, _ = new_quote(s)
        names = [("../../etc/passwd", "passwd"), ("C:\\x\\..\\y.dxf", "y.dxf"),
                 ("<img src=x onerror=alert(1)>.dxf", "<img src=x onerror=alert(1)>.dxf"),
                 ("\"><svg onload=alert(1)>.dxf", "\"><svg onload=alert(1)>.dxf"),
                 ("..", "drawing.dxf"), ("", "drawing.dxf"),
                 ("tab\there\x01.dxf", "tabhere.dxf"), ("Zeichnung-ä€.dxf", "Zeichnung-ä€.dxf")]
        files = [("file", raw, BROKEN + b"999\n%d\n" % i) for i, (raw, _) in enumerate(names)]
        r = upload(c, qid, files)
        check(r.status == 202, f"{r.status} {r.body[:300]}")
        check(r.header("Content-Type") == "application/json", r.header("Content-Type"))
        got = [p["file"] for p in r.json()["parts"]]
        check(got == [want for _, want in names], got)
        with db(s) as d:
            rows = [x for (x,) in d.execute("SELECT file_name FROM parts ORDER BY position")]
        check(rows == got, rows)
        check(all(len(n) == 64 + 7 for n in stored(s)), stored(s))
        check(not os.path.exists(os.path.join(s.dir, "etc")), "a file escaped the data folder")
        check("passwd" not in os.listdir(s.data), "a file named by the upload in the data folder")


def case_conflict(exe):
    with serve() as s:
        c = login(s)
        qid, number = new_quote(s, "sent")
        body, ct = multipart([("file", "a.dxf", BROKEN)])
        e = refused(upload(c, qid, body=body, ctype=ct), 409, "conflict",
                    words=[number, "was sent", "revise"], what="sent quote")
        check(e["field"] is None, e)
        refused(upload(c, 999999, body=body, ctype=ct), 404, "not_found", what="no quote")
        refused(upload(c, "abc", body=body, ctype=ct), 404, what="bad id")
        check_tmp_empty(s, "conflict")
        check(stored(s) == [], stored(s))


def case_auth(exe):
    with serve() as s:
        qid, _ = new_quote(s)
        body, ct = multipart([("file", "a.dxf", BROKEN)])
        anon = Client(s.port)
        refused(upload(anon, qid, body=body, ctype=ct), 401, "unauthenticated", what="anon")
        # Refused before the body by the dispatcher: a gigabyte announced
        # is not waited for (the default request timeout is 60 s).
        anon.cookie, anon.csrf = "0" * 64, "x"
        st, got = raw_exchange(s.port, req_head(anon, qid, ct, length=1 << 30), [body],
                               timeout=30)
        check(st == 401, f"1 GB unauthenticated: {got[:200]}")
        c = login(s)
        r = c.call("POST", f"/api/quotes/{qid}/parts", body, ctype=ct, csrf=False)
        refused(r, 403, "csrf", what="no CSRF")
        c2 = Client(s.port)
        c2.cookie, c2.csrf = c.cookie, "wrong"
        st, got = raw_exchange(s.port, req_head(c2, qid, ct, length=1 << 30), [body], timeout=30)
        check(st == 403, f"1 GB without CSRF: {got[:200]}")
        admin = login(s, "admin")
        check(upload(admin, qid, body=body, ctype=ct).status == 202, "admin upload")
        check(upload(c, qid, body=body, ctype=ct).status == 202, "sales upload")
        check_tmp_empty(s, "auth")


def case_busy(exe):
    with serve(env={"DXFQUOTE_JOBS_WORKERS": "1", "DXFQUOTE_JOBS_QUEUE": "0"}) as s:
        c = login(s)
        qid, _ = new_quote(s)
        files = [("file", f"p{i}.dxf", BROKEN + b"999\n%d\n" % i) for i in range(3)]
        r = upload(c, qid, files)
        e = refused(r, 503, "busy", what="3 jobs for 1 worker")
        check(r.header("Retry-After") == "5", r.headers)
        check("again" in e["message"], e)
        with db(s) as d:
            check(d.execute("SELECT count(*) FROM parts").fetchone()[0] == 0, "parts kept")
            check(d.execute("SELECT count(*) FROM jobs").fetchone()[0] == 0, "jobs kept")
        check_tmp_empty(s, "busy")
        # One fits (retried while a previous job may still run).
        while True:
            r = upload(c, qid, files[:1])
            if r.status == 202:
                break
            check(r.status == 503, r.body)
            time.sleep(0.2)


def case_low_disk(exe):
    probe = tempfile.mkdtemp(prefix="dxfq-disk-")
    free_mb = shutil.disk_usage(probe).free >> 20
    shutil.rmtree(probe, ignore_errors=True)
    if free_mb + 100 > 1000000:
        print(f"SKIP: {free_mb} MB free, more than the largest min_free_mb")
        return SKIP
    with serve(env={"DXFQUOTE_DATA_MIN_FREE_MB": str(free_mb + 100)}) as s:
        c = login(s)
        qid, _ = new_quote(s)
        refused(upload(c, qid, [("file", "a.dxf", BROKEN)]), 507, "insufficient_storage",
                words=["min_free_mb", "free"], what="low disk")
        check_tmp_empty(s, "low disk")
        check(stored(s) == [], stored(s))


def preload_shim():
    """LD_PRELOAD for the shim, or None when it cannot be preloaded."""
    preload = ":".join(p for p in (ARGS["preload"], ARGS["shim"]) if p)
    probe = subprocess.run([ARGS["exe"], "--version"], env=dict(os.environ, LD_PRELOAD=preload),
                           capture_output=True, timeout=30)
    if probe.returncode != 0:
        print(f"SKIP: the file-system shim cannot be preloaded: {probe.stderr[:300]!r}")
        return None
    return preload


def case_enospc(exe):
    preload = preload_shim()
    if not preload:
        return SKIP
    d = os.path.realpath(tempfile.mkdtemp(prefix="dxfq-enospc-"))
    env = {"LD_PRELOAD": preload, "DXFQ_TEST_ENOSPC_DIR": os.path.join(d, "data", "tmp")}
    with serve(env=env, folder=d) as s:
        c = login(s)
        qid, _ = new_quote(s)
        e = refused(upload(c, qid, [("file", "a.dxf", fixture("features_r2000.dxf"))]), 507,
                    "insufficient_storage", words=["full"], what="ENOSPC")
        check("nothing was stored" in e["message"], e)
        check_tmp_empty(s, "ENOSPC")
        check(stored(s) == [], f"half-written files: {stored(s)}")
        with db(s) as dbc:
            check(dbc.execute("SELECT count(*) FROM parts").fetchone()[0] == 0, "parts")
        check(s.wait_ready().status == 200, "server unwell after ENOSPC")


def case_nolink(exe):
    """A file system without hard links: the drawing is renamed into place."""
    preload = preload_shim()
    if not preload:
        return SKIP
    with serve(env={"LD_PRELOAD": preload, "DXFQ_TEST_NOLINK": "1"}) as s:
        c = login(s)
        qid, _ = new_quote(s)
        data = fixture("features_r2000.dxf")
        for _ in range(2):
            r = upload(c, qid, [("file", "a.dxf", data)])
            check(r.status == 202, f"{r.status} {r.body[:300]}")
        check(stored(s) == [hashlib.sha256(data).hexdigest() + ".dxf.gz"], stored(s))
        check_tmp_empty(s, "no hard links")
        with gzip.open(os.path.join(s.data, "files", stored(s)[0])) as g:
            check(g.read() == data, "stored content differs")


ARGS = {}


def main():
    def prepare(args):
        ARGS.update(zip(("exe", "fixtures", "shim", "preload"), args))
        return [ARGS["exe"]]

    return run_cases(globals(), __doc__, 4, prepare)


if __name__ == "__main__":
    sys.exit(main())

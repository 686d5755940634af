#!/usr/bin/python3
"""Integration tests of the parts and jobs API (docs/api.md, "Parts" and
"Jobs") against the real `dxfquote serve` on a free loopback port.

    test_parts.py CASE DXFQUOTE

CASE is one of the functions named case_* below.  Exit 0 passed, 1 failed.
Python 3 standard library only; the server and client helpers come from
tests/integration/server.  Drawings are written here (plain R12 ASCII DXF:
a plate with round holes and, on request, an open contour).  A part is
stored the way an upload stores it (the drawing gzipped to
DATA/files/<sha256>.dxf.gz, a parts row in a draft quote) and measured
through POST /api/parts/{id}/measure (case upload goes through the real
upload route instead).  No assertion depends on how long
anything takes; waits are bounded only to end a hung run.
"""
import gzip
import hashlib
import json
import os
import socket
import sqlite3
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
from test_api import ADMIN_PW, SALES_PW, Client, raw, serve_with_users  # noqa: E402
from test_server import Failed, check, run_cases  # noqa: E402

RULES = os.path.join(HERE, "..", "..", "..", "rules", "pricing.lua")
STEEL = "Mild steel S235"


# ------------------------------------------------------------ drawings

def dxf(width=100.0, height=60.0, holes=((20, 20, 4), (80, 40, 6)), open_gap=False, extra=0):
    """A plate width x height mm with round holes (x, y, r); open_gap
    leaves the top edge 2 mm short (an open_contour warning at a known
    place); extra adds that many small separate squares (a bigger job)."""
    out = ["0", "SECTION", "2", "HEADER", "9", "$INSUNITS", "70", "4", "0", "ENDSEC",
           "0", "SECTION", "2", "ENTITIES"]

    def line(x1, y1, x2, y2):
        out.extend(["0", "LINE", "8", "0", "10", repr(x1), "20", repr(y1), "30", "0.0",
                    "11", repr(x2), "21", repr(y2), "31", "0.0"])

    line(0.0, 0.0, width, 0.0)
    line(width, 0.0, width, height)
    line(width, height, 2.0 if open_gap else 0.0, height)
    line(0.0, height, 0.0, 0.0)
    for x, y, r in holes:
        out.extend(["0", "CIRCLE", "8", "0", "10", repr(float(x)), "20", repr(float(y)),
                    "30", "0.0", "40", repr(float(r))])
    for i in range(extra):
        x0 = width + 10 + (i % 100) * 3.0
        y0 = (i // 100) * 3.0
        line(x0, y0, x0 + 1, y0)
        line(x0 + 1, y0, x0 + 1, y0 + 1)
        line(x0 + 1, y0 + 1, x0, y0 + 1)
        line(x0, y0 + 1, x0, y0)
    out.extend(["0", "ENDSEC", "0", "EOF", ""])
    return "\n".join(out).encode()


# -------------------------------------------------------------- helpers

class served:
    """serve_with_users() that stops the server with SIGTERM at the end of
    the case and fails it when the server said a sanitizer found something
    (an ASan/UBSan build) or did not stop cleanly."""

    def __init__(self, exe, env=None):
        self.s = serve_with_users(exe, env=env)

    def __enter__(self):
        return self.s.__enter__()

    def __exit__(self, kind, *rest):
        try:
            if kind is None:
                rc, _ = self.s.stop()
                out = self.s.output()
                for bad in ("runtime error:", "AddressSanitizer", "LeakSanitizer"):
                    check(bad not in out, f"the server reported: {out[out.find(bad) - 200:][:3000]}")
                check(rc == 0, f"the server stopped with {rc}: {out[-2000:]}")
        finally:
            self.s.__exit__(kind, *rest)


def db(s):
    c = sqlite3.connect(os.path.join(s.data, "dxfquote.db"), timeout=10)
    c.execute("PRAGMA busy_timeout = 10000")
    return c


def make_quote(s, status="draft", number=None):
    now = int(time.time())
    with db(s) as c:
        n = c.execute("SELECT count(*) FROM quotes").fetchone()[0] + 1
        cur = c.execute("INSERT INTO quotes (number, status, created, updated, currency) "
                        "VALUES (?, ?, ?, ?, 'EUR')",
                        (number or "Q-2026-%04d" % n, status, now, now))
        return cur.lastrowid


def store_part(s, quote_id, data, name="plate.dxf"):
    """Stores data as an upload does; returns the part id (not measured)."""
    sha = hashlib.sha256(data).hexdigest()
    rel = "files/%s.dxf.gz" % sha
    os.makedirs(os.path.join(s.data, "files"), exist_ok=True)
    with gzip.open(os.path.join(s.data, rel), "wb") as f:
        f.write(data)
    now = int(time.time())
    with db(s) as c:
        cur = c.execute("INSERT INTO parts (quote_id, position, file_name, stored_path, sha256, "
                        "size_bytes, qty, created, updated) VALUES (?, 1, ?, ?, ?, ?, 1, ?, ?)",
                        (quote_id, name, rel, sha, len(data), now, now))
        return cur.lastrowid


def wait_part(c, pid, states=("done", "failed", "cancelled"), limit=120):
    """Polls GET /api/parts/{id} until its state is one of states."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        r = c.call("GET", "/api/parts/%d" % pid)
        check(r.status == 200, f"GET part {pid}: {r.status} {r.body[:300]}")
        p = r.json()
        if p["state"] in states and (p["job"] is None or p["job"]["state"] in states):
            return p
        time.sleep(0.05)
    raise Failed(f"part {pid} never reached {states}")


def wait_job(c, jid, limit=120):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        r = c.call("GET", "/api/jobs/%d" % jid)
        check(r.status == 200, f"GET job {jid}: {r.status} {r.body[:300]}")
        j = r.json()
        if j["state"] in ("done", "failed", "cancelled"):
            return j
        time.sleep(0.05)
    raise Failed(f"job {jid} never ended")


def measured(s, c, data, name="plate.dxf", quote=None):
    q = quote or make_quote(s)
    pid = store_part(s, q, data, name)
    r = c.call("POST", "/api/parts/%d/measure" % pid)
    check(r.status == 202, f"measure: {r.status} {r.body[:300]}")
    check(r.json()["job"] is not None, r.body[:300])
    return pid, wait_part(c, pid)


def signed_in(s, who="sales"):
    c = Client(s.port)
    c.login(who, SALES_PW if who == "sales" else ADMIN_PW)
    return c


def png_size(body):
    check(body[:8] == b"\x89PNG\r\n\x1a\n" and body[12:16] == b"IHDR", "not a PNG")
    return struct.unpack(">II", body[16:24])


def png_pixels(body):
    """(width, height, rows) of an 8-bit RGBA, non-interlaced PNG (what
    render/ writes): rows[y][4 * x:4 * x + 4] is pixel (x, y)."""
    import zlib
    w, h = png_size(body)
    check(body[24:27] == b"\x08\x06\x00", "not 8-bit RGBA")
    pos, idat = 8, b""
    while pos < len(body):
        n, kind = struct.unpack(">I4s", body[pos:pos + 8])
        if kind == b"IDAT":
            idat += body[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw_rows, stride, rows, prev = zlib.decompress(idat), 4 * w, [], bytearray(4 * w)
    for y in range(h):
        f, line = raw_rows[y * (stride + 1)], bytearray(raw_rows[y * (stride + 1) + 1:
                                                                (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 4] if i >= 4 else 0
            b, c = prev[i], prev[i - 4] if i >= 4 else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(line)
        prev = line
    return w, h, rows


def install_hang_rule(s, admin):
    """The default rules plus a loop when the option hang_test is set (the
    check's sample parts never set it, so the rules pass their check)."""
    with open(RULES) as f:
        src = f.read()
    src += ("\nlocal base_quote = quote\n"
            "function quote(part, ctx)\n"
            "  if ctx.options.hang_test then while true do end end\n"
            "  return base_quote(part, ctx)\n"
            "end\n")
    r = admin.call("POST", "/api/rules", {"source": src, "note": "loops on hang_test"})
    check(r.status == 201, f"install rules: {r.status} {r.body[:400]}")


def open_stream(port, c, jid):
    """Opens GET /api/jobs/{id}/events and reads its head and first event."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(("GET /api/jobs/%d/events HTTP/1.1\r\nHost: x\r\n"
                  "Cookie: dxfq_session=%s\r\n\r\n" % (jid, c.cookie)).encode())
    got = b""
    while b"event: " not in got:
        k = sock.recv(4096)
        check(k, f"stream closed early: {got[:300]}")
        got += k
    check(got.startswith(b"HTTP/1.1 200"), got[:300])
    return sock


def read_all(sock):
    out = b""
    while True:
        k = sock.recv(65536)
        if not k:
            break
        out += k
    sock.close()
    return out


def events(port, c, jid, limit=60):
    """Reads GET /api/jobs/{id}/events to its end: [(event, id, data)]."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=limit)
    req = ("GET /api/jobs/%d/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
           "Cookie: dxfq_session=%s\r\n\r\n" % (jid, c.cookie))
    sock.sendall(req.encode())
    buf = b""
    while True:
        k = sock.recv(65536)
        if not k:
            break
        buf += k
    sock.close()
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    check(" 200 " in lines[0], f"events: {lines[0]} {body[:300]}")
    hdr = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
    check(hdr.get("content-type", "").startswith("text/event-stream"), hdr)
    check(hdr.get("cache-control") == "no-store", hdr)
    check("content-length" not in hdr, hdr)
    check(hdr.get("x-content-type-options") == "nosniff", "security headers missing")
    out = []
    for block in body.decode().split("\n\n"):
        ev, eid, data = None, None, None
        for l in block.split("\n"):
            if l.startswith("event: "):
                ev = l[7:]
            elif l.startswith("id: "):
                eid = int(l[4:])
            elif l.startswith("data: "):
                data = json.loads(l[6:])
        if ev:
            out.append((ev, eid, data))
    return out


# ------------------------------------------------------------------ cases

def case_get(exe):
    with served(exe) as s:
        c = signed_in(s)
        pid, p = measured(s, c, dxf(open_gap=True))
        check(p["state"] == "done" and p["error"] is None, p)
        keys = {"id", "quote_id", "position", "file", "size_bytes", "sha256", "state", "error",
                "job", "material", "thickness_mm", "qty", "options", "geometry", "price",
                "unit_price_minor", "total_minor", "rules_version", "preview", "created",
                "updated"}
        check(set(p) == keys, f"part keys {sorted(set(p) ^ keys)}")
        check(p["file"] == "plate.dxf" and p["qty"] == 1 and p["options"] == {}, p)
        check(p["material"] is None and p["price"] is None and p["total_minor"] is None, p)
        g = p["geometry"]
        check(abs(g["cut_length_mm"] - (2 * 100 + 2 * 60 - 2 + 2 * 3.141592653589793 * 10))
              < 1e-6, g["cut_length_mm"])
        check(g["contours"] == {"closed": 2, "open": 1}, g["contours"])
        check(g["bbox"]["width"] == 100 and g["bbox"]["height"] == 60, g["bbox"])
        warn = [w for w in g["warnings"] if w["code"] == "open_contour"]
        check(warn and warn[0]["x"] is not None, g["warnings"])
        j = p["job"]
        check(j["state"] == "done" and j["stage"] == "done" and j["progress"] == 100, j)
        check(set(j) == {"id", "part_id", "state", "stage", "progress", "error"}, j)
        # The preview's map puts the drawing's box inside the image, centred
        # across, and the warning inside the box.
        for kind in ("thumb", "detail"):
            pv = p["preview"][kind]
            x0 = pv["offset_x"] + g["bbox"]["min_x"] * pv["scale"]
            x1 = pv["offset_x"] + g["bbox"]["max_x"] * pv["scale"]
            y0 = pv["offset_y"] - g["bbox"]["max_y"] * pv["scale"]
            y1 = pv["offset_y"] - g["bbox"]["min_y"] * pv["scale"]
            check(0 < x0 < x1 < pv["width"] and 0 < y0 < y1 < pv["height"], (kind, pv))
            check(abs(x0 - (pv["width"] - x1)) < 1e-6, (kind, x0, x1))
            wx = pv["offset_x"] + warn[0]["x"] * pv["scale"]
            wy = pv["offset_y"] - warn[0]["y"] * pv["scale"]
            check(x0 - 1e-6 <= wx <= x1 + 1e-6 and y0 - 1e-6 <= wy <= y1 + 1e-6, (wx, wy))
            check(pv["url"].startswith("/api/parts/%d/preview.png?size=%s" % (pid, kind)), pv)
            # The map is the one the renderer drew with: the warning's
            # marker is where it says, a circle's centre is filled (the
            # circles are parts of their own: the plate is open), and
            # outside the box is paper.
            w, h, rows = png_pixels(c.call("GET", pv["url"]).body)
            check((w, h) == (pv["width"], pv["height"]), (w, h, pv))

            def px(x, y):
                X = int(pv["offset_x"] + x * pv["scale"])
                Y = int(pv["offset_y"] - y * pv["scale"])
                return tuple(rows[Y][4 * X:4 * X + 3])
            red = px(warn[0]["x"], warn[0]["y"])
            check(red[0] > 180 and red[1] < 80 and red[2] < 80, f"{kind}: no marker: {red}")
            check(px(20, 20) == (176, 192, 209), f"{kind}: circle centre {px(20, 20)}")
            check(px(50, 30) == (255, 255, 255), f"{kind}: inside the open plate {px(50, 30)}")
            check(tuple(rows[1][4:7]) == (255, 255, 255), f"{kind}: corner {rows[1][4:7]}")
        # The job answers by id and as part of the part.
        r = c.call("GET", "/api/jobs/%d" % j["id"])
        check(r.status == 200 and r.json() == j, r.body)


def case_patch(exe):
    with served(exe) as s:
        c = signed_in(s)
        pid, p = measured(s, c, dxf())
        geometry = p["geometry"]
        check(geometry["holes"] == 2 and abs(geometry["smallest_hole_mm"] - 8) < 1e-9, geometry)
        r = c.call("PATCH", "/api/parts/%d" % pid,
                   {"material": STEEL.upper(), "thickness_mm": 3, "qty": 10})
        check(r.status == 200, f"PATCH: {r.status} {r.body[:400]}")
        a = r.json()
        check(a["material"] == STEEL and a["thickness_mm"] == 3 and a["qty"] == 10, a)
        check(a["state"] == "done" and a["price"] and a["total_minor"] > 0, a)
        pr = a["price"]
        for k in ("total", "unit_price", "lines", "currency", "notes", "needs_review"):
            check(k in pr, f"price lacks {k}: {pr}")
        check(pr["quantity"] == 10 and pr["lines"], pr)
        check(a["geometry"] == geometry, "re-pricing changed the figures")
        check(a["preview"] == p["preview"] or a["preview"]["detail"]["width"] ==
              p["preview"]["detail"]["width"], "previews lost")
        # More parts cost more in total; the geometry stays as measured.
        b = c.call("PATCH", "/api/parts/%d" % pid, {"qty": 100}).json()
        check(b["total_minor"] > a["total_minor"] and b["geometry"] == geometry, b)
        check(b["material"] == STEEL and b["thickness_mm"] == 3, b)
        o = c.call("PATCH", "/api/parts/%d" % pid, {"options": {"rush": True}})
        check(o.status == 200 and o.json()["options"] == {"rush": True}, o.body[:300])
        # The jobs were price jobs: the measure job is the only one that
        # read the drawing.
        with db(s) as d:
            kinds = [k for (k,) in d.execute("SELECT kind FROM jobs WHERE part_id = ? "
                                             "ORDER BY id", (pid,))]
        check(kinds == ["measure", "price", "price", "price"], kinds)
        # Material cleared: no price.
        n = c.call("PATCH", "/api/parts/%d" % pid, {"material": None}).json()
        check(n["material"] is None and n["thickness_mm"] is None and n["price"] is None, n)


def case_patch_invalid(exe):
    with served(exe) as s:
        c = signed_in(s)
        pid, _ = measured(s, c, dxf())
        bad = [({"qty": 0}, "qty"), ({"qty": 2.5}, "qty"), ({"qty": "3"}, "qty"),
               ({"qty": 10 ** 9}, "qty"), ({"thickness_mm": -1}, "thickness_mm"),
               ({"thickness_mm": 0}, "thickness_mm"), ({"material": ""}, "material"),
               ({"material": 7}, "material"), ({"material": "Unobtainium", "thickness_mm": 3},
                                               "material"),
               ({"material": STEEL, "thickness_mm": 3.3}, "thickness_mm"),
               ({"material": STEEL}, "thickness_mm"), ({"options": []}, "options"),
               ({"options": {"Bad Key": True}}, "options"), ({"colour": "red"}, "colour")]
        for body, field in bad:
            r = c.call("PATCH", "/api/parts/%d" % pid, body)
            check(r.status == 400, f"{body}: {r.status} {r.body[:300]}")
            e = r.error()
            check(e["field"] == field, f"{body}: {e}")
        e = c.call("PATCH", "/api/parts/%d" % pid, {"material": "Unobtainium",
                                                   "thickness_mm": 3}).error()
        check(STEEL in e["message"], f"the message does not list the catalog: {e}")
        e = c.call("PATCH", "/api/parts/%d" % pid, {"material": STEEL,
                                                   "thickness_mm": 3.3}).error()
        check("10" in e["message"] and "3.3" in e["message"], e)
        r = c.call("PATCH", "/api/parts/%d" % pid, "not json")
        check(r.status == 400, r.status)
        r = c.call("PATCH", "/api/parts/%d" % pid, {"qty": 2}, ctype="text/plain")
        check(r.status == 415, r.status)
        # Nothing above changed the part.
        p = c.call("GET", "/api/parts/%d" % pid).json()
        check(p["qty"] == 1 and p["material"] is None and p["options"] == {}, p)


def case_not_draft(exe):
    with served(exe) as s:
        c = signed_in(s)
        q = make_quote(s)
        pid, _ = measured(s, c, dxf(), quote=q)
        with db(s) as d:
            d.execute("UPDATE quotes SET status = 'sent' WHERE id = ?", (q,))
            number = d.execute("SELECT number FROM quotes WHERE id = ?", (q,)).fetchone()[0]
        for method, path, body in [("PATCH", "/api/parts/%d" % pid, {"qty": 5}),
                                   ("DELETE", "/api/parts/%d" % pid, None),
                                   ("POST", "/api/parts/%d/measure" % pid, None)]:
            r = c.call(method, path, body)
            check(r.status == 409, f"{method} {path}: {r.status} {r.body[:300]}")
            e = r.error()
            check(e["code"] == "conflict" and number in e["message"] and "revise" in
                  e["message"], e)
        # Reading still works.
        check(c.call("GET", "/api/parts/%d" % pid).status == 200, "GET")
        check(c.call("GET", "/api/parts/%d/file" % pid).status == 200, "file")


def case_delete(exe):
    with served(exe) as s:
        c = signed_in(s)
        data = dxf()
        q = make_quote(s)
        p1, a = measured(s, c, data, quote=q)
        p2, _ = measured(s, c, data, name="same.dxf", quote=q)
        stored = os.path.join(s.data, "files", hashlib.sha256(data).hexdigest() + ".dxf.gz")
        previews = [os.path.join(s.data, "previews", "%d-%s.png" % (p1, k))
                    for k in ("thumb", "detail")]
        check(all(os.path.exists(f) for f in previews + [stored]), "files missing")
        r = c.call("DELETE", "/api/parts/%d" % p1)
        check(r.status == 204 and r.body == b"", f"DELETE: {r.status} {r.body}")
        check(not any(os.path.exists(f) for f in previews), "previews left behind")
        check(os.path.exists(stored), "a file another part uses was removed")
        check(c.call("GET", "/api/parts/%d" % p1).status == 404, "deleted part answers")
        check(c.call("GET", "/api/jobs/%d" % a["job"]["id"]).status == 404, "its job answers")
        check(c.call("DELETE", "/api/parts/%d" % p1).status == 404, "deleted twice")
        check(c.call("DELETE", "/api/parts/%d" % p2).status == 204, "second part")
        check(not os.path.exists(stored), "the unused stored drawing was kept")
        with db(s) as d:
            check(d.execute("SELECT count(*) FROM parts").fetchone()[0] == 0, "rows left")
            check(d.execute("SELECT count(*) FROM audit_log WHERE action = 'part.delete'")
                  .fetchone()[0] == 2, "not audited")


def case_preview(exe):
    with served(exe) as s:
        c = signed_in(s)
        q = make_quote(s)
        pid = store_part(s, q, dxf())
        r = c.call("GET", "/api/parts/%d/preview.png?size=thumb" % pid)
        check(r.status == 404 and "preview" in r.error()["message"], r.body)
        check(c.call("GET", "/api/parts/%d" % pid).json()["preview"] is None, "preview")
        c.call("POST", "/api/parts/%d/measure" % pid)
        p = wait_part(c, pid)
        for size, want in (("thumb", (240, 180)), ("detail", (1200, 900)), (None, (1200, 900))):
            path = "/api/parts/%d/preview.png" % pid + ("?size=" + size if size else "")
            r = c.call("GET", path)
            check(r.status == 200 and r.header("Content-Type") == "image/png", r.status)
            check(png_size(r.body) == want, (size, png_size(r.body)))
            check("private" in r.header("Cache-Control"), r.header("Cache-Control"))
            etag = r.header("ETag")
            check(etag and etag.startswith('"'), etag)
            r2 = c.call("GET", path, headers={"If-None-Match": etag})
            check(r2.status == 304 and r2.body == b"", r2.status)
            if size:
                pv = p["preview"][size]
                check((pv["width"], pv["height"]) == want, pv)
        r = c.call("GET", "/api/parts/%d/preview.png?size=huge" % pid)
        check(r.status == 400 and r.error()["field"] == "size", r.body)


def case_file(exe):
    with served(exe) as s:
        c = signed_in(s)
        data = dxf(extra=3000)  # several hundred kB: sent in pieces
        name = 'Teil "Ä" 1;x.dxf'
        q = make_quote(s)
        pid = store_part(s, q, data, name)
        r = c.call("GET", "/api/parts/%d/file" % pid)
        check(r.status == 200, r.status)
        check(r.body == data, f"bytes differ: {len(r.body)} of {len(data)}")
        check(int(r.header("Content-Length")) == len(data), r.header("Content-Length"))
        cd = r.header("Content-Disposition")
        check(cd.startswith("attachment;") and "filename*=UTF-8''Teil%20%22%C3%84%22%201%3Bx.dxf"
              in cd, cd)
        check('"Teil' in cd and '\\' not in cd and cd.count('"') == 2, cd)
        h = c.call("HEAD", "/api/parts/%d/file" % pid)
        check(h.status == 200 and h.body == b"", h.status)


def case_events(exe):
    with served(exe) as s:
        c = signed_in(s)
        q = make_quote(s)
        pid = store_part(s, q, dxf(extra=20000))
        c.call("PATCH", "/api/parts/%d" % pid, {"material": STEEL, "thickness_mm": 2})
        r = c.call("POST", "/api/parts/%d/measure" % pid)
        jid = r.json()["job"]["id"]
        ev = events(s.port, c, jid)
        check(ev, "no events")
        check(ev[-1][0] == "done" and ev[-1][2]["state"] == "done", ev[-1])
        check(all(e[0] == "progress" for e in ev[:-1]), [e[0] for e in ev])
        ids = [e[1] for e in ev]
        check(ids == sorted(ids) and len(set(ids)) == len(ids), ids)
        order = ["", "stored", "parse", "analyse", "price", "render", "done"]
        stages = [order.index(e[2]["stage"]) for e in ev]
        check(stages == sorted(stages), [e[2]["stage"] for e in ev])
        pct = [e[2]["progress"] for e in ev]
        check(pct == sorted(pct) and pct[-1] == 100, pct)
        check(all(e[2]["id"] == jid and e[2]["part_id"] == pid for e in ev), ev)
        # A finished job's stream is its end at once.
        again = events(s.port, c, jid)
        check([e[0] for e in again] == ["done"], again)
        check(wait_part(c, pid)["total_minor"] > 0, "not priced")


def case_cancel(exe):
    env = {"DXFQUOTE_JOBS_WORKERS": "1", "DXFQUOTE_JOBS_QUEUE": "1", "DXFQUOTE_HTTP_THREADS": "4",
           "DXFQUOTE_PRICING_MAX_INSTRUCTIONS": "400000000"}
    with served(exe, env=env) as s:
        admin = signed_in(s, "admin")
        install_hang_rule(s, admin)
        c = signed_in(s)
        q = make_quote(s)
        busy = store_part(s, q, dxf())
        with db(s) as d:
            d.execute("UPDATE parts SET material = ?, thickness_mm = 3, "
                      "options = '{\"hang_test\": true}' WHERE id = ?", (STEEL, busy))
        r = c.call("POST", "/api/parts/%d/measure" % busy)
        busy_job = r.json()["job"]["id"]
        # Wait until the worker holds it, then queue another behind it.
        end = time.monotonic() + 60
        while c.call("GET", "/api/jobs/%d" % busy_job).json()["state"] != "running":
            check(time.monotonic() < end, "the first job never ran")
            time.sleep(0.02)
        waiting = store_part(s, q, dxf())
        r = c.call("POST", "/api/parts/%d/measure" % waiting)
        check(r.status == 202, r.body[:300])
        wjob = r.json()["job"]["id"]
        check(r.json()["job"]["state"] == "queued", r.body[:300])
        # Workers (1) and queue (1) are full: the next is refused.
        third = store_part(s, q, dxf())
        r = c.call("POST", "/api/parts/%d/measure" % third)
        check(r.status == 503 and r.header("Retry-After"), f"{r.status} {r.body[:300]}")
        check(r.error()["code"] == "busy", r.body)
        r = c.call("PATCH", "/api/parts/%d" % third, {"qty": 4})
        check(r.status == 503 and r.header("Retry-After"), f"{r.status} {r.body[:300]}")
        # Event streams hold a request thread each: at most [http] threads
        # / 2 (2 here) are open at once, the next is told to poll.
        streams = [open_stream(s.port, c, busy_job) for _ in range(2)]
        r = c.call("GET", "/api/jobs/%d/events" % busy_job)
        check(r.status == 503 and r.header("Retry-After") and "poll" in r.error()["message"],
              f"third stream: {r.status} {r.body[:300]}")
        check(c.call("GET", "/api/jobs/%d" % busy_job).status == 200, "polling refused")
        check(c.call("GET", "/api/parts/%d" % third).json()["qty"] == 1, "a refused PATCH stuck")
        # Cancel the queued one: it ends cancelled at once.
        r = c.call("DELETE", "/api/jobs/%d" % wjob)
        check(r.status == 200 and r.json()["state"] == "cancelled", f"{r.status} {r.body}")
        check(r.json()["error"], r.body)
        r = c.call("DELETE", "/api/jobs/%d" % wjob)
        check(r.status == 409, f"cancel twice: {r.status}")
        p = wait_part(c, waiting)
        check(p["state"] == "cancelled" and p["error"], p)
        # Cancel the running one: it stops (at the end of the rule's
        # instruction budget at the latest).
        r = c.call("DELETE", "/api/jobs/%d" % busy_job)
        check(r.status in (200, 202), f"{r.status} {r.body}")
        j = wait_job(c, busy_job)
        check(j["state"] in ("cancelled", "failed") and j["error"], j)
        # The open streams end with the job's end.
        for sock in streams:
            tail = read_all(sock)
            check(("event: " + j["state"]).encode() in tail, tail[-300:])
        check(c.call("DELETE", "/api/jobs/999999").status == 404, "unknown job")


def case_rule_loops(exe):
    """The issue's fault test: a rule that loops fails its own quote with
    the rule's message; the other quotes are priced."""
    with served(exe) as s:
        admin = signed_in(s, "admin")
        install_hang_rule(s, admin)
        c = signed_in(s)
        q1, q2 = make_quote(s), make_quote(s)
        bad, _ = measured(s, c, dxf(), quote=q1)
        good, _ = measured(s, c, dxf(holes=((50, 30, 10),)), quote=q2)
        r = c.call("PATCH", "/api/parts/%d" % bad, {"material": STEEL, "thickness_mm": 3,
                                                     "options": {"hang_test": True}})
        check(r.status in (200, 202), r.body[:300])
        p = wait_part(c, bad)
        check(p["state"] == "failed", p)
        check("instruction" in p["error"] or "loop" in p["error"], p["error"])
        check(p["geometry"] is not None, "the figures went with the failure")
        r = c.call("PATCH", "/api/parts/%d" % good, {"material": STEEL, "thickness_mm": 3})
        check(r.status == 200 and r.json()["state"] == "done" and r.json()["total_minor"] > 0,
              r.body[:300])
        health = raw(s.port, "GET", "/health")
        check(health.status == 200, health.body)


def case_upload(exe):
    """The whole way through the upload route: upload, follow the job's
    events to its end, read the part, fetch the file back."""
    with served(exe) as s:
        c = signed_in(s)
        q = make_quote(s)
        data = dxf(open_gap=True)
        boundary = "----dxfqpartstest"
        body = b"".join([
            b"--%s\r\n" % boundary.encode(),
            b'Content-Disposition: form-data; name="material"\r\n\r\n', STEEL.encode(),
            b"\r\n--%s\r\n" % boundary.encode(),
            b'Content-Disposition: form-data; name="thickness"\r\n\r\n2',
            b"\r\n--%s\r\n" % boundary.encode(),
            b'Content-Disposition: form-data; name="file"; filename="up.dxf"\r\n'
            b"Content-Type: application/dxf\r\n\r\n", data,
            b"\r\n--%s--\r\n" % boundary.encode()])
        r = c.call("POST", "/api/quotes/%d/parts" % q, body,
                   ctype="multipart/form-data; boundary=" + boundary)
        check(r.status == 202, f"upload: {r.status} {r.body[:300]}")
        up = r.json()["parts"][0]
        ev = events(s.port, c, up["job_id"])
        check(ev[-1][0] == "done", ev)
        p = c.call("GET", "/api/parts/%d" % up["part_id"]).json()
        check(p["state"] == "done" and p["file"] == "up.dxf" and p["job"]["id"] == up["job_id"],
              p)
        check(p["material"] == STEEL and p["thickness_mm"] == 2 and p["total_minor"] > 0, p)
        check(p["geometry"]["contours"]["open"] == 1 and p["preview"]["detail"]["scale"] > 0, p)
        f = c.call("GET", "/api/parts/%d/file" % up["part_id"])
        check(f.status == 200 and f.body == data, "the file differs from the upload")


def case_guards(exe):
    with served(exe) as s:
        c = signed_in(s)
        pid, p = measured(s, c, dxf())
        jid = p["job"]["id"]
        anon = Client(s.port)
        routes = [("GET", "/api/parts/%d" % pid), ("PATCH", "/api/parts/%d" % pid),
                  ("DELETE", "/api/parts/%d" % pid), ("GET", "/api/parts/%d/file" % pid),
                  ("GET", "/api/parts/%d/preview.png" % pid),
                  ("POST", "/api/parts/%d/measure" % pid), ("GET", "/api/jobs/%d" % jid),
                  ("GET", "/api/jobs/%d/events" % jid), ("DELETE", "/api/jobs/%d" % jid)]
        for method, path in routes:
            r = anon.call(method, path, {"qty": 2} if method == "PATCH" else None)
            check(r.status == 401, f"{method} {path} without a session: {r.status}")
            if method in ("PATCH", "DELETE", "POST"):
                r = c.call(method, path, {"qty": 2} if method == "PATCH" else None, csrf=False)
                check(r.status == 403 and r.error()["code"] == "csrf",
                      f"{method} {path} without CSRF: {r.status}")
        for path in ["/api/parts/0", "/api/parts/007", "/api/parts/abc", "/api/parts/-1",
                     "/api/parts/99999", "/api/parts/1e3", "/api/jobs/abc", "/api/jobs/99999",
                     "/api/parts/99999/file", "/api/parts/99999/preview.png",
                     "/api/jobs/99999/events", "/api/parts/%d/../../../etc/passwd" % pid,
                     "/api/parts/%d/..%%2f..%%2fdxfquote.db" % pid,
                     "/api/parts/..%2f..%2fdxfquote.db/file",
                     "/api/parts/%d/file/../../dxfquote.db" % pid]:
            r = c.call("GET", path)
            check(r.status == 404, f"{path}: {r.status} {r.body[:200]}")
            check(b"SQLite format" not in r.body and b"root:" not in r.body, path)
        # The file is served from its stored path only: a row pointing
        # outside the data folder is refused, never followed.
        with db(s) as d:
            d.execute("UPDATE parts SET stored_path = '../../../../etc/passwd' WHERE id = ?",
                      (pid,))
        r = c.call("GET", "/api/parts/%d/file" % pid)
        check(r.status == 404 and b"root:" not in r.body, f"{r.status} {r.body[:200]}")


def main():
    return run_cases(globals(), __doc__)


if __name__ == "__main__":
    sys.exit(main())

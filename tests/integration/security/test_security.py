#!/usr/bin/python3
"""Security tests across the whole API, against the real `dxfquote serve`
on a free loopback port.

    test_security.py CASE DXFQUOTE FIXTURES

CASE is one of the functions named case_* below; FIXTURES is
tests/fixtures/dxf.  Exit 0 passed, 1 failed.  Python 3 standard library
only; the server and client helpers come from tests/integration/server.

The route list is not written here: it is read from `dxfquote routes`, the
dispatcher's own table, so a route added later is checked for its session,
its role and CSRF without editing this file.  Placeholders are filled with
things that exist: "{id}" after /api/<table>/ with the id of a row of that
table (any placeholder after /api/<table>/ does), "{version}" with the
rules version installed for the test, "{name}" with a backup made for it.

What the groups' own tests already cover is not repeated here: the
per-field injection cases of users, materials (server/test_api.py),
customers and quotes (quotes/test_quotes.py), upload file names
(upload/test_upload.py, case names), and the session fixation at sign-in
(server/test_api.py, case fixation).  This file checks what only a view of
every route at once can: that nothing is left unguarded, that hostile text
goes through every free-text field and search parameter at once without a
5xx or damage, and that no path escapes through any placeholder.
"""
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
sys.path.insert(0, os.path.join(HERE, "..", "upload"))
from test_server import Failed, Server, check, run_cases  # noqa: E402
from test_api import (ADMIN_PW, FAST, SALES_PW, SQLI, XSS, Client, add_user, db,  # noqa: E402
                      default_rules, raw)
from test_upload import multipart  # noqa: E402

# Routes anyone may call.  A route with role "none" that is not here fails
# the guards case: opening a route to the world must be a decision written
# down, not an accident of a table entry.
PUBLIC = {("POST", "/api/login"), ("POST", "/api/setup"), ("GET", "/setup"), ("GET", "/"),
          ("GET", "/health"), ("GET", "/metrics"), ("GET", "/{asset}")}
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
STEEL = "Mild steel S235"
# More hostile text than test_api's lists: quotes of both kinds, comments,
# a NUL-free control character, LIKE wildcards, a very long UTF-8 run.
HOSTILE = SQLI + XSS + ["Robert'); DROP TABLE quotes;--", "%_%", "\\' \\\" \\\\",
                        "ünïcødé ✓ 'quoted' \"double\"", "a\u2028b", "x" * 150]
# File names lose what is before a / or \ (upload/test_upload.py, case
# names): the hostile text that keeps its whole self as a file name.
NAMES = [t for t in HOSTILE if "/" not in t and "\\" not in t]


def routes(exe):
    """[(method, pattern, role)] from `dxfquote routes`."""
    p = subprocess.run([exe, "routes"], capture_output=True, timeout=30)
    check(p.returncode == 0, f"dxfquote routes: {p.returncode} {p.stderr.decode()}")
    out = []
    for line in p.stdout.decode().splitlines():
        m = re.fullmatch(r"(GET|POST|PUT|PATCH|DELETE)\t(/\S*)\t(none|sales|admin)", line)
        check(m, f"dxfquote routes: unexpected line {line!r}")
        out.append(m.groups())
    check(len(out) >= 20, f"dxfquote routes: only {len(out)} routes")
    return out


def serve():
    d = tempfile.mkdtemp(prefix="dxfq-security-")
    data = os.path.join(d, "data")
    add_user(ARGS["exe"], data, "admin", "admin", ADMIN_PW)
    add_user(ARGS["exe"], data, "sales", "sales", SALES_PW)
    return Server(ARGS["exe"], env=FAST, folder=d)


def signed_in(s, user):
    c = Client(s.port)
    c.login(user, ADMIN_PW if user == "admin" else SALES_PW)
    return c


def fixture(name):
    with open(os.path.join(ARGS["fixtures"], name), "rb") as f:
        return f.read()


def wait_jobs(s):
    """Until no job is queued or running (the ctest timeout guards it)."""
    while True:
        with db(s) as c:
            n = c.execute("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')"
                          ).fetchone()[0]
        if n == 0:
            return
        time.sleep(0.1)


class World:
    """One of each thing a route can name, made through the API."""

    def __init__(self, s, table):
        self.s, self.table = s, table
        self.admin, self.sales = signed_in(s, "admin"), signed_in(s, "sales")
        self.quote = self.new_quote()
        self.customer = None
        if ("POST", "/api/customers") in table:
            r = self.sales.call("POST", "/api/customers", {"name": "Acme Ltd"})
            check(r.status == 201, f"POST /api/customers: {r.status} {r.body[:300]}")
            self.customer = r.json()["id"]
        body, ct = multipart([("file", "plate.dxf", fixture("features_r2000.dxf"))],
                             [("material", STEEL), ("thickness", "3"), ("quantity", "2")])
        r = self.sales.call("POST", f"/api/quotes/{self.quote}/parts", body, ctype=ct)
        check(r.status == 202, f"upload: {r.status} {r.body[:300]}")
        p = r.json()["parts"][0]
        self.part, self.job = p["part_id"], p["job_id"]
        r = self.admin.call("POST", "/api/backups")
        check(r.status == 201, f"POST /api/backups: {r.status} {r.body[:300]}")
        self.backup = r.json()["backup"]["name"]
        r = self.admin.call("POST", "/api/rules", {"source": default_rules(), "note": "test"})
        check(r.status in (200, 201), f"POST /api/rules: {r.status} {r.body[:300]}")
        self.rules = r.json()["version"]["version"]
        wait_jobs(s)

    def new_quote(self):
        r = self.sales.call("POST", "/api/quotes", {})
        check(r.status == 201, f"POST /api/quotes: {r.status} {r.body[:300]}")
        return r.json()["id"]

    def value(self, pattern, name):
        """What fills {name} in pattern: an existing thing's id or name."""
        if name == "version":
            return str(self.rules)
        if name == "name":
            return self.backup
        if name == "asset":
            return "index.html"
        m = re.search(r"/api/(\w+)/\{" + name + "}", pattern)
        check(m, f"{pattern}: no value known for {{{name}}}; teach World.value in "
              "test_security.py what it names")
        owner = m.group(1)
        with db(self.s) as c:
            found = c.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                              "name = ?", (owner,)).fetchone()
            check(found, f"{pattern}: no table {owner} to take an id from")
            row = c.execute(f"SELECT max(id) FROM {owner}").fetchone()
        check(row[0] is not None, f"{pattern}: no row in {owner} to name")
        return str(row[0])

    def path(self, pattern):
        return re.sub(r"\{(\w+)\}", lambda m: self.value(pattern, m.group(1)), pattern)


def body_for(method):
    return "{}" if method in ("POST", "PUT", "PATCH") else None


def integrity(s):
    with db(s) as c:
        check(c.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check")
        tables = {n for (n,) in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for t in ("users", "sessions", "quotes", "parts", "jobs", "materials", "rule_versions",
              "audit_log"):
        check(t in tables, f"table {t} is gone")


def no_5xx(s, admin):
    r = admin.call("GET", "/api/system")
    check(r.status == 200, r.body[:300])
    n = r.json()["requests_5xx_last_5min"]
    check(n == 0, f"{n} answers were 5xx; see {s.dir}/stderr.log")


# ------------------------------------------------------------------ cases

def case_guards(exe):
    """Every route from the table: 401 without a session (GET also as
    HEAD), 403 "forbidden" for sales on an admin route; public routes only
    those in PUBLIC."""
    table = routes(exe)
    keys = {(m, p) for m, p, _ in table}
    with serve() as s:
        w = World(s, keys)
        checked = 0
        for method, pattern, role in table:
            if role == "none":
                check((method, pattern) in PUBLIC,
                      f"{method} {pattern} is open to anyone; if that is meant, add it to "
                      "PUBLIC in tests/integration/security/test_security.py")
                continue
            path = w.path(pattern)
            body = body_for(method)
            for m in ([method, "HEAD"] if method == "GET" else [method]):
                r = raw(s.port, m, path, body, {"Content-Type": "application/json"})
                check(r.status == 401, f"{m} {path} without a session: {r.status}")
                if m != "HEAD":
                    check(r.error()["code"] == "unauthenticated", f"{m} {path}: {r.body}")
            # A cookie that is no session is refused the same way.
            r = raw(s.port, method, path, body, {"Content-Type": "application/json",
                                                 "Cookie": "dxfq_session=" + "ab" * 32})
            check(r.status == 401, f"{method} {path} with a made-up cookie: {r.status}")
            if role == "admin":
                r = w.sales.call(method, path, body)
                check(r.status == 403 and r.error()["code"] == "forbidden",
                      f"{method} {path} as sales: {r.status} {r.body[:200]}")
            checked += 1
        print(f"{checked} guarded routes checked, {len(table) - checked} public")
        # Nothing the refused calls named was touched.
        with db(s) as c:
            check(c.execute("SELECT count(*) FROM users").fetchone()[0] == 2, "users changed")
            check(c.execute("SELECT count(*) FROM parts WHERE id = ?", (w.part,)
                            ).fetchone()[0] == 1, "the part was deleted")
        integrity(s)
        no_5xx(s, w.admin)


def case_csrf(exe):
    """Every state-changing route with a session: 403 "csrf" without
    X-CSRF-Token, with another session's token and with an empty one;
    and the refused request changed nothing."""
    table = routes(exe)
    keys = {(m, p) for m, p, _ in table}
    with serve() as s:
        w = World(s, keys)
        other = signed_in(s, "admin")
        with db(s) as c:
            before = c.execute("SELECT (SELECT count(*) FROM audit_log), "
                               "(SELECT count(*) FROM sessions)").fetchone()
        n = 0
        for method, pattern, role in table:
            if method not in STATE_CHANGING or role == "none":
                continue
            path = w.path(pattern)
            body = body_for(method)
            for token in (None, other.csrf, ""):
                h = {"Content-Type": "application/json", "Cookie": "dxfq_session=" + w.admin.cookie}
                if token is not None:
                    h["X-CSRF-Token"] = token
                r = raw(s.port, method, path, body, h)
                check(r.status == 403 and r.error()["code"] == "csrf",
                      f"{method} {path} with CSRF token {token!r}: {r.status} {r.body[:200]}")
            n += 1
        check(n >= 10, f"only {n} state-changing routes")
        print(f"{n} state-changing routes refused without the CSRF token")
        with db(s) as c:
            after = c.execute("SELECT (SELECT count(*) FROM audit_log), "
                              "(SELECT count(*) FROM sessions)").fetchone()
        check(after == before, f"audit log and sessions changed: {before} -> {after}")
        check(w.admin.call("GET", "/api/me").status == 200, "logout without CSRF ended it")
        integrity(s)
        no_5xx(s, w.admin)


def case_injection(exe):
    """Hostile text (SQL, markup, quotes, wildcards) in every free-text
    field and search parameter this build serves, at once: stored and
    returned byte for byte, searched as plain text, no 5xx, the database
    whole."""
    table = routes(exe)
    keys = {(m, p) for m, p, _ in table}
    with serve() as s:
        w = World(s, keys)
        c, a = w.sales, w.admin
        # File names: the upload answer, the part, the quote.
        files = [("file", f"{t} {i}.dxf", fixture("features_r2000.dxf") + b"999\n%d\n" % i)
                 for i, t in enumerate(NAMES)]
        body, ct = multipart(files)
        r = c.call("POST", f"/api/quotes/{w.quote}/parts", body, ctype=ct)
        check(r.status == 202, f"upload: {r.status} {r.body[:300]}")
        parts = r.json()["parts"]
        check([p["file"] for p in parts] == [f"{t} {i}.dxf" for i, t in enumerate(NAMES)],
              [p["file"] for p in parts])
        wait_jobs(s)
        if ("GET", "/api/parts/{id}") in keys:
            for p, (_, name, _) in zip(parts, files):
                r = c.call("GET", f"/api/parts/{p['part_id']}")
                check(r.status == 200 and r.json()["file"] == name,
                      f"GET part {name!r}: {r.status} {r.body[:200]}")
        if ("GET", "/api/quotes/{id}") in keys:
            r = c.call("GET", f"/api/quotes/{w.quote}")
            got = [p["file"] for p in r.json()["parts"]]
            check(all(n in got for _, n, _ in files), got)
        # Rules: a note and a source comment.
        src = default_rules()
        for i, t in enumerate(HOSTILE[:4]):
            note = f"{t} {i}"
            r = a.call("POST", "/api/rules", {"source": f"-- {t}\n" + src, "note": note})
            check(r.status in (200, 201), f"rules note {note!r}: {r.status} {r.body[:300]}")
            v = r.json()["version"]["version"]
            got = a.call("GET", f"/api/rules/{v}").json()["version"]
            check(got["note"] == note and got["source"].startswith(f"-- {t}\n"), got["note"])
        # Quotes: notes, when the route is served.
        if ("PATCH", "/api/quotes/{id}") in keys:
            for t in HOSTILE:
                r = c.call("PATCH", f"/api/quotes/{w.quote}", {"notes": t})
                check(r.status == 200 and r.json()["notes"] == t,
                      f"notes {t!r}: {r.status} {r.body[:200]}")
        # Search parameters: plain text, never a clause; 200 and a count.
        searches = [("/api/audit", "entries")]
        if ("GET", "/api/quotes") in keys:
            searches.append(("/api/quotes", "quotes"))
        if ("GET", "/api/customers") in keys:
            searches.append(("/api/customers", "customers"))
        for path, key in searches:
            for t in HOSTILE:
                q = urllib.parse.quote(t, safe="")
                r = a.call("GET", f"{path}?q={q}")
                if len(t) > 100 and r.status == 400:
                    continue  # a search text past its documented length
                check(r.status == 200 and isinstance(r.json()[key], list),
                      f"GET {path}?q={t!r}: {r.status} {r.body[:200]}")
            r = a.call("GET", f"{path}?q=" + urllib.parse.quote("zz' OR '1'='1", safe=""))
            check(r.json()["total"] == 0, f"{path}: an injected OR matched {r.json()['total']}")
        if ("GET", "/api/quotes") in keys:
            # A file name is found by its exact hostile text, and only it.
            t = NAMES[1]
            r = c.call("GET", "/api/quotes?q=" + urllib.parse.quote(f"{t} 1.dxf", safe=""))
            check(r.json()["total"] == 1, f"search by hostile file name: {r.body[:300]}")
        # Login: the name as typed is recorded verbatim in the audit log.
        for t in HOSTILE[:3]:
            r = Client(s.port).call("POST", "/api/login", {"username": t, "password": "x" * 12})
            check(r.status in (400, 401), f"login {t!r}: {r.status}")
        with db(s) as d:
            names = [x for (x,) in d.execute("SELECT file_name FROM parts")]
        check(all(n in names for _, n, _ in files), "file names changed in the database")
        check(all(p["file"] in names for p in parts), names)
        integrity(s)
        no_5xx(s, a)


TRAVERSAL = ["..", "%2e%2e", "..%2f..%2fdxfquote.db", "..%2F..%2F..%2Fetc%2Fpasswd",
             "%2e%2e%2f%2e%2e%2fdxfquote.db", "..%5c..%5cdxfquote.db", "%252e%252e%252fetc",
             "....%2f%2f....%2f%2fetc%2fpasswd", "dxfquote.db", "%2fetc%2fpasswd",
             "x%00.db", "tmp", "files"]


def leaked(r):
    return (b"SQLite format 3" in r.body or b"root:x:0:0" in r.body or
            b"-----BEGIN" in r.body)


def case_traversal(exe):
    """Every placeholder of every route, filled with a path that tries to
    leave its folder, as an admin with CSRF: a 4xx, never a file from
    elsewhere, never a 5xx.  Then the same in the static asset paths."""
    table = routes(exe)
    keys = {(m, p) for m, p, _ in table}
    with serve() as s:
        w = World(s, keys)
        n = 0
        for method, pattern, role in table:
            if "{" not in pattern or pattern == "/{asset}":
                continue
            for bad in TRAVERSAL:
                path = re.sub(r"\{\w+\}", bad, pattern)
                r = w.admin.call(method, path, body_for(method))
                check(400 <= r.status < 500 and not leaked(r),
                      f"{method} {path}: {r.status} {r.body[:120]}")
                n += 1
        # The same bytes appended after a real id: a route reads one segment.
        for method, pattern, role in table:
            if method != "GET" or "{" not in pattern or pattern == "/{asset}":
                continue
            real = w.path(pattern)
            for tail in ["/../../dxfquote.db", "/..%2f..%2fdxfquote.db", "%2f..%2fdxfquote.db"]:
                r = w.admin.call("GET", real + tail)
                check(400 <= r.status < 500 and not leaked(r), f"GET {real + tail}: {r.status}")
                n += 1
        # Static assets and the paths around them.
        for path in ["/../../etc/passwd", "/..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
                     "/%2e%2e%2fdata%2fdxfquote.db", "/data/dxfquote.db", "/dxfquote.db",
                     "//etc/passwd", "/app.js/../../../etc/passwd",
                     "/%252e%252e/etc/passwd", "/.%2e/.%2e/etc/passwd", "/..\\..\\etc\\passwd",
                     "/tmp", "/files", "/backups/" + w.backup, "/data/backups/" + w.backup]:
            r = raw(s.port, "GET", path)
            check(r.status in (400, 403, 404) and not leaked(r), f"GET {path}: {r.status}")
            n += 1
        # CivetWeb decodes %00 into the path, which then ends there: the
        # name before it is what is looked up, so at worst a file that may
        # be served anyway comes back (routing and guards see the same cut
        # path).  Nothing else may.
        index = raw(s.port, "GET", "/index.html")
        for path in ["/index.html%00.png", "/index.html%00/../../etc/passwd",
                     "/api/backups/%00", "/api/me%00.js"]:
            r = raw(s.port, "GET", path)
            check((r.status == 200 and r.body == index.body) or 400 <= r.status < 500,
                  f"GET {path}: {r.status} {r.body[:120]}")
            check(not leaked(r), f"GET {path} leaked a file")
        # The one real backup is still served by its own name, and only it.
        r = w.admin.call("GET", f"/api/backups/{w.backup}")
        check(r.status == 200 and r.body.startswith(b"SQLite format 3"), "the backup itself")
        print(f"{n} hostile paths refused")
        integrity(s)
        no_5xx(s, w.admin)


def case_xss(exe):
    """Markup sent anywhere comes back as JSON data, never as a page:
    every answer that echoes it is application/json with nosniff, error
    messages that quote a value included; the HTML pages never reflect a
    query."""
    table = routes(exe)
    keys = {(m, p) for m, p, _ in table}
    with serve() as s:
        w = World(s, keys)
        c = w.sales
        x = XSS[1]
        answers = []
        # Echoed in error messages: unknown material, bad thickness.
        body, ct = multipart([("file", "a.dxf", fixture("features_r2000.dxf"))],
                             [("material", x), ("thickness", "3")])
        answers.append(("upload material", c.call("POST", f"/api/quotes/{w.quote}/parts",
                                                  body, ctype=ct)))
        body, ct = multipart([("file", x + ".dxf", fixture("features_r2000.dxf"))])
        answers.append(("upload name", c.call("POST", f"/api/quotes/{w.quote}/parts",
                                              body, ctype=ct)))
        answers.append(("login", Client(s.port).call("POST", "/api/login",
                                                     {"username": x, "password": x})))
        answers.append(("audit q", w.admin.call("GET", "/api/audit?q=" +
                                                urllib.parse.quote(x, safe=""))))
        answers.append(("audit bad limit", w.admin.call("GET", "/api/audit?limit=" +
                                                        urllib.parse.quote(x, safe=""))))
        answers.append(("unknown route", c.call("GET", "/api/" + urllib.parse.quote(x, safe=""))))
        if ("GET", "/api/quotes") in keys:
            answers.append(("quotes status", c.call("GET", "/api/quotes?status=" +
                                                    urllib.parse.quote(x, safe=""))))
        if ("PATCH", "/api/parts/{id}") in keys:
            answers.append(("part material", c.call("PATCH", f"/api/parts/{w.part}",
                                                    {"material": x})))
        if ("POST", "/api/customers") in keys:
            answers.append(("customer", c.call("POST", "/api/customers", {"name": x})))
        for what, r in answers:
            check(r.status < 500, f"{what}: {r.status}")
            check((r.header("Content-Type") or "").startswith("application/json"),
                  f"{what}: Content-Type {r.header('Content-Type')}")
            check(r.header("X-Content-Type-Options") == "nosniff", f"{what}: no nosniff")
            r.json()  # parses: the payload is inside a JSON string, escaped as JSON
            check(b"<script>" not in r.body or b'"' in r.body, what)
        # The upload with the hostile name was accepted: its name is data.
        r = dict(answers)["upload name"]
        check(r.status == 202 and r.json()["parts"][0]["file"] == x + ".dxf", r.body[:300])
        # HTML pages do not reflect what the URL carries.
        for path in ["/?q=" + urllib.parse.quote(x), "/setup?token=" + urllib.parse.quote(x),
                     "/index.html?" + urllib.parse.quote(x)]:
            r = raw(s.port, "GET", path)
            check(b"alert(1)" not in r.body, f"{path} reflects the query")
        wait_jobs(s)
        no_5xx(s, w.admin)


def case_fixation(exe):
    """The first admin's sign-in through the setup link: a cookie planted
    before it is not the session after (sign-in is server/test_api.py's
    fixation case)."""
    with Server(exe, env=FAST) as s:
        out = ""
        for _ in range(100):
            out = s.output()
            if "setup?token=" in out:
                break
            time.sleep(0.1)
        m = re.search(r"setup\?token=([0-9a-f]{64})", out)
        check(m, f"no setup link: {out}")
        c = Client(s.port)
        planted = "d" * 64
        c.cookie = planted
        r = c.call("POST", "/api/setup", {"token": m.group(1), "username": "boss",
                                          "password": ADMIN_PW})
        check(r.status == 201, f"setup: {r.status} {r.body[:200]}")
        check(c.cookie and c.cookie != planted, "the planted cookie was kept at setup")
        r = raw(s.port, "GET", "/api/me", headers={"Cookie": "dxfq_session=" + planted})
        check(r.status == 401, f"the planted cookie signs in: {r.status}")
        check(c.call("GET", "/api/me").status == 200, "the new session")


ARGS = {}


def main():
    def prepare(args):
        ARGS.update(zip(('exe', 'fixtures'), args))
        return [ARGS["exe"]]

    return run_cases(globals(), __doc__, 2, prepare)


if __name__ == "__main__":
    sys.exit(main())

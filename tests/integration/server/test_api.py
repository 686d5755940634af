#!/usr/bin/python3
"""Integration tests of the JSON API (docs/api.md) against the real
`dxfquote serve` on a free loopback port, in an empty temporary folder.

    test_api.py CASE DXFQUOTE

CASE is one of the functions named case_* below.  Exit 0 passed, 1 failed.
Python 3 standard library only; the server helpers come from
test_server.py beside this file.  Sessions are expired honestly: the test
moves last_seen or created back in the live SQLite file (WAL mode lets it
write while the server runs), as the passing of time would.
"""
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_server import Failed, Server, check, clean_env, run_cases  # noqa: E402

ADMIN_PW = "admin password 1"
SALES_PW = "sales password 1"
# The lowest yescrypt cost keeps sign-ins fast; the cost is not under test.
FAST = {"DXFQUOTE_SECURITY_PASSWORD_COST": "1"}
SQLI = ["x' OR '1'='1", "'; DROP TABLE users; --", 'a" OR 1=1 --', "1; SELECT * FROM sessions"]
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>"]


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def error(self):
        e = self.json()["error"]
        check(set(e) == {"code", "message", "field"}, f"error shape {e}")
        check(isinstance(e["message"], str) and e["message"], f"no message {e}")
        return e


def raw(port, method, path, body=None, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Resp(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


class Client:
    """One browser: a cookie jar of one cookie and the CSRF token."""

    def __init__(self, port):
        self.port, self.cookie, self.csrf = port, None, None

    def call(self, method, path, body=None, csrf=True, ctype="application/json", headers=None):
        h = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if body is not None and ctype:
            h["Content-Type"] = ctype
        if self.cookie:
            h["Cookie"] = "dxfq_session=" + self.cookie
        if csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        r = raw(self.port, method, path, body, h)
        for c in r.all("Set-Cookie"):
            m = re.match(r"dxfq_session=([^;]*)", c)
            if m:
                self.cookie = m.group(1) or None
        return r

    def login(self, user, password, want=200):
        r = self.call("POST", "/api/login", {"username": user, "password": password})
        check(r.status == want, f"login {user}: {r.status} {r.body[:200]}")
        if r.status == 200:
            self.csrf = r.json()["csrf"]
        return r


def add_user(exe, data, name, role, password):
    p = subprocess.run([exe, "user", "add", name, "--role", role, "--data", data],
                       input=(password + "\n").encode(), env=clean_env(FAST),
                       capture_output=True, timeout=30)
    check(p.returncode == 0, f"user add {name}: {p.stderr.decode()}")


def serve_with_users(exe, env=None, ini=None):
    """A server whose database already holds admin and sales."""
    d = tempfile.mkdtemp(prefix="dxfq-api-")
    data = os.path.join(d, "data")
    add_user(exe, data, "admin", "admin", ADMIN_PW)
    add_user(exe, data, "sales", "sales", SALES_PW)
    env2 = dict(FAST)
    env2.update(env or {})
    return Server(exe, env=env2, ini=ini, folder=d)


def db(s):
    c = sqlite3.connect(os.path.join(s.data, "dxfquote.db"), timeout=10)
    c.execute("PRAGMA busy_timeout = 10000")
    return c


def audit(s, action):
    with db(s) as c:
        return c.execute("SELECT user_name, detail FROM audit_log WHERE action = ? ORDER BY id",
                         (action,)).fetchall()


# ------------------------------------------------------------------ cases

def case_setup(exe):
    with Server(exe, env=FAST) as s:
        out = ""
        for _ in range(50):
            out = s.output()
            if "setup?token=" in out:
                break
            time.sleep(0.1)
        m = re.search(r"http://127\.0\.0\.1:%d/setup\?token=([0-9a-f]{64})" % s.port, out)
        check(m, f"no setup link printed: {out}")
        token = m.group(1)
        check(out.count(token) >= 2, "the link is not both in the log and on stderr")
        page = raw(s.port, "GET", "/setup?token=" + token)
        check(page.status == 200 and b'id="app"' in page.body, f"/setup: {page.status}")

        c = Client(s.port)
        bad = [({"token": "0" * 64, "username": "boss", "password": ADMIN_PW}, 403, "setup_token",
                "token"),
               ({"token": token, "username": "bad name!", "password": ADMIN_PW}, 400, "invalid",
                "username"),
               ({"token": token, "username": "boss", "password": "short"}, 400, "invalid",
                "password"),
               ({"token": token, "username": "boss"}, 400, "invalid", "password"),
               ({"token": token, "username": "boss", "password": ADMIN_PW, "role": "x"}, 400,
                "invalid", "role"),
               ({"token": 5, "username": "boss", "password": ADMIN_PW}, 400, "invalid", "token")]
        for body, status, code, field in bad:
            r = c.call("POST", "/api/setup", body)
            check(r.status == status, f"setup {body}: {r.status} {r.body}")
            e = r.error()
            check(e["code"] == code and e["field"] == field, f"setup {body}: {e}")
        r = c.call("POST", "/api/setup", {"token": token, "username": "boss",
                                          "password": ADMIN_PW})
        check(r.status == 201, f"setup: {r.status} {r.body}")
        j = r.json()
        check(j["user"]["username"] == "boss" and j["user"]["role"] == "admin", j)
        check(re.fullmatch(r"[0-9a-f]{64}", j["csrf"]), j)
        check(c.cookie and re.fullmatch(r"[0-9a-f]{64}", c.cookie), c.cookie)
        c.csrf = j["csrf"]
        me = c.call("GET", "/api/me")
        check(me.status == 200 and me.json()["user"]["username"] == "boss", me.body)
        again = Client(s.port).call("POST", "/api/setup", {"token": token, "username": "boss2",
                                                           "password": ADMIN_PW})
        check(again.status == 409 and again.error()["code"] == "conflict", again.body)
        check(audit(s, "setup")[0][0] == "boss", audit(s, "setup"))
        with db(s) as d:
            check(d.execute("SELECT count(*) FROM users").fetchone()[0] == 1, "users")


def case_login(exe):
    s = serve_with_users(exe)
    with s:
        c = Client(s.port)
        r = c.login("admin", ADMIN_PW)
        j = r.json()
        check(set(j) == {"user", "csrf"}, j)
        u = j["user"]
        check(u["username"] == "admin" and u["role"] == "admin" and u["disabled"] is False, u)
        check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", u["last_login"] or ""), u)
        cookie = r.header("Set-Cookie")
        for part in ["HttpOnly", "SameSite=Strict", "Path=/"]:
            check(part in cookie, f"cookie {cookie!r} lacks {part}")
        check("Secure" not in cookie, f"Secure on plain HTTP without the setting: {cookie}")
        check(r.header("Cache-Control") == "no-store", r.header("Cache-Control"))
        # Only the hash of the token is stored.
        with db(s) as d:
            hashes = [h for (h,) in d.execute("SELECT token_hash FROM sessions")]
        check(c.cookie not in hashes and len(hashes) == 1, "token stored in clear")

        me = c.call("GET", "/api/me")
        check(me.status == 200 and me.json()["csrf"] == c.csrf, me.body)
        check(me.json()["user"]["username"] == "admin", me.body)

        # Wrong password, unknown user, SQL injection: all the same 401.
        for name, pw in [("admin", "wrong password"), ("nobody", ADMIN_PW)] + \
                [(x, ADMIN_PW) for x in SQLI[:2]]:
            r = Client(s.port).call("POST", "/api/login", {"username": name, "password": pw})
            check(r.status in (401, 400), f"login {name!r}: {r.status}")
            if r.status == 401:
                check(r.error()["code"] == "login_failed", r.body)
        with db(s) as d:
            check(d.execute("SELECT count(*) FROM users").fetchone()[0] == 2, "users changed")
        check(len(audit(s, "login.failed")) >= 2, audit(s, "login.failed"))
        check(all("address=127.0.0.1" in d for _, d in audit(s, "login.failed")), "no address")
        check(audit(s, "login")[0][0] == "admin", audit(s, "login"))

        # Bad input.
        p = s.port
        r = raw(p, "POST", "/api/login", "{}", {"Content-Type": "text/plain"})
        check(r.status == 415 and r.error()["code"] == "unsupported_media_type", r.body)
        r = raw(p, "POST", "/api/login", "{not json", {"Content-Type": "application/json"})
        check(r.status == 400 and r.error()["code"] == "bad_request", r.body)
        r = raw(p, "POST", "/api/login", "", {"Content-Type": "application/json"})
        check(r.status == 400 and r.error()["code"] == "bad_request", r.body)
        r = raw(p, "POST", "/api/login", "[1]", {"Content-Type": "application/json"})
        check(r.status == 400, r.body)
        r = raw(p, "POST", "/api/login", json.dumps({"username": 1, "password": "x"}),
                {"Content-Type": "application/json"})
        check(r.status == 400 and r.error()["field"] == "username", r.body)
        r = raw(p, "POST", "/api/login", json.dumps({"username": "a", "password": "x", "x": 1}),
                {"Content-Type": "application/json"})
        check(r.status == 400 and r.error()["field"] == "x", r.body)
        r = raw(p, "POST", "/api/login", "x" * 5000, {"Content-Type": "application/json"})
        check(r.status == 413 and r.error()["code"] == "payload_too_large", r.body)
        r = raw(p, "POST", "/api/login", b'{"username":"a\xff","password":"x"}',
                {"Content-Type": "application/json"})
        check(r.status == 400, r.body)

        # No session, a made-up session, CSRF.
        r = raw(p, "GET", "/api/me")
        check(r.status == 401 and r.error()["code"] == "unauthenticated", r.body)
        r = raw(p, "GET", "/api/me", headers={"Cookie": "dxfq_session=" + "a" * 64})
        check(r.status == 401 and r.error()["code"] == "session_expired", r.body)
        r = c.call("POST", "/api/logout", csrf=False)
        check(r.status == 403 and r.error()["code"] == "csrf", r.body)
        r = c.call("POST", "/api/logout", headers={"X-CSRF-Token": "b" * 64}, csrf=False)
        check(r.status == 403 and r.error()["code"] == "csrf", r.body)
        check(c.call("GET", "/api/me").status == 200, "session lost after refused logout")

        # Logout ends the session on the server, not only the cookie.
        old = c.cookie
        r = c.call("POST", "/api/logout")
        check(r.status == 204, f"logout {r.status}")
        check("Max-Age=0" in r.header("Set-Cookie"), r.header("Set-Cookie"))
        r = raw(p, "GET", "/api/me", headers={"Cookie": "dxfq_session=" + old})
        check(r.status == 401, f"old cookie still works after logout: {r.status}")
        check(audit(s, "logout")[0][0] == "admin", audit(s, "logout"))


def case_fixation(exe):
    s = serve_with_users(exe)
    with s:
        # A cookie planted before sign-in is not the one after.
        c = Client(s.port)
        planted = "c" * 64
        c.cookie = planted
        c.login("sales", SALES_PW)
        check(c.cookie and c.cookie != planted, "planted cookie kept")
        # A valid session brought to a new sign-in is ended, not adopted.
        before = c.cookie
        c.login("sales", SALES_PW)
        check(c.cookie != before, "session id did not change at sign-in")
        r = raw(s.port, "GET", "/api/me", headers={"Cookie": "dxfq_session=" + before})
        check(r.status == 401, f"the previous session still works: {r.status}")
        check(c.call("GET", "/api/me").status == 200, "new session")
        with db(s) as d:
            check(d.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1, "sessions")


def case_throttle(exe):
    s = serve_with_users(exe)
    with s:
        c = Client(s.port)
        for i in range(5):
            c.login("sales", "wrong password", want=401)
        t0 = time.time()
        r = c.login("sales", SALES_PW, want=429)  # even the right password
        e = r.error()
        check(e["code"] == "too_many_requests", e)
        ra = int(r.header("Retry-After"))
        check(895 <= ra <= 900 + 1, f"Retry-After {ra}, want about 15 min")
        check(audit(s, "login.throttled"), "throttled attempt not audited")
        # Per address: other names from the same address are refused too,
        # since this address has 5 failures.
        r = c.login("admin", ADMIN_PW, want=429)
        # Free the window by moving the failures back 15 minutes, as time would.
        with db(s) as d:
            d.execute("UPDATE login_failures SET time = time - 900")
        c.login("sales", SALES_PW)
        # Move them back 14 minutes only: the oldest leaves the window in
        # about 60 s, which Retry-After says.
        with db(s) as d:
            d.execute("DELETE FROM login_failures")
            now = int(time.time())
            for k in range(5):
                d.execute("INSERT INTO login_failures(time, name, ip) VALUES (?, ?, ?)",
                          (now - 840 + k, "admin", "10.0.0.9"))
        r = c.login("admin", ADMIN_PW, want=429)
        ra = int(r.header("Retry-After"))
        check(55 <= ra <= 61, f"Retry-After {ra}, want about 60 (elapsed {time.time() - t0:.0f})")


def case_expiry(exe):
    s = serve_with_users(exe)
    with s:
        c = Client(s.port)
        c.login("sales", SALES_PW)
        # Active within the minute: last_seen is not rewritten on every call.
        with db(s) as d:
            d.execute("UPDATE sessions SET last_seen = last_seen - 30")
            seen = d.execute("SELECT last_seen FROM sessions").fetchone()[0]
        check(c.call("GET", "/api/me").status == 200, "me")
        with db(s) as d:
            check(d.execute("SELECT last_seen FROM sessions").fetchone()[0] == seen, "touched")
            d.execute("UPDATE sessions SET last_seen = last_seen - 100")
        check(c.call("GET", "/api/me").status == 200, "me")
        with db(s) as d:
            now = d.execute("SELECT last_seen FROM sessions").fetchone()[0]
        check(abs(now - time.time()) < 5, "last_seen not refreshed after a minute")

        # 29 idle minutes: still in; 30: out.
        with db(s) as d:
            d.execute("UPDATE sessions SET last_seen = strftime('%s','now') - 29 * 60 + 5")
        check(c.call("GET", "/api/me").status == 200, "29 idle minutes ended the session")
        with db(s) as d:
            d.execute("UPDATE sessions SET last_seen = strftime('%s','now') - 30 * 60 - 1")
        r = c.call("GET", "/api/me")
        check(r.status == 401 and r.error()["code"] == "session_expired", r.body)
        with db(s) as d:
            check(d.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0, "not ended")

        # The absolute limit: 12 h after sign-in, however active.
        c.login("sales", SALES_PW)
        with db(s) as d:
            d.execute("UPDATE sessions SET created = strftime('%s','now') - 12 * 3600 + 60")
        check(c.call("GET", "/api/me").status == 200, "ended before 12 h")
        with db(s) as d:
            d.execute("UPDATE sessions SET created = strftime('%s','now') - 12 * 3600 - 1")
        r = c.call("GET", "/api/me")
        check(r.status == 401 and r.error()["code"] == "session_expired", r.body)


def case_secure_cookie(exe):
    s = serve_with_users(exe, env={"DXFQUOTE_SECURITY_SECURE_COOKIES": "true"})
    with s:
        r = Client(s.port).login("sales", SALES_PW)
        check("; Secure" in r.header("Set-Cookie"), r.header("Set-Cookie"))


def case_users(exe):
    s = serve_with_users(exe)
    with s:
        a = Client(s.port)
        a.login("admin", ADMIN_PW)
        r = a.call("GET", "/api/users")
        check(r.status == 200, r.body)
        users = r.json()["users"]
        check([u["username"] for u in users] == ["admin", "sales"], users)
        check({u["role"] for u in users} == {"admin", "sales"}, users)

        # Add: happy path, then every field wrong.
        r = a.call("POST", "/api/users", {"username": "carl", "role": "sales",
                                          "password": "carls password"})
        check(r.status == 201, r.body)
        carl = r.json()["user"]
        check(carl["username"] == "carl" and carl["role"] == "sales" and not carl["disabled"],
              carl)
        check(carl["last_login"] is None and isinstance(carl["id"], int), carl)
        bad = [({"username": "carl", "role": "sales", "password": "0123456789"}, 409,
                "username"),
               ({"username": "CARL", "role": "sales", "password": "0123456789"}, 409,
                "username"),
               ({"username": "", "role": "sales", "password": "0123456789"}, 400, "username"),
               ({"username": "x" * 64, "role": "sales", "password": "0123456789"}, 400,
                "username"),
               ({"username": "dave", "role": "boss", "password": "0123456789"}, 400, "role"),
               ({"username": "dave", "role": 1, "password": "0123456789"}, 400, "role"),
               ({"username": "dave", "password": "0123456789"}, 400, "role"),
               ({"username": "dave", "role": "sales", "password": "123456789"}, 400,
                "password"),
               ({"username": "dave", "role": "sales", "password": "x" * 1025}, 400,
                "password"),
               ({"username": "dave", "role": "sales", "password": ["a"]}, 400, "password"),
               ({"username": "dave", "role": "sales", "password": "0123456789", "admin": True},
                400, "admin")]
        for x in SQLI + XSS:
            bad.append(({"username": x, "role": "sales", "password": "0123456789"}, 400,
                        "username"))
        for body, status, field in bad:
            r = a.call("POST", "/api/users", body)
            check(r.status == status, f"add {body}: {r.status} {r.body}")
            check(r.error()["field"] == field, f"add {body}: {r.body}")
        with db(s) as d:
            check(d.execute("SELECT count(*) FROM users").fetchone()[0] == 3, "users added")

        # Change role, disable, password.
        cid = carl["id"]
        c = Client(s.port)
        c.login("carl", "carls password")
        r = a.call("PATCH", f"/api/users/{cid}", {"role": "admin"})
        check(r.status == 200 and r.json()["user"]["role"] == "admin", r.body)
        check(c.call("GET", "/api/users").status == 200, "role change not in effect")
        r = a.call("PATCH", f"/api/users/{cid}", {"password": "carls new password"})
        check(r.status == 200, r.body)
        check(c.call("GET", "/api/me").status == 401, "new password kept the old session")
        c.login("carl", "carls password", want=401)
        c.login("carl", "carls new password")
        r = a.call("PATCH", f"/api/users/{cid}", {"disabled": True, "role": "sales"})
        check(r.status == 200 and r.json()["user"]["disabled"] is True, r.body)
        check(c.call("GET", "/api/me").status == 401, "disabled user kept the session")
        c.login("carl", "carls new password", want=401)
        r = a.call("PATCH", f"/api/users/{cid}", {"disabled": False})
        check(r.status == 200 and not r.json()["user"]["disabled"], r.body)
        for body, field in [({}, None), ({"disabled": "yes"}, "disabled"),
                            ({"role": "root"}, "role"), ({"password": "short"}, "password"),
                            ({"name": "x"}, "name")]:
            r = a.call("PATCH", f"/api/users/{cid}", body)
            check(r.status == 400 and r.error()["field"] == field, f"patch {body}: {r.body}")
        for path in ["/api/users/999", "/api/users/0", "/api/users/abc", "/api/users/-1",
                     "/api/users/1%20OR%201=1"]:
            r = a.call("PATCH", path, {"disabled": False})
            check(r.status == 404 and r.error()["code"] == "not_found", f"{path}: {r.status}")

        # The last admin and oneself are protected.
        admin_id = next(u["id"] for u in users if u["username"] == "admin")
        r = a.call("PATCH", f"/api/users/{admin_id}", {"disabled": True})
        check(r.status == 409 and r.error()["field"] == "disabled", r.body)
        r = a.call("PATCH", f"/api/users/{admin_id}", {"role": "sales"})
        check(r.status == 409 and "no enabled admin" in r.error()["message"], r.body)
        r = a.call("DELETE", f"/api/users/{admin_id}")
        check(r.status == 409, r.body)
        # An admin changing their own password keeps this session.
        r = a.call("PATCH", f"/api/users/{admin_id}", {"password": "admin password 2"})
        check(r.status == 200 and a.call("GET", "/api/me").status == 200, "own session lost")

        r = a.call("DELETE", f"/api/users/{cid}")
        check(r.status == 204, r.body)
        check(a.call("DELETE", f"/api/users/{cid}").status == 404, "deleted twice")
        with db(s) as d:
            acts = [x for (x,) in d.execute("SELECT action FROM audit_log WHERE action LIKE "
                                            "'user.%' ORDER BY id")]
            details = " ".join(x for (x,) in d.execute("SELECT detail FROM audit_log"))
        check(acts[0] == "user.add" and acts[-1] == "user.delete" and "user.change" in acts,
              acts)
        check("carls" not in details and "password 2" not in details, "a password was logged")

        # Sales may not manage users; without CSRF nothing changes.
        sales = Client(s.port)
        sales.login("sales", SALES_PW)
        for m, p, b in [("GET", "/api/users", None),
                        ("POST", "/api/users", {"username": "x", "role": "admin",
                                                "password": "0123456789"}),
                        ("PATCH", f"/api/users/{admin_id}", {"disabled": True}),
                        ("DELETE", f"/api/users/{admin_id}", None)]:
            r = sales.call(m, p, b)
            check(r.status == 403 and r.error()["code"] == "forbidden", f"sales {m} {p}")
        r = a.call("POST", "/api/users", {"username": "eve", "role": "admin",
                                          "password": "0123456789"}, csrf=False)
        check(r.status == 403 and r.error()["code"] == "csrf", r.body)
        r = a.call("DELETE", f"/api/users/{admin_id}", csrf=False)
        check(r.status == 403 and r.error()["code"] == "csrf", r.body)


def default_rules():
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "rules",
                       "pricing.lua")
    with open(src) as f:
        return f.read()


def case_materials(exe):
    s = serve_with_users(exe)
    with s:
        a, sales = Client(s.port), Client(s.port)
        a.login("admin", ADMIN_PW)
        sales.login("sales", SALES_PW)
        r = sales.call("GET", "/api/materials")
        check(r.status == 200, r.body)
        cat = r.json()
        check(cat["currency"] == "EUR", cat)
        names = [m["name"] for m in cat["materials"]]
        # db/002_materials.sql: six materials, mild steel at 1..10 mm.
        check(len(names) == 6 and "Mild steel S235" in names, names)
        steel = next(m for m in cat["materials"] if m["name"] == "Mild steel S235")
        check(steel["density_kg_m3"] == 7850 and steel["price_per_kg"] == 1.1, steel)
        check([t["thickness_mm"] for t in steel["thicknesses"]] == [1, 2, 3, 4, 5, 6, 8, 10],
              steel)
        t3 = steel["thicknesses"][2]
        check(t3 == {"thickness_mm": 3, "cutting_speed_mm_min": 8000, "pierce_time_s": 0.3,
                     "sheet_w_mm": 3000, "sheet_h_mm": 1500}, t3)

        # PUT the whole catalog: names with SQL and markup come back as data.
        new = {"materials": [
            {"name": SQLI[1], "density_kg_m3": 7850, "price_per_kg": 1.25, "notes": XSS[0],
             "extra": {"grade": "S355", "co2_kg_per_kg": 1.9},
             "thicknesses": [{"thickness_mm": 2, "cutting_speed_mm_min": 15000,
                              "pierce_time_s": 0.2, "sheet_w_mm": 2500, "sheet_h_mm": 1250},
                             {"thickness_mm": 4, "cutting_speed_mm_min": 4000,
                              "pierce_time_s": 0.5, "sheet_w_mm": 3000, "sheet_h_mm": 1500}]},
            {"name": XSS[1], "density_kg_m3": 1190, "price_per_kg": 0,
             "thicknesses": [{"thickness_mm": 3, "cutting_speed_mm_min": 1500,
                              "pierce_time_s": 0, "sheet_w_mm": 3050, "sheet_h_mm": 2050}]}]}
        r = a.call("PUT", "/api/materials", new)
        check(r.status == 200, r.body)
        got = r.json()["materials"]
        check(sorted(m["name"] for m in got) == sorted([SQLI[1], XSS[1]]), got)
        m0 = next(m for m in got if m["name"] == SQLI[1])
        check(m0["notes"] == XSS[0] and m0["extra"] == {"grade": "S355", "co2_kg_per_kg": 1.9},
              m0)
        check(r.header("Content-Type") == "application/json", "not JSON")
        with db(s) as d:
            check(d.execute("SELECT count(*) FROM users").fetchone()[0] == 2, "users dropped")
            check(d.execute("SELECT count(*) FROM material_thicknesses").fetchone()[0] == 3, "")
        check(audit(s, "materials.replace")[0] == ("admin", "2 materials, 3 thicknesses"),
              audit(s, "materials.replace"))

        def bad(mutate, field):
            body = json.loads(json.dumps(new))
            mutate(body)
            r = a.call("PUT", "/api/materials", body)
            check(r.status == 400, f"{field}: {r.status} {r.body}")
            check(r.error()["field"] == field, f"want {field}: {r.body}")

        bad(lambda b: b["materials"][0].update(density_kg_m3=0), "materials[0].density_kg_m3")
        bad(lambda b: b["materials"][0].update(density_kg_m3="7850"),
            "materials[0].density_kg_m3")
        bad(lambda b: b["materials"][0].update(price_per_kg=-1), "materials[0].price_per_kg")
        bad(lambda b: b["materials"][1]["thicknesses"][0].update(thickness_mm=1e10),
            "materials[1].thicknesses[0].thickness_mm")
        bad(lambda b: b["materials"][1]["thicknesses"][0].pop("sheet_w_mm"),
            "materials[1].thicknesses[0].sheet_w_mm")
        bad(lambda b: b["materials"][0]["thicknesses"][1].update(thickness_mm=2.0000001),
            "materials[0].thicknesses[1].thickness_mm")
        bad(lambda b: b["materials"][1].update(name=SQLI[1].upper()), "materials[1].name")
        bad(lambda b: b["materials"][1].update(name=""), "materials[1].name")
        bad(lambda b: b["materials"][1].update(name="x" * 101), "materials[1].name")
        bad(lambda b: b["materials"][1].update(thicknesses=[]), "materials[1].thicknesses")
        bad(lambda b: b["materials"][0].update(extra={"bad key": 1}),
            "materials[0].extra.bad key")
        bad(lambda b: b["materials"][0].update(extra={"k": [1]}), "materials[0].extra.k")
        bad(lambda b: b["materials"][0].update(colour="red"), "materials[0].colour")
        bad(lambda b: b.update(materials=[]), "materials")
        bad(lambda b: b.update(materials="all"), "materials")
        with db(s) as d:  # one bad field changed nothing
            check(d.execute("SELECT count(*) FROM material_thicknesses").fetchone()[0] == 3, "")

        # CSV out and back in; a bad row names its line and changes nothing.
        r = a.call("GET", "/api/materials.csv")
        check(r.status == 200 and r.header("Content-Type").startswith("text/csv"), r.status)
        text = r.body.decode()
        lines = text.split("\r\n")
        check(lines[0] == "material,thickness_mm,density_kg_m3,price_per_kg,"
              "cutting_speed_mm_min,pierce_time_s,sheet_w_mm,sheet_h_mm,notes,grade,"
              "co2_kg_per_kg", lines[0])
        check(len([x for x in lines if x]) == 4, lines)
        r = a.call("POST", "/api/materials.csv", text, ctype="text/csv")
        check(r.status == 200 and r.json() == {"rows": 3, "materials": 2}, r.body)
        broken = text.replace(",15000,", ",fast,")
        r = a.call("POST", "/api/materials.csv", broken, ctype="text/csv")
        check(r.status == 400 and r.error()["message"].startswith("line 2:"), r.body)
        r = a.call("POST", "/api/materials.csv", text, ctype="application/json")
        check(r.status == 415, r.body)
        r = a.call("POST", "/api/materials.csv", "material,thickness_mm\r\n", ctype="text/csv")
        check(r.status == 400 and "line 1" in r.error()["message"], r.body)
        check(a.call("GET", "/api/materials").json()["materials"] == got, "catalog changed")
        check(audit(s, "materials.import"), "CSV import not audited")

        # Roles and CSRF.
        check(sales.call("PUT", "/api/materials", new).status == 403, "sales PUT")
        check(sales.call("GET", "/api/materials.csv").status == 403, "sales CSV")
        r = a.call("PUT", "/api/materials", new, csrf=False)
        check(r.status == 403 and r.error()["code"] == "csrf", r.body)


def case_rules(exe):
    s = serve_with_users(exe)
    with s:
        a = Client(s.port)
        a.login("admin", ADMIN_PW)
        src = default_rules()
        r = a.call("POST", "/api/rules/check", {"source": src})
        check(r.status == 200, r.body)
        j = r.json()
        # rules/README.md: the check prices 540 sample cases.
        check(j["ok"] is True and j["errors"] == [] and j["trial"]["calls"] == 540, j)
        # A syntax error and a runtime error name their line.
        broken = "function quote(part, ctx)\n  local x = \n  return x\nend\n"
        j = a.call("POST", "/api/rules/check", {"source": broken}).json()
        check(j["ok"] is False and j["errors"][0]["line"] == 3, j)
        runtime = "function quote(part, ctx)\n\n  return nil + 1\nend\n"
        j = a.call("POST", "/api/rules/check", {"source": runtime}).json()
        check(j["ok"] is False and j["errors"][0]["line"] == 3, j)
        loop = "function quote(part, ctx)\n  while true do end\nend\n"
        t0 = time.monotonic()
        j = a.call("POST", "/api/rules/check", {"source": loop}).json()
        check(j["ok"] is False and time.monotonic() - t0 < 20, j)
        for body, field in [({}, "source"), ({"source": 1}, "source"), ({"source": ""}, "source"),
                            ({"source": src, "part_id": 1}, "part_id")]:
            r = a.call("POST", "/api/rules/check", body)
            check(r.status == 400 and r.error()["field"] == field, f"{body}: {r.body}")

        # Before any version is saved, the rules in effect are the built-in
        # ones, and their text is there to start editing from.
        r = a.call("GET", "/api/rules")
        check(r.json()["versions"] == [] and r.json()["current"] ==
              {"version": None, "origin": "built-in", "name": "pricing.lua"}, r.body)
        cur = a.call("GET", "/api/rules/current").json()["current"]
        builtin = open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "rules",
                                    "pricing.lua")).read()
        check(cur["origin"] == "built-in" and cur["source"] == builtin, cur["origin"])

        # Save: refused when broken, a new version when good, none when the same.
        r = a.call("POST", "/api/rules", {"source": broken})
        check(r.status == 400 and r.error()["field"] == "source"
              and ":3:" in r.error()["message"], r.body)
        r = a.call("POST", "/api/rules", {"source": src, "note": XSS[0]})
        check(r.status == 201, r.body)
        v1 = r.json()["version"]
        check(v1["active"] and v1["author"] == "admin" and v1["note"] == XSS[0], v1)
        check(len(v1["sha256"]) == 64 and v1["bytes"] == len(src.encode()), v1)
        r = a.call("POST", "/api/rules", {"source": src})
        check(r.status == 200 and r.json()["created"] is False, r.body)
        src2 = src + "\n-- changed\n"
        r = a.call("POST", "/api/rules", {"source": src2})
        check(r.status == 201, r.body)
        v2 = r.json()["version"]["version"]
        vs = a.call("GET", "/api/rules").json()["versions"]
        check([v["version"] for v in vs] == [v2, v1["version"]], vs)
        check([v["active"] for v in vs] == [True, False] and "source" not in vs[0], vs)
        cur = a.call("GET", "/api/rules/current").json()["current"]
        check(cur["version"] == v2 and cur["origin"] == "database" and cur["source"] == src2, cur)
        r = a.call("GET", f"/api/rules/{v1['version']}")
        check(r.status == 200 and r.json()["version"]["source"] == src, r.status)
        for path in ["/api/rules/999", "/api/rules/x", "/api/rules/1;DROP"]:
            check(a.call("GET", path).status == 404, path)
        check(len(audit(s, "rules.save")) == 2, audit(s, "rules.save"))

        sales = Client(s.port)
        sales.login("sales", SALES_PW)
        for m, p, b in [("GET", "/api/rules", None), ("GET", f"/api/rules/{v2}", None),
                        ("POST", "/api/rules/check", {"source": src}),
                        ("POST", "/api/rules", {"source": src})]:
            check(sales.call(m, p, b).status == 403, f"sales {m} {p}")
        r = a.call("POST", "/api/rules", {"source": src}, csrf=False)
        check(r.status == 403 and r.error()["code"] == "csrf", r.body)


def case_backups(exe):
    s = serve_with_users(exe)
    with s:
        a = Client(s.port)
        a.login("admin", ADMIN_PW)
        r = a.call("GET", "/api/backups")
        check(r.status == 200 and r.json() == {"backups": [], "keep": 14, "interval_h": 24},
              r.body)
        r = a.call("POST", "/api/backups")
        check(r.status == 201, r.body)
        b = r.json()["backup"]
        check(re.fullmatch(r"dxfquote-\d{8}-\d{6}\.db", b["name"]), b)
        check(b["status"] == "ok" and b["problem"] is None and b["size_bytes"] > 0, b)
        path = os.path.join(s.data, "backups", b["name"])
        check(os.path.getsize(path) == b["size_bytes"], "size")

        r = a.call("GET", "/api/backups/" + b["name"])
        check(r.status == 200 and r.body == open(path, "rb").read(), f"download {r.status}")
        check(b["name"] in r.header("Content-Disposition"), r.header("Content-Disposition"))
        out = os.path.join(s.dir, "got.db")
        with open(out, "wb") as f:
            f.write(r.body)
        with sqlite3.connect(out) as d:
            check(d.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity")
            check(d.execute("SELECT count(*) FROM users").fetchone()[0] == 2, "users")

        # A damaged backup is listed as failed, with the problem.
        time.sleep(1.1)
        bad = os.path.join(s.data, "backups", "dxfquote-20200101-000000.db")
        with open(bad, "wb") as f:
            f.write(b"SQLite format 3\0" + b"\xff" * 4000)
        open(os.path.join(s.data, "backups", "notes.txt"), "w").write("not a backup")
        lst = a.call("GET", "/api/backups").json()["backups"]
        check([x["name"] for x in lst] == [b["name"], "dxfquote-20200101-000000.db"], lst)
        check(lst[1]["status"] == "failed" and lst[1]["problem"], lst[1])

        # Names other than dxfquote-YYYYmmdd-HHMMSS.db reach no file.
        secret = os.path.join(s.data, "secret.db")
        open(secret, "w").write("TOP-SECRET-CONTENT")
        for name in ["..%2Fdxfquote.db", "..%2F..%2Fetc%2Fpasswd", "notes.txt",
                     "..", "%2e%2e",
                     "dxfquote-2020010a-000000.db", "..%2Fsecret.db",
                     "dxfquote-20200101-000000.db%2F..%2F..%2Fsecret.db"]:
            r = a.call("GET", "/api/backups/" + name)
            check(r.status == 404 and b"TOP-SECRET" not in r.body and b"root:" not in r.body,
                  f"{name}: {r.status}")
        # CivetWeb decodes the path before the route sees it, and a %00
        # ends it there: what is left must be a backup name, and only that
        # backup is served.
        r = a.call("GET", "/api/backups/dxfquote-20200101-000000.db%00.txt")
        check(r.status in (200, 404), f"%00: {r.status}")
        if r.status == 200:
            check(r.body == open(bad, "rb").read(), "%00 served another file")
        r = a.call("GET", "/api/backups/../dxfquote.db")
        check(r.status == 404 and not r.body.startswith(b"SQLite"), f"dot-dot: {r.status}")
        check(audit(s, "backup.create")[0][0] == "admin", audit(s, "backup.create"))

        sales = Client(s.port)
        sales.login("sales", SALES_PW)
        for m, p in [("GET", "/api/backups"), ("POST", "/api/backups"),
                     ("GET", "/api/backups/" + b["name"])]:
            check(sales.call(m, p).status == 403, f"sales {m} {p}")
        r = a.call("POST", "/api/backups", csrf=False)
        check(r.status == 403 and r.error()["code"] == "csrf", r.body)


# Every signed-in route: without a session 401, as sales 403 where it is
# for admins, and state-changing ones without CSRF 403.
ROUTES = [
    ("POST", "/api/logout", "sales"), ("GET", "/api/me", "sales"),
    ("GET", "/api/users", "admin"), ("POST", "/api/users", "admin"),
    ("PATCH", "/api/users/1", "admin"), ("DELETE", "/api/users/1", "admin"),
    ("GET", "/api/materials", "sales"), ("PUT", "/api/materials", "admin"),
    ("GET", "/api/materials.csv", "admin"), ("POST", "/api/materials.csv", "admin"),
    ("GET", "/api/rules", "admin"), ("GET", "/api/rules/1", "admin"),
    ("POST", "/api/rules/check", "admin"), ("POST", "/api/rules", "admin"),
    ("GET", "/api/backups", "admin"), ("POST", "/api/backups", "admin"),
    ("GET", "/api/backups/dxfquote-20260101-000000.db", "admin"),
]


def case_guards(exe):
    s = serve_with_users(exe)
    with s:
        sales = Client(s.port)
        sales.login("sales", SALES_PW)
        for method, path, role in ROUTES:
            body = "{}" if method in ("POST", "PUT", "PATCH") else None
            r = raw(s.port, method, path, body, {"Content-Type": "application/json"})
            check(r.status == 401 and r.error()["code"] == "unauthenticated",
                  f"{method} {path} without a session: {r.status}")
            if role == "admin":
                r = sales.call(method, path, body)
                check(r.status == 403 and r.error()["code"] == "forbidden",
                      f"{method} {path} as sales: {r.status}")
            elif method != "GET" and path != "/api/logout":
                r = sales.call(method, path, body, csrf=False)
                check(r.status == 403 and r.error()["code"] == "csrf",
                      f"{method} {path} without CSRF: {r.status}")


def case_backup_schedule(exe):
    """The newest backup is older than [backup] interval_h: the server makes
    one at start, then keeps only [backup] keep of them; a file that is not
    a backup is never touched."""
    s = serve_with_users(exe, env={"DXFQUOTE_BACKUP_INTERVAL_H": "1",
                                   "DXFQUOTE_BACKUP_KEEP": "2"})
    folder = os.path.join(s.data, "backups")
    os.makedirs(folder)
    old = ["dxfquote-20200101-000000.db", "dxfquote-20200102-000000.db",
           "dxfquote-20200103-000000.db"]
    for i, name in enumerate(old):
        path = os.path.join(folder, name)
        open(path, "wb").write(b"old")
        t = time.time() - 86400 * (10 - i)
        os.utime(path, (t, t))
    open(os.path.join(folder, "keep-me.txt"), "w").write("mine")
    with s:
        a = Client(s.port)
        a.login("admin", ADMIN_PW)
        names = []
        for _ in range(100):
            lst = a.call("GET", "/api/backups").json()
            names = [b["name"] for b in lst["backups"]]
            if names and names[0] not in old and len(names) == 2:
                break
            time.sleep(0.1)
        check(len(names) == 2 and names[0] not in old, names)
        check(names[1] == old[-1], f"kept {names}, not the newest two")
        check(lst["backups"][0]["status"] == "ok", lst)
        check(lst["keep"] == 2 and lst["interval_h"] == 1, lst)
        check(sorted(os.listdir(folder)) == sorted(names + ["keep-me.txt"]), os.listdir(folder))
        check(audit(s, "backup.scheduled"), "no audit entry")


def case_system(exe):
    s = serve_with_users(exe)
    with s:
        a = Client(s.port)
        a.login("admin", ADMIN_PW)
        r = a.call("GET", "/api/system")
        check(r.status == 200, r.body)
        o = r.json()
        check(o["jobs"]["workers"] == 6 and o["jobs"]["queue"] == 15, o)
        check(o["jobs"]["done_last_hour"] == 0 and o["jobs"]["failed_last_hour"] == 0, o)
        check(o["database_bytes"] > 0 and o["rss_bytes"] > 0 and o["disk_free_bytes"] > 0, o)
        check(o["backup"] == {"interval_h": 24, "keep": 14, "latest": None}, o["backup"])
        check(o["requests_last_5min"] >= 1 and o["requests_5xx_last_5min"] == 0, o)

        # The audit log: newest first, searchable, paged; % and _ match
        # themselves.
        sales = Client(s.port)
        sales.login("sales", SALES_PW)
        bad = Client(s.port)
        bad.call("POST", "/api/login", {"username": "100%_sure", "password": "nope"})
        r = a.call("GET", "/api/audit?limit=2")
        check(r.status == 200, r.body)
        o = r.json()
        check(o["limit"] == 2 and o["offset"] == 0 and len(o["entries"]) == 2, o)
        check(o["total"] >= 3, o)
        e0, e1 = o["entries"]
        check(e0["id"] > e1["id"] and e0["action"] == "login.failed", o)
        check(set(e0) == {"id", "time", "user", "action", "detail"}, e0)
        r = a.call("GET", "/api/audit?q=100%25_sure")
        check([e["action"] for e in r.json()["entries"]] == ["login.failed"], r.body)
        r = a.call("GET", "/api/audit?q=100%25xsure")
        check(r.json()["total"] == 0, r.body)
        r = a.call("GET", "/api/audit?q=sales&limit=1&offset=0")
        check(r.json()["entries"][0]["user"] == "sales", r.body)
        for bad_q in ["limit=0", "limit=501", "limit=x", "offset=-1"]:
            r = a.call("GET", "/api/audit?" + bad_q)
            check(r.status == 400 and r.json()["error"]["field"] == bad_q.split("=")[0],
                  f"{bad_q}: {r.body}")
        for path in ["/api/system", "/api/audit"]:
            check(sales.call("GET", path).status == 403, path)
            check(Client(s.port).call("GET", path).status == 401, path)


def main():
    return run_cases(globals(), __doc__)


if __name__ == "__main__":
    sys.exit(main())

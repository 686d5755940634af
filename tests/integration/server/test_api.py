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
from test_server import Failed, Server, check, clean_env  # noqa: E402

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


# Every signed-in route: without a session 401, as sales 403 where it is
# for admins, and state-changing ones without CSRF 403.
ROUTES = [
    ("POST", "/api/logout", "sales"), ("GET", "/api/me", "sales"),
    ("GET", "/api/users", "admin"), ("POST", "/api/users", "admin"),
    ("PATCH", "/api/users/1", "admin"), ("DELETE", "/api/users/1", "admin"),
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


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    case, exe = sys.argv[1:]
    fn = globals().get("case_" + case)
    if not fn:
        print(f"unknown case {case}")
        return 2
    t0 = time.monotonic()
    try:
        fn(exe)
    except Failed as e:
        print(f"FAIL {case}: {e}")
        return 1
    print(f"PASS {case} ({time.monotonic() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

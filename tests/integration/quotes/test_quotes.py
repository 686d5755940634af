#!/usr/bin/python3
"""Integration tests of customers and quotes (docs/api.md, "Customers" and
"Quotes") against the real `dxfquote serve` on a free loopback port.

    test_quotes.py CASE DXFQUOTE

CASE is one of the functions named case_* below.  Exit 0 passed, 1 failed.
Python 3 standard library only; the server, client and session helpers
come from tests/integration/server.  Parts are written into the live
SQLite file directly (WAL lets the test write while the server runs), so
these tests do not depend on the upload route; validity is moved into the
past the same way, as the passing of time would.
"""
import json
import os
import re
import sys
import threading
import time
from datetime import date, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
from test_server import Failed, check, run_cases  # noqa: E402
from test_api import (ADMIN_PW, SALES_PW, SQLI, XSS, Client, audit, db, raw,  # noqa: E402
                      serve_with_users)

SHA = "ab" * 32
GEOMETRY = json.dumps({"cut_length_mm": 812.5, "pierces": 3, "holes": 2, "area_mm2": 9123.4,
                       "bbox": {"min_x": 0, "min_y": 0, "max_x": 120, "max_y": 80,
                                "width": 120, "height": 80},
                       "warnings": [{"code": "units_assumed", "message": "m", "x": 0, "y": 0}]})
QUOTE_KEYS = {"id", "number", "revision", "status", "expired", "customer_id", "customer_name",
              "created", "updated", "created_by", "valid_until", "sent_at", "decided_at",
              "part_count", "thumb_part_id", "thumb", "totals"}
DETAIL_KEYS = QUOTE_KEYS | {"notes", "currency", "customer", "revision_of", "revisions", "parts"}
CUSTOMER_KEYS = {"id", "name", "company", "contact", "email", "phone", "address", "notes",
                 "quotes", "created", "updated"}


def signed_in(s, user="sales", pw=SALES_PW):
    c = Client(s.port)
    c.login(user, pw)
    return c


def ok(r, status=200):
    check(r.status == status, f"wanted {status}, got {r.status}: {r.body[:300]}")
    return r.json()


def refused(r, status, code=None, field="-"):
    check(r.status == status, f"wanted {status}, got {r.status}: {r.body[:300]}")
    e = r.error()
    if code is not None:
        check(e["code"] == code, f"code {e}")
    if field != "-":
        check(e["field"] == field, f"field {e}")
    return e


def next_position(c, quote_id):
    return c.execute("SELECT coalesce(max(position), 0) + 1 FROM parts WHERE quote_id = ?",
                     (quote_id,)).fetchone()[0]


def add_part(s, quote_id, name, total=None, state="done", thumb=True, position=0):
    """A part row as the upload and the jobs would leave it."""
    with db(s) as c:
        now = int(time.time())
        cur = c.execute(
            "INSERT INTO parts (quote_id, position, file_name, stored_path, sha256, size_bytes, "
            "material, thickness_mm, qty, geometry, unit_price_minor, total_minor, "
            "preview_path, thumb_path, state, created, updated) VALUES "
            "(?, ?, ?, ?, ?, 100, 'S235', 3, 2, ?, ?, ?, ?, ?, ?, ?, ?)",
            (quote_id, position or next_position(c, quote_id), name,
             "files/" + SHA + ".dxf.gz", SHA, GEOMETRY,
             None if total is None else total // 2, total,
             "previews/x-detail.png" if thumb else None, "previews/x-thumb.png" if thumb else None,
             state, now, now))
        return cur.lastrowid


def new_quote(c, body=None):
    return ok(c.call("POST", "/api/quotes", body if body is not None else {}), 201)


def today(offset=0):
    return (date.today() + timedelta(days=offset)).isoformat()


# ------------------------------------------------------------------ cases

def case_customers(exe):
    s = serve_with_users(exe)
    with s:
        c = signed_in(s)
        j = ok(c.call("POST", "/api/customers", {"name": "Acme Ltd", "email": "buy@acme.test",
                                                 "phone": "+44 1 234", "notes": "pays late"}), 201)
        check(set(j) == CUSTOMER_KEYS, j)
        check(j["name"] == "Acme Ltd" and j["company"] == "" and j["quotes"] == 0, j)
        acme = j["id"]
        ok(c.call("POST", "/api/customers", {"name": "Zeta Works", "company": "Zeta plc"}), 201)
        # Names are unique without regard to case.
        refused(c.call("POST", "/api/customers", {"name": "ACME ltd"}), 409, "conflict", "name")
        bad = [({}, "name"), ({"name": ""}, "name"), ({"name": "   "}, "name"),
               ({"name": 5}, "name"), ({"name": "x" * 201}, "name"),
               ({"name": "B", "email": "no-at-sign"}, "email"),
               ({"name": "B", "email": "a@b@c"}, "email"),
               ({"name": "B", "phone": "1" * 51}, "phone"),
               ({"name": "B", "notes": "n" * 10001}, "notes"),
               ({"name": "B", "address": ["x"]}, "address"),
               ({"name": "B", "colour": "red"}, "colour")]
        for body, field in bad:
            refused(c.call("POST", "/api/customers", body), 400, "invalid", field)
        refused(c.call("POST", "/api/customers", "not json"), 400, "bad_request")
        refused(c.call("POST", "/api/customers", {"name": "B"}, ctype="text/plain"), 415)
        # 200 characters are fine, counted as characters, not bytes.
        ok(c.call("POST", "/api/customers", {"name": "é" * 200}), 201)

        j = ok(c.call("GET", "/api/customers"))
        check(set(j) == {"customers", "total", "limit", "offset"}, j)
        check(j["total"] == 3 and [x["name"] for x in j["customers"]][:2] == ["Acme Ltd",
                                                                              "Zeta Works"], j)
        j = ok(c.call("GET", "/api/customers?q=zeta%20PLC"))
        check(j["total"] == 1 and j["customers"][0]["company"] == "Zeta plc", j)
        j = ok(c.call("GET", "/api/customers?limit=1&offset=1"))
        check(j["total"] == 3 and len(j["customers"]) == 1 and j["limit"] == 1, j)
        for q in ["limit=0", "limit=201", "offset=-1", "limit=x", "color=1", "q=" + "x" * 201]:
            refused(c.call("GET", "/api/customers?" + q), 400, "invalid")

        check(ok(c.call("GET", f"/api/customers/{acme}"))["email"] == "buy@acme.test", "get")
        refused(c.call("GET", "/api/customers/999"), 404, "not_found")
        refused(c.call("GET", "/api/customers/abc"), 404)

        # A quote for Acme, sent; another as a draft.  A new name reaches
        # the draft only.
        sent = new_quote(c, {"customer_id": acme})
        draft = new_quote(c, {"customer_id": acme})
        check(sent["customer"]["name"] == "Acme Ltd" and sent["customer_name"] == "Acme Ltd", sent)
        ok(c.call("PATCH", f"/api/quotes/{sent['id']}", {"status": "sent"}))
        j = ok(c.call("PATCH", f"/api/customers/{acme}", {"name": "Acme Group", "email": ""}))
        check(j["name"] == "Acme Group" and j["email"] == "" and j["quotes"] == 2, j)
        check(j["notes"] == "pays late", j)
        check(ok(c.call("GET", f"/api/quotes/{draft['id']}"))["customer_name"] == "Acme Group",
              "draft renamed")
        check(ok(c.call("GET", f"/api/quotes/{sent['id']}"))["customer_name"] == "Acme Ltd",
              "sent quote renamed")
        # The search finds the sent quote by the customer's present name too.
        j = ok(c.call("GET", "/api/quotes?q=acme%20group"))
        check({q["id"] for q in j["quotes"]} == {sent["id"], draft["id"]}, j)

        refused(c.call("PATCH", f"/api/customers/{acme}", {}), 400, "invalid")
        refused(c.call("PATCH", f"/api/customers/{acme}", {"name": "zeta works"}), 409,
                "conflict", "name")
        refused(c.call("PATCH", f"/api/customers/{acme}", {"id": 3}), 400, "invalid", "id")
        refused(c.call("PATCH", "/api/customers/999", {"name": "Q"}), 404)
        check([d for _, d in audit(s, "customer.create")][0].startswith("customer %d:" % acme),
              audit(s, "customer.create"))
        check(any("name email" in d for _, d in audit(s, "customer.update")),
              audit(s, "customer.update"))


def case_create(exe):
    s = serve_with_users(exe)
    with s:
        c = signed_in(s)
        j = new_quote(c)
        check(set(j) == DETAIL_KEYS, sorted(set(j) ^ DETAIL_KEYS))
        year = date.today().year
        check(re.fullmatch(r"Q-%d-\d{4}" % year, j["number"]), j["number"])
        check(j["status"] == "draft" and j["expired"] is False and j["revision"] is None, j)
        check(j["customer"] is None and j["customer_id"] is None and j["customer_name"] == "", j)
        check(j["valid_until"] == today(30), f"default validity {j['valid_until']}")
        check(j["created_by"] == "sales" and j["parts"] == [] and j["revisions"] ==
              [{"id": j["id"], "number": j["number"], "status": "draft", "expired": False}], j)
        t = j["totals"]
        check(t["complete"] is True and t["total_minor"] == 0 and t["currency"] == "EUR" and
              t["decimals"] == 2 and t["tax_rate"] == 0.2, t)
        check(j["revision_of"] is None and j["sent_at"] is None and j["notes"] == "", j)
        check(audit(s, "quote.create") == [("sales", j["number"])], audit(s, "quote.create"))

        cust = ok(c.call("POST", "/api/customers", {"name": "Bob"}), 201)
        j = new_quote(c, {"customer_id": cust["id"], "notes": "rush", "valid_until": today(7)})
        check(j["customer"]["id"] == cust["id"] and j["notes"] == "rush", j)
        check(j["valid_until"] == today(7), j)
        j2 = ok(c.call("GET", f"/api/quotes/{j['id']}"))
        check(j2 == j, f"GET differs from POST: {j2} {j}")
        # An empty body is {}.
        r = c.call("POST", "/api/quotes", "{}")
        ok(r, 201)

        bad = [({"customer_id": "1"}, "customer_id"), ({"customer_id": 0}, "customer_id"),
               ({"customer_id": 1.5}, "customer_id"), ({"customer_id": 999}, "customer_id"),
               ({"notes": 7}, "notes"), ({"notes": "n" * 10001}, "notes"),
               ({"valid_until": "2026-02-31"}, "valid_until"),
               ({"valid_until": "tomorrow"}, "valid_until"),
               ({"valid_until": today(-1)}, "valid_until"),
               ({"valid_until": today(3700)}, "valid_until"),
               ({"valid_until": 20261231}, "valid_until"),
               ({"status": "sent"}, "status"), ({"number": "Q-1"}, "number")]
        for body, field in bad:
            refused(c.call("POST", "/api/quotes", body), 400, "invalid", field)
        refused(c.call("POST", "/api/quotes", "[]"), 400, "bad_request")
        refused(c.call("POST", "/api/quotes", "{}", ctype=None), 415)
        refused(c.call("GET", "/api/quotes/0"), 404)
        refused(c.call("GET", "/api/quotes/99999"), 404, "not_found")
        refused(c.call("DELETE", "/api/quotes/1"), 405)


def case_guards(exe):
    routes = [("GET", "/api/customers"), ("POST", "/api/customers"),
              ("GET", "/api/customers/1"), ("PATCH", "/api/customers/1"),
              ("GET", "/api/quotes"), ("POST", "/api/quotes"), ("GET", "/api/quotes/1"),
              ("PATCH", "/api/quotes/1"), ("POST", "/api/quotes/1/duplicate"),
              ("POST", "/api/quotes/1/revise")]
    s = serve_with_users(exe)
    with s:
        sales, admin = signed_in(s), signed_in(s, "admin", ADMIN_PW)
        ok(sales.call("POST", "/api/customers", {"name": "C"}), 201)
        ok(sales.call("POST", "/api/quotes", {}), 201)
        for method, path in routes:
            body = "{}" if method in ("POST", "PATCH") else None
            r = raw(s.port, method, path, body, {"Content-Type": "application/json"})
            refused(r, 401, "unauthenticated")
            if method != "GET":
                refused(sales.call(method, path, body, csrf=False), 403, "csrf")
                refused(admin.call(method, path, body, csrf=False), 403, "csrf")
                other = Client(s.port)
                other.login("admin", ADMIN_PW)
                other.csrf = sales.csrf  # another session's token
                refused(other.call(method, path, body), 403, "csrf")
        # Both roles may use every route: there are only admin and sales.
        for c in (sales, admin):
            ok(c.call("GET", "/api/quotes"))
            ok(c.call("GET", "/api/customers/1"))
        with db(s) as d:
            check(d.execute("SELECT count(*) FROM quotes").fetchone()[0] == 1, "a refused call "
                  "made a quote")


def case_status(exe):
    s = serve_with_users(exe)
    with s:
        c = signed_in(s)
        q = new_quote(c, {"notes": "first"})
        qid, num = q["id"], q["number"]
        e = refused(c.call("PATCH", f"/api/quotes/{qid}", {"status": "accepted"}), 409, "status",
                    "status")
        check("draft" in e["message"] and "accepted" in e["message"], e)
        for bad in ["expired", "cancelled", "SENT", 3]:
            refused(c.call("PATCH", f"/api/quotes/{qid}", {"status": bad}), 400, "invalid",
                    "status")
        refused(c.call("PATCH", f"/api/quotes/{qid}", {}), 400, "invalid")
        # A draft changes freely, status along with it.
        j = ok(c.call("PATCH", f"/api/quotes/{qid}", {"notes": "second", "valid_until": today(3),
                                                      "status": "sent"}))
        check(j["status"] == "sent" and j["notes"] == "second" and j["valid_until"] == today(3), j)
        check(j["sent_at"] and j["decided_at"] is None, j)
        # A sent quote is what the customer has: changing it is refused.
        for body in [{"notes": "third"}, {"valid_until": today(9)},
                     {"notes": "x", "status": "accepted"}]:
            e = refused(c.call("PATCH", f"/api/quotes/{qid}", body), 409, "revise")
            check(num in e["message"] and f"/api/quotes/{qid}/revise" in e["message"], e)
        # Sending what it holds already is no change.
        ok(c.call("PATCH", f"/api/quotes/{qid}", {"notes": "second", "status": "sent"}))
        refused(c.call("PATCH", f"/api/quotes/{qid}", {"status": "draft"}), 409, "status")
        j = ok(c.call("PATCH", f"/api/quotes/{qid}", {"status": "accepted"}))
        check(j["status"] == "accepted" and j["decided_at"], j)
        for to in ["rejected", "sent", "draft"]:
            e = refused(c.call("PATCH", f"/api/quotes/{qid}", {"status": to}), 409, "status")
            check("accepted" in e["message"] and to in e["message"], e)
        q2 = new_quote(c)
        ok(c.call("PATCH", f"/api/quotes/{q2['id']}", {"status": "sent"}))
        ok(c.call("PATCH", f"/api/quotes/{q2['id']}", {"status": "rejected"}))
        refused(c.call("PATCH", f"/api/quotes/{q2['id']}", {"status": "accepted"}), 409)
        check([d for _, d in audit(s, "quote.status")] ==
              [f"{num}: draft -> sent", f"{num}: sent -> accepted",
               f"{q2['number']}: draft -> sent", f"{q2['number']}: sent -> rejected"],
              audit(s, "quote.status"))
        check(audit(s, "quote.update") == [("sales", f"{num}: notes valid_until")],
              audit(s, "quote.update"))
        refused(c.call("PATCH", "/api/quotes/999", {"notes": "x"}), 404)


def case_revise(exe):
    s = serve_with_users(exe)
    with s:
        c = signed_in(s)
        cust = ok(c.call("POST", "/api/customers", {"name": "Rev Co"}), 201)
        q = new_quote(c, {"customer_id": cust["id"], "notes": "orig"})
        qid, num = q["id"], q["number"]
        add_part(s, qid, "plate.dxf", total=1000, position=1)
        add_part(s, qid, "bracket.dxf", total=500, position=2)
        refused(c.call("POST", f"/api/quotes/{qid}/revise"), 409, "conflict")
        ok(c.call("PATCH", f"/api/quotes/{qid}", {"status": "sent"}))
        before = ok(c.call("GET", f"/api/quotes/{qid}"))
        b = ok(c.call("POST", f"/api/quotes/{qid}/revise"), 201)
        check(b["number"] == num + "-B" and b["revision"] == "B" and b["status"] == "draft", b)
        check(b["revision_of"] == {"id": qid, "number": num}, b)
        check(b["notes"] == "orig" and b["customer"]["id"] == cust["id"], b)
        check([p["file"] for p in b["parts"]] == ["plate.dxf", "bracket.dxf"], b["parts"])
        check({p["part_id"] for p in b["parts"]}.isdisjoint(p["part_id"] for p in before["parts"]),
              "parts shared, not copied")
        check(b["totals"]["subtotal_minor"] == 1500 and b["totals"]["total_minor"] == 1800,
              b["totals"])
        check([r["number"] for r in b["revisions"]] == [num, num + "-B"], b["revisions"])
        # The original is as it was sent.
        after = ok(c.call("GET", f"/api/quotes/{qid}"))
        for k in ("status", "notes", "parts", "totals", "updated", "sent_at", "number"):
            check(after[k] == before[k], f"original's {k} changed: {before[k]} -> {after[k]}")
        # The draft revision changes; the original cannot be revised twice.
        ok(c.call("PATCH", f"/api/quotes/{b['id']}", {"notes": "cheaper"}))
        e = refused(c.call("POST", f"/api/quotes/{qid}/revise"), 409)
        check(num + "-B" in e["message"], e)
        refused(c.call("POST", f"/api/quotes/{b['id']}/revise"), 409)  # a draft
        ok(c.call("PATCH", f"/api/quotes/{b['id']}", {"status": "sent"}))
        ok(c.call("PATCH", f"/api/quotes/{b['id']}", {"status": "rejected"}))
        cc = ok(c.call("POST", f"/api/quotes/{b['id']}/revise", {}), 201)
        check(cc["number"] == num + "-C" and cc["notes"] == "cheaper", cc)
        check(cc["revision_of"]["number"] == num + "-B", cc)
        check([r["number"] for r in cc["revisions"]] == [num, num + "-B", num + "-C"], cc)
        check(ok(c.call("GET", f"/api/quotes/{qid}"))["notes"] == "orig", "original changed")
        # Accepted quotes are not revised.
        ok(c.call("PATCH", f"/api/quotes/{cc['id']}", {"status": "sent"}))
        ok(c.call("PATCH", f"/api/quotes/{cc['id']}", {"status": "accepted"}))
        refused(c.call("POST", f"/api/quotes/{cc['id']}/revise"), 409)
        # A revision counts as its number: the next quote is the next number.
        n = new_quote(c)["number"]
        check(int(n.split("-")[2]) == int(num.split("-")[2]) + 1, n)
        refused(c.call("POST", "/api/quotes/999/revise"), 404)
        refused(c.call("POST", f"/api/quotes/{qid}/revise", {"x": 1}), 400, "invalid", "x")
        check([d for _, d in audit(s, "quote.revise")] ==
              [f"{num} -> {num}-B", f"{num}-B -> {num}-C"], audit(s, "quote.revise"))


def case_duplicate(exe):
    s = serve_with_users(exe)
    with s:
        c = signed_in(s)
        cust = ok(c.call("POST", "/api/customers", {"name": "Dup Co"}), 201)
        q = new_quote(c, {"customer_id": cust["id"], "notes": "n1"})
        add_part(s, q["id"], "a.dxf", total=100, position=1)
        failed = add_part(s, q["id"], "b.dxf", total=None, state="failed", position=2)
        with db(s) as d:
            d.execute("UPDATE parts SET error = 'no closed contour' WHERE id = ?", (failed,))
        ok(c.call("PATCH", f"/api/quotes/{q['id']}", {"status": "sent"}))
        ok(c.call("PATCH", f"/api/quotes/{q['id']}", {"status": "accepted"}))
        d1 = ok(c.call("POST", f"/api/quotes/{q['id']}/duplicate"), 201)
        check(d1["number"] != q["number"] and d1["revision"] is None, d1)
        check(d1["revision_of"] is None and d1["status"] == "draft", d1)
        check(d1["customer"]["id"] == cust["id"] and d1["notes"] == "n1", d1)
        check([(p["file"], p["state"], p["error"]) for p in d1["parts"]] ==
              [("a.dxf", "done", None), ("b.dxf", "failed", "no closed contour")], d1["parts"])
        # One part has no price: the total is unknown, not a partial sum.
        check(d1["totals"]["complete"] is False and d1["totals"]["total"] is None, d1["totals"])
        check(d1["valid_until"] == today(30), d1)
        check(ok(c.call("GET", f"/api/quotes/{q['id']}"))["status"] == "accepted", "original")
        check([p["thumb"] is not None for p in d1["parts"]] == [False, False],
              "a preview whose file is missing is no preview")
        # Previews: the copy's parts get files of their own (hard links), so
        # deleting the original's leaves them.
        os.makedirs(os.path.join(s.data, "previews"), exist_ok=True)
        for kind in ("thumb", "detail"):
            with open(os.path.join(s.data, "previews", f"x-{kind}.png"), "wb") as f:
                f.write(b"\x89PNG " + kind.encode())
        d2 = ok(c.call("POST", f"/api/quotes/{q['id']}/duplicate"), 201)
        with db(s) as con:
            rows = con.execute("SELECT id, preview_path, thumb_path FROM parts WHERE quote_id = ?"
                               " ORDER BY position", (d2["id"],)).fetchall()
        check(rows == [(pid, f"previews/{pid}-detail.png", f"previews/{pid}-thumb.png")
                       for pid, _, _ in rows], rows)
        check(d2["parts"][0]["thumb"] == f"/api/parts/{rows[0][0]}/preview.png?size=thumb", d2)
        for kind in ("thumb", "detail"):
            os.unlink(os.path.join(s.data, "previews", f"x-{kind}.png"))
            with open(os.path.join(s.data, "previews", f"{rows[0][0]}-{kind}.png"), "rb") as f:
                check(f.read() == b"\x89PNG " + kind.encode(), "copied preview")
        # A part still being measured is not copied half-way.
        add_part(s, d1["id"], "c.dxf", state="running")
        refused(c.call("POST", f"/api/quotes/{d1['id']}/duplicate"), 409, "busy")
        refused(c.call("POST", "/api/quotes/999/duplicate"), 404)
        check([d for _, d in audit(s, "quote.duplicate")] ==
              [f"{q['number']} -> {d1['number']}", f"{q['number']} -> {d2['number']}"],
              audit(s, "quote.duplicate"))


def case_expired(exe):
    s = serve_with_users(exe)
    with s:
        c = signed_in(s)
        a, b, d = new_quote(c), new_quote(c), new_quote(c)
        for q in (a, b):
            ok(c.call("PATCH", f"/api/quotes/{q['id']}", {"status": "sent"}))
        with db(s) as con:  # a's validity ran out yesterday; so did d's, a draft
            con.execute("UPDATE quotes SET valid_until = ? WHERE id IN (?, ?)",
                        (int(time.time()) - 86400, a["id"], d["id"]))
        j = ok(c.call("GET", f"/api/quotes/{a['id']}"))
        check(j["expired"] is True and j["status"] == "sent", j)
        check(ok(c.call("GET", f"/api/quotes/{b['id']}"))["expired"] is False, "b expired")
        check(ok(c.call("GET", f"/api/quotes/{d['id']}"))["expired"] is False, "a draft expired")
        ids = lambda q: [x["id"] for x in ok(c.call("GET", "/api/quotes?" + q))["quotes"]]
        check(ids("status=expired") == [a["id"]], ids("status=expired"))
        check(ids("status=sent") == [b["id"]], ids("status=sent"))
        check(ids("status=draft") == [d["id"]], ids("status=draft"))
        check(ids("status=accepted") == [], "accepted")
        refused(c.call("GET", "/api/quotes?status=lost"), 400, "invalid", "status")
        # An expired quote may still be accepted (the shop decides).
        j = ok(c.call("PATCH", f"/api/quotes/{a['id']}", {"status": "accepted"}))
        check(j["expired"] is False and j["status"] == "accepted", j)


def case_search(exe):
    s = serve_with_users(exe)
    with s:
        c = signed_in(s)
        cust = ok(c.call("POST", "/api/customers", {"name": "Smith & Sons"}), 201)
        q1 = new_quote(c, {"customer_id": cust["id"]})
        q2 = new_quote(c)
        q3 = new_quote(c)
        add_part(s, q2["id"], "Flange_100%.dxf", total=10)
        add_part(s, q3["id"], "bracket.DXF", total=10)
        ids = lambda q: sorted(x["id"] for x in ok(c.call("GET", "/api/quotes?q=" + q))["quotes"])
        check(ids("smith") == [q1["id"]], ids("smith"))
        check(ids("FLANGE") == [q2["id"]], ids("FLANGE"))
        check(ids("100%25") == [q2["id"]], "a % is a character, not a wildcard")
        check(ids("_") == [q2["id"]], "an _ is a character, not a wildcard")
        check(ids(q3["number"][-4:]) == [q3["id"]], ids(q3["number"][-4:]))
        check(ids(".dxf") == [q2["id"], q3["id"]], ids(".dxf"))
        check(ids("nothing") == [], "nothing")
        j = ok(c.call("GET", f"/api/quotes?customer_id={cust['id']}"))
        check([x["id"] for x in j["quotes"]] == [q1["id"]], j)
        row = ok(c.call("GET", "/api/quotes?q=bracket"))["quotes"][0]
        check(set(row) == QUOTE_KEYS, sorted(set(row) ^ QUOTE_KEYS))
        check(row["part_count"] == 1 and row["thumb"] ==
              f"/api/parts/{row['thumb_part_id']}/preview.png?size=thumb", row)
        # Dates: made today; a range that ends yesterday finds none.
        check(len(ok(c.call("GET", f"/api/quotes?from={today()}&to={today()}"))["quotes"]) == 3,
              "today")
        check(ok(c.call("GET", f"/api/quotes?to={today(-1)}"))["total"] == 0, "yesterday")
        check(ok(c.call("GET", f"/api/quotes?from={today(1)}"))["total"] == 0, "tomorrow")
        for q, field in [("from=2026-13-01", "from"), ("from=yesterday", "from"),
                         ("to=2026-02-30", "to"), (f"from={today()}&to={today(-1)}", "to"),
                         ("customer_id=abc", "customer_id"), ("customer_id=0", "customer_id"),
                         ("limit=0", "limit"), ("limit=201", "limit"), ("offset=-1", "offset"),
                         ("q=" + "x" * 201, "q"), ("q=%ff", "q"), ("q=a%00b", "q")]:
            refused(c.call("GET", "/api/quotes?" + q), 400, "invalid", field)
        refused(c.call("GET", "/api/quotes?sort=number"), 400, "invalid")


def case_paging(exe):
    s = serve_with_users(exe)
    with s:
        c = signed_in(s)
        made = [new_quote(c)["id"] for _ in range(25)]
        j = ok(c.call("GET", "/api/quotes?limit=10"))
        check(j["total"] == 25 and j["limit"] == 10 and j["offset"] == 0, j)
        check([x["id"] for x in j["quotes"]] == made[::-1][:10], "newest first")
        j = ok(c.call("GET", "/api/quotes?limit=10&offset=20"))
        check(j["total"] == 25 and [x["id"] for x in j["quotes"]] == made[::-1][20:], j)
        j = ok(c.call("GET", "/api/quotes?offset=100"))
        check(j["total"] == 25 and j["quotes"] == [], j)
        check(ok(c.call("GET", "/api/quotes"))["limit"] == 50, "default limit")


def case_totals(exe):
    s = serve_with_users(exe, env={"DXFQUOTE_COMPANY_TAX_RATE": "0.25",
                                   "DXFQUOTE_COMPANY_CURRENCY": "CHF"})
    with s:
        c = signed_in(s)
        q = new_quote(c)
        add_part(s, q["id"], "a.dxf", total=1234, position=1)
        add_part(s, q["id"], "b.dxf", total=1, position=2)
        j = ok(c.call("GET", f"/api/quotes/{q['id']}"))
        t = j["totals"]
        check(t == {"parts": 2, "priced": 2, "complete": True, "currency": "CHF", "decimals": 2,
                    "subtotal": 12.35, "subtotal_minor": 1235, "tax_rate": 0.25, "tax": 3.09,
                    "tax_minor": 309, "total": 15.44, "total_minor": 1544}, t)
        p = j["parts"][0]
        check(p["total_minor"] == 1234 and p["total"] == 12.34 and p["unit_price_minor"] == 617, p)
        check(p["material"] == "S235" and p["thickness_mm"] == 3 and p["qty"] == 2, p)
        check(p["figures"] == {"width_mm": 120, "height_mm": 80, "cut_length_mm": 812.5,
                               "pierces": 3, "holes": 2, "area_mm2": 9123.4, "warnings": 1}, p)
        check(p["preview"] == f"/api/parts/{p['part_id']}/preview.png?size=detail", p)
        check(p["options"] == {} and p["state"] == "done" and p["error"] is None, p)
        add_part(s, q["id"], "c.dxf", total=None, state="failed", thumb=False, position=3)
        j = ok(c.call("GET", f"/api/quotes/{q['id']}"))
        check(j["totals"]["complete"] is False and j["totals"]["total_minor"] is None and
              j["totals"]["priced"] == 2, j["totals"])
        p = j["parts"][2]
        check(p["total"] is None and p["preview"] is None and p["thumb"] is None, p)
        row = ok(c.call("GET", "/api/quotes"))["quotes"][0]
        check(row["totals"] == j["totals"], row)


def case_numbering(exe):
    s = serve_with_users(exe)
    with s:
        c = signed_in(s)
        got, errors = [], []

        def make():
            try:
                r = c.call("POST", "/api/quotes", {})
                if r.status != 201:
                    errors.append(r.status)
                else:
                    got.append(r.json()["number"])
            except Exception as ex:  # reported below
                errors.append(repr(ex))

        threads = [threading.Thread(target=make) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(not errors, errors)
        nums = sorted(int(n.split("-")[2]) for n in got)
        check(len(set(got)) == 20 and nums == list(range(1, 21)), sorted(got))


def case_injection(exe):
    s = serve_with_users(exe)
    with s:
        c = signed_in(s)
        for i, text in enumerate(SQLI + XSS):
            body = {f: text for f in ("company", "contact", "phone", "address", "notes")}
            body["name"] = f"{text} {i}"
            body["phone"] = text[:50]
            cu = ok(c.call("POST", "/api/customers", body), 201)
            for f, v in body.items():
                check(cu[f] == v, f"customer {f}: {cu[f]!r} != {v!r}")
            r = c.call("GET", f"/api/customers/{cu['id']}")
            check(r.json()["name"] == body["name"], r.body)
            # Data in a JSON answer, never markup in a page.
            check(r.header("Content-Type").startswith("application/json"), r.header("Content-Type"))
            q = new_quote(c, {"customer_id": cu["id"], "notes": text})
            check(q["notes"] == text and q["customer_name"] == body["name"], q)
            q = ok(c.call("PATCH", f"/api/quotes/{q['id']}", {"notes": text + text}))
            check(q["notes"] == text + text, q)
            add_part(s, q["id"], text + ".dxf", total=5)
            check(ok(c.call("GET", f"/api/quotes/{q['id']}"))["parts"][0]["file"] == text + ".dxf",
                  "file name")
            from urllib.parse import quote as enc
            j = ok(c.call("GET", "/api/quotes?q=" + enc(text)))
            check(q["id"] in [x["id"] for x in j["quotes"]], f"search for {text!r}: {j}")
            j = ok(c.call("GET", "/api/customers?q=" + enc(text)))
            check(cu["id"] in [x["id"] for x in j["customers"]], f"customer search {text!r}")
            ok(c.call("PATCH", f"/api/customers/{cu['id']}", {"notes": text, "company": text}))
        with db(s) as d:
            n = len(SQLI + XSS)
            check(d.execute("SELECT count(*) FROM customers").fetchone()[0] == n, "customers")
            check(d.execute("SELECT count(*) FROM users").fetchone()[0] == 2, "users")
            check(d.execute("SELECT count(*) FROM quotes").fetchone()[0] == n, "quotes")
        # Every text field must be listed verbatim too.
        j = ok(c.call("GET", "/api/customers?limit=200"))
        names = {x["name"] for x in j["customers"]}
        check(all(f"{t} {i}" in names for i, t in enumerate(SQLI + XSS)), names)


def case_scale(exe):
    """1,000 quotes of 3 parts: the list and its searches answer; the times
    are printed for docs/api.md, never asserted (the machines are noisy)."""
    s = serve_with_users(exe)
    with s:
        c = signed_in(s)
        new_quote(c)
        with db(s) as d:
            now = int(time.time())
            for i in range(2, 1001):
                cur = d.execute("INSERT INTO quotes (number, customer, created, updated, "
                                "currency) VALUES (?, ?, ?, ?, 'EUR')",
                                (f"Q-2020-{i:04d}", f"Customer {i % 97}", now - i * 600,
                                 now - i * 600))
                for k in range(3):
                    d.execute("INSERT INTO parts (quote_id, position, file_name, stored_path, "
                              "sha256, size_bytes, total_minor, thumb_path, state, created, "
                              "updated) VALUES (?, ?, ?, 'f', ?, 1, ?, 't', 'done', ?, ?)",
                              (cur.lastrowid, k + 1, f"part-{i}-{k}.dxf", SHA, 100 * k, now, now))
        times = {}
        for name, q in [("page", ""), ("number", "q=0500"), ("file name", "q=part-777-2"),
                        ("no match", "q=zzz"), ("expired", "status=expired"),
                        ("last page", "offset=950")]:
            t0 = time.monotonic()
            j = ok(c.call("GET", "/api/quotes?" + q))
            times[name] = (time.monotonic() - t0) * 1000
            check(j["total"] >= 0, j)
        check(ok(c.call("GET", "/api/quotes?q=part-777-2"))["total"] == 1, "file name search")
        check(ok(c.call("GET", "/api/quotes"))["total"] == 1000, "total")
        print("1,000 quotes x 3 parts, GET /api/quotes (ms): " +
              ", ".join(f"{k} {v:.1f}" for k, v in times.items()))


def main():
    return run_cases(globals(), __doc__)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""A shop's day through the API, end to end, against the real `dxfquote
serve` on loopback: a customer, a quote, drawings uploaded and followed by
Server-Sent Events, the quote's totals, its PDF (read back with pdftotext
when poppler-utils is installed), sending it, a revision; and /health
turning "degraded" when too many jobs fail.

    test_flow.py CASE DXFQUOTE

Exit 0 passed, 1 failed, 77 skipped.  Python 3 standard library only; the
client and the multipart encoder come from the server and upload tests.
No assertion depends on how long anything takes.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
sys.path.insert(0, os.path.join(HERE, "..", "upload"))
sys.path.insert(0, os.path.join(HERE, "..", "parts"))
from test_api import ADMIN_PW, SALES_PW, Client, serve_with_users  # noqa: E402
from test_parts import dxf  # noqa: E402
from test_server import Failed, check, run_cases  # noqa: E402
from test_upload import multipart  # noqa: E402

STEEL = "Mild steel S235"
BROKEN = (b"0\nSECTION\n2\nENTITIES\n0\nLINE\n8\n0\n10\n0\n20\n0\n11\nnot-a-number\n"
          b"21\n5\n0\nENDSEC\n0\nEOF\n")


def events(c, job_id, limit=120):
    """The SSE stream of a job, read to its end: [(event, data)]."""
    import http.client
    import json
    conn = http.client.HTTPConnection("127.0.0.1", c.port, timeout=limit)
    conn.request("GET", f"/api/jobs/{job_id}/events",
                 headers={"Cookie": "dxfq_session=" + c.cookie, "Accept": "text/event-stream"})
    r = conn.getresponse()
    check(r.status == 200, f"events: {r.status}")
    check(r.getheader("Content-Type", "").startswith("text/event-stream"),
          r.getheader("Content-Type"))
    out, ev, data = [], None, []
    for raw_line in r:
        line = raw_line.decode().rstrip("\r\n")
        if line.startswith("event:"):
            ev = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line == "" and data:
            out.append((ev or "message", json.loads("\n".join(data))))
            ev, data = None, []
    conn.close()
    return out


def upload(c, qid, files, fields):
    body, ctype = multipart(files, fields)
    return c.call("POST", f"/api/quotes/{qid}/parts", body, ctype=ctype)


def pdf_text(data):
    """The PDF's text by pdftotext, or None when it is not installed."""
    if not shutil.which("pdftotext"):
        return None
    d = tempfile.mkdtemp(prefix="dxfq-flow-")
    path = os.path.join(d, "q.pdf")
    with open(path, "wb") as f:
        f.write(data)
    p = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, timeout=60)
    shutil.rmtree(d, ignore_errors=True)
    check(p.returncode == 0, f"pdftotext: {p.stderr.decode()}")
    return p.stdout.decode()


def money(minor):
    """As the PDF prints amounts: 1,234.50 (2 decimals)."""
    return f"{minor // 100:,}.{minor % 100:02d}"


def case_workflow(exe):
    s = serve_with_users(exe)
    with s:
        c = Client(s.port)
        c.login("sales", SALES_PW)
        r = c.call("POST", "/api/customers",
                   {"name": "Acme Fabrication", "contact": "Jo Bloggs",
                    "address": "1 Forge Lane\nSheffield", "email": "buy@acme.example"})
        check(r.status == 201, r.body)
        cust = r.json()["id"]
        r = c.call("POST", "/api/quotes", {})
        check(r.status == 201, r.body)
        q = r.json()
        qid, number = q["id"], q["number"]
        check(re.fullmatch(r"Q-\d{4}-\d{4}", number), number)
        r = c.call("PATCH", f"/api/quotes/{qid}", {"customer_id": cust, "notes": "Rush if possible"})
        check(r.status == 200, r.body)

        # Nothing priced yet: the PDF says so.
        r = c.call("GET", f"/api/quotes/{qid}/pdf")
        check(r.status == 409 and r.json()["error"]["code"] == "not_priced", r.body)

        # Two plates and a broken drawing in one upload.
        plate, bracket = dxf(100, 60), dxf(40, 30, holes=((20, 15, 5),))
        r = upload(c, qid, [("file", "plate.dxf", plate), ("file", "bracket.dxf", bracket),
                            ("file", "broken.dxf", BROKEN)],
                   [("material", STEEL), ("thickness", "3"), ("quantity", "4")])
        check(r.status == 202, r.body)
        parts = r.json()["parts"]
        check([p["file"] for p in parts] == ["plate.dxf", "bracket.dxf", "broken.dxf"], parts)
        # Each job's stages, live, in order, to its end.
        order = ["stored", "parse", "analyse", "price", "render", "done"]
        for p in parts:
            evs = events(c, p["job_id"])
            check(evs, f"no events for job {p['job_id']}")
            last = evs[-1][1]
            if p["file"] == "broken.dxf":
                check(last["state"] == "failed" and "line" in last["error"], last)
                continue
            check(last["state"] == "done" and last["progress"] == 100, last)
            seen = [e[1]["stage"] for e in evs if e[1].get("stage") in order]
            check(seen == sorted(seen, key=order.index), f"stages out of order: {seen}")
            pr = [e[1]["progress"] for e in evs]
            check(pr == sorted(pr), f"progress went back: {pr}")

        q = c.call("GET", f"/api/quotes/{qid}").json()
        check(q["customer"]["name"] == "Acme Fabrication", q["customer"])
        t = q["totals"]
        check(t["parts"] == 3 and t["priced"] == 2 and not t["complete"], t)
        states = {p["file"]: p["state"] for p in q["parts"]}
        check(states == {"plate.dxf": "done", "bracket.dxf": "done", "broken.dxf": "failed"},
              states)
        # The PDF leaves the failed part off; with it deleted the quote is
        # complete, and the totals on paper are the quote's.
        broken = [p for p in q["parts"] if p["state"] == "failed"][0]
        r = c.call("GET", f"/api/quotes/{qid}/pdf")
        check(r.status == 200, f"pdf with a failed part: {r.status}")
        text = pdf_text(r.body)
        if text is not None:
            check("broken.dxf" not in text and "plate.dxf" in text, "failed part on paper")
        check(c.call("DELETE", f"/api/parts/{broken['part_id']}").status == 204, "delete")
        q = c.call("GET", f"/api/quotes/{qid}").json()
        t = q["totals"]
        check(t["parts"] == 2 and t["complete"], t)
        check(sum(p["total_minor"] for p in q["parts"]) == t["subtotal_minor"], t)

        r = c.call("GET", f"/api/quotes/{qid}/pdf")
        check(r.status == 200 and r.body.startswith(b"%PDF-"), f"pdf: {r.status}")
        check(r.header("Content-Type") == "application/pdf", r.header("Content-Type"))
        check(f'inline; filename="{number}.pdf"' in r.header("Content-Disposition"),
              r.header("Content-Disposition"))
        r2 = c.call("GET", f"/api/quotes/{qid}/pdf?download=1")
        check(r2.header("Content-Disposition").startswith("attachment"), "download")
        check(c.call("GET", f"/api/quotes/{qid}/pdf?download=yes").status == 400, "download=yes")
        text = pdf_text(r.body)
        if text is not None:
            for want in [number, "Acme Fabrication", "Jo Bloggs", "1 Forge Lane", "plate.dxf",
                         "bracket.dxf", money(t["subtotal_minor"]), money(t["tax_minor"]),
                         money(t["total_minor"])]:
                check(want in text, f"{want!r} not in the PDF:\n{text[:2000]}")
            check("broken.dxf" not in text, "a failed part is on the quotation")

        # Sent: frozen; a revision carries the parts and makes its own PDF.
        r = c.call("PATCH", f"/api/quotes/{qid}", {"status": "sent"})
        check(r.status == 200 and r.json()["status"] == "sent", r.body)
        r = c.call("PATCH", f"/api/quotes/{qid}", {"notes": "changed"})
        check(r.status == 409 and r.json()["error"]["code"] == "revise", r.body)
        r = c.call("POST", f"/api/quotes/{qid}/revise")
        check(r.status == 201 and r.json()["number"] == number + "-B", r.body)
        rev = r.json()["id"]
        r = c.call("GET", f"/api/quotes/{rev}/pdf")
        check(r.status == 200 and r.body.startswith(b"%PDF-"), f"revision pdf: {r.status}")
        text = pdf_text(r.body)
        if text is not None:
            check(number + "-B" in text, "revision number not on its PDF")
        # The original's PDF is unchanged by the revision.
        again = c.call("GET", f"/api/quotes/{qid}/pdf")
        text2 = pdf_text(again.body)
        if text2 is not None and text is not None:
            check(number + "-B" not in text2, "the sent quote's PDF changed")

        r = c.call("GET", "/api/quotes/999999/pdf")
        check(r.status == 404, f"unknown quote: {r.status}")
        check(Client(s.port).call("GET", f"/api/quotes/{qid}/pdf").status == 401, "no session")


def case_degraded(exe):
    """Four of five jobs fail: /health says degraded ("jobs") but stays 200."""
    s = serve_with_users(exe, env={"DXFQUOTE_HEALTH_MIN_EVENTS": "5",
                                   "DXFQUOTE_HEALTH_FAILED_JOBS_RATIO": "0.5"})
    with s:
        c = Client(s.port)
        c.login("sales", SALES_PW)
        qid = c.call("POST", "/api/quotes", {}).json()["id"]
        files = [("file", f"bad{i}.dxf", BROKEN + b"\n" * i) for i in range(4)]
        files.append(("file", "good.dxf", dxf()))
        r = upload(c, qid, files, [])
        check(r.status == 202, r.body)
        for p in r.json()["parts"]:
            end = time.monotonic() + 120
            while time.monotonic() < end:
                j = c.call("GET", f"/api/jobs/{p['job_id']}").json()
                if j["state"] in ("done", "failed", "cancelled"):
                    break
                time.sleep(0.05)
        r = c.call("GET", "/health")
        h = r.json()
        check(r.status == 200 and h["status"] == "degraded" and h["degraded"] == ["jobs"], h)
        check(h["recent"]["jobs_ended"] == 5 and h["recent"]["jobs_failed"] == 4, h["recent"])


def case_rules_trial(exe):
    """The rules editor's Try: a stored part priced with a draft beside the
    active rules; a broken draft shows its line; an unmeasured part is 400."""
    s = serve_with_users(exe)
    rules = open(os.path.join(HERE, "..", "..", "..", "rules", "pricing.lua")).read()
    with s:
        c = Client(s.port)
        c.login("sales", SALES_PW)
        qid = c.call("POST", "/api/quotes", {}).json()["id"]
        r = upload(c, qid, [("file", "plate.dxf", dxf())],
                   [("material", STEEL), ("thickness", "3"), ("quantity", "2")])
        check(r.status == 202, r.body)
        part = r.json()["parts"][0]
        events(c, part["job_id"])
        a = Client(s.port)
        a.login("admin", ADMIN_PW)
        draft = rules.replace("SETUP_PER_LINE         = 25.00", "SETUP_PER_LINE         = 125.00")
        check(draft != rules, "the setup constant moved; update this test")
        r = a.call("POST", "/api/rules/check", {"source": draft, "part_id": part["part_id"]})
        check(r.status == 200 and r.json()["ok"], r.body)
        t = r.json()["trial"]
        check(t["part_id"] == part["part_id"] and t["file"] == "plate.dxf", t)
        check(t["draft_error"] is None and t["active_error"] is None, t)
        check(t["calls"] > 0 and t["parts"] == "built-in samples", t)
        diff = t["draft"]["total_minor"] - t["active"]["total_minor"]
        check(diff > 0, f"a higher setup did not raise the price: {diff}")
        stored = c.call("GET", f"/api/parts/{part['part_id']}").json()
        check(stored["price"]["total_minor"] == t["active"]["total_minor"],
              "the active side differs from the stored price")
        # Trying changes nothing.
        check(c.call("GET", f"/api/parts/{part['part_id']}").json()["total_minor"] ==
              stored["total_minor"], "the part changed")

        r = a.call("POST", "/api/rules/check",
                   {"source": "function quote(part, ctx)\n  return nil +\nend\n",
                    "part_id": part["part_id"]})
        check(r.status == 200 and not r.json()["ok"] and r.json()["errors"][0]["line"], r.body)
        check("draft" not in r.json()["trial"], "a broken draft was tried")

        qid2 = c.call("POST", "/api/quotes", {}).json()["id"]
        r = upload(c, qid2, [("file", "bare.dxf", dxf())], [])
        bare = r.json()["parts"][0]
        events(c, bare["job_id"])
        r = a.call("POST", "/api/rules/check", {"source": rules, "part_id": bare["part_id"]})
        check(r.status == 400 and r.json()["error"]["field"] == "part_id" and
              "material" in r.json()["error"]["message"], r.body)
        for bad in [0, -1, 1.5, "7", 999999]:
            r = a.call("POST", "/api/rules/check", {"source": rules, "part_id": bad})
            check(r.status == 400 and r.json()["error"]["field"] == "part_id", f"{bad}: {r.body}")


def main():
    return run_cases(globals(), __doc__)


if __name__ == "__main__":
    sys.exit(main())

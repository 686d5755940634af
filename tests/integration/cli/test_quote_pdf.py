#!/usr/bin/env python3
"""`dxfquote quote` with several files, per-file overrides, --pdf and --png.

Fixtures are drawn here: a 200 x 100 mm plate with a 100 x 50 mm cut-out
(priced by hand in test_quote.py: 40.00 EUR at quantity 1, 114.98 EUR at
100), an 80 x 40 mm bracket with two holes, and a file that cannot be read.
The shop comes from a configuration written here (company name, an address
with \\n line breaks, 19 % tax, a 640 x 480 detail preview).  The PDF is
read back with pdftotext and pdfinfo (poppler-utils) and checked with
qpdf; those checks are skipped, saying so, when the tools are missing.  A
corpus part is added when ../shared/corpus is there.

usage: test_quote_pdf.py DXFQUOTE [SHARED_DIR]
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

EXE = None
DIR = None
CONFIG = None
failures = []
passed = 0
HAVE_POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")
HAVE_QPDF = shutil.which("qpdf")
STEEL = ["--material", "Mild steel S235", "--thickness", "3"]


def check(name, ok, detail=""):
    global passed
    if ok:
        passed += 1
    else:
        failures.append("%s: %s" % (name, detail))
        print("FAIL %s: %s" % (name, detail))


def run(*args):
    p = subprocess.run([EXE, "quote"] + list(args) +
                       ["--config", CONFIG, "--data", os.path.join(DIR, "data")],
                       capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def path(name):
    return os.path.join(DIR, name)


def dxf(entities):
    return ("0\nSECTION\n2\nHEADER\n9\n$INSUNITS\n70\n4\n0\nENDSEC\n"
            "0\nSECTION\n2\nENTITIES\n" + entities + "0\nENDSEC\n0\nEOF\n")


def line(x0, y0, x1, y1):
    return "0\nLINE\n8\nCUT\n10\n%g\n20\n%g\n11\n%g\n21\n%g\n" % (x0, y0, x1, y1)


def rect(x0, y0, x1, y1):
    return line(x0, y0, x1, y0) + line(x1, y0, x1, y1) + line(x1, y1, x0, y1) + line(x0, y1, x0, y0)


def circle(x, y, r):
    return "0\nCIRCLE\n8\nCUT\n10\n%g\n20\n%g\n40\n%g\n" % (x, y, r)


def money(minor):
    """Minor units as the PDF prints them: 1,234.50."""
    return "{:,}.{:02d}".format(minor // 100, minor % 100)


def pdf_text(pdf):
    return subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True,
                          timeout=60).stdout


def pdf_pages(pdf):
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else -1


def qpdf_ok(name, pdf):
    if not HAVE_QPDF:
        return
    p = subprocess.run(["qpdf", "--check", pdf], capture_output=True, text=True, timeout=60)
    check("qpdf --check " + name, p.returncode == 0, p.stdout + p.stderr)


def png_size(png):
    with open(png, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def setup():
    global CONFIG
    with open(path("plate.dxf"), "w") as f:
        f.write(dxf(rect(0, 0, 200, 100) + rect(50, 25, 150, 75)))
    with open(path("bracket.dxf"), "w") as f:
        f.write(dxf(rect(0, 0, 80, 40) + circle(20, 20, 5) + circle(60, 20, 5)))
    with open(path("broken.dxf"), "w") as f:
        f.write("0\nSECTION\n2\nENTITIES\n0\nLINE\n10\nabc\n0\nENDSEC\n0\nEOF\n")
    CONFIG = path("shop.ini")
    with open(CONFIG, "w") as f:
        f.write("[company]\n"
                "name = Laserwerk Nord GmbH\n"
                "address = Hafenstrasse 12\\n20457 Hamburg\n"
                "email = angebot@laserwerk.example\n"
                "tax_rate = 0.19\n"
                "[pdf]\n"
                "terms = Prices exclude delivery.\\nPayment 14 days net.\n"
                "[render]\n"
                "detail_width = 640\n"
                "detail_height = 480\n")


def test_one_part():
    pdf, png = path("one.pdf"), path("one.png")
    rc, out, err = run(path("plate.dxf"), *STEEL, "--qty", "1", "--json", "--pdf", pdf,
                       "--png", png, "--number", "Q-TEST-0001", "--customer",
                       "ACME Parts Ltd\\nAttn. J. Doe")
    check("one part exit 0", rc == 0, err)
    q = json.loads(out) if rc == 0 else {}
    # 40.00 priced by hand (test_quote.py); tax 19 % of 40.00 = 7.60.
    check("one part keeps geometry and price", q.get("price", {}).get("total_minor") == 4000 and
          q.get("geometry", {}).get("cut_length_mm") == 900, q.get("price"))
    check("one part totals", q.get("subtotal_minor") == 4000 and q.get("tax_minor") == 760 and
          q.get("total_minor") == 4760 and q.get("currency") == "EUR", q)
    check("one part quotation", q.get("quotation", {}).get("number") == "Q-TEST-0001" and
          q["quotation"].get("pdf") == pdf and q.get("png") == png, q.get("quotation"))
    check("png size from [render]", os.path.exists(png) and png_size(png) == (640, 480),
          os.path.exists(png) and png_size(png))
    check("pdf written", os.path.exists(pdf) and open(pdf, "rb").read(5) == b"%PDF-", "")
    if HAVE_POPPLER and os.path.exists(pdf):
        t = pdf_text(pdf)
        for want in ("Q-TEST-0001", "Laserwerk Nord GmbH", "plate.dxf", "ACME Parts Ltd",
                     "Attn. J. Doe", money(q.get("total_minor", 0)) + " EUR",
                     money(q.get("price", {}).get("total_minor", 0)), "Payment 14 days net."):
            check("one part pdf shows " + want, want in t, t[:400])
        lines = [l.strip() for l in t.splitlines()]
        check("address on two lines", any(l.startswith("Hafenstrasse 12") for l in lines) and
              any(l.startswith("20457 Hamburg") for l in lines), lines[:8])
        check("no backslash-n on paper", "\\n" not in t, "")
        check("one part 1 page", pdf_pages(pdf) == 1, "")
    qpdf_ok("one part", pdf)
    # The same inputs as text: the breakdown as always, then the totals.
    rc, out, err = run(path("plate.dxf"), *STEEL, "--qty", "1", "--pdf", pdf)
    check("one part text", rc == 0 and "Minimum charge" in out and
          re.search(r"total\s+47\.60 EUR", out) and "Q-" in out, out + err)
    # Without --pdf nothing is added to the JSON of issue 4.
    rc, out, err = run(path("plate.dxf"), *STEEL, "--qty", "1", "--json")
    check("one part plain json", rc == 0 and set(json.loads(out)) == {"geometry", "price"}, out)


def test_broken_part():
    pdf = path("three.pdf")
    rc, out, err = run(path("plate.dxf"), path("broken.dxf"), path("bracket.dxf"), *STEEL,
                       "--qty", "1", "--pdf", pdf, "--date", "2026-03-02", "--json")
    errs = [l for l in err.splitlines() if l.strip()]
    check("broken part exit 1", rc == 1, "%d %s" % (rc, err))
    check("one stderr line naming it", len(errs) == 1 and "broken.dxf" in errs[0] and
          "line 7" in errs[0], errs)
    q = json.loads(out) if out else {}
    parts = q.get("parts", [])
    check("parts in order", [os.path.basename(p["file"]) for p in parts] ==
          ["plate.dxf", "broken.dxf", "bracket.dxf"], parts)
    check("the broken part has its error", len(parts) == 3 and "price" not in parts[1] and
          "line 7" in parts[1].get("error", ""), parts[1:2])
    good = [p["price"]["total_minor"] for p in parts if "price" in p]
    sub = sum(good)
    tax = (sub * 19 + 50) // 100  # 19 %, half up (amounts are positive)
    check("totals of the good parts", q.get("priced") == 2 and q.get("failed") == 1 and
          q.get("subtotal_minor") == sub and q.get("tax_minor") == tax and
          q.get("total_minor") == sub + tax, q)
    check("default number with --date", q.get("quotation", {}).get("number") == "Q-20260302" and
          q["quotation"].get("date") == "2026-03-02", q.get("quotation"))
    if HAVE_POPPLER and os.path.exists(pdf):
        t = pdf_text(pdf)
        check("pdf has the good parts", "plate.dxf" in t and "bracket.dxf" in t and
              "broken.dxf" not in t, t[:600])
        check("pdf total", money(sub + tax) + " EUR" in t and "2 parts" in t, t[:600])
        check("pdf valid until", "2026-04-01" in t, "")  # 2026-03-02 + 30 days
        check("3 files, 1 page", pdf_pages(pdf) == 1, "")
    qpdf_ok("broken part", pdf)
    # Text: a block per part priced, then the totals.
    rc, out, err = run(path("plate.dxf"), path("broken.dxf"), path("bracket.dxf"), *STEEL,
                       "--qty", "1")
    check("text blocks and totals", rc == 1 and out.count("needs review") == 2 and
          "2 priced, 1 failed" in out and re.search(r"subtotal\s+%s EUR" % money(sub), out) and
          re.search(r"tax 19 %%\s+%s EUR" % money(tax), out), out)


def test_all_fail():
    pdf = path("none.pdf")
    rc, out, err = run(path("broken.dxf"), path("missing.dxf"), *STEEL, "--qty", "1",
                       "--pdf", pdf)
    check("all failed exit 1", rc == 1 and "broken.dxf" in err and "missing.dxf" in err and
          "not written" in err, err)
    left = [n for n in os.listdir(DIR) if n.startswith("none.pdf")]
    check("all failed: no pdf, no partial file", left == [], left)
    # A folder that does not exist: the quote is still printed, exit 1.
    bad = path("no/such/dir/q.pdf")
    rc, out, err = run(path("plate.dxf"), *STEEL, "--qty", "1", "--pdf", bad)
    check("unwritable pdf", rc == 1 and "q.pdf" in err and not os.path.exists(bad), err)


def test_overrides():
    # plate at qty 1 (40.00) and, overridden, at qty 100 (114.98, test_quote.py).
    rc, out, err = run(path("plate.dxf"), path("plate.dxf") + "@qty=100", *STEEL, "--qty", "1",
                       "--json")
    q = json.loads(out) if rc == 0 else {}
    totals = [p["price"]["total_minor"] for p in q.get("parts", [])]
    check("qty override", rc == 0 and totals == [4000, 11498], "%s %s" % (totals, err))
    # 154.98 + 19 % = 154.98 + 29.4462 -> 29.45 -> 184.43
    check("qty override totals", q.get("subtotal_minor") == 15498 and
          q.get("tax_minor") == 2945 and q.get("total_minor") == 18443, q)

    # Thickness 2 mm on the second: 15000 mm/min and 0.2 s per pierce (the
    # catalog), 30 mm travel per pierce at 30000 mm/min, 120/h:
    # 900/15000 + 2 x 0.2/60 + 2 x 30/30000 = 0.0686667 min -> 0.137 -> 0.14.
    rc, out, err = run(path("plate.dxf"), path("plate.dxf") + "@thickness=2,option=rush",
                       *STEEL, "--qty", "1", "--json")
    q = json.loads(out) if rc == 0 else {}
    p = q.get("parts", [{}, {}])
    cut = [l["amount_minor"] for l in p[1].get("price", {}).get("lines", [])
           if l["label"] == "Cutting"]
    check("thickness override", rc == 0 and
          p[1]["price"]["material"]["thickness_mm"] == 2 and cut == [14] and
          p[0]["price"]["material"]["thickness_mm"] == 3, "%s %s" % (cut, err))
    check("option on one part only", rc == 0 and p[1]["price"]["options"] == {"rush": True} and
          p[0]["price"]["options"] == {} and p[1]["price"]["lead_time_days"] == 2 and
          p[0]["price"]["lead_time_days"] == 5, "")
    # A per-file option replaces the one given to all.
    rc, out, err = run(path("plate.dxf") + "@option=rush=no", path("plate.dxf"), *STEEL,
                       "--qty", "1", "--option", "rush", "--json")
    q = json.loads(out) if rc == 0 else {}
    opts = [p["price"]["options"] for p in q.get("parts", [])]
    check("option override", opts == [{"rush": "no"}, {"rush": True}], "%s %s" % (opts, err))
    # Material per file, no --material at all.
    rc, out, err = run(path("plate.dxf") + "@material=Stainless steel 304,thickness=2,qty=4",
                       path("bracket.dxf") + "@material=Aluminium 5052,thickness=3,qty=2",
                       "--json")
    q = json.loads(out) if rc == 0 else {}
    mats = [(p["price"]["material"]["name"], p["price"]["quantity"]) for p in q.get("parts", [])]
    check("material per file", mats == [("Stainless steel 304", 4), ("Aluminium 5052", 2)],
          "%s %s" % (mats, err))
    # A file whose own name has an '@' is taken whole.
    at = path("left@2x.dxf")
    shutil.copy(path("bracket.dxf"), at)
    rc, out, err = run(at, at + "@qty=3", *STEEL, "--qty", "1", "--json")
    q = json.loads(out) if rc == 0 else {}
    check("'@' in a file name", [p["file"] for p in q.get("parts", [])] == [at, at] and
          [p["price"]["quantity"] for p in q["parts"]] == [1, 3], err)
    # An unknown material for one file fails that part only.
    rc, out, err = run(path("plate.dxf"), path("bracket.dxf") + "@material=Unobtainium",
                       *STEEL, "--qty", "1", "--json")
    q = json.loads(out) if out else {}
    check("unknown material on one part", rc == 1 and q.get("priced") == 1 and
          "no material 'Unobtainium'" in err and "bracket.dxf@material=Unobtainium" in err, err)


def test_review_note():
    # A 1 mm gap: an open contour, priced, but flagged for review (issue 4);
    # the row says so under the part's name.
    gap = path("gap.dxf")
    with open(gap, "w") as f:
        f.write(dxf(line(0, 0, 200, 0) + line(200, 0, 200, 100) + line(200, 100, 0, 100) +
                    line(0, 100, 0, 1)))
    pdf = path("gap.pdf")
    rc, out, err = run(gap, path("plate.dxf"), *STEEL, "--qty", "1", "--pdf", pdf, "--json")
    q = json.loads(out) if rc == 0 else {}
    check("gap priced for review", rc == 0 and q["parts"][0]["price"]["needs_review"] is True and
          q["parts"][1]["price"]["needs_review"] is False, err)
    if HAVE_POPPLER and rc == 0:
        t = pdf_text(pdf)
        check("review note on the gap's row only", t.count("Needs review") == 1 and
              re.search(r"gap\.dxf.*\n.*Needs review", t), t[:900])


def test_deterministic():
    a, b, c = path("a.pdf"), path("b.pdf"), path("c.pdf")
    args = [path("plate.dxf"), path("bracket.dxf") + "@qty=7", *STEEL, "--qty", "2",
            "--date", "2026-11-29", "--customer", "Someone\\nSomewhere"]
    rc1, _, e1 = run(*args, "--pdf", a)
    rc2, _, e2 = run(*args, "--pdf", b)
    check("two runs with --date", rc1 == 0 and rc2 == 0, e1 + e2)
    same = os.path.exists(a) and open(a, "rb").read() == open(b, "rb").read()
    check("--date: byte-identical", same, "")
    rc3, _, e3 = run(*args, "--pdf", c, "--number", "Q-OTHER")
    check("another number, other bytes", rc3 == 0 and open(a, "rb").read() != open(c, "rb").read(),
          e3)
    if HAVE_POPPLER and same:
        info = subprocess.run(["pdfinfo", a], capture_output=True, text=True).stdout
        check("creation date is the quote's date", "Nov 29 00:00:00 2026" in info, info)
    qpdf_ok("deterministic", a)
    # Without --date: numbered from the clock.
    rc, out, err = run(path("plate.dxf"), *STEEL, "--qty", "1", "--pdf", path("d.pdf"),
                       "--json")
    num = json.loads(out)["quotation"]["number"] if rc == 0 else ""
    check("default number", re.fullmatch(r"Q-\d{8}-\d{4}", num) is not None, num + err)


def test_usage():
    cases = [
        ([path("plate.dxf"), path("bracket.dxf"), "--png", path("x.png")], "one FILE.dxf"),
        ([path("plate.dxf") + "@colour=red"], "plate.dxf@colour=red: unknown key 'colour'"),
        ([path("plate.dxf") + "@qty=0"], "plate.dxf@qty=0: qty must be a whole number"),
        ([path("plate.dxf") + "@thickness=x"], "thickness must be a number"),
        ([path("plate.dxf") + "@qty"], "is not key=value"),
        ([path("plate.dxf") + "@"], "nothing after '@'"),
        ([path("plate.dxf") + "@option=Bad"], "option must be KEY"),
        ([path("plate.dxf"), "--customer", "x"], "give --pdf"),
        ([path("plate.dxf"), "--pdf", path("x.pdf"), "--date", "2026-02-30"], "--date"),
    ]
    for args, want in cases:
        rc, out, err = run(*args, *STEEL, "--qty", "1")
        check("usage: " + want, rc == 2 and want in err and out == "", "%d %s" % (rc, err))
    rc, out, err = run(path("plate.dxf") + "@material=Mild steel S235",
                       path("bracket.dxf") + "@qty=2", "--thickness", "3", "--qty", "1")
    check("usage: material missing names the file", rc == 2 and "bracket.dxf@qty=2: no material"
          in err, err)
    check("usage writes nothing", not os.path.exists(path("x.png")) and
          not os.path.exists(path("x.pdf")), "")


def test_corpus(shared):
    part = os.path.join(shared, "corpus", "cadquery__vslot-2020_1.dxf")
    if not os.path.exists(part):
        print("skip: no corpus at %s (it is not shipped with the project)" % part)
        return
    pdf = path("corpus.pdf")
    rc, out, err = run(part + "@material=Stainless steel 304,thickness=2,qty=25",
                       path("plate.dxf"), *STEEL, "--qty", "1", "--json", "--pdf", pdf,
                       "--date", "2026-06-01")
    q = json.loads(out) if rc == 0 else {}
    check("corpus part priced", rc == 0 and q.get("priced") == 2, err)
    if rc != 0:
        return
    total = q["total_minor"]
    check("corpus totals", q["subtotal_minor"] == sum(p["price"]["total_minor"]
                                                      for p in q["parts"]), q)
    if HAVE_POPPLER:
        t = pdf_text(pdf)
        check("corpus pdf", "cadquery__vslot-2020_1.dxf" in t and money(total) + " EUR" in t,
              t[:600])
    qpdf_ok("corpus", pdf)


def main():
    global EXE, DIR
    EXE = os.path.abspath(sys.argv[1])
    shared = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared")
    if not HAVE_POPPLER:
        print("skip: pdftotext/pdfinfo not installed (poppler-utils; tools/deps.sh --test): "
              "the PDF's text and page count are not checked")
    if not HAVE_QPDF:
        print("skip: qpdf not installed (tools/deps.sh --test): qpdf --check is not run")
    DIR = tempfile.mkdtemp(prefix="dxfq-quote-pdf-")
    try:
        setup()
        test_one_part()
        test_broken_part()
        test_all_fail()
        test_overrides()
        test_review_note()
        test_deterministic()
        test_usage()
        test_corpus(shared)
    finally:
        shutil.rmtree(DIR, ignore_errors=True)
    print("%d passed, %d failed" % (passed, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

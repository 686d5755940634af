#!/usr/bin/env python3
"""Hostile inputs to `dxfquote inspect`: each gives a clear error (exit 1, one
line naming what and where) or a result, within a bounded time and memory.
The time bound is a hang guard, not a benchmark (machines are shared).

usage: test_hostile.py DXFQUOTE
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile

HANG_GUARD_S = 300


def dxf(entities, blocks=""):
    head = "0\nSECTION\n2\nHEADER\n9\n$INSUNITS\n70\n4\n0\nENDSEC\n"
    if blocks:
        head += "0\nSECTION\n2\nBLOCKS\n" + blocks + "0\nENDSEC\n"
    return head + "0\nSECTION\n2\nENTITIES\n" + entities + "0\nENDSEC\n0\nEOF\n"


def line(x0, y0, x1, y1):
    return "0\nLINE\n8\n0\n10\n%g\n20\n%g\n11\n%g\n21\n%g\n" % (x0, y0, x1, y1)


def insert(name, x=0.0, y=0.0):
    return "0\nINSERT\n8\n0\n2\n%s\n10\n%g\n20\n%g\n" % (name, x, y)


def block(name, body):
    return "0\nBLOCK\n8\n0\n2\n%s\n70\n0\n10\n0\n20\n0\n%s0\nENDBLK\n" % (name, body)


def write(d, name, data):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


def cases(d):
    """(name, path, env, expected exit code, words the error must contain)."""
    out = []
    out.append(("empty file", write(d, "empty.dxf", b""), {}, 1, ["empty"]))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + os.urandom(2000)
    out.append(("PNG renamed .dxf", write(d, "image.dxf", png), {}, 1, ["not a DXF"]))

    # 100 MB on one line, no newline: over the 50 MB cap, and with the cap
    # raised the reader must still stop at the long line quickly.
    big = os.path.join(d, "oneline.dxf")
    with open(big, "wb") as f:
        f.write(b"0\nSECTION\n2\nENTITIES\n0\nLINE\n10\n")
        chunk = b"1" * (1 << 20)
        for _ in range(100):
            f.write(chunk)
    out.append(("100 MB line, default cap", big, {}, 1, ["MB"]))
    out.append(("100 MB line, cap raised", big, {"DXFQUOTE_LIMITS_UPLOAD_MB": "200"}, 1,
                ["line"]))

    # About 48 MB of real geometry under the 50 MB cap: a grid of squares.
    parts = []
    size = 0
    i = 0
    while size < 48_000_000:
        x, y = (i % 1000) * 12.0, (i // 1000) * 12.0
        s = (line(x, y, x + 10, y) + line(x + 10, y, x + 10, y + 10) +
             line(x + 10, y + 10, x, y + 10) + line(x, y + 10, x, y))
        parts.append(s)
        size += len(s)
        i += 1
    out.append(("48 MB drawing", write(d, "big.dxf", dxf("".join(parts))), {}, 0, []))

    # 2 million entities after block expansion, from a small file.
    body = "".join(line(k, 0, k, 5) for k in range(2000))
    ins = "".join(insert("ROW", 0, 10.0 * r) for r in range(1000))
    out.append(("2 million entities", write(d, "two_million.dxf", dxf(ins, block("ROW", body))),
                {}, 0, []))

    # Each level inserts the next ten times: 10^16 entities if nobody counts.
    blocks = "".join(block("L%d" % k, "".join(insert("L%d" % (k + 1), j, 0) for j in range(10)))
                     for k in range(15))
    blocks += block("L15", line(0, 0, 1, 0))
    out.append(("exponential expansion", write(d, "bomb.dxf", dxf(insert("L0"), blocks)), {},
                1, ["entities"]))

    blocks = "".join(block("N%d" % k, insert("N%d" % (k + 1))) for k in range(100))
    blocks += block("N100", line(0, 0, 1, 0))
    out.append(("nesting 100 deep", write(d, "deep.dxf", dxf(insert("N0"), blocks)), {}, 1,
                ["nest"]))

    blocks = block("A", insert("B")) + block("B", insert("A"))
    out.append(("block recursion", write(d, "loop.dxf", dxf(insert("A"), blocks)), {}, 1,
                ["recurs"]))

    n = 1_000_000
    knots = "".join("40\n%d\n" % min(max(k - 3, 0), n - 7) for k in range(n))
    ctrl = "".join("10\n%d\n20\n0\n30\n0\n" % k for k in range(n - 4))
    spl = ("0\nSPLINE\n8\n0\n70\n8\n71\n3\n72\n%d\n73\n%d\n74\n0\n" % (n, n - 4)) + knots + ctrl
    out.append(("spline with 10^6 knots", write(d, "knots.dxf", dxf(spl)), {}, 1, ["knot"]))

    trunc = dxf(line(0, 0, 10, 0) + line(10, 0, 10, 10))[:-30]
    out.append(("truncated", write(d, "trunc.dxf", trunc), {}, 1, ["end of file"]))
    bad = dxf(line(0, 0, 10, 0)).replace("10\n0\n20", "10\nabc\n20", 1)
    out.append(("bad number", write(d, "badnum.dxf", bad), {}, 1, ["line", "abc"]))
    return out


def main():
    exe = sys.argv[1]
    d = tempfile.mkdtemp(prefix="dxfq-hostile-")
    passed = failed = 0
    try:
        for name, path, env, want, words in cases(d):
            e = dict(os.environ, **env)
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            try:
                p = subprocess.run([exe, "inspect", "--json", path], capture_output=True,
                                   text=True, timeout=HANG_GUARD_S, env=e)
            except subprocess.TimeoutExpired:
                failed += 1
                print("FAIL %s: no answer within %d s" % (name, HANG_GUARD_S))
                continue
            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            err = p.stderr.strip()
            problems = []
            if p.returncode != want:
                problems.append("exit %d, expected %d (%s)" % (p.returncode, want, err[:200]))
            if want == 1:
                if len(err.splitlines()) != 1:
                    problems.append("expected one line on stderr, got %r" % err[:300])
                for w in words:
                    if w.lower() not in err.lower():
                        problems.append("message lacks %r: %r" % (w, err[:200]))
            if rss > before and rss > 3 * 1024 * 1024:
                problems.append("peak RSS %d MB" % (rss // 1024))
            if problems:
                failed += 1
                print("FAIL %s: %s" % (name, "; ".join(problems)))
            else:
                passed += 1
                print("ok   %s: exit %d %s" % (name, p.returncode, err[:120]))
    finally:
        shutil.rmtree(d)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

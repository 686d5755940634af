#!/usr/bin/env python3
"""`dxfquote render`: sizes, exit codes and messages, run on the real binary.

usage: test_render_cli.py DXFQUOTE FIXTURES_DIR
The PNG's size is read from its IHDR chunk; its pixels are checked by the
unit tests.
"""
import os
import struct
import subprocess
import sys
import tempfile

failed = 0


def check(cond, what):
    global failed
    if not cond:
        failed += 1
        print("FAIL", what)


def run(*args, env=None):
    e = dict(os.environ)
    e.pop("DXFQUOTE_RENDER_DETAIL_WIDTH", None)
    if env:
        e.update(env)
    p = subprocess.run([BIN, "render", *args], capture_output=True, text=True, env=e,
                       cwd=TMP, timeout=60)
    return p.returncode, p.stdout, p.stderr


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(33)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


BIN, FIX = sys.argv[1], sys.argv[2]
PLATE = os.path.join(FIX, "plate.dxf")
with tempfile.TemporaryDirectory() as TMP:
    out = os.path.join(TMP, "p.png")

    rc, so, se = run(PLATE, out)
    check(rc == 0, "default render exits 0: %s" % se)
    check(png_size(out) == (1200, 900), "default is the detail size 1200x900")

    rc, so, se = run(PLATE, out, "--thumbnail")
    check(rc == 0 and png_size(out) == (240, 180), "--thumbnail is 240x180")

    rc, so, se = run(PLATE, out, "--size", "300x200")
    check(rc == 0 and png_size(out) == (300, 200), "--size 300x200")
    rc, so, se = run(PLATE, out, "--size=16X8192")
    check(rc == 0 and png_size(out) == (16, 8192), "--size=16X8192")

    rc, so, se = run(PLATE, out, env={"DXFQUOTE_RENDER_DETAIL_WIDTH": "640",
                                      "DXFQUOTE_RENDER_DETAIL_HEIGHT": "480"})
    check(rc == 0 and png_size(out) == (640, 480), "detail size from the configuration")

    for bad in ["0x0", "100", "15x100", "100x8193", "axb", "100x", "x100", "100x100x3",
                "-5x10", "1e3x100"]:
        rc, so, se = run(PLATE, out, "--size", bad)
        check(rc == 2 and "--size" in se, "bad --size %r exits 2 naming the option: %r"
              % (bad, se))
    rc, so, se = run(PLATE, out, "--size", "300x200", "--thumbnail")
    check(rc == 2, "--size with --thumbnail exits 2")
    rc, so, se = run(PLATE)
    check(rc == 2 and "expected FILE.dxf OUT.png" in se, "one argument exits 2")
    rc, so, se = run(PLATE, out, "--units", "furlong")
    check(rc == 2 and "--units" in se, "bad --units exits 2")
    rc, so, se = run(PLATE, out, "--bogus")
    check(rc == 2, "unknown option exits 2")

    rc, so, se = run(os.path.join(TMP, "missing.dxf"), out)
    check(rc == 1 and "missing.dxf" in se, "missing input exits 1 naming it: %r" % se)
    notdxf = os.path.join(TMP, "x.dxf")
    with open(notdxf, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\nnot a drawing")
    rc, so, se = run(notdxf, out)
    check(rc == 1 and "PNG" in se, "a PNG given as DXF exits 1: %r" % se)
    rc, so, se = run(PLATE, os.path.join(TMP, "no", "such", "dir.png"))
    check(rc == 1 and "dir.png" in se, "unwritable output exits 1 naming it: %r" % se)

print("%d failed" % failed)
sys.exit(1 if failed else 0)

#!/usr/bin/python3
"""Corpus-like DXF parts of a chosen size, made by our own code (the corpus
in ../shared is not ours to copy).

    genpart.py SIZE_KB OUT.dxf [SEED]

A part is what a job shop gets: a plate with rounded corners (lines and
arcs), a grid of round holes of a few sizes, slots (two lines, two arcs),
keyholes (an LWPOLYLINE with bulges) and a few rectangular cut-outs, on
two layers, in millimetres (R2000 header).  Every contour is closed and
none touches another, so the part measures and prices without warnings.
Features are added in rows until the text reaches SIZE_KB kilobytes; a
1,000 KB part holds about 6,000 features, like ../shared/peers/gen_dxf.py's
gen_1mb.dxf.  SEED varies the coordinates' last digits, so two parts of the
same size have different SHA-256 (the server deduplicates stored files
but measures every part).
"""
import math
import random
import sys

PITCH = 12.0  # mm between feature centres


def _num(x):
    return f"{x:.4f}"


class _Out:
    def __init__(self):
        self.parts = []
        self.size = 0

    def add(self, *pairs):
        s = "".join(f"{c}\n{v}\n" for c, v in pairs)
        self.parts.append(s)
        self.size += len(s)

    def line(self, layer, x1, y1, x2, y2):
        self.add((0, "LINE"), (8, layer), (10, _num(x1)), (20, _num(y1)), (30, "0.0"),
                 (11, _num(x2)), (21, _num(y2)), (31, "0.0"))

    def arc(self, layer, x, y, r, a0, a1):
        self.add((0, "ARC"), (8, layer), (10, _num(x)), (20, _num(y)), (30, "0.0"),
                 (40, _num(r)), (50, _num(a0)), (51, _num(a1)))

    def circle(self, layer, x, y, r):
        self.add((0, "CIRCLE"), (8, layer), (10, _num(x)), (20, _num(y)), (30, "0.0"),
                 (40, _num(r)))

    def lwpoly(self, layer, pts):
        """pts: (x, y, bulge); closed."""
        pairs = [(0, "LWPOLYLINE"), (8, layer), (90, len(pts)), (70, 1)]
        for x, y, b in pts:
            pairs += [(10, _num(x)), (20, _num(y))]
            if b:
                pairs.append((42, _num(b)))
        self.add(*pairs)


def _feature(o, k, cx, cy, rnd):
    j = rnd.uniform(-0.01, 0.01)
    kind = k % 8
    if kind < 4:  # round holes, three sizes
        o.circle("CUT", cx + j, cy, (1.5, 2.5, 3.5, 2.0)[kind])
    elif kind == 4:  # slot 8 x 3
        o.line("CUT", cx - 4, cy - 1.5 + j, cx + 4, cy - 1.5 + j)
        o.arc("CUT", cx + 4, cy + j, 1.5, 270.0, 90.0)
        o.line("CUT", cx + 4, cy + 1.5 + j, cx - 4, cy + 1.5 + j)
        o.arc("CUT", cx - 4, cy + j, 1.5, 90.0, 270.0)
    elif kind == 5:  # keyhole: a 3 mm head over a 1.5 mm wide neck
        h = 1.5
        a = math.asin(0.75 / h)
        x0, y0 = cx - 0.75, cy + j - h * math.cos(a)
        # neck down, across, up to the head, round the head (bulge), back
        o.lwpoly("CUT", [(x0, y0 - 3.0, 0), (x0 + 1.5, y0 - 3.0, 0),
                         (x0 + 1.5, y0, math.tan((2 * math.pi - 2 * a) / 4)), (x0, y0, 0)])
    elif kind == 6:  # rectangular cut-out
        o.lwpoly("CUT", [(cx - 3, cy - 2 + j, 0), (cx + 3, cy - 2 + j, 0),
                         (cx + 3, cy + 2 + j, 0), (cx - 3, cy + 2 + j, 0)])
    else:  # a hole on the engraving layer's twin
        o.circle("CUT2", cx, cy + j, 1.0)


def part(size_kb, seed=1):
    """The DXF text (bytes) of a part of about size_kb kilobytes."""
    rnd = random.Random(seed)
    target = int(size_kb * 1000)
    o = _Out()
    head = ("0\nSECTION\n2\nHEADER\n9\n$ACADVER\n1\nAC1015\n9\n$INSUNITS\n70\n4\n0\nENDSEC\n"
            "0\nSECTION\n2\nENTITIES\n")
    tail = "0\nENDSEC\n0\nEOF\n"
    feats = []
    cols = 0
    # The feature grid is square-ish: about 80 bytes a feature.
    n_est = max(1, (target - 1200) // 80)
    cols = max(1, int(math.sqrt(n_est)))
    fo = _Out()
    k = 0
    while len(head) + fo.size + 1200 + len(tail) < target:
        r, c = divmod(k, cols)
        _feature(fo, k + seed, 20 + c * PITCH, 20 + r * PITCH, rnd)
        k += 1
    rows = (k + cols - 1) // cols
    w, h = 40 + (cols - 1) * PITCH, 40 + max(rows - 1, 0) * PITCH
    rc = 8.0  # corner radius
    o.line("OUTLINE", rc, 0, w - rc, 0)
    o.arc("OUTLINE", w - rc, rc, rc, 270.0, 360.0)
    o.line("OUTLINE", w, rc, w, h - rc)
    o.arc("OUTLINE", w - rc, h - rc, rc, 0.0, 90.0)
    o.line("OUTLINE", w - rc, h, rc, h)
    o.arc("OUTLINE", rc, h - rc, rc, 90.0, 180.0)
    o.line("OUTLINE", 0, h - rc, 0, rc)
    o.arc("OUTLINE", rc, rc, rc, 180.0, 270.0)
    feats = fo.parts
    return (head + "".join(o.parts) + "".join(feats) + tail).encode()


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    data = part(float(sys.argv[1]), int(sys.argv[3]) if len(sys.argv) == 4 else 1)
    with open(sys.argv[2], "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())

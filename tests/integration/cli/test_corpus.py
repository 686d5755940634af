#!/usr/bin/env python3
"""Corpus test: `dxfquote inspect --json` on every file of ../shared/corpus
against the reference figures in expected.tsv (measured by ezdxf and dxflib,
see that folder's README).

Required: cut length within 0.1 %, each bbox edge within 0.01 % of the bbox
diagonal, no bbox and zero length where there is no cut geometry.  Rows with
status `none` must be rejected (exit 1) or come with a warning.  Every
exception is in ALLOW below, with its reason.

The corpus is not ours to ship: the test says it skips when it is absent.
usage: test_corpus.py DXFQUOTE [SHARED_DIR]
"""
import csv
import json
import os
import subprocess
import sys

# file -> reason the reference cannot be matched.  Keep this short and honest.
ALLOW = {
}

REL_LEN = 1e-3
REL_BBOX = 1e-4


def check_row(exe, folder, row):
    path = os.path.join(folder, row["file"])
    p = subprocess.run([exe, "inspect", "--json", path], capture_output=True, text=True,
                       timeout=120)
    status = row["status"]
    if status == "none":
        if p.returncode == 1:
            return None
        if p.returncode == 0 and json.loads(p.stdout).get("warnings"):
            return None
        return "status none: expected exit 1 or a warning, got exit %d" % p.returncode
    if p.returncode != 0:
        return "exit %d: %s" % (p.returncode, p.stderr.strip()[:300])
    try:
        got = json.loads(p.stdout)
    except ValueError as e:
        return "output is not one JSON object: %s" % e
    want_len = float(row["cut_length_mm"])
    got_len = got.get("cut_length_mm")
    if not isinstance(got_len, (int, float)):
        return "cut_length_mm missing"
    if want_len == 0:
        if got_len != 0:
            return "cut length %.6f, expected 0" % got_len
        if got.get("bbox") not in (None, {}):
            return "bbox present on a file with no cut geometry"
        return None
    if abs(got_len - want_len) > REL_LEN * want_len:
        return "cut length %.6f, expected %.6f (%.4f %%)" % (
            got_len, want_len, 100 * (got_len - want_len) / want_len)
    bb = got.get("bbox") or {}
    w = {k: float(row[k]) for k in ("min_x", "min_y", "max_x", "max_y")}
    diag = ((w["max_x"] - w["min_x"]) ** 2 + (w["max_y"] - w["min_y"]) ** 2) ** 0.5
    for k, v in w.items():
        if not isinstance(bb.get(k), (int, float)):
            return "bbox.%s missing" % k
        if abs(bb[k] - v) > REL_BBOX * diag + 1e-9:
            return "bbox.%s %.6f, expected %.6f (diagonal %.3f)" % (k, bb[k], v, diag)
    return None


def main():
    exe = sys.argv[1]
    shared = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "..", "shared")
    folder = os.path.join(shared, "corpus")
    table = os.path.join(folder, "expected.tsv")
    if not os.path.exists(table):
        print("skip: no corpus at %s (it is not shipped with the project)" % folder)
        print("0 passed, 0 failed, 1 skipped")
        return 0
    passed = failed = allowed = 0
    with open(table, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows:
        problem = check_row(exe, folder, row)
        if problem and row["file"] in ALLOW:
            allowed += 1
            print("allowed %s: %s (%s)" % (row["file"], problem, ALLOW[row["file"]]))
        elif problem:
            failed += 1
            print("FAIL %s [%s]: %s" % (row["file"], row["status"], problem))
        else:
            passed += 1
    stale = [f for f in ALLOW if f not in {r["file"] for r in rows}]
    for f in stale:
        failed += 1
        print("FAIL allow-list names %s, which is not in the corpus" % f)
    print("corpus: %d files, %d match, %d allowed exceptions" % (len(rows), passed, allowed))
    print("%d passed, %d failed" % (passed + allowed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmark of `dxfquote inspect` against the peers, in one run on one machine.

For each file it runs every tool RUNS times (after one warm-up run) and
reports the median wall time and the median peak RSS, measured per process
with wait4() (so interpreter start-up is included for ezdxf, as a user sees
it).  Files: the corpus's largest drawings (from ../shared, skipped when it
is absent) and generated parts of about 1, 20 and 50 MB made by the peers'
generator (../shared/peers/gen_dxf.py) in the cache folder.

Peers: dxflib_measure (C++ dxflib parse + measure; built here from
../shared/peers/dxflib_measure.cpp) and ezdxf_measure.py (Python).

usage: tools/bench/bench_inspect.py [--runs N] [--no-ezdxf] [--out FILE.md] DXFQUOTE
Needs: tools/deps.sh --bench (libdxflib-dev, python3-ezdxf).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(ROOT, "..", "shared")
CACHE = os.path.join(ROOT, ".cache", "bench")
SYS_PY = "/usr/bin/python3"

GENERATED = [("gen_1mb.dxf", 6600), ("gen_20mb.dxf", 132000), ("gen_50mb.dxf", 330000)]


def run_once(cmd):
    """(wall seconds, peak RSS MiB, exit code) of one process."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    t0 = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                        (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    os.close(devnull)
    return wall, ru.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)


def measure(cmd, runs):
    run_once(cmd)  # warm-up: page cache, lazy binding
    walls, rss, codes = [], [], []
    for _ in range(runs):
        w, r, c = run_once(cmd)
        walls.append(w)
        rss.append(r)
        codes.append(c)
    return {"time": statistics.median(walls), "rss": statistics.median(rss),
            "ok": all(c == 0 for c in codes), "times": walls}


def prepare():
    os.makedirs(CACHE, exist_ok=True)
    dxflib = os.path.join(CACHE, "dxflib_measure")
    src = os.path.join(SHARED, "peers", "dxflib_measure.cpp")
    if not os.path.exists(dxflib) and os.path.exists(src):
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "dxflib"],
                               capture_output=True, text=True).stdout.split()
        subprocess.run(["g++", "-O2", "-std=c++17", src, "-o", dxflib] + flags, check=True)
    files = []
    gen = os.path.join(SHARED, "peers", "gen_dxf.py")
    for name, holes in GENERATED:
        path = os.path.join(CACHE, name)
        if not os.path.exists(path) and os.path.exists(gen):
            subprocess.run([SYS_PY, gen, "--holes", str(holes), "--out", path], check=True,
                           stdout=subprocess.DEVNULL)
        if os.path.exists(path):
            files.append(path)
    corpus = os.path.join(SHARED, "corpus")
    if os.path.isdir(corpus):
        dxfs = [os.path.join(corpus, f) for f in os.listdir(corpus)
                if f.lower().endswith(".dxf")]
        files = sorted(dxfs, key=os.path.getsize)[-3:] + files
    return files, dxflib if os.path.exists(dxflib) else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dxfquote")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-ezdxf", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    files, dxflib = prepare()
    if not files:
        print("no files: ../shared is absent and nothing could be generated")
        return 1
    lines = ["| file | MB | dxfquote s | dxflib s | ezdxf s | time vs dxflib | "
             "dxfquote RSS MB | dxflib RSS MB | ezdxf RSS MB | RSS vs dxflib |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    verdicts = []
    for f in files:
        mb = os.path.getsize(f) / 1e6
        ours = measure([args.dxfquote, "inspect", "--json", f], args.runs)
        peer = measure([dxflib, f], args.runs) if dxflib else None
        ez = None
        if not args.no_ezdxf and mb < 25:
            ez = measure([SYS_PY, os.path.join(SHARED, "peers", "ezdxf_measure.py"), f],
                         max(1, min(args.runs, 3)))

        def cell(m, key, fmt):
            if not m:
                return "–"
            return (fmt % m[key]) + ("" if m["ok"] else " (failed)")
        tr = rr = "–"
        if peer and peer["ok"] and ours["ok"]:
            tr = "1/%.1f" % (peer["time"] / ours["time"])
            rr = "%.2f×" % (ours["rss"] / peer["rss"])
            if os.path.basename(f) == "gen_20mb.dxf":
                t_ok = ours["time"] * 8 <= peer["time"]
                r_ok = ours["rss"] <= 1.5 * peer["rss"]
                verdicts.append("target on gen_20mb.dxf: time %s (%s of dxflib, target 1/8); "
                                "RSS %s (%s of dxflib, target 1.5×)" % (
                                    "met" if t_ok else "MISSED", tr, "met" if r_ok else "MISSED",
                                    rr))
        lines.append("| %s | %.1f | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            os.path.basename(f), mb, cell(ours, "time", "%.3f"), cell(peer, "time", "%.3f"),
            cell(ez, "time", "%.2f"), tr, cell(ours, "rss", "%.0f"), cell(peer, "rss", "%.0f"),
            cell(ez, "rss", "%.0f"), rr))
        print(lines[-1], flush=True)
    text = "\n".join(lines + [""] + verdicts) + "\n"
    text += "\nmedian of %d runs after one warm-up; %s; %d cores\n" % (
        args.runs, time.strftime("%Y-%m-%d"), os.cpu_count())
    print("\n".join(verdicts))
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

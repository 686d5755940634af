#!/usr/bin/env python3
"""Benchmark of `dxfquote inspect` against the peers, in one run on one machine.

For each file it runs every tool RUNS times (after one warm-up run) and
reports the median wall time, the median CPU time (user + system) and the
median peak RSS, measured per process with wait4() (so interpreter start-up
is included for ezdxf, as a user sees it).  CPU time is reported beside wall
time because the machine may be shared: wall time counts the time a process
waits for a core, CPU time does not.

Files: the corpus's three largest drawings (from ../shared, skipped when it
is absent) and generated parts made by the peers' generator
(../shared/peers/gen_dxf.py) in .cache/bench: about 1 MB (6,600 holes),
20 MB (132,000 holes) and 48 MB (303,000 holes: under the 50 MiB upload
cap, [limits] upload_mb = 50, so the default configuration accepts it).

Peers: dxflib_measure (C++ dxflib parse + measure; built here from
../shared/peers/dxflib_measure.cpp) and ezdxf_measure.py (Python).  ezdxf
takes minutes on the big files, so it runs --ezdxf-runs times (default 3)
on files up to 5 MB and once above; --no-ezdxf leaves it out.

Targets (issue 3) on gen_20mb.dxf: inspect's wall time at most 1/8 of
dxflib's, peak RSS at most 1.5x dxflib's; the verdict says by how much a
target is missed.

usage: tools/bench/bench_inspect.py [--runs N] [--ezdxf-runs N] [--no-ezdxf]
                                    [--out FILE.md] DXFQUOTE
Needs: libdxflib-dev, python3-ezdxf (tools/deps.sh --bench).
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
UPLOAD_CAP = 50 << 20  # [limits] upload_mb default, in bytes

GENERATED = [("gen_1mb.dxf", 6600), ("gen_20mb.dxf", 132000), ("gen_48mb.dxf", 303000)]


def run_once(cmd):
    """(wall s, CPU s, peak RSS MiB, exit code) of one process."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    t0 = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                        (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    os.close(devnull)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)


def measure(cmd, runs):
    run_once(cmd)  # warm-up: page cache, lazy binding
    walls, cpus, rss, codes = [], [], [], []
    for _ in range(runs):
        w, c, r, code = run_once(cmd)
        walls.append(w)
        cpus.append(c)
        rss.append(r)
        codes.append(code)
    return {"time": statistics.median(walls), "cpu": statistics.median(cpus),
            "rss": statistics.median(rss), "ok": all(c == 0 for c in codes), "runs": runs}


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


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
            if os.path.getsize(path) > UPLOAD_CAP:
                sys.exit("%s is %d bytes, over the 50 MiB upload cap: fewer holes" %
                         (path, os.path.getsize(path)))
            files.append(path)
    corpus = os.path.join(SHARED, "corpus")
    if os.path.isdir(corpus):
        dxfs = [os.path.join(corpus, f) for f in os.listdir(corpus)
                if f.lower().endswith(".dxf")]
        files = sorted(dxfs, key=os.path.getsize)[-3:] + files
    return files, dxflib if os.path.exists(dxflib) else None


def ratio(ours, peer):
    """'1/N' when ours is faster or smaller, 'N x' otherwise."""
    if ours <= peer:
        return "1/%.1f" % (peer / ours)
    return "%.2f×" % (ours / peer)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dxfquote")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ezdxf-runs", type=int, default=3)
    ap.add_argument("--no-ezdxf", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    files, dxflib = prepare()
    if not files:
        print("no files: ../shared is absent and nothing could be generated")
        return 1
    load0 = loadavg()
    lines = ["| file | MB | dxfquote s | dxflib s | ezdxf s | time vs dxflib | "
             "dxfquote CPU s | dxflib CPU s | CPU vs dxflib | "
             "dxfquote RSS MB | dxflib RSS MB | ezdxf RSS MB | RSS vs dxflib |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    print("\n".join(lines), flush=True)
    verdicts = []
    for f in files:
        mb = os.path.getsize(f) / 1e6
        ours = measure([args.dxfquote, "inspect", "--json", f], args.runs)
        peer = measure([dxflib, f], args.runs) if dxflib else None
        ez = None
        if not args.no_ezdxf:
            ez = measure([SYS_PY, os.path.join(SHARED, "peers", "ezdxf_measure.py"), f],
                         args.ezdxf_runs if mb <= 5 else 1)

        def cell(m, key, fmt):
            if not m:
                return "–"
            return (fmt % m[key]) + ("" if m["ok"] else " (failed)")
        tr = cr = rr = "–"
        if peer and peer["ok"] and ours["ok"]:
            tr = ratio(ours["time"], peer["time"])
            cr = ratio(ours["cpu"], peer["cpu"])
            rr = ratio(ours["rss"], peer["rss"])
            if os.path.basename(f) == "gen_20mb.dxf":
                t_ok = ours["time"] * 8 <= peer["time"]
                r_ok = ours["rss"] <= 1.5 * peer["rss"]
                v = ("gen_20mb.dxf: wall time %.3f s = %s of dxflib's %.3f s, target 1/8: %s; "
                     % (ours["time"], tr, peer["time"],
                        "met" if t_ok else "MISSED by %.1fx (target %.3f s)" %
                        (ours["time"] * 8 / peer["time"], peer["time"] / 8)))
                v += ("CPU time %s of dxflib's; " % cr)
                v += ("peak RSS %.0f MB = %s of dxflib's %.0f MB, target <= 1.5×: %s" %
                      (ours["rss"], rr, peer["rss"],
                       "met" if r_ok else "MISSED by %.2fx" % (ours["rss"] / (1.5 * peer["rss"]))))
                verdicts.append(v)
        lines.append("| %s | %.1f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            os.path.basename(f), mb, cell(ours, "time", "%.3f"), cell(peer, "time", "%.3f"),
            cell(ez, "time", "%.2f"), tr, cell(ours, "cpu", "%.3f"), cell(peer, "cpu", "%.3f"),
            cr, cell(ours, "rss", "%.0f"), cell(peer, "rss", "%.0f"), cell(ez, "rss", "%.0f"),
            rr))
        print(lines[-1], flush=True)
    text = "\n".join(lines + [""] + verdicts) + "\n"
    text += ("\nmedian of %d runs after one warm-up (ezdxf: %d runs up to 5 MB, 1 above); "
             "%s; %d cores; load average %.1f at the start, %.1f at the end\n" % (
                 args.runs, args.ezdxf_runs, time.strftime("%Y-%m-%d %H:%M"), os.cpu_count(),
                 load0, loadavg()))
    print("\n".join(verdicts))
    print(text.splitlines()[-1])
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

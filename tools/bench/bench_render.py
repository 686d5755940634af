#!/usr/bin/env python3
"""Benchmark of `dxfquote render` (1200x900 PNG) against the peers, in one run.

For each file every tool runs RUNS times after one warm-up run; the table
gives the median wall time and the median peak RSS, measured per process
with wait4() (interpreter start-up included, as a user sees it).  Files: a
generated drawing of about 1 MB (../shared/peers/gen_dxf.py --holes 6600,
made in .cache/bench), the 20 MB one (ours only: memory, the canvas must
bound what the preview adds) and a few corpus drawings (../shared/corpus; skipped when
absent).

Peers:
  ezdxf + matplotlib  ../shared/peers/ezdxf_render.py FILE OUT.png 1200x900
                      (the seed application's preview)
  LibreCAD            librecad dxf2pdf, then pdftoppm -scale-to 1200 (two
                      processes: times added, the larger peak RSS)

dxfquote prints its own split (read, analyse, render = draw + PNG) on
stdout; the "render ms" column is the median of that in-process figure,
the time the preview itself takes once the drawing is measured.

usage: tools/bench/bench_render.py [--runs N] [--out FILE.md] DXFQUOTE
Needs: python3-ezdxf, python3-matplotlib, librecad, poppler-utils.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(ROOT, "..", "shared")
CACHE = os.path.join(ROOT, ".cache", "bench")
SYS_PY = "/usr/bin/python3"
CORPUS = ["cadquery__gear.dxf", "dxf2gcode__Lueftergitter_R14.dxf",
          "ezdxf__6_closed_loop_with_arcs.dxf"]
GENERATED = [("gen_1mb.dxf", 6600), ("gen_20mb.dxf", 132000)]
SIZE = "1200x900"
TIMEOUT = 600


def run_once(cmd, env=None, capture=False):
    """(wall seconds, peak RSS MiB, exit code, stdout) of one process."""
    out_r, out_w = os.pipe() if capture else (None, os.open(os.devnull, os.O_WRONLY))
    devnull = os.open(os.devnull, os.O_WRONLY)
    t0 = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, env or os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, out_w, 1),
                                        (os.POSIX_SPAWN_DUP2, devnull, 2)])
    os.close(out_w)
    text = b""
    if capture:
        with os.fdopen(out_r, "rb") as f:
            text = f.read()
    deadline = t0 + TIMEOUT
    while True:
        wpid, status, ru = os.wait4(pid, os.WNOHANG)
        if wpid:
            break
        if time.perf_counter() > deadline:
            os.kill(pid, 9)
            wpid, status, ru = os.wait4(pid, 0)
            break
        time.sleep(0.0005)
    wall = time.perf_counter() - t0
    os.close(devnull)
    return wall, ru.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status), text.decode()


def ours(dxfquote, f, out):
    w, r, c, text = run_once([dxfquote, "render", f, out, "--size", SIZE], capture=True)
    m = re.search(r"render ([0-9.]+) ms", text)
    return w, r, c, float(m.group(1)) if m else None


def ezdxf(f, out):
    w, r, c, _ = run_once([SYS_PY, os.path.join(SHARED, "peers", "ezdxf_render.py"), f, out,
                           SIZE])
    return w, r, c, None


def librecad(f, out):
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=tmp)
    w1, r1, c1, _ = run_once(["librecad", "dxf2pdf", "-a", "-k", "-t", tmp, f], env=env)
    pdf = os.path.join(tmp, os.path.splitext(os.path.basename(f))[0] + ".pdf")
    w2 = r2 = 0
    c2 = 1
    if c1 == 0 and os.path.exists(pdf):
        w2, r2, c2, _ = run_once(["pdftoppm", "-png", "-singlefile", "-scale-to", "1200", pdf,
                                  os.path.splitext(out)[0]])
    shutil.rmtree(tmp, ignore_errors=True)
    return w1 + w2, max(r1, r2), c1 or c2, None


def measure(fn, runs, warm=True):
    if warm:
        fn()  # warm-up: page cache, lazy binding
    res = [fn() for _ in range(runs)]
    inner = [r[3] for r in res if r[3] is not None]
    return {"time": statistics.median(r[0] for r in res),
            "rss": statistics.median(r[1] for r in res),
            "ok": all(r[2] == 0 for r in res),
            "inner": statistics.median(inner) if inner else None}


def prepare():
    os.makedirs(CACHE, exist_ok=True)
    files = []
    gen = os.path.join(SHARED, "peers", "gen_dxf.py")
    for name, holes in GENERATED:
        path = os.path.join(CACHE, name)
        if not os.path.exists(path) and os.path.exists(gen):
            subprocess.run([SYS_PY, gen, "--holes", str(holes), "--out", path], check=True,
                           stdout=subprocess.DEVNULL)
        if os.path.exists(path):
            files.append(path)
    for name in CORPUS:
        path = os.path.join(SHARED, "corpus", name)
        if os.path.exists(path):
            files.append(path)
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dxfquote")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out")
    args = ap.parse_args()
    files = prepare()
    if not files:
        print("no files: ../shared is absent and nothing could be generated")
        return 1
    have_lc = shutil.which("librecad") and shutil.which("pdftoppm")
    out_dir = tempfile.mkdtemp()
    lines = ["| file | MB | dxfquote s | render ms | ezdxf+mpl s | LibreCAD s | "
             "speed vs ezdxf | dxfquote RSS MB | ezdxf RSS MB | LibreCAD RSS MB | "
             "RSS vs ezdxf |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    verdicts = []
    for f in files:
        mb = os.path.getsize(f) / 1e6
        name = os.path.basename(f)
        png = os.path.join(out_dir, "out.png")
        big = mb > 5
        o = measure(lambda: ours(args.dxfquote, f, png), args.runs)
        peer_runs = max(1, min(args.runs, 3))
        ez = measure(lambda: ezdxf(f, png), peer_runs) if not big else None
        lc = measure(lambda: librecad(f, png), peer_runs) if have_lc and not big else None

        def cell(m, key, fmt):
            if not m:
                return "–"
            if not m["ok"]:
                return "failed"
            return fmt % m[key]
        speed = rss = "–"
        if ez and ez["ok"] and o["ok"]:
            speed = "%.0f×" % (ez["time"] / o["time"])
            rss = "1/%.1f" % (ez["rss"] / o["rss"])
        lines.append("| %s | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            name, mb, cell(o, "time", "%.3f"),
            "%.1f" % o["inner"] if o["inner"] is not None else "–",
            cell(ez, "time", "%.2f"), cell(lc, "time", "%.2f"), speed,
            cell(o, "rss", "%.0f"), cell(ez, "rss", "%.0f"), cell(lc, "rss", "%.0f"), rss))
        print(lines[-1], flush=True)
        if name == "gen_1mb.dxf" and o["ok"] and ez and ez["ok"]:
            verdicts.append(
                "gen_1mb.dxf: preview (render ms) %.1f ms, target < 20 ms: %s; whole command "
                "%.0f× faster than ezdxf+matplotlib, target >= 100×: %s; peak RSS 1/%.1f of "
                "it, target <= 1/10: %s" % (
                    o["inner"], "met" if o["inner"] < 20 else "MISSED",
                    ez["time"] / o["time"], "met" if ez["time"] >= 100 * o["time"] else "MISSED",
                    ez["rss"] / o["rss"], "met" if o["rss"] * 10 <= ez["rss"] else "MISSED"))
    shutil.rmtree(out_dir, ignore_errors=True)
    load = os.getloadavg()[0]
    text = "\n".join(lines + [""] + verdicts) + "\n"
    text += ("\nmedian of %d runs after one warm-up (peers: %s); %s; %d cores, load %.1f at "
             "the end\n" % (args.runs, "3 runs; not run above 5 MB, where ezdxf takes minutes: that row shows our memory only",
                            time.strftime("%Y-%m-%d"), os.cpu_count(), load))
    print("\n".join(verdicts))
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Stress: many fresh `kabar ingest` runs of real pages, several at once; crashes and peak memory.

    .venv/bin/python benchmarks/stress.py                       # 50 runs of 300 pages, 2 at a time
    .venv/bin/python benchmarks/stress.py --runs 4 --pages 300 --parallel 2
    .venv/bin/python benchmarks/stress.py --runs 1 --pages 3000 # peak memory at 3,000 pages

Each run is a whole process the way a user runs it (`kabar ingest DIR --warehouse NEW`, the
default runner: two batches in flight, extraction in worker processes) on real pages from
../shared/corpus/trafilatura-eval (benchmarks/realpages.py). Runs share one Prefect API when
$PREFECT_API_URL is set, else each starts its temporary one. Prints per run: exit status (a
signal such as SIGABRT from glibc's "double free" counts as a crash), seconds, articles stored and
the peak summed resident memory of the run's process tree (sampled every 0.2 s); then the
totals. MALLOC_CHECK_=3 is set for the runs so heap corruption aborts at once instead of later.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.realpages import tree_rss_mb, write_pages  # noqa: E402

KABAR = Path(sys.executable).parent / "kabar"


def start(pages: Path, warehouse: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "MALLOC_CHECK_": "3", "PYTHONFAULTHANDLER": "1"}
    return subprocess.Popen([str(KABAR), "ingest", str(pages), "--warehouse", str(warehouse)],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)


def articles(warehouse: Path) -> int | None:
    import duckdb

    try:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute("select count(*) from store.articles").fetchone()[0]
        finally:
            con.close()
    except Exception:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--parallel", type=int, default=2, help="runs at once (default 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kabar-stress-") as tmp:
        folder = Path(tmp) / "pages"
        write_pages(folder, args.pages)
        queue = list(range(args.runs))
        running: dict[int, tuple[subprocess.Popen, float, float, Path]] = {}
        crashes, results = 0, []
        while queue or running:
            while queue and len(running) < args.parallel:
                n = queue.pop(0)
                wh = Path(tmp) / f"run{n}" / "kabar.duckdb"
                wh.parent.mkdir()
                running[n] = (start(folder, wh, wh.parent / "log.txt"), time.perf_counter(), 0.0, wh)
            time.sleep(0.2)
            for n, (proc, t0, peak, wh) in list(running.items()):
                peak = max(peak, tree_rss_mb(proc.pid))
                running[n] = (proc, t0, peak, wh)
                if proc.poll() is None:
                    continue
                del running[n]
                code = proc.returncode
                crashed = code < 0 or code not in (0, 1)
                crashes += crashed
                what = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
                stored = articles(wh)
                results.append(peak)
                print(f"run {n:3d}: {what:14s} {time.perf_counter() - t0:7.1f} s  articles {stored}  "
                      f"peak {peak:7.0f} MB{'  CRASH, log: ' + str(wh.parent / 'log.txt') if crashed else ''}", flush=True)
                if code != 0:
                    print((wh.parent / "log.txt").read_text()[-2000:])
        print(f"\n{args.runs} runs of {args.pages} real pages, {args.parallel} at once: {crashes} crashes; "
              f"peak process-tree RSS max {max(results):.0f} MB, median {sorted(results)[len(results) // 2]:.0f} MB")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())

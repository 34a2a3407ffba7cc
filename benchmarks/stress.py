"""Stress: many fresh `kabar ingest` runs of real pages, several at once; crashes and peak memory.

    .venv/bin/python benchmarks/stress.py                       # 50 runs of 300 pages, 2 at a time
    .venv/bin/python benchmarks/stress.py --runs 4 --pages 300 --parallel 2
    .venv/bin/python benchmarks/stress.py --runs 1 --pages 3000 # peak memory at 3,000 pages

Each run is a whole process the way a user runs it (`kabar ingest DIR --warehouse NEW`, the
default runner: two batches in flight, extraction in worker processes) on real pages from
../shared/corpus/trafilatura-eval (benchmarks/realpages.py). Runs share one Prefect API when
$PREFECT_API_URL is set, else each starts its temporary one. Prints per run: exit status (a
signal such as SIGABRT from glibc's "double free" counts as a crash), seconds, articles stored and
the peak summed resident memory of the run's process tree (sampled every 0.2 s), and the memory
curve: resident memory of the main process and of its extraction workers (summed) when 10%, 50%
and 90% of the run's batches were done (a batch is done when its cached result file appears in
the warehouse's ``prefect-results`` folder), so growth with the run's length shows, and the
peak proportional set size of the tree (PSS, shared pages counted once: the workers share the
fork server's preloaded modules, which the RSS sum counts three times); then the totals. MALLOC_CHECK_=3 is set for the runs so heap corruption aborts at once instead of later.
``--env NAME=VALUE`` adds to the runs' environment (e.g. ``MALLOC_ARENA_MAX=2`` to compare);
``--trace FILE`` appends a line every 30 s while runs go (seconds, run, batches done, main and
workers' MB), so a long run's curve can be read before it ends.
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

from benchmarks.realpages import tree_pss_mb, tree_rss_split_mb, write_pages  # noqa: E402

KABAR = Path(sys.executable).parent / "kabar"


def start(pages: Path, warehouse: Path, log: Path, extra: dict[str, str]) -> subprocess.Popen:
    env = {**os.environ, "MALLOC_CHECK_": "3", "PYTHONFAULTHANDLER": "1", **extra}
    return subprocess.Popen([str(KABAR), "ingest", str(pages), "--warehouse", str(warehouse)],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)


def batches_done(warehouse: Path) -> int:
    """Batch results written so far (extract and enrich batches each persist one file)."""
    folder = warehouse.parent / "prefect-results" / warehouse.name
    try:
        return sum(1 for _ in folder.iterdir())
    except OSError:
        return 0


def curve(samples: list[tuple[int, float, float]]) -> str:
    """Main-process and workers' RSS when 10%, 50% and 90% of the batches were done."""
    total = samples[-1][0] if samples else 0
    if total == 0:
        return "memory curve: no batch results seen"
    parts = []
    for share in (0.1, 0.5, 0.9):
        done, main, workers = next(s for s in samples if s[0] >= share * total)
        parts.append(f"{share:.0%}: main {main:5.0f} MB, workers {workers:5.0f} MB")
    peak_main = max(s[1] for s in samples)
    return "memory at batches done  " + "; ".join(parts) + f"; main peak {peak_main:.0f} MB"


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
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="add to the runs' environment (repeatable)")
    parser.add_argument("--trace", type=Path, help="append the memory samples every 30 s to this file")
    args = parser.parse_args()
    extra = dict(pair.split("=", 1) for pair in args.env)
    with tempfile.TemporaryDirectory(prefix="kabar-stress-") as tmp:
        folder = Path(tmp) / "pages"
        write_pages(folder, args.pages)
        queue = list(range(args.runs))
        running: dict[int, tuple[subprocess.Popen, float, float, Path]] = {}
        samples: dict[int, list[tuple[int, float, float]]] = {}
        pss_peak: dict[int, float] = {}
        crashes, results = 0, []
        while queue or running:
            while queue and len(running) < args.parallel:
                n = queue.pop(0)
                wh = Path(tmp) / f"run{n}" / "kabar.duckdb"
                wh.parent.mkdir()
                running[n] = (start(folder, wh, wh.parent / "log.txt", extra), time.perf_counter(), 0.0, wh)
                samples[n] = []
            time.sleep(0.2)
            for n, (proc, t0, peak, wh) in list(running.items()):
                main, workers = tree_rss_split_mb(proc.pid)
                peak = max(peak, main + workers)
                samples[n].append((batches_done(wh), main, workers))
                if len(samples[n]) % 10 == 1:  # every 2 s: smaps_rollup costs the kernel a page-table walk
                    pss_peak[n] = max(pss_peak.get(n, 0.0), tree_pss_mb(proc.pid))
                if args.trace and len(samples[n]) % 150 == 1:  # every 30 s at 0.2 s a sample
                    with args.trace.open("a") as trace:
                        trace.write(f"{time.perf_counter() - t0:7.0f} s  run {n}  batches {samples[n][-1][0]:3d}  "
                                    f"main {main:5.0f} MB  workers {workers:5.0f} MB\n")
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
                print(f"         {curve(samples.pop(n))}; tree PSS peak {pss_peak.pop(n, 0.0):.0f} MB", flush=True)
                if code != 0:
                    print((wh.parent / "log.txt").read_text()[-2000:])
        print(f"\n{args.runs} runs of {args.pages} real pages, {args.parallel} at once: {crashes} crashes; "
              f"peak process-tree RSS max {max(results):.0f} MB, median {sorted(results)[len(results) // 2]:.0f} MB")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())

"""Memory trace of one `kabar ingest` main process: what holds its resident memory as the run goes.

    .venv/bin/python benchmarks/memtrace.py --pages 1000 --out /tmp/trace.txt
    .venv/bin/python benchmarks/memtrace.py --pages 1000 --no-tracemalloc   # RSS and trims only

Runs the ingest flow in this process (`kabar.cli.main`, the command a user runs, same settings,
same temporary Prefect API unless $PREFECT_API_URL is set) over real pages
(benchmarks/realpages.py) into a fresh warehouse, with a sampling thread beside it. Every second
it reads this process's RSS (/proc/self/status) and the batch results written so far (one file
per extract and enrich batch, as benchmarks/stress.py counts them). When 10, 30, 50, 70 and 90% of
the expected batch results are in, it writes to ``--out``: RSS, the memory Python's allocators
hold for live objects (tracemalloc's traced size: RSS minus it is C libraries' memory, glibc's
free-but-kept heap and the interpreter's own), the object counts by type that changed most, the
top allocations by traceback, and the top growth since the previous probe. With
``--trim`` it calls glibc's ``malloc_trim(0)`` at each of those points and prints what it gave
back (memory freed by the program but kept by glibc's arenas); ``--watch TYPE,...`` counts the live
objects of those types with what holds one; ``--collect`` runs ``gc.collect()`` at each probe and
prints what garbage in reference cycles it freed. Caution: ``--watch`` walks ``gc.get_referrers``
from this thread while the flow runs, and once caught a tuple under construction in the flow's
thread (``SystemError: Objects/tupleobject.c:927`` in the stories stage): it can break the traced
run, so leave it empty (``--watch ''``) for a run whose end matters. The product carries none of this:
tracing is switched on here only, so it costs nothing in a user's run. tracemalloc slows the run
(about 2x) and adds its own memory to RSS; read its figures as what holds memory, not as sizes
of a traced-off run.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.realpages import rss_mb, write_pages  # noqa: E402
from benchmarks.stress import batches_done  # noqa: E402


def type_counts() -> collections.Counter:
    return collections.Counter(type(o).__qualname__ for o in gc.get_objects())


def holders(objects: list, depth: int = 3) -> str:
    """What refers to the first of ``objects``, a few levels up (types, then the names of
    functions whose frames or closures hold them): who keeps a batch's objects alive."""
    if not objects:
        return "-"
    chain, obj, seen = [], objects[0], {id(objects)}
    for _ in range(depth):
        refs = [r for r in gc.get_referrers(obj) if id(r) not in seen and r is not objects and type(r).__name__ != "frame"]
        if not refs:
            break
        seen.add(id(obj))
        chain.append(", ".join(sorted({type(r).__qualname__ for r in refs}))[:200])
        obj = max(refs, key=lambda r: len(r) if hasattr(r, "__len__") else 0)
    return " <- ".join(chain)


class Sampler(threading.Thread):
    def __init__(self, warehouse: Path, expected: int, out: Path, trace: bool, trim: bool, top: int,
                 watch: list[str], collect: bool) -> None:
        super().__init__(daemon=True)
        self.watch, self.collect = watch, collect
        self.warehouse, self.expected, self.out, self.trace, self.trim, self.top = warehouse, expected, out, trace, trim, top
        self.stop = threading.Event()
        self.peak = 0.0
        self.curve: list[tuple[float, int, float]] = []

    def write(self, text: str) -> None:
        with self.out.open("a") as f:
            f.write(text + "\n")

    def probe(self, label: str, first: tracemalloc.Snapshot | None, counts: collections.Counter | None):
        rss = rss_mb(os.getpid())
        self.write(f"\n===== {label}: RSS {rss:.0f} MB, batches {batches_done(self.warehouse)}/{self.expected}")
        snap = None
        if self.trace:
            current, _ = tracemalloc.get_traced_memory()
            self.write(f"tracemalloc traced {current / 2**20:.0f} MB (RSS - traced = {rss - current / 2**20:.0f} MB)")
            snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
            self.write("-- top by file:line")
            for stat in snap.statistics("lineno")[: self.top]:
                self.write(f"{stat.size / 2**20:8.1f} MB {stat.count:8d}  {stat.traceback[0]}")
            if first is not None:
                self.write("-- growth since the previous probe, by traceback")
                for stat in snap.compare_to(first, "traceback")[: self.top]:
                    self.write(f"{stat.size_diff / 2**20:+8.1f} MB {stat.count_diff:+8d}")
                    for frame in stat.traceback.format()[-16:]:
                        self.write("      " + frame)
        now = type_counts()
        base = counts or collections.Counter()
        self.write("-- object counts by type (change since the previous probe)")
        for name, n in sorted(now.items(), key=lambda kv: -(kv[1] - base.get(kv[0], 0)))[:25]:
            self.write(f"{n:9d} {n - base.get(name, 0):+9d}  {name}")
        for name in self.watch:
            alive = [o for o in gc.get_objects() if type(o).__name__ == name]
            self.write(f"-- {name}: {len(alive)} alive; held by: {holders(alive)}")
            del alive
        if self.collect:
            before, found = rss_mb(os.getpid()), gc.collect()
            counts = {name: sum(1 for o in gc.get_objects() if type(o).__name__ == name) for name in self.watch}
            self.write(f"gc.collect(): {found} unreachable objects; RSS {before:.0f} -> {rss_mb(os.getpid()):.0f} MB; "
                       f"alive after: {counts}")
        if self.trim:
            before = rss_mb(os.getpid())
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            after = rss_mb(os.getpid())
            self.write(f"malloc_trim(0): {before:.0f} -> {after:.0f} MB ({after - before:+.0f})")
        return snap, now

    def run(self) -> None:
        marks = [0.1, 0.3, 0.5, 0.7, 0.9]
        first, counts = None, None
        t0 = time.perf_counter()
        while not self.stop.wait(1.0):
            rss = rss_mb(os.getpid())
            done = batches_done(self.warehouse)
            self.peak = max(self.peak, rss)
            self.curve.append((time.perf_counter() - t0, done, rss))
            if marks and done >= marks[0] * self.expected:
                share = marks.pop(0)
                first, counts = self.probe(f"{share:.0%}", first, counts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--no-tracemalloc", dest="trace", action="store_false")
    parser.add_argument("--frames", type=int, default=12, help="traceback depth kept by tracemalloc")
    parser.add_argument("--trim", action="store_true", help="malloc_trim(0) at each probe and print what it freed")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--collect", action="store_true",
                        help="gc.collect() at each probe and print what it freed (garbage in reference cycles)")
    parser.add_argument("--watch", default="Fetched,Article,Enrichment",
                        help="types whose live objects are counted at each probe, with what holds one")
    args = parser.parse_args()
    from kabar import settings
    from kabar.cli import main as kabar_main

    batches = -(-args.pages // settings.BATCH_SIZE)
    with tempfile.TemporaryDirectory(prefix="kabar-memtrace-") as tmp:
        pages = Path(tmp) / "pages"
        write_pages(pages, args.pages)
        warehouse = Path(tmp) / "run" / "kabar.duckdb"
        warehouse.parent.mkdir()
        if args.trace:
            tracemalloc.start(args.frames)
        sampler = Sampler(warehouse, 2 * batches, args.out, args.trace, args.trim, args.top,
                         [w for w in args.watch.split(",") if w], args.collect)
        sampler.start()
        t0 = time.perf_counter()
        code = kabar_main(["ingest", str(pages), "--warehouse", str(warehouse)])
        sampler.stop.set()
        sampler.join()
        sampler.probe("end", None, None)
        summary = (f"exit {code}, {time.perf_counter() - t0:.0f} s, main RSS peak {sampler.peak:.0f} MB (1-s samples); "
                   "curve (s, batches, MB): " + " ".join(f"{t:.0f}/{d}/{m:.0f}" for t, d, m in sampler.curve[::15]))
        sampler.write(summary)
        print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())

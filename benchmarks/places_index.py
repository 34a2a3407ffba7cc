"""What the places gazetteer's name index saves each enriching process (round 17).

    .venv/bin/python benchmarks/places_index.py [--rounds 5]

Whole processes, as a run starts them: a fresh Python that imports ``tasks.places``, loads the
gazetteer and looks up one name, (A) as shipped, reading the index beside ``tasks/kb/places.tsv``
(``tasks/kb/places.tsv.index.npz``), and (B, the reference) building the index from the file's
400,000 names, as every process did before the index. A and B run in turn, and the ratio is
taken pair by pair (the machine's speed drifts); the median is printed, with the spread. CPU is
the child's user + system time (``os.wait4``), so other work on the machine weighs little.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import sys
from tasks import places
if sys.argv[1] == "build":  # the reference: no index read or written, the names folded again
    places._load_index = lambda path, stamp: None
    places._save_index = lambda path, stamp, index: None
assert places.gazetteer().lookup("Bandung") is not None
"""


def run(mode: str) -> tuple[float, float]:
    """(CPU s, wall s) of one whole child process."""
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-c", CHILD, mode], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the {mode} child failed (exit {os.waitstatus_to_exitcode(status)})")
    return usage.ru_utime + usage.ru_stime, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    from tasks.places import PLACES_FILE, gazetteer, index_path
    gazetteer()  # builds the file and its index when missing, as make install does
    print(f"{PLACES_FILE}: {PLACES_FILE.stat().st_size / 1e6:.1f} MB; index {index_path(PLACES_FILE).stat().st_size / 1e6:.1f} MB")
    pairs = [(run("index"), run("build")) for _ in range(args.rounds)]
    for k, what in ((0, "CPU s"), (1, "wall s")):
        a = [p[0][k] for p in pairs]
        b = [p[1][k] for p in pairs]
        ratios = [x / y for x, y in zip(a, b)]
        print(f"{what}: index {statistics.median(a):.2f}, build (reference) {statistics.median(b):.2f}; "
              f"ratio index/build median {statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f}, "
              f"{args.rounds} pairs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""End-to-end benchmark: generated Indonesian article pages in a WARC, ingested by the real flow.

    .venv/bin/python benchmarks/pipeline.py                 # 1,000 articles
    .venv/bin/python benchmarks/pipeline.py --articles 10000
    .venv/bin/python benchmarks/pipeline.py --huge          # 100,000 articles (long)

Prints, for each size: per-stage seconds of the stage functions called directly, the flow's
seconds and articles/s, peak memory, and three ratios measured in the same run:

- pipeline / bare extract: the whole flow (Prefect included) vs ``trafilatura.extract`` over the
  same pages (target <= 1.5)
- Prefect overhead: the flow vs the same stage functions called directly (target <= 10%)
- load speed: a raw DuckDB insert of the same Arrow table vs the warehouse load (target >= 0.5)

Add ``--profile`` to print the top functions of the direct run (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for key, value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
                   "PREFECT_LOGGING_LEVEL": "ERROR", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}.items():
    os.environ.setdefault(key, value)

from benchmarks.corpus import articles as generate, write_warc  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_extract(pages: list[str]) -> float:
    import trafilatura

    start = time.perf_counter()
    for html in pages:
        trafilatura.extract(html)
    return time.perf_counter() - start


def direct(archive: Path, warehouse: Path, batch_size: int) -> tuple[dict[str, float], int]:
    """The flow's stages as plain function calls, in the flow's order; per-stage seconds."""
    from kabar.config import FetchSettings
    from kabar.models import batched
    from kabar.sources import resolve_sources
    from tasks.dedupe import classify, identify
    from tasks.discover import discover_source, plan_items
    from tasks.enrich import enrich_batch
    from tasks.extract import extract_batch
    from tasks.fetch import fetch_batch
    from tasks.load import Counts, finish_run, load_batch, start_run
    from tasks.normalise import normalise_batch
    from warehouse.lookup import known_keys

    seconds: dict[str, float] = defaultdict(float)

    def timed(stage, fn, *args):
        start = time.perf_counter()
        result = fn(*args)
        seconds[stage] += time.perf_counter() - start
        return result

    plan = resolve_sources(None, None, [str(archive)])
    run_id = timed("load", start_run, warehouse, "ingest", {})
    discoveries = [timed("discover", discover_source, s, plan.fetch) for s in plan.sources]
    items, _, _, _ = plan_items(discoveries)
    by_name = {s.name: s for s in plan.sources}
    counts, loaded = Counts(), 0
    for batch in batched(items, batch_size):
        fetched = timed("fetch", fetch_batch, batch, FetchSettings())
        extracted, errors = timed("extract", extract_batch, fetched)
        kept, _ = timed("normalise", normalise_batch, extracted, by_name)

        def dedupe(kept=kept):
            for article in kept:
                identify(article)
            return classify(kept, known_keys(warehouse, [a.canonical_url for a in kept], [a.content_hash for a in kept]))

        enriched = timed("enrich", enrich_batch, timed("dedupe", dedupe))
        counts.merge(timed("load", load_batch, warehouse, run_id, fetched, enriched, errors))
        loaded += len(enriched)
    timed("load", finish_run, warehouse, run_id, counts)
    return dict(seconds), loaded


def raw_insert(warehouse: Path, target: Path) -> tuple[float, int]:
    """A raw DuckDB insert of the same articles as one Arrow table (read back from the warehouse)."""
    import duckdb

    from tasks.load import ARTICLE_SCHEMA

    con = duckdb.connect(str(warehouse), read_only=True)
    table = con.execute(f"SELECT {', '.join(ARTICLE_SCHEMA.names)} FROM store.articles").arrow()
    table = table.read_all() if hasattr(table, "read_all") else table
    con.close()
    start = time.perf_counter()
    raw = duckdb.connect(str(target))
    raw.register("arrow_rows", table)
    raw.execute("CREATE TABLE articles AS SELECT * FROM arrow_rows")
    raw.close()
    return time.perf_counter() - start, table.num_rows


def run_size(count: int, workdir: Path, batch_size: int, profile: bool, repeat: int = 2) -> None:
    print(f"\n== {count:,} articles ==")
    start = time.perf_counter()
    pages = [html for _, html, _ in generate(count)]
    archive = write_warc(workdir / f"berita-{count}.warc.gz", count)
    print(f"generated {count:,} pages ({sum(map(len, pages)) / count / 1024:.1f} KB each) "
          f"in {time.perf_counter() - start:.1f} s")

    from flows.ingest import ingest

    # The machine is shared: each measurement is repeated, alternating, and the fastest kept.
    bare_runs, direct_runs, flow_runs, raw_runs = [], [], [], []
    profiler = cProfile.Profile() if profile else None
    for attempt in range(repeat):
        bare_runs.append(bare_extract(pages))
        if profiler:
            profiler.enable()
        start = time.perf_counter()
        stages_now, loaded = direct(archive, workdir / f"direct-{count}-{attempt}" / "kabar.duckdb", batch_size)
        direct_runs.append(time.perf_counter() - start)
        if profiler:
            profiler.disable()
        if direct_runs[-1] == min(direct_runs):
            stages = stages_now
        start = time.perf_counter()
        summary = ingest(paths=[str(archive)], warehouse=str(workdir / f"flow-{count}-{attempt}" / "kabar.duckdb"),
                         batch_size=batch_size)
        flow_runs.append(time.perf_counter() - start)
        raw_s, rows = raw_insert(workdir / f"direct-{count}-{attempt}" / "kabar.duckdb", workdir / f"raw-{count}-{attempt}.duckdb")
        raw_runs.append(raw_s)
    del pages
    bare, direct_s, flow_s, raw_s = min(bare_runs), min(direct_runs), min(flow_runs), min(raw_runs)
    new = sum(b["new"] + b["duplicate"] for b in summary["by_source"].values())
    print("seconds per attempt: bare " + " ".join(f"{x:.2f}" for x in bare_runs) + "; direct "
          + " ".join(f"{x:.2f}" for x in direct_runs) + "; flow " + " ".join(f"{x:.2f}" for x in flow_runs))

    print("stage seconds (direct calls): " + "  ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    print(f"bare trafilatura.extract: {bare:.2f} s  ({count / bare:.0f} pages/s)")
    print(f"direct stages:            {direct_s:.2f} s  ({loaded / direct_s:.0f} articles/s, {loaded} loaded)")
    print(f"flow (Prefect):           {flow_s:.2f} s  ({new / flow_s:.0f} articles/s, {new} loaded)")
    print(f"raw DuckDB Arrow insert:  {raw_s:.3f} s for {rows} rows; warehouse load {stages['load']:.3f} s")
    print(f"peak memory (process RSS): {peak_mb():.0f} MB")
    ratio = flow_s / bare
    overhead = flow_s / direct_s - 1
    load_speed = raw_s / stages["load"]
    print(f"RATIO pipeline/bare extract = {ratio:.2f}x   (target <= 1.5x) {'OK' if ratio <= 1.5 else 'MISSED'}")
    print(f"RATIO Prefect overhead      = {overhead:+.1%}  (target <= 10%) {'OK' if overhead <= 0.10 else 'MISSED'}")
    print(f"RATIO load speed vs raw     = {load_speed:.2f}   (target >= 0.5) {'OK' if load_speed >= 0.5 else 'MISSED'}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, action="append", help="corpus size (repeatable; default 1000)")
    parser.add_argument("--huge", action="store_true", help="also 100,000 articles")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="cProfile the direct run")
    parser.add_argument("--repeat", type=int, default=2, help="measure each thing N times, keep the fastest (default 2)")
    args = parser.parse_args()
    sizes = (args.articles or [1000]) + ([100_000] if args.huge else [])

    from prefect import flow

    @flow
    def warm_up() -> None:  # start Prefect's temporary API before anything is timed
        return None

    warm_up()
    with tempfile.TemporaryDirectory(prefix="kabar-bench-") as tmp:
        # first calls load models and compile regexes: do them before anything is timed
        direct(write_warc(Path(tmp) / "warm.warc.gz", 20, seed=99), Path(tmp) / "warm" / "kabar.duckdb", args.batch_size)
        bare_extract([html for _, html, _ in generate(20, seed=99)])
        for count in sizes:
            run_size(count, Path(tmp), args.batch_size, args.profile, args.repeat)


if __name__ == "__main__":
    main()

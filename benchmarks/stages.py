"""Where the CPU of a fresh ingest goes: a per-stage table of CPU seconds (issue 11).

    PREFECT_API_URL=http://127.0.0.1:4200/api .venv/bin/python benchmarks/stages.py --pages 300

Two in-process measurements on the same real pages (../shared/corpus/trafilatura-eval, written
to a temporary folder by benchmarks/realpages.py), each with cProfile on a CPU clock
(``time.thread_time``, one profiler per thread, so the runner's threads are counted and waiting
is not):

1. **extraction**, as an extraction worker runs it: ``tasks.extract.extract_batch`` over the
   pages in this process, beside a bare ``trafilatura.extract`` loop over the same pages (the
   reference of ``benchmarks/pipeline.py``), with the trafilatura calls counted per page;
2. **the rest of the ingest**: the ``ingest`` flow in this process with extraction in the
   runner's thread (``KABAR_EXTRACT_PROCESSES=0``, so it is in this process's profile, as one
   line), then normalise, dedupe, each enricher, stories, load, search index, checks and
   Prefect (the flow, its task runs, its API client; everything outside a stage function).

Each line is the inclusive CPU time of the functions named in ``EXTRACT_STAGES`` and
``MAIN_STAGES`` (and each enricher's ``enrich``), first use included (model loads, lazy imports).
The flow's figures are profiled times: cProfile inflates Python-heavy code (extraction's
profiled total is printed beside its unprofiled one for scale). A whole
``kabar ingest`` (benchmarks/pipeline.py) adds the process start-up and, without
$PREFECT_API_URL, Prefect's temporary API.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# extraction in the runner's thread, so this process's profile holds it: set before kabar.settings
# is imported (it reads the variable once)
os.environ["KABAR_EXTRACT_PROCESSES"] = "0"

from benchmarks.realpages import write_pages  # noqa: E402

#: (label, file suffix, function name); matched on cProfile's (file, line, name) keys. The order
#: is the order of the table; nested stages are subtracted from the stages that contain them.
EXTRACT_STAGES = [
    ("trafilatura: main pass (bare_extraction, metadata)", "tasks/extract.py", "extract_html", "bare_extraction"),
    ("trafilatura: precision pass (candidates._precision_text)", "tasks/candidates.py", "_precision_text", None),
    ("parse to a tree (load_html)", "trafilatura/utils.py", "load_html", None),
    ("structural pruning (boilerplate.prune_tree)", "tasks/boilerplate.py", "prune_tree", None),
    ("body choice rest (candidates.choose_body)", "tasks/candidates.py", "choose_body", None),
    ("page typing (page_type.html_page_type)", "tasks/page_type.py", "html_page_type", None),
    ("headline lists (other_pages_headlines, without_headlines)", "tasks/candidates.py", "other_pages_headlines", None),
    ("", "tasks/candidates.py", "without_headlines", None),
    ("dates (meta, visible zone, Indonesian date)", "tasks/extract.py", "meta_published_at", None),
    ("", "tasks/extract.py", "_visible_zone", None),
    ("", "tasks/extract.py", "_indonesian_date", None),
    ("site names, links, header text", "tasks/boilerplate.py", "site_names", None),
    ("", "tasks/page_type.py", "link_texts", None),
    ("", "tasks/extract.py", "_near_headline", None),
    ("decode", "tasks/extract.py", "decode", None),
]

MAIN_STAGES = [
    ("site profiles", "tasks/boilerplate.py", "site_profiles"),
    ("normalise", "tasks/normalise.py", "normalise_task"),
    ("dedupe (minhash, LSH)", "tasks/dedupe.py", "dedupe_task"),
    ("stories", "tasks/stories.py", "stories_task"),
    ("load", "tasks/load.py", "load_task"),
    # one task run since round 8 (tasks/wrapup.py): the flow no longer calls index_task,
    # quality_task or health_task, so their lines stayed at 0 and the cost fell into "the rest"
    ("search index, quality checks, run health", "tasks/wrapup.py", "wrap_up"),
    ("coverage, plan, fetch (local files)", "tasks/fetch.py", "fetch_task"),
    ("", "flows/ingest.py", "plan_task"),
    # coverage, the frontier and the stored bodies: one task run on one connection since round 11
    ("", "tasks/fetch_plan.py", "plan_fetches_task"),
    ("report", "flows/report.py", "report_task"),
]


def profile_all_threads(fn, *args, **kwargs):
    """Run ``fn`` with a thread-CPU-clock cProfile in this thread and in every thread it starts;
    returns (result, merged pstats.Stats)."""
    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()

    def start_in_thread(*_):  # the first profile event of a new thread: put a profiler there
        prof = cProfile.Profile(time.thread_time)
        with lock:
            profiles.append(prof)
        prof.enable()  # replaces this hook for the thread

    main = cProfile.Profile(time.thread_time)
    profiles.append(main)
    threading.setprofile(start_in_thread)
    main.enable()
    try:
        result = fn(*args, **kwargs)
    finally:
        main.disable()
        threading.setprofile(None)
    for prof in profiles:
        try:
            prof.disable()
        except Exception:
            pass
    stats = pstats.Stats(profiles[0])
    for prof in profiles[1:]:
        try:
            stats.add(prof)
        except (TypeError, ValueError):  # a thread that never called anything
            pass
    return result, stats


def cumulative(stats: pstats.Stats, suffix: str, name: str) -> tuple[float, int]:
    """Inclusive seconds and primitive calls of the functions ``name`` in files ending ``suffix``."""
    total, calls = 0.0, 0
    for (file, _line, func), (cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if func == name and file.endswith(suffix):
            total += ct
            calls += cc
    return total, calls


def within(stats: pstats.Stats, suffix: str, name: str, inner_suffix: str, inner: str) -> float:
    """Inclusive seconds of ``inner`` called directly from ``name`` (cProfile's caller edges)."""
    total = 0.0
    for (file, _line, func), (_cc, _nc, _tt, _ct, callers) in stats.stats.items():
        if func != inner or not file.endswith(inner_suffix):
            continue
        for (cfile, _cline, cfunc), edge in callers.items():
            if cfunc == name and cfile.endswith(suffix):
                total += edge[3]
    return total


def measure_extraction(folder: Path) -> tuple[list[tuple[str, float]], float, float, dict]:
    import trafilatura

    from kabar.models import Item
    from tasks.extract import extract_batch
    from tasks.fetch import read_file

    files = sorted(folder.iterdir())
    # the pages as a directory ingest reads them (tasks/discover.py, tasks/fetch.py)
    batch = [read_file(Item(url=f.resolve().as_uri(), source="bench", kind="file", path=str(f.resolve())), 1 << 30)
             for f in files]
    # the bare reference, in this process, on the same CPU clock
    t0 = time.thread_time()
    for fetched in batch:
        trafilatura.extract(fetched.body.decode("utf-8", "replace"))
    bare = time.thread_time() - t0
    t0 = time.thread_time()
    extract_batch(batch)  # unprofiled: the ratio; the profile below gives the shares
    plain = time.thread_time() - t0
    (articles, errors), stats = profile_all_threads(extract_batch, batch)
    total = cumulative(stats, "tasks/extract.py", "extract_batch")[0]
    counts = {"plain": plain, "bare_extraction": cumulative(stats, "trafilatura/core.py", "bare_extraction")[1],
              "articles": len(articles), "errors": len(errors)}
    precision = cumulative(stats, "tasks/candidates.py", "_precision_text")[0]
    rows: list[tuple[str, float]] = []
    for label, suffix, name, inner in EXTRACT_STAGES:
        if inner:  # trafilatura's main pass: bare_extraction called from extract_html
            secs = within(stats, suffix, name, "trafilatura/core.py", inner)
        else:
            secs = cumulative(stats, suffix, name)[0]
        if name == "choose_body":
            secs -= precision
        if label:
            rows.append((label, secs))
        else:
            rows[-1] = (rows[-1][0], rows[-1][1] + secs)
    rows.append(("other (Article building, text joins, ...)", total - sum(s for _, s in rows)))
    return rows, total, bare, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--extract-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kabar-stages-") as tmp:
        folder = Path(tmp) / "pages"
        write_pages(folder, args.pages)
        rows, total, bare, counts = measure_extraction(folder)
        print(f"{args.pages} real pages; CPU seconds (thread clock)")
        plain = counts["plain"]
        print(f"\nextraction (tasks.extract.extract_batch, in one process): {plain:.1f} s = {plain / bare:.2f}x "
              f"a bare trafilatura.extract loop ({bare:.1f} s); {counts['articles']} articles, "
              f"{counts['errors']} pages without one; trafilatura.bare_extraction calls "
              f"{counts['bare_extraction'] / args.pages:.2f} a page")
        print(f"  per part: cProfile's inclusive times (profiled total {total:.1f} s) scaled to the unprofiled {plain:.1f} s")
        for label, secs in rows:
            print(f"  {label:<62} {secs * plain / total:7.2f}")
        if args.extract_only:
            return
        from flows.ingest import ingest

        warehouse = Path(tmp) / "kabar.duckdb"
        cpu0 = time.process_time()
        _summary, stats = profile_all_threads(ingest, paths=[str(folder)],
                                              warehouse=str(warehouse))
        process = time.process_time() - cpu0
        extraction = cumulative(stats, "tasks/extract.py", "extract_batch")[0]
        print(f"\nthe ingest flow in this process (extraction in the runner's thread): {process:.1f} CPU s "
              f"(process clock), of it extraction {extraction:.1f}")
        enrich_rows = []
        from tasks.enrich import selected

        for enricher in selected():
            module = type(enricher).__module__.replace(".", "/") + ".py"
            secs = cumulative(stats, module, "enrich")[0]
            enrich_rows.append((f"enrich: {enricher.name}", secs))
        enrich_total = cumulative(stats, "tasks/enrich.py", "enrich_task")[0]
        rows = [("extraction (above)", extraction)]
        for label, suffix, name in MAIN_STAGES:
            secs = cumulative(stats, suffix, name)[0]
            if label:
                rows.append((label, secs))
            else:
                rows[-1] = (rows[-1][0], rows[-1][1] + secs)
        rows[1:1] = enrich_rows + [("enrich: the rest (settings, fields, errors)", enrich_total - sum(s for _, s in enrich_rows))]
        staged = sum(s for _, s in rows)
        rows.append(("Prefect, the flow and imports (the rest of the process)", process - staged))
        for label, secs in rows:
            print(f"  {label:<62} {secs:7.2f}")
        print(f"  {'all':<62} {process:7.2f}  = {process / bare:.2f}x the bare loop "
              f"(without extraction: {(process - extraction) / bare:.2f}x)")


if __name__ == "__main__":
    main()

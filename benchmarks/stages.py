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
profiled total is printed beside its unprofiled one for scale). Extraction's parts are printed
twice: from the profile, scaled, and unprofiled (``TIMED_STEPS``: a thread-clock timer around
each step in another run; cProfile's per-call cost weighs on kabar's Python steps several times
more than on trafilatura's and the regex engine's C work, so the second is the one to rank by).

Last, **the floor**: the CPU of the work a fresh ingest cannot drop, measured unprofiled in the
same run as the bare loop and printed as a ratio to it (``measure_floor``): trafilatura's main
pass as kabar calls it (the parse, ``bare_extraction`` with metadata and tables), the NER over
the extracted articles' text, the load (the flow's load stage, profiled) and Prefect's fixed cost
of a run (a one-task flow's whole process less a bare extraction process's start) spread over
the pages, and the same at 1,000 pages. trafilatura's precision pass is not in it (docs/benchmarks.md,
ninth round: it decides the body on a fifth of the pages). A whole
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


#: Extraction's steps timed without a profiler (``timed_steps``): (module, function, label). A
#: step's time excludes the listed steps it calls (the precision pass is inside the body choice).
TIMED_STEPS = [
    ("trafilatura", "bare_extraction", "trafilatura: main pass (as tasks.extract calls it)"),
    ("tasks.candidates", "_precision_text", "trafilatura: precision pass"),
    ("tasks.extract", "load_html", "parse to a tree"),
    ("tasks.extract", "prune_tree", "structural pruning"),
    ("tasks.extract", "choose_body", "body choice rest"),
    ("tasks.extract", "html_page_type", "page typing"),
    ("tasks.extract", "page_links", "the page's links"),
    ("tasks.extract", "link_texts", "link texts (teasers, marked lists)"),
    ("tasks.extract", "other_pages_headlines", "headline lists"),
    ("tasks.extract", "without_headlines", "headline lists"),
    ("tasks.extract", "meta_published_at", "dates"),
    ("tasks.extract", "_visible_zone", "dates"),
    ("tasks.extract", "_indonesian_date", "dates"),
    ("tasks.extract", "site_names", "site names, header text"),
    ("tasks.extract", "_near_headline", "site names, header text"),
    ("tasks.extract", "decode", "decode"),
]


def timed_steps(fn, *args):
    """Run ``fn(*args)`` with each of ``TIMED_STEPS`` wrapped in a thread-clock timer (no
    profiler: cProfile's per-call cost inflates Python-heavy steps several times more than
    trafilatura's and the regex engine's C work); returns (result, {label: seconds})."""
    import importlib

    spent: dict[str, float] = {}
    inner: list[float] = []
    saved = []

    def wrap(module, name: str, label: str) -> None:
        original = getattr(module, name)
        saved.append((module, name, original))

        def step(*a, **k):
            inner.append(0.0)
            t0 = time.thread_time()
            try:
                return original(*a, **k)
            finally:
                took = time.thread_time() - t0
                nested = inner.pop()
                spent[label] = spent.get(label, 0.0) + took - nested
                if inner:
                    inner[-1] += took

        setattr(module, name, step)

    for module, name, label in TIMED_STEPS:
        wrap(importlib.import_module(module), name, label)
    try:
        return fn(*args), spent
    finally:
        for module, name, original in reversed(saved):
            setattr(module, name, original)


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
    t0 = time.thread_time()
    _, steps = timed_steps(extract_batch, batch)
    steps["other (Article building, text joins, ...)"] = time.thread_time() - t0 - sum(steps.values())
    (articles, errors), stats = profile_all_threads(extract_batch, batch)
    total = cumulative(stats, "tasks/extract.py", "extract_batch")[0]
    counts = {"plain": plain, "bare_extraction": cumulative(stats, "trafilatura/core.py", "bare_extraction")[1],
              "articles": len(articles), "errors": len(errors), "batch": batch, "extracted": articles,
              "steps": steps}
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


#: A whole process running a one-task flow (benchmarks/pipeline.py's ``PREFECT_FLOOR``), and the
#: start of a bare extraction process (Python and trafilatura's import), which the bare loop's own
#: process pays as well: Prefect's fixed cost of a run is the difference.
ONE_TASK_FLOW = """
from prefect import flow, task
one = task(lambda: 1, name="one")
flow(lambda: one(), name="floor")()
"""
BARE_START = "import trafilatura"


def _process_cpu(code: str) -> float:
    """CPU seconds (user + system) of ``python -c code`` in a fresh process, with kabar's Prefect settings."""
    import resource
    import subprocess

    from kabar.cli import PREFECT_DEFAULTS

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(ROOT), env={**PREFECT_DEFAULTS, **os.environ},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def measure_floor(batch: list, articles: list) -> dict[str, float]:
    """CPU seconds of the work a fresh ingest cannot drop, measured unprofiled in this process
    (thread clock) beside the bare loop: trafilatura's main pass as kabar runs it (the parse, then
    ``bare_extraction`` with metadata, tables, no comments), the NER over each extracted article's
    text (its model load apart), and Prefect's fixed cost of a run (a one-task flow's whole
    process less a bare extraction process's start; see ``ONE_TASK_FLOW``)."""
    import trafilatura
    from trafilatura.utils import load_html

    from tasks.extract import decode
    from tasks.ner import recognise

    t0 = time.thread_time()
    for fetched in batch:
        tree = load_html(decode(fetched.body, fetched.content_type))
        if tree is not None:
            trafilatura.bare_extraction(tree, url=None, with_metadata=True, include_comments=False,
                                        include_tables=True)
    main_pass = time.thread_time() - t0
    t0 = time.thread_time()
    recognise("Presiden Joko Widodo tiba di Jakarta pada Senin pagi.")  # loads the model
    ner_load = time.thread_time() - t0
    t0 = time.thread_time()
    for article in articles:
        recognise(article.text)
    ner = time.thread_time() - t0
    prefect = max(0.0, _process_cpu(ONE_TASK_FLOW) - _process_cpu(BARE_START))
    return {"main pass": main_pass, "ner": ner, "ner load": ner_load, "prefect": prefect}


def print_floor(floor: dict[str, float], load: float | None, bare: float, pages: int) -> None:
    """The "floor" line: the undroppable work per page against the bare loop (load: the flow's
    profiled load stage, or None when the flow was not run)."""
    parts = [("trafilatura's main pass with kabar's options (parse included)", floor["main pass"]),
             ("NER over the extracted articles' text", floor["ner"]),
             ("the load (the flow's load stage, profiled)", load),
             (f"Prefect's fixed cost of a run ({floor['prefect']:.2f} CPU s) over {pages} pages", floor["prefect"])]
    print(f"\nthe floor: work a fresh ingest cannot drop, CPU s (the bare loop: {bare:.2f} s, "
          f"{1000 * bare / pages:.1f} ms a page)")
    for label, secs in parts:
        if secs is None:
            print(f"  {label:<72}    (not run)")
        else:
            print(f"  {label:<72} {secs:7.2f} = {secs / bare:.2f}x")
    total = sum(secs for _, secs in parts if secs is not None)
    fixed = floor["prefect"]
    print(f"floor: {1000 * total / pages:.1f} ms a page = {total / bare:.2f}x the bare loop at {pages} pages "
          f"({(total - fixed) / bare:.2f}x per page + Prefect's {fixed:.1f} CPU s a run: "
          f"{(total - fixed) / bare + fixed / (bare * 1000 / pages):.2f}x at 1,000 pages; "
          f"NER model load {floor['ner load']:.2f} s a process, not counted)")


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
        steps = counts["steps"]
        own = sum(secs for label, secs in steps.items() if not label.startswith("trafilatura:"))
        print(f"  per part, unprofiled (a timer around each step, another run: {sum(steps.values()):.1f} s); "
              f"kabar's own steps {own:.2f} s = {own / bare:.2f}x the bare loop")
        for label, secs in sorted(steps.items(), key=lambda kv: -kv[1]):
            print(f"  {label:<62} {secs:7.2f} = {secs / bare:.2f}x")
        floor = measure_floor(counts["batch"], counts["extracted"])
        if args.extract_only:
            print_floor(floor, None, bare, args.pages)
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
        print_floor(floor, cumulative(stats, "tasks/load.py", "load_task")[0], bare, args.pages)


if __name__ == "__main__":
    main()

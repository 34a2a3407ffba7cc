"""The ingest flow: sources -> discover -> fetch -> extract -> normalise -> dedupe -> enrich -> stories -> load.

The flow body only composes tasks. Lists of items, fetches and articles are handed to tasks in
``quote(...)`` (prefect.utilities.annotations): Prefect otherwise walks every element of every
argument looking for futures to resolve and to record as task inputs, twice per task run, about
0.5 CPU s of an unchanged 300-page rerun; none of these holds a future. Only tasks the flow calls
in its own process get them: a submitted task's quote reached a Dask worker as a bare tuple
(Dask's graph spec takes a tuple for a task), so submitted batches go as they are.

Fetch and extract batches are submitted to the task runner (threads by default, Dask with
``[run] task_runner = "dask"``) a few batches ahead, while this process normalises, dedupes,
assigns stories and loads in order: the loader stays the single writer. After the last batch the
search index is updated, the quality checks run and the run's health is judged, on one writer
(tasks/wrapup.py).
"""

from __future__ import annotations

import time
from collections import deque
from functools import cached_property
from datetime import datetime

from prefect import Task, flow, get_run_logger
from prefect.cache_policies import NONE as NO_CACHE
from prefect.futures import PrefectFuture
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote

from flows.outcome import unhealthy_state
from flows.report import report_task
from flows.runner import (RunBudget, RunRecord, article_batch_key, cached, fetched_batch_key, in_deployment,
                          recorded_run, restamp, retry_unless_stopped, task_runner_for)
from kabar import progress, settings
from kabar.config import SourcesFile, Warehouse, resolve_warehouse
from kabar.health import UNHEALTHY, RunUnhealthy
from kabar.models import Window, batched
from kabar.notify import on_run_failure
from kabar.sources import resolve_sources
from kabar.tasking import task
from tasks.capture import CaptureTarget, warc_dir
from tasks.coverage import extracted_rows
from tasks.discover import discover_task, plan_items, window_task
from tasks.extract_pool import release_workers
from tasks.fetch import fetch_task
from tasks.fetch_plan import plan_fetches_task
from tasks.health import final_state, listing_of
from tasks.load import Counts, load_task
from tasks.quality import run_state
from tasks.unchanged import to_extract, unchanged
from tasks.wrapup import wrap_up_task


@task(name="plan", cache_policy=NO_CACHE)
def plan_task(
    config: str | None, sources: list[str] | None, paths: list[str] | None, allow_hosts: list[str] | None
) -> SourcesFile:
    """The run's sources and settings, resolved from the flow's own parameters.

    `kabar ingest` has resolved the same file once already (kabar/commands/ingest.py: to give a
    bad config its one-line error before Prefect's start-up, and to pick [run] task_runner, which
    must be fixed before the flow starts). Both are needed: a deployment run (`prefect deployment
    run`, a schedule) calls this flow with only its parameters, on a worker, without the CLI; and
    passing the resolved plan in instead would store every source in the run's parameters. The
    second resolution is cheap: about 2 ms for the shipped 9-source sources.toml (a toml read
    and a pydantic validation), against seconds of Prefect start-up per run."""
    return resolve_sources(config, sources, paths, allow_hosts)


#: Only the network-bound stages retry, with backoff; extraction and loading are deterministic.
NETWORK_RETRIES = {"retries": 2, "retry_delay_seconds": exponential_backoff(backoff_factor=5), "retry_jitter_factor": 0.5,
                   "retry_condition_fn": retry_unless_stopped}
discover_retrying = discover_task.with_options(**NETWORK_RETRIES)
fetch_retrying = fetch_task.with_options(**NETWORK_RETRIES)


def _local(stamp: datetime | None) -> datetime | None:
    """A naive since/until (e.g. `--param since=2024-05-01` on a deployment) means Asia/Jakarta time."""
    from zoneinfo import ZoneInfo

    return stamp if stamp is None or stamp.tzinfo else stamp.replace(tzinfo=ZoneInfo(settings.SCHEDULE_TIMEZONE))


def _run_name() -> str:
    from prefect.runtime import flow_run

    params = flow_run.parameters
    what = ",".join(params.get("sources") or []) or ",".join(params.get("paths") or []) or "all"
    return f"ingest[{what[:60]}]"


@flow(name="ingest", flow_run_name=_run_name, log_prints=False, validate_parameters=True,
      task_runner=task_runner_for(), on_failure=[on_run_failure], on_crashed=[on_run_failure])
def ingest(
    config: str | None = None,
    sources: list[str] | None = None,
    paths: list[str] | None = None,
    limit: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    allow_hosts: list[str] | None = None,
    warehouse: str | None = None,
    batch_size: int = settings.BATCH_SIZE,
    new_only: bool = False,
    lock_wait: float | None = None,
    max_run_minutes: float | None = None,
    reextract: bool = False,
) -> dict:
    """Ingest articles from the chosen sources into the warehouse; returns the run summary, or,
    for a run that ended ``failed`` or ``completed_with_errors`` (kabar/health.py), a Failed state
    whose data is a RunUnhealthy carrying the summary (a direct call raises it).

    ``sources`` picks sources by name from ``config``; ``paths`` are ad-hoc sources (files,
    directories, globs, WARC files, feed/sitemap URLs); ``since``/``until`` bound publication
    dates (naive values are Asia/Jakarta time); ``allow_hosts`` permits private/loopback hosts
    (HOST or HOST:PORT); ``new_only`` (when no ``since``) keeps items published after the last
    completed run started; ``lock_wait`` is how long to wait for another run on the same
    warehouse file (default: settings.RUN_LOCK_WAIT_S); ``max_run_minutes`` overrides the
    ``[run]`` time budget (0: none): once spent, no new batch starts, the batches in flight are
    loaded and the rest is recorded as not attempted (the run ends completed_with_errors). A page
    whose body is the one its stored article was extracted from is counted ``unchanged`` without
    extracting it again (tasks/unchanged.py), unless ``reextract``."""
    started = time.monotonic()  # the time budget counts from the flow's start
    plan = plan_task(config, sources, paths, allow_hosts)
    budget = RunBudget(plan.run.max_run_minutes if max_run_minutes is None else max_run_minutes, started)
    path = resolve_warehouse(warehouse, plan.warehouse, deployed=in_deployment())
    since, until = _local(since), _local(until)
    window = window_task(path, since, until, new_only) if new_only else Window(since, until)
    params = {"config": config, "sources": sources, "paths": paths, "limit": limit, "since": since, "until": until,
              **({"reextract": True} if reextract else {})}
    with recorded_run(path, "ingest", params, lock_wait, on_failure=report_task) as run:
        capture = CaptureTarget(str(warc_dir(path)), run.run_id, plan.fetch.warc_retention_days)
        items, listing, stored = _discover(plan, path, capture, limit, window, run, reextract)
        stages = ChangedPages(path)
        in_flight: deque = deque()
        left: list = []
        for start, batch in enumerate(batched(items, batch_size)):
            run.stop_if_signalled()  # a SIGTERM some library swallowed (flows/runner.py ledgered_signals)
            if budget.spent:
                left = items[start * batch_size:]
                get_run_logger().warning(budget.message(len(left), len(items)))
                break
            # not quote(batch): a submitted task's quote reaches a Dask worker as a bare tuple
            fetched_future = fetch_retrying.submit(batch, plan.fetch, capture)
            known = {item.url: stored[item.url] for item in batch if item.url in stored}
            # A batch of pages all stored before may need no extraction at all (an unchanged
            # rerun): its extract task is decided once its fetches are in (_finish_batch), so an
            # unchanged batch costs no task run, no cache lookup and no extraction workers.
            extract_future = None if len(known) == len(batch) else stages.extract.submit(fetched_future, known)
            in_flight.append((fetched_future, extract_future, known))
            if len(in_flight) >= settings.BATCHES_IN_FLIGHT:
                run.counts.merge(_finish_batch(*in_flight.popleft(), plan, window, path, run.run_id, stages))
        while in_flight:
            run.stop_if_signalled()
            run.counts.merge(_finish_batch(*in_flight.popleft(), plan, window, path, run.run_id, stages,
                                           last=not in_flight))
        if left:
            run.counts.merge(load_task(path, run.run_id, [], [], quote(budget.not_attempted(left))))
        # the search index, quality checks and run health: one task run, one writer (tasks/wrapup.py)
        search_index, quality, health = wrap_up_task(path, run.run_id, listing, run.counts.by_source, plan.run)
        run.state = final_state(health["state"], run_state(quality))
        run.message = health["message"] if run.state in UNHEALTHY else None
        if left:  # work was left undone: the operator hears of it (exit 1, Failed in Prefect)
            run.state = final_state(run.state, "completed_with_errors")
            run.message = "; ".join(filter(None, [budget.message(len(left), len(items)), run.message]))
    summary = report_task(path, run.summary(quality=quality, search_index=search_index, health=health))
    if run.state in UNHEALTHY:  # a Failed flow run: the CLI exits non-zero, Prefect calls the failure hooks
        # Returned, not raised: Prefect then logs one line instead of a traceback; the state's data
        # is the exception a direct call re-raises (with the summary for the CLI to print).
        # Persisted (flows/outcome.py): Prefect may hand back its API's copy of this state.
        return unhealthy_state("Failed" if run.state == "failed" else "CompletedWithErrors", run.message,
                               RunUnhealthy(run.message, summary))
    return summary


def _discover(plan: SourcesFile, path: Warehouse, capture: CaptureTarget, limit: int | None, window: Window,
              run: RunRecord, reextract: bool) -> tuple[list, dict, dict]:
    """Discover every source concurrently (each waits on its own hosts), record what each listed
    (coverage), schedule the items against the frontier, read their stored bodies (one step on
    one connection: tasks/fetch_plan.py) and load the discovery fetches; returns the items to
    fetch, what each source listed (for the run's health) and the stored bodies (tasks/unchanged.py)."""
    pending = [discover_retrying.submit(source, plan.fetch, path, capture) for source in plan.sources]
    discoveries = [future.result() for future in pending]
    listing = listing_of(discoveries)
    items, discovery_fetches, discovery_errors, discovered = plan_items(discoveries, limit, window)
    items, _held, stored = plan_fetches_task(path, run.run_id, quote([i for d in discoveries for i in d.items]), quote(items),
                                             {s.name: s for s in plan.sources}, plan.fetch.revisit_hours, reextract)
    for name, n in discovered.items():
        run.counts.add(name, "discovered", n)
    progress.advance("discover", len(plan.sources))
    for stage in ("fetch", "extract", "load"):
        progress.total(stage, len(items))
    if discovery_errors or discovery_fetches:  # local files and WARCs list without fetching: nothing to record
        run.counts.merge(load_task(path, run.run_id, [], [], quote(discovery_errors), quote(discovery_fetches)))
    return items, listing, stored


class ChangedPages:
    """The stages only a new or changed page goes through (extract, site profiles, normalise,
    dedupe, enrich, stories), imported when a batch first needs one: an unchanged run never
    imports the extraction stack (trafilatura, courlan, htmldate, justext, charset-normalizer:
    with feedparser's, about 0.4 CPU s of `import flows.ingest`, issue 11). Extract and enrich results are cached
    under the warehouse (flows/runner.py ``cached``)."""

    def __init__(self, path: Warehouse) -> None:
        self.path = path

    @cached_property
    def extract(self) -> Task:
        from tasks.extract import extract_task

        return cached(extract_task, self.path, fetched_batch_key)

    @cached_property
    def enrich(self) -> Task:
        from tasks.enrich import enrich_task

        return cached(enrich_task, self.path, article_batch_key)

    @property
    def site_profiles(self) -> Task:
        from tasks.boilerplate import site_profiles_task

        return site_profiles_task

    @property
    def normalise(self) -> Task:
        from tasks.normalise import normalise_task

        return normalise_task

    @property
    def dedupe(self) -> Task:
        from tasks.dedupe import dedupe_task

        return dedupe_task

    @property
    def stories(self) -> Task:
        from tasks.stories import stories_task

        return stories_task


def _finish_batch(fetched_future: PrefectFuture, extract_future: PrefectFuture | None, known: dict, plan: SourcesFile,
                  window: Window, path: Warehouse, run_id: str, stages: ChangedPages, last: bool = False) -> Counts:
    """Wait for one batch's fetch and extract, then normalise, dedupe, enrich, assign stories and
    load it; pages with unchanged bodies (``known``, tasks/unchanged.py) skip all but the load.
    Without ``extract_future`` (every page was stored before), the extract task runs only if a
    fetched page needs it. The ``last`` batch's extraction is the run's last: the extraction
    workers are let go before its enrichment (see ``release_workers``)."""
    fetched = fetched_future.result()
    progress.advance("fetch", len(fetched))
    same = unchanged(fetched, known)  # each body hashed once: sha256 of every page (tasks/unchanged.py)
    if extract_future is None and to_extract(fetched, known, same):  # a page stored before changed
        extract_future = stages.extract.submit(fetched, known)
    extracted, errors = extract_future.result() if extract_future is not None else ([], [])
    if last:
        release_workers()
    progress.advance("extract", len(fetched))
    counts = Counts()
    extracted = restamp(extracted, fetched)
    by_name = {source.name: source for source in plan.sources}
    kept, skipped, enriched = [], [], []
    if extracted:  # an unchanged batch has nothing to clean, dedupe, enrich or assign
        kept, skipped = stages.normalise(quote(extracted), by_name, window, stages.site_profiles(path, quote(extracted)))
    if kept:  # pages all skipped (no text, outside the window): nothing to dedupe, enrich or assign,
        # and the enrichers' models, a dedupe reader and three task runs are not paid for nothing
        enriched = restamp(stages.enrich.submit(stages.dedupe(quote(kept), path, plan.dedupe), None, plan.enrich).result(), fetched)
        enriched = stages.stories(quote(enriched), path, plan.dedupe)
    for article in skipped:
        counts.add(article.source, "skipped")
    counts.merge(load_task(path, run_id, quote(fetched), quote(enriched), quote(errors),
                           subject=quote(extracted_rows([*kept, *skipped], by_name)), unchanged=quote(same)))
    for page in fetched:  # loaded: the bytes are not needed again (Fetched.release_body)
        page.release_body()
    progress.advance("load", len(fetched))
    return counts

"""The ingest flow: sources -> discover -> fetch -> extract -> normalise -> dedupe -> enrich -> stories -> load.

The flow body only composes tasks. Fetch and extract batches are submitted to the task runner
(threads by default, Dask with ``[run] task_runner = "dask"``) a few batches ahead, while this
process normalises, dedupes, assigns stories and loads in order: the loader stays the single
writer. After the last batch the search index is updated and the quality checks run.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from prefect import Task, flow, task
from prefect.cache_policies import NONE as NO_CACHE
from prefect.futures import PrefectFuture
from prefect.tasks import exponential_backoff

from flows.report import report_task
from flows.runner import article_batch_key, cached, fetched_batch_key, restamp, task_runner_for
from kabar import progress, settings
from kabar.config import SourcesFile
from kabar.models import Window, batched
from kabar.notify import on_run_failure
from kabar.sources import resolve_sources
from tasks.boilerplate import site_profiles_task
from tasks.capture import CaptureTarget, warc_dir
from tasks.dedupe import dedupe_task
from tasks.discover import discover_task, plan_items, schedule_task, window_task
from tasks.enrich import configure_enrichers_task, enrich_task
from tasks.extract import extract_task
from tasks.fetch import fetch_task
from tasks.index import index_task
from tasks.load import Counts, finish_run_task, load_task, start_run_task
from tasks.normalise import normalise_task
from tasks.quality import quality_task, run_state
from tasks.stories import stories_task
from warehouse.backend import resolve_for_run


@task(name="plan", cache_policy=NO_CACHE)
def plan_task(
    config: str | None, sources: list[str] | None, paths: list[str] | None, allow_hosts: list[str] | None
) -> SourcesFile:
    return resolve_sources(config, sources, paths, allow_hosts)


#: Only the network-bound stages retry, with backoff; extraction and loading are deterministic.
NETWORK_RETRIES = {"retries": 2, "retry_delay_seconds": exponential_backoff(backoff_factor=5), "retry_jitter_factor": 0.5}
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
) -> dict:
    """Ingest articles from the chosen sources into the warehouse; returns the run summary.

    ``sources`` picks sources by name from ``config``; ``paths`` are ad-hoc sources (files,
    directories, globs, WARC files, feed/sitemap URLs); ``since``/``until`` bound publication
    dates (naive values are Asia/Jakarta time); ``allow_hosts`` permits private/loopback hosts
    (HOST or HOST:PORT); ``new_only`` (when no ``since``) keeps items published after the last
    completed run started; ``lock_wait`` is how long to wait for another run on the same
    warehouse file (default: settings.RUN_LOCK_WAIT_S)."""
    plan = plan_task(config, sources, paths, allow_hosts)
    configure_enrichers_task(plan.enrich)
    path = resolve_for_run(config, warehouse)
    since, until = _local(since), _local(until)
    window = window_task(path, since, until, new_only) if new_only else Window(since, until)
    run_id = start_run_task(
        path, "ingest",
        {"config": config, "sources": sources, "paths": paths, "limit": limit, "since": since, "until": until},
        lock_wait,
    )
    counts = Counts()
    extract = cached(extract_task, path, fetched_batch_key)
    enrich = cached(enrich_task, path, article_batch_key)
    try:
        capture = CaptureTarget(str(warc_dir(path)), run_id, plan.fetch.warc_retention_days)
        # Sources are discovered concurrently: each waits on its own hosts' latency.
        pending = [discover_retrying.submit(source, plan.fetch, path, capture) for source in plan.sources]
        discoveries = [future.result() for future in pending]
        items, discovery_fetches, discovery_errors, discovered = plan_items(discoveries, limit, window)
        items, _held = schedule_task(path, items, [source.name for source in plan.sources], plan.fetch.revisit_hours)
        for name, n in discovered.items():
            counts.add(name, "discovered", n)
        progress.advance("discover", len(plan.sources))
        for stage in ("fetch", "extract", "load"):
            progress.total(stage, len(items))
        counts.merge(load_task(path, run_id, [], [], discovery_errors, discovery_fetches))
        in_flight: deque = deque()
        for batch in batched(items, batch_size):
            fetched_future = fetch_retrying.submit(batch, plan.fetch, capture)
            in_flight.append((fetched_future, extract.submit(fetched_future)))
            if len(in_flight) >= settings.BATCHES_IN_FLIGHT:
                counts.merge(_finish_batch(*in_flight.popleft(), plan, window, path, run_id, enrich))
        while in_flight:
            counts.merge(_finish_batch(*in_flight.popleft(), plan, window, path, run_id, enrich))
        search_index = index_task(path)
        quality = quality_task(path, run_id)
    except BaseException as exc:
        finish_run_task(path, run_id, counts, "failed", f"{type(exc).__name__}: {exc}"[:500])
        report_task({"run_id": run_id, "warehouse": path, "state": "failed", "by_source": counts.by_source})
        raise
    state = run_state(quality)
    finish_run_task(path, run_id, counts, state)
    return report_task({"run_id": run_id, "warehouse": path, "state": state, "by_source": counts.by_source,
                        "quality": quality, "search_index": search_index})


def _finish_batch(fetched_future: PrefectFuture, extract_future: PrefectFuture, plan: SourcesFile,
                  window: Window, path: str, run_id: str, enrich: Task) -> Counts:
    """Wait for one batch's fetch and extract, then normalise, dedupe, enrich, assign stories and load it."""
    fetched = fetched_future.result()
    progress.advance("fetch", len(fetched))
    extracted, errors = extract_future.result()
    progress.advance("extract", len(fetched))
    counts = Counts()
    extracted = restamp(extracted, fetched)
    by_name = {source.name: source for source in plan.sources}
    kept, skipped = normalise_task(extracted, by_name, window, site_profiles_task(path, extracted))
    for article in skipped:
        counts.add(article.source, "skipped")
    enriched = restamp(enrich.submit(dedupe_task(kept, path, plan.dedupe)).result(), fetched)
    enriched = stories_task(enriched, path, plan.dedupe)
    counts.merge(load_task(path, run_id, fetched, enriched, errors))
    progress.advance("load", len(fetched))
    return counts

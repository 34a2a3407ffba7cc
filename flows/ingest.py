"""The ingest flow: sources -> discover -> fetch -> extract -> normalise -> dedupe -> enrich -> load."""

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
from kabar.config import Source, SourcesFile
from kabar.models import Window, batched
from kabar.notify import on_run_failure
from kabar.sources import resolve_sources
from tasks.dedupe import dedupe_task
from tasks.discover import discover_task, plan_items
from tasks.enrich import enrich_task
from tasks.extract import extract_task
from tasks.fetch import fetch_task
from tasks.load import Counts, finish_run_task, load_task, start_run_task
from tasks.normalise import normalise_task


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
) -> dict:
    """Ingest articles from the chosen sources into the warehouse; returns the run summary.

    ``sources`` picks sources by name from ``config``; ``paths`` are ad-hoc sources (files,
    directories, globs, WARC files, feed/sitemap URLs); ``since``/``until`` bound publication
    dates; ``allow_hosts`` permits private/loopback hosts (HOST or HOST:PORT)."""
    plan = plan_task(config, sources, paths, allow_hosts)
    path = str(settings.warehouse_path(warehouse))
    since, until = _local(since), _local(until)
    window = Window(since, until)
    run_id = start_run_task(
        path, "ingest",
        {"config": config, "sources": sources, "paths": paths, "limit": limit, "since": since, "until": until},
    )
    counts = Counts()
    extract = cached(extract_task, path, fetched_batch_key)
    enrich = cached(enrich_task, path, article_batch_key)
    progress.total("discover", len(plan.sources))
    try:
        discoveries = [future.result() for future in [discover_retrying.submit(s, plan.fetch) for s in plan.sources]]
        items, discovery_fetches, discovery_errors, discovered = plan_items(discoveries, limit, window)
        for name, n in discovered.items():
            counts.add(name, "discovered", n)
        progress.advance("discover", len(plan.sources))
        for stage in ("fetch", "extract", "load"):
            progress.total(stage, len(items))
        counts.merge(load_task(path, run_id, [], [], discovery_errors, discovery_fetches))
        by_name = {source.name: source for source in plan.sources}
        # Fetch and extract run ahead on the task runner (threads or Dask) a few batches at a
        # time, while this process dedupes and loads in order: the single writer stays here.
        in_flight: deque = deque()
        batches = batched(items, batch_size)
        for batch in batches:
            fetched_future = fetch_retrying.submit(batch, plan.fetch)
            in_flight.append((fetched_future, extract.submit(fetched_future)))
            if len(in_flight) < settings.BATCHES_IN_FLIGHT:
                continue
            counts.merge(_finish_batch(*in_flight.popleft(), by_name, window, path, run_id, enrich))
        while in_flight:
            counts.merge(_finish_batch(*in_flight.popleft(), by_name, window, path, run_id, enrich))
    except BaseException as exc:
        finish_run_task(path, run_id, counts, "failed", f"{type(exc).__name__}: {exc}"[:500])
        report_task({"run_id": run_id, "warehouse": path, "state": "failed", "by_source": counts.by_source})
        raise
    finish_run_task(path, run_id, counts)
    return report_task({"run_id": run_id, "warehouse": path, "state": "completed", "by_source": counts.by_source})


def _finish_batch(fetched_future: PrefectFuture, extract_future: PrefectFuture, by_name: dict[str, Source],
                  window: Window, path: str, run_id: str, enrich: Task) -> Counts:
    """Wait for one batch's fetch and extract, then normalise, dedupe, enrich and load it."""
    fetched = fetched_future.result()
    progress.advance("fetch", len(fetched))
    extracted, errors = extract_future.result()
    progress.advance("extract", len(fetched))
    counts = Counts()
    kept, skipped = normalise_task(restamp(extracted, fetched), by_name, window)
    for article in skipped:
        counts.add(article.source, "skipped")
    enriched = restamp(enrich.submit(dedupe_task(kept, path)).result(), fetched)
    counts.merge(load_task(path, run_id, fetched, enriched, errors))
    progress.advance("load", len(fetched))
    return counts

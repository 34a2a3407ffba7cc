"""The ingest flow: sources -> discover -> fetch -> extract -> normalise -> dedupe -> enrich -> stories -> load."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, task
from prefect.cache_policies import NONE as NO_CACHE

from kabar import settings
from kabar.config import SourcesFile
from kabar.models import Window, batched
from kabar.sources import resolve_sources
from tasks.boilerplate import site_profiles_task
from tasks.dedupe import dedupe_task
from tasks.capture import CaptureTarget, warc_dir
from tasks.discover import discover_task, plan_items, schedule_task, window_task
from tasks.enrich import configure_enrichers_task, enrich_task
from tasks.extract import extract_task
from tasks.fetch import fetch_task
from tasks.index import index_task
from tasks.load import Counts, finish_run_task, load_task, start_run_task
from tasks.normalise import normalise_task
from tasks.quality import quality_task, run_state
from warehouse.backend import resolve_for_run
from tasks.stories import stories_task


@task(name="plan", cache_policy=NO_CACHE)
def plan_task(
    config: str | None, sources: list[str] | None, paths: list[str] | None, allow_hosts: list[str] | None
) -> SourcesFile:
    return resolve_sources(config, sources, paths, allow_hosts)


def _run_name() -> str:
    from prefect.runtime import flow_run

    params = flow_run.parameters
    what = ",".join(params.get("sources") or []) or ",".join(params.get("paths") or []) or "all"
    return f"ingest[{what[:60]}]"


@flow(name="ingest", flow_run_name=_run_name, log_prints=False, validate_parameters=True)
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
    dates; ``allow_hosts`` permits private/loopback hosts (HOST or HOST:PORT); ``new_only``
    (when no ``since``) keeps items published after the last completed run started; ``lock_wait``
    is how long to wait for another run on the same warehouse file (default:
    settings.RUN_LOCK_WAIT_S)."""
    plan = plan_task(config, sources, paths, allow_hosts)
    configure_enrichers_task(plan.enrich)
    path = resolve_for_run(config, warehouse)
    window = window_task(path, since, until, new_only) if new_only else Window(since, until)
    run_id = start_run_task(
        path, "ingest",
        {"config": config, "sources": sources, "paths": paths, "limit": limit, "since": since, "until": until},
        lock_wait,
    )
    counts = Counts()
    try:
        capture = CaptureTarget(str(warc_dir(path)), run_id, plan.fetch.warc_retention_days)
        # Sources are discovered concurrently (threads): each waits on its own hosts' latency.
        pending = [discover_task.submit(source, plan.fetch, path, capture) for source in plan.sources]
        discoveries = [future.result() for future in pending]
        items, discovery_fetches, discovery_errors, discovered = plan_items(discoveries, limit, window)
        items, _held = schedule_task(path, items, [source.name for source in plan.sources], plan.fetch.revisit_hours)
        for name, n in discovered.items():
            counts.add(name, "discovered", n)
        counts.merge(load_task(path, run_id, [], [], discovery_errors, discovery_fetches))
        by_name = {source.name: source for source in plan.sources}
        for batch in batched(items, batch_size):
            fetched = fetch_task(batch, plan.fetch, capture)
            extracted, errors = extract_task(fetched)
            kept, skipped = normalise_task(extracted, by_name, window, site_profiles_task(path, extracted))
            for article in skipped:
                counts.add(article.source, "skipped")
            enriched = enrich_task(dedupe_task(kept, path, plan.dedupe))
            enriched = stories_task(enriched, path, plan.dedupe)
            counts.merge(load_task(path, run_id, fetched, enriched, errors))
        search_index = index_task(path)
        quality = quality_task(path, run_id)
    except BaseException as exc:
        finish_run_task(path, run_id, counts, "failed", f"{type(exc).__name__}: {exc}"[:500])
        raise
    state = run_state(quality)
    finish_run_task(path, run_id, counts, state)
    return {"run_id": run_id, "warehouse": path, "state": state, "by_source": counts.by_source,
            "quality": quality, "search_index": search_index}

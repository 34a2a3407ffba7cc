"""The steps after a run's last load, on one writer: the search index update, the quality
checks and the run's health (issue 11).

Each was its own Prefect task run opening and closing the warehouse writer (and health a reader
besides): about 0.05 CPU s an open, paid by every run, an unchanged one too, for three steps
that always run back to back with nothing between them that needs a retry, a cache or the task
runner. On a file they now share one writer in one task run; each step still logs its own line
and returns what it did (a DuckLake opens per step, as the steps do on their own)."""

from __future__ import annotations

import logging
from typing import Any

from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import RunSettings, Warehouse
from kabar.tasking import task
from tasks.health import judge_run
from tasks.index import update_index_timed

LOGGER = logging.getLogger(__name__)


def wrap_up(path: Warehouse, run_id: str, listing: dict[str, dict[str, Any]], by_source: dict[str, dict[str, int]],
            run: RunSettings) -> tuple[dict[str, float], list[dict], dict[str, Any]]:
    """(search index counts, quality check results, run health) of run ``run_id``, in that order,
    as ``index_task``, ``quality_task`` and ``health_task`` return them."""
    from tasks import extract_pool
    from warehouse.backend import open_writer_for
    from warehouse.quality import check_and_record

    # Every batch is loaded: nothing is extracted any more in this run, and these steps are the
    # main process's largest in memory (the index update grows with the run's new articles).
    # The ingest flow let the workers go at its last batch already; any other way here (a run
    # whose time budget ran out) does it now (tasks/extract_pool.py ``release_workers``).
    extract_pool.release_workers()

    def steps(con: Any) -> tuple[dict[str, float], list[dict], dict[str, Any]]:
        search_index = update_index_timed(path, con)
        quality = [r.as_dict() for r in check_and_record(path, run_id, con)]
        failed = [c["check"] for c in quality if not c["passed"]]
        LOGGER.info("quality checks: %d run, %s", len(quality), f"failed: {', '.join(failed)}" if failed else "all passed")
        health = judge_run(path, run_id, listing, by_source, run, con)
        return search_index, quality, {**health.as_dict(), "message": health.message()}

    if path.is_lake:
        return steps(None)
    with open_writer_for(path) as con:
        return steps(con)


@task(name="index-checks-health", cache_policy=NO_CACHE)
def wrap_up_task(path: Warehouse, run_id: str, listing: dict[str, dict[str, Any]], by_source: dict[str, dict[str, int]],
                 run: RunSettings) -> tuple[dict[str, float], list[dict], dict[str, Any]]:
    return wrap_up(path, run_id, listing, by_source, run)

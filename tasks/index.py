"""Update the full-text search index once a run's last batch is loaded: postings for the new
and changed articles only (warehouse/search.py), so the cost follows the run, not the warehouse.
Both also bring the explorer's pre-aggregated copies (warehouse/summaries.py) up to date, so
`kabar browse` reads them, not the slow live views, after any flow that writes."""

from __future__ import annotations

import logging
import time
from typing import Any

from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import Warehouse
from kabar.tasking import task
from warehouse.backend import refresh_summaries, update_search_index

LOGGER = logging.getLogger(__name__)


@task(name="search-index", cache_policy=NO_CACHE)
def index_task(path: Warehouse) -> dict[str, float]:
    """Update the search index of the warehouse at ``path`` for this run's new and changed
    articles; returns documents (in all), indexed and removed (this run) and seconds taken."""
    return update_index_timed(path)


def update_index_timed(path: Warehouse, con: Any = None) -> dict[str, float]:
    """``index_task``'s work, on the run's writer ``con`` when given (tasks/wrapup.py)."""
    started = time.perf_counter()
    counts = update_search_index(path, con)
    seconds = time.perf_counter() - started
    LOGGER.info("search index: %s in %.2f s", counts, seconds)
    return {**counts, "seconds": round(seconds, 3)}


@task(name="explorer-summaries", cache_policy=NO_CACHE)
def summaries_task(path: Warehouse) -> dict[str, float]:
    """Refresh the explorer's copies of the warehouse at ``path`` after a flow that changed
    enrichments but no article text (``kabar enrich``); returns whether they were rebuilt and
    the seconds taken."""
    started = time.perf_counter()
    rebuilt = refresh_summaries(path)
    seconds = time.perf_counter() - started
    LOGGER.info("explorer summaries: %s in %.2f s", "rebuilt" if rebuilt else "current", seconds)
    return {"rebuilt": rebuilt, "seconds": round(seconds, 3)}

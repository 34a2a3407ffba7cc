"""Update the full-text search index once a run's last batch is loaded: postings for the new
and changed articles only (warehouse/search.py), so the cost follows the run, not the warehouse.
"""

from __future__ import annotations

import logging
import time

from prefect import task
from prefect.cache_policies import NONE as NO_CACHE

from warehouse.backend import is_lake, open_writer_for

LOGGER = logging.getLogger(__name__)


def rebuild_search_index(path: str) -> dict[str, float]:
    """Update the index of the warehouse at ``path``; returns documents (in all), indexed and
    removed (this run) and seconds taken."""
    from warehouse.search import update_index

    started = time.perf_counter()
    if is_lake(path):
        from warehouse.lake import build_lake_index

        counts = {"documents": build_lake_index(path)}
    else:
        with open_writer_for(path) as con:
            counts = update_index(con)
    seconds = time.perf_counter() - started
    LOGGER.info("search index: %s in %.2f s", counts, seconds)
    return {**counts, "seconds": round(seconds, 3)}


@task(name="search-index", cache_policy=NO_CACHE)
def index_task(path: str) -> dict[str, float]:
    return rebuild_search_index(path)

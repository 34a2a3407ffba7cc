"""Update the full-text search index once a run's last batch is loaded: postings for the new
and changed articles only (warehouse/search.py), so the cost follows the run, not the warehouse.
"""

from __future__ import annotations

import logging
import time

from prefect import task
from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import Warehouse
from warehouse.backend import update_search_index

LOGGER = logging.getLogger(__name__)


@task(name="search-index", cache_policy=NO_CACHE)
def index_task(path: Warehouse) -> dict[str, float]:
    """Update the search index of the warehouse at ``path`` for this run's new and changed
    articles; returns documents (in all), indexed and removed (this run) and seconds taken."""
    started = time.perf_counter()
    counts = update_search_index(path)
    seconds = time.perf_counter() - started
    LOGGER.info("search index: %s in %.2f s", counts, seconds)
    return {**counts, "seconds": round(seconds, 3)}

"""Rebuild the full-text search index once a run's last batch is loaded.

DuckDB's fts index is not incremental, so it is rebuilt whole once per run (not per batch).
"""

from __future__ import annotations

import logging
import time

from prefect import task
from prefect.cache_policies import NONE as NO_CACHE

from warehouse.backend import rebuild_search_index

LOGGER = logging.getLogger(__name__)


@task(name="search-index", cache_policy=NO_CACHE)
def index_task(path: str) -> dict[str, float]:
    """Rebuild the index of the warehouse at ``path``; returns documents and seconds taken."""
    started = time.perf_counter()
    documents = rebuild_search_index(path)
    seconds = time.perf_counter() - started
    LOGGER.info("search index: %d documents in %.2f s", documents, seconds)
    return {"documents": documents, "seconds": round(seconds, 3)}

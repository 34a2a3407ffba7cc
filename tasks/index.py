"""Rebuild the full-text search index once a run's last batch is loaded.

DuckDB's fts index is not incremental, so it is rebuilt whole once per run (not per batch).
"""

from __future__ import annotations

import logging
import time

from prefect import task
from prefect.cache_policies import NONE as NO_CACHE

from warehouse.backend import is_lake, open_writer_for

LOGGER = logging.getLogger(__name__)


def rebuild_search_index(path: str) -> dict[str, float]:
    """Rebuild the index of the warehouse at ``path``; returns documents and seconds taken."""
    from warehouse.search import build_index

    started = time.perf_counter()
    if is_lake(path):
        from warehouse.lake import build_lake_index

        documents = build_lake_index(path)
    else:
        with open_writer_for(path) as con:
            documents = build_index(con)
    seconds = time.perf_counter() - started
    LOGGER.info("search index: %d documents in %.2f s", documents, seconds)
    return {"documents": documents, "seconds": round(seconds, 3)}


@task(name="search-index", cache_policy=NO_CACHE)
def index_task(path: str) -> dict[str, float]:
    return rebuild_search_index(path)

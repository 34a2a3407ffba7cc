"""Before the first fetch: record what the sources listed (coverage), choose what to fetch now
(the frontier) and read the bodies stored for those URLs (unchanged pages), on one connection.

Why one step (issue 11): the three ran back to back as three task runs, each opening the
warehouse (a writer for coverage, a reader each for the frontier's due retries and the stored
bodies). Opening a DuckDB file loads its whole catalog, about 17 ms of CPU for a 300-article
warehouse whatever the step reads: a third of an unchanged run's opens went to these steps.
Each keeps its own function (tasks/coverage.py, warehouse/frontier.py ``schedule``,
tasks/unchanged.py) and does what it did alone; a DuckLake takes them one by one, as before.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import Source, Warehouse
from kabar.models import Item
from kabar.tasking import task

LOGGER = logging.getLogger(__name__)

#: URL -> (body hash, article id, page type, reason): tasks/unchanged.py ``stored_bodies``.
StoredBodies = dict[str, tuple[str, str, str, str]]


def plan_fetches(path: Warehouse, run_id: str, listed: list[Item], items: list[Item], sources: dict[str, Source],
                 revisit_hours: float, reextract: bool = False) -> tuple[list[Item], int, StoredBodies]:
    """Record the ``listed`` items of run ``run_id`` (coverage: new (source, URL) pairs only),
    schedule ``items`` (the discovered ones the run may fetch) against the frontier and read the
    stored bodies of those scheduled; returns (items to fetch now, interleaved over hosts; how
    many the frontier held back; URL -> stored body). ``reextract``: no stored bodies (every
    page is extracted)."""
    from tasks.coverage import listed_rows, record_listed
    from tasks.discover import schedule_items
    from tasks.politeness import interleave
    from tasks.unchanged import extractor_version, stored_bodies
    from warehouse.backend import open_writer_for
    from warehouse.bodies import lookup
    from warehouse.coverage import insert_listed
    from warehouse.frontier import schedule

    names = list(sources)
    if path.is_lake:
        record_listed(path, run_id, listed, sources)
        go, held = schedule_items(path, items, names, revisit_hours)
        return go, held, stored_bodies(path, [item.url for item in go], reextract)
    rows = listed_rows(listed, sources, datetime.now(timezone.utc))
    with open_writer_for(path) as con:
        if rows:
            insert_listed(con, run_id, rows)
        go, held = schedule(path, items, names, revisit_hours=revisit_hours, con=con)
        go = interleave(go)
        stored = {} if reextract else lookup(con, [item.url for item in go], extractor_version())
    return go, len(held), stored


@task(name="plan-fetches", cache_policy=NO_CACHE)
def plan_fetches_task(path: Warehouse, run_id: str, listed: list[Item], items: list[Item], sources: dict[str, Source],
                      revisit_hours: float, reextract: bool = False) -> tuple[list[Item], int, StoredBodies]:
    return plan_fetches(path, run_id, listed, items, sources, revisit_hours, reextract)

"""Pre-aggregated copies of the `entities` and `stories` views for the explorer, written by the
index step at the end of a run and read only while they are current.

Both views aggregate every article (``entities``: 600k entity rows joined with the enrichment
log; ``stories``: every article grouped by story), which costs 0.2-1 s a query on a
100,000-article warehouse; the explorer's entity, story, article and list pages read them
several times a page. ``refresh(con)`` (the writer, after the search index) stores each view's
rows in ``store.explorer_entities`` / ``store.explorer_stories`` with a *stamp* of the
warehouse (row counts of the tables the views read and the run ledger); ``current(con)`` (a
reader, a few ms) says whether the stamp still matches. Anything written since (another
flow's run, a test's insert) changes the stamp, and the explorer reads the live views again
until the next refresh: a stale copy is never shown.
"""

from __future__ import annotations

import logging
import time

import duckdb

from warehouse.transaction import transaction

LOGGER = logging.getLogger(__name__)

#: Copy table -> the public view it copies.
COPIES = {"store.explorer_entities": "main.entities", "store.explorer_stories": "main.stories"}
STATE_TABLE = "store.explorer_summary_state"

# Every write path changes one of these: loads add articles and enrichment rows, story
# assignment adds stories, and every flow (ingest, enrich, reextract, ...) records its run
# before it writes anything (so in-place UPDATEs of a run are covered by its run row).
_STAMP_SQL = """
SELECT concat_ws('/', (SELECT count(*) FROM store.articles), (SELECT count(*) FROM store.article_entities),
                 (SELECT count(*) FROM store.enrichment_log), (SELECT count(*) FROM store.stories),
                 (SELECT count(*) || ':' || coalesce(max(started_at)::VARCHAR, '') FROM store.runs))"""


def stamp(con: duckdb.DuckDBPyConnection) -> str | None:
    """The warehouse's current stamp; None when a table it reads does not exist yet."""
    try:
        return con.execute(_STAMP_SQL).fetchone()[0]
    except duckdb.CatalogException:
        return None


def current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the copies exist and were refreshed at the warehouse's current stamp."""
    try:
        row = con.execute(f"SELECT stamp FROM {STATE_TABLE}").fetchone()
    except duckdb.CatalogException:
        return False
    return row is not None and row[0] == stamp(con)


def refresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Re-create the copies on the write connection ``con`` unless they are current (one
    transaction); returns whether they were rewritten. About 1-2 s at 100,000 articles."""
    now = stamp(con)
    if now is None or current(con):
        return False
    started = time.perf_counter()
    with transaction(con):
        for table, view in COPIES.items():
            order = "articles DESC, entity_id" if "entities" in view else "first_published_at DESC NULLS LAST, story_id"
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {view} ORDER BY {order}")
        con.execute(f"CREATE OR REPLACE TABLE {STATE_TABLE} (stamp VARCHAR NOT NULL, refreshed_at TIMESTAMPTZ)")
        con.execute(f"INSERT INTO {STATE_TABLE} VALUES (?, current_timestamp)", [now])
    LOGGER.info("explorer summaries refreshed in %.2f s", time.perf_counter() - started)
    return True

"""Pre-aggregated copies for the explorer (the `entities` and `stories` views, mentions by
entity, places on maps), written by the index step at the end of a run and read only while
they are current.

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

import hashlib
import logging
import time

import duckdb

from warehouse.transaction import transaction

LOGGER = logging.getLogger(__name__)



def jakarta_day(column: str) -> str:
    """SQL of the Asia/Jakarta calendar day of the TIMESTAMPTZ ``column``.

    Jakarta has kept UTC+7 since 1964, so from 1970 (a non-negative epoch, where integer
    division is floor division) the day is plain arithmetic on the epoch; ICU's ``timezone()``
    (a time-zone lookup per row, about 3x slower: 0.1 s per 100,000 articles) is asked only
    for earlier times."""
    return (f"CASE WHEN {column} >= TIMESTAMPTZ '1970-01-01 00:00:00+00' "
            f"THEN DATE '1970-01-01' + CAST((epoch_us({column}) + 25200000000) // 86400000000 AS INTEGER) "
            f"ELSE CAST(timezone('Asia/Jakarta', {column}) AS DATE) END")


#: Copy table -> the SQL of its rows (in the order the pages read them).
COPIES = {
    # The entities and stories views as they are.
    "store.explorer_entities": "SELECT * FROM main.entities ORDER BY articles DESC, entity_id",
    "store.explorer_stories": "SELECT * FROM main.stories ORDER BY first_published_at DESC NULLS LAST, story_id",
    # One row per entity and article naming it, with what the entity page lists of the article
    # and every entity the article names: sorted by entity, so a page reads only that entity's
    # row groups (DuckDB skips row groups by min/max; there is no index a filter could use).
    "store.explorer_mentions": f"""
        WITH named AS (SELECT entity_id, article_id, count(*) AS mentions FROM main.mentions
                       WHERE entity_id IS NOT NULL GROUP BY ALL),
        together AS (SELECT article_id, list(entity_id ORDER BY entity_id) AS entities FROM named GROUP BY article_id)
        SELECT n.entity_id, n.article_id, n.mentions, a.title, a.outlet, a.published_at,
               {jakarta_day('a.published_at')} AS day, a.story_id, a.duplicate_of, t.entities
        FROM named n JOIN main.articles a USING (article_id) JOIN together t USING (article_id)
        ORDER BY n.entity_id, a.published_at DESC NULLS LAST, n.article_id""",
    # Per story, the entities its articles name (copies included), sorted by story.
    "store.explorer_story_entities": """
        SELECT a.story_id, m.entity_id, count(DISTINCT m.article_id) AS articles, count(*) AS mentions
        FROM main.mentions m JOIN main.articles a USING (article_id)
        WHERE a.story_id IS NOT NULL AND m.entity_id IS NOT NULL
        GROUP BY ALL ORDER BY a.story_id, m.entity_id""",
    # The values the search form offers per filter, with how many articles have each.
    "store.explorer_choices": """
        SELECT 'outlets' AS kind, outlet AS value, count(*) AS articles FROM main.articles
        WHERE outlet IS NOT NULL GROUP BY ALL
        UNION ALL SELECT 'languages', language, count(*) FROM main.articles WHERE language IS NOT NULL GROUP BY ALL
        UNION ALL SELECT 'themes', theme, count(*) FROM main.themes GROUP BY ALL
        ORDER BY kind, articles DESC, value""",
    # Places with coordinates and how many originals name them (the maps).
    "store.explorer_places": """
        SELECT p.entity_id, any_value(p.name) AS name, any_value(p.country) AS country,
               avg(p.lat) AS lat, avg(p.lon) AS lon, count(DISTINCT p.article_id) AS articles
        FROM main.places p JOIN main.articles a USING (article_id)
        WHERE p.lat IS NOT NULL AND p.lon IS NOT NULL AND a.duplicate_of IS NULL
        GROUP BY p.entity_id ORDER BY p.entity_id""",
}
STATE_TABLE = "store.explorer_summary_state"

# Every write path changes one of these: loads add articles and enrichment rows, story
# assignment adds stories, and every flow (ingest, enrich, reextract, ...) records its run
# before it writes anything (so in-place UPDATEs of a run are covered by its run row).
_STAMP_SQL = """
SELECT concat_ws('/', (SELECT count(*) FROM store.articles), (SELECT count(*) FROM store.article_entities),
                 (SELECT count(*) FROM store.enrichment_log), (SELECT count(*) FROM store.stories),
                 (SELECT count(*) FROM store.mentions),
                 (SELECT count(*) || ':' || coalesce(max(started_at)::VARCHAR, '') FROM store.runs))"""


#: Which copies (and how they are computed): a kabar whose copies differ refreshes them.
_COPIES_VERSION = hashlib.sha256("\x1f".join(f"{k}\x1f{v}" for k, v in COPIES.items()).encode()).hexdigest()[:12]


def stamp(con: duckdb.DuckDBPyConnection) -> str | None:
    """The warehouse's current stamp (and the copies' version); None when a table it reads
    does not exist yet."""
    try:
        return f"{con.execute(_STAMP_SQL).fetchone()[0]}/{_COPIES_VERSION}"
    except duckdb.CatalogException:
        return None


# What the copies are computed from, hashed (a few hundred ms at 100,000 articles): the writer
# compares it before rebuilding, so a run that changed nothing the copies show (an unchanged
# rerun: a new run row, nothing else) only stores its stamp.
_CONTENT_SQL = """
SELECT concat_ws('/',
    (SELECT count(*) || ':' || coalesce(sum(hash(article_id, story_id, published_at, duplicate_of, outlet, title,
                                                 first_seen_at)), 0) FROM store.articles),
    (SELECT count(*) || ':' || coalesce(sum(hash(article_id, entity_id, name, type, wikidata_id, wikidata_note,
                                                 country, lat, lon)), 0) FROM store.article_entities),
    (SELECT count(*) || ':' || coalesce(sum(hash(article_id, enricher, enriched_at)), 0) FROM store.enrichment_log),
    (SELECT count(*) || ':' || coalesce(sum(hash(story_id, title)), 0) FROM store.stories),
    (SELECT count(*) || ':' || coalesce(sum(hash(article_id, entity_id)), 0) FROM store.mentions))"""


def _only_ingest_runs_since(con: duckdb.DuckDBPyConnection, now: str) -> bool:
    """Whether the stored stamp differs from ``now`` in its run ledger part only, and every run
    started since the copies were last rebuilt is an ingest."""
    try:
        row = con.execute(f"SELECT stamp, refreshed_at FROM {STATE_TABLE}").fetchone()
    except (duckdb.CatalogException, duckdb.BinderException):
        return False
    if row is None or row[1] is None:
        return False
    # stamp: the five row counts, the runs' count:latest start, then the copies' version
    before, after = row[0].split("/"), now.split("/")
    if len(before) != len(after) or before[:5] != after[:5] or before[6:] != after[6:]:
        return False
    others = con.execute("SELECT count(*) FROM store.runs WHERE flow <> 'ingest' AND started_at >= ?", [row[1]])
    return others.fetchone()[0] == 0


def current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the copies exist and were refreshed at the warehouse's current stamp."""
    try:
        row = con.execute(f"SELECT stamp FROM {STATE_TABLE}").fetchone()
    except duckdb.CatalogException:
        return False
    return row is not None and row[0] == stamp(con)


def refresh(con: duckdb.DuckDBPyConnection, *, nothing_logged: bool = False) -> bool:
    """Re-create the copies on the write connection ``con`` unless they are current (one
    transaction); returns whether they were rewritten. When only the stamp moved (a run that
    changed none of the rows the copies are made of) the new stamp is stored and nothing is
    rebuilt. A rebuild takes about 8 CPU s at 100,000 articles.

    ``nothing_logged``: the index step found no article in the loader's change log (an unchanged
    ingest; warehouse/search.py). Then, if only ingest runs were recorded since the last rebuild
    and no row count moved, the stamp is stored without hashing the copies' sources
    (``_CONTENT_SQL`` reads every article, mention and entity row: linear in the warehouse, about
    0.8 CPU s of an unchanged run at 100,000 articles, issue 11). An ingest logs every article it
    inserts or changes, and its enrichments, mentions and stories follow those articles; other
    flows (enrich, reextract) take the whole comparison."""
    now = stamp(con)
    if now is None or current(con):
        return False
    if nothing_logged and _only_ingest_runs_since(con, now):
        with transaction(con):
            con.execute(f"UPDATE {STATE_TABLE} SET stamp = ?", [now])
        return False
    started = time.perf_counter()
    content = f"{con.execute(_CONTENT_SQL).fetchone()[0]}/{_COPIES_VERSION}"
    try:
        before = con.execute(f"SELECT content FROM {STATE_TABLE}").fetchone()
    except (duckdb.CatalogException, duckdb.BinderException):  # none yet, or written before the content column
        before = None
    with transaction(con):
        if before is not None and before[0] == content:  # same rows: the copies stand, under the new stamp
            con.execute(f"UPDATE {STATE_TABLE} SET stamp = ?", [now])
            return False
        for table, sql in COPIES.items():
            con.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}")
        con.execute(f"CREATE OR REPLACE TABLE {STATE_TABLE} (stamp VARCHAR NOT NULL, content VARCHAR NOT NULL, "
                    "refreshed_at TIMESTAMPTZ)")
        con.execute(f"INSERT INTO {STATE_TABLE} VALUES (?, ?, current_timestamp)", [now, content])
    LOGGER.info("explorer summaries refreshed in %.2f s", time.perf_counter() - started)
    return True

"""Extracted bodies (``store.extracted_bodies``, migration 068): which body each stored article
was extracted from, so an unchanged rerun skips extraction (tasks/unchanged.py).

Read side: ``stored_bodies(path, urls, extractor)``, with a short read-only connection before the
run fetches: URL -> (body hash, article id) for the URLs whose stored article still exists and
was extracted by this ``extractor`` version (an extractor change makes every page new to it).
Write side, inside the load transaction: ``record_bodies`` for the articles a batch loaded, and
``touch_unchanged`` for the pages it skipped (their articles' ``last_seen_at`` moves, as a
merged unchanged article's does).

A page extraction found not to be an article (a video or index page: its page type is on its
fetch row) is remembered too, with ``article_id`` ``NO_ARTICLE``: the same bytes, by the same
extractor, give the same page type, so the next run counts it skipped again without extracting
it. Without this the first unchanged rerun of 300 real pages started the extraction workers for
the one video page among them, about 4 of its 10 CPU s (issue 11).
"""

from __future__ import annotations

import logging
from datetime import datetime

import duckdb
import pyarrow as pa

from kabar.warehouse_spec import Warehouse
from warehouse.backend import open_reader_for
from warehouse.connection import WarehouseError

LOGGER = logging.getLogger(__name__)

_ROWS = pa.schema([("url", pa.string()), ("body_hash", pa.string()), ("extractor", pa.string()),
                   ("article_id", pa.string()), ("extracted_at", pa.timestamp("us", tz="UTC")),
                   ("run_id", pa.string())])
#: ``article_id`` of a body that gave no article (a page of another type, see store.fetches.page_type).
NO_ARTICLE = ""
#: The fetch-row page type of a stored article's unchanged body.
UNCHANGED_ARTICLE = ("article", "body unchanged since its article was extracted")

_SEEN = pa.schema([("article_id", pa.string()), ("seen_at", pa.timestamp("us", tz="UTC"))])


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'store' "
        "AND table_name = 'extracted_bodies'"
    ).fetchone()[0] > 0


def lookup(con: duckdb.DuckDBPyConnection, urls: list[str], extractor: str) -> dict[str, tuple[str, str, str, str]]:
    """URL -> (body hash, article id, page type, reason) of these URLs, extracted by ``extractor``:
    articles still stored (page type ``article``), and pages that gave none (``NO_ARTICLE``, with
    the page type their last fetch row recorded)."""
    if not urls or not _has_table(con):
        return {}
    con.register("body_urls", pa.table({"url": pa.array(list(dict.fromkeys(urls)), pa.string())}))
    try:
        rows = con.execute(
            """WITH bodies AS (
                   SELECT b.url, b.body_hash, b.article_id FROM store.extracted_bodies b JOIN body_urls USING (url)
                   LEFT JOIN store.articles a ON a.article_id = b.article_id
                   WHERE b.extractor = ? AND (a.article_id IS NOT NULL OR b.article_id = ?)),
               types AS (
                   SELECT f.url, arg_max(f.page_type, f.fetched_at) AS page_type,
                          arg_max(f.page_type_reason, f.fetched_at) AS reason
                   FROM store.fetches f JOIN bodies b ON b.url = f.url AND b.article_id = ?
                   WHERE f.page_type IS NOT NULL GROUP BY f.url)
               SELECT b.url, b.body_hash, b.article_id, t.page_type, t.reason
               FROM bodies b LEFT JOIN types t USING (url)""", [extractor, NO_ARTICLE, NO_ARTICLE],
        ).fetchall()
    finally:
        con.unregister("body_urls")
    found = {}
    for url, body_hash, article_id, page_type, reason in rows:
        if article_id != NO_ARTICLE:
            found[url] = (body_hash, article_id, *UNCHANGED_ARTICLE)
        elif page_type is not None and page_type != "article":  # else: extract it again, never guess
            found[url] = (body_hash, article_id, page_type, reason or "")
    return found


def stored_bodies(path: Warehouse, urls: list[str], extractor: str) -> dict[str, tuple[str, str, str, str]]:
    """``lookup`` through a short read-only connection; an absent or busy warehouse reads as
    empty (every page is then extracted: slower, never wrong)."""
    if not urls or not path.exists():
        return {}
    try:
        with open_reader_for(path, wait_s=60, locked=False) as con:
            return lookup(con, urls, extractor)
    except WarehouseError as exc:
        LOGGER.warning("extracted bodies not read (%s): extracting every page", exc)
        return {}


def record_bodies(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict]) -> None:
    """Upsert (url, body_hash, extractor, article_id, extracted_at) rows (the caller holds the transaction)."""
    if not rows:
        return
    con.register("body_rows", pa.Table.from_pylist([{**r, "run_id": run_id} for r in rows], schema=_ROWS))
    try:
        con.execute(
            """MERGE INTO store.extracted_bodies AS b USING body_rows AS s ON b.url = s.url
               WHEN MATCHED THEN UPDATE SET body_hash = s.body_hash, extractor = s.extractor,
                    article_id = s.article_id, extracted_at = s.extracted_at, run_id = s.run_id
               WHEN NOT MATCHED THEN INSERT BY NAME"""
        )
    finally:
        con.unregister("body_rows")


def touch_unchanged(con: duckdb.DuckDBPyConnection, seen: dict[str, datetime]) -> None:
    """Move ``last_seen_at`` of articles whose body was fetched again unchanged (article id ->
    fetch time); their content, version and run_id stay (the caller holds the transaction)."""
    if not seen:
        return
    con.register("seen_rows", pa.Table.from_pylist(
        [{"article_id": k, "seen_at": v} for k, v in seen.items()], schema=_SEEN))
    try:
        con.execute("""UPDATE store.articles AS a SET last_seen_at = greatest(a.last_seen_at, s.seen_at)
                       FROM seen_rows AS s WHERE a.article_id = s.article_id""")
    finally:
        con.unregister("seen_rows")

"""The coverage tables (issue 16): items listed per source, and per-run source outcomes."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

LISTED_SCHEMA = pa.schema([
    ("source", pa.string()), ("outlet", pa.string()), ("url", pa.string()), ("day", pa.date32()),
    ("published_at", pa.timestamp("us", tz="UTC")), ("title", pa.string()), ("matched", pa.bool_()),
    ("matched_on", pa.string()), ("first_seen_at", pa.timestamp("us", tz="UTC")),
])
EXTRACTED_SCHEMA = pa.schema([
    ("source", pa.string()), ("outlet", pa.string()), ("url", pa.string()), ("matched", pa.bool_()), ("matched_on", pa.string()),
    ("published_at", pa.timestamp("us", tz="UTC")), ("day", pa.date32()),
])
RUN_SOURCE_SCHEMA = pa.schema([
    ("source", pa.string()), ("status", pa.string()), ("listed", pa.int64()), ("discovered", pa.int64()),
    ("fetched", pa.int64()), ("failed", pa.int64()), ("new", pa.int64()), ("reason", pa.string()),
])


def insert_listed(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict[str, Any]]) -> int:
    """Insert listed items not yet recorded for their source, in one transaction; returns how many."""
    con.register("listed_rows", pa.Table.from_pylist(rows, schema=LISTED_SCHEMA))
    try:
        con.execute("BEGIN TRANSACTION")
        inserted = con.execute(
            """INSERT INTO store.discovered_items BY NAME
               SELECT l.*, $run AS run_id FROM (SELECT DISTINCT ON (source, url) * FROM listed_rows) l
               WHERE NOT EXISTS (SELECT 1 FROM store.discovered_items d WHERE d.source = l.source AND d.url = l.url)""",
            {"run": run_id},
        ).fetchone()[0]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("listed_rows")
    return int(inserted)


def update_extracted(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict[str, Any]]) -> None:
    """Inside the caller's transaction: set the subject match (and day, when the page gave a date)
    of extracted items from their full text; items never listed (ad-hoc files) are added."""
    if not rows:
        return
    con.register("extracted_rows", pa.Table.from_pylist(rows, schema=EXTRACTED_SCHEMA))
    try:
        con.execute(
            """UPDATE store.discovered_items AS d
               SET matched = e.matched, matched_on = e.matched_on,
                   published_at = coalesce(e.published_at, d.published_at),
                   day = CASE WHEN e.published_at IS NULL THEN d.day ELSE e.day END
               FROM (SELECT DISTINCT ON (source, url) * FROM extracted_rows) e
               WHERE d.source = e.source AND d.url = e.url""")
        con.execute(
            """INSERT INTO store.discovered_items BY NAME
               SELECT e.source, e.outlet, e.url, e.day, e.published_at, NULL AS title, e.matched, e.matched_on,
                      current_timestamp AS first_seen_at, $run AS run_id
               FROM (SELECT DISTINCT ON (source, url) * FROM extracted_rows) e
               WHERE NOT EXISTS (SELECT 1 FROM store.discovered_items d WHERE d.source = e.source AND d.url = e.url)""",
            {"run": run_id})
    finally:
        con.unregister("extracted_rows")


def record_run_sources(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict[str, Any]]) -> None:
    """Inside the caller's transaction: the per-source outcome of a finished run (replacing any)."""
    con.execute("DELETE FROM store.run_sources WHERE run_id = ?", [run_id])
    if not rows:
        return
    con.register("run_source_rows", pa.Table.from_pylist(rows, schema=RUN_SOURCE_SCHEMA))
    try:
        con.execute("INSERT INTO store.run_sources BY NAME SELECT *, $run AS run_id, current_timestamp AS finished_at "
                    "FROM run_source_rows", {"run": run_id})
    finally:
        con.unregister("run_source_rows")

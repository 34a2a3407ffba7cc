"""Load: the only writer of the warehouse.

Each call opens the warehouse, writes one batch in one transaction and closes it, so readers
can use the file between batches and a crash loses at most the batch in flight. Loads are
idempotent: articles are merged on their id, so re-loading a batch changes nothing.
Everything goes in through Arrow tables, never row by row.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import Warehouse
from kabar.models import Article, Fetched, StageError
from kabar.records import COUNTS, NOT_ATTEMPTED_STAGE
from kabar.tasking import task
from tasks.enrich import REGISTRY, Enrichment, get_field
from tasks.page_type import PAGE_TYPE_STAGE
from warehouse.backend import open_writer_for as open_writer  # a DuckDB file or a DuckLake
from warehouse.bodies import NO_ARTICLE, record_bodies, touch_unchanged
from warehouse.frontier import record as record_frontier
from warehouse.coverage import update_extracted
from warehouse.lake import claim_write, is_lake_connection, retry_on_conflict
from warehouse.transaction import transaction
from warehouse.dedupe_store import write_dedupe_state
from warehouse.profiles import record_cleaning
from warehouse.run_report import record_crash
from warehouse.runlock import pid_alive

LOGGER = logging.getLogger(__name__)


ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()), ("url", pa.string()), ("canonical_url", pa.string()),
        ("source", pa.string()), ("outlet", pa.string()), ("sitename", pa.string()),
        ("title", pa.string()), ("author", pa.string()),
        ("published_at", pa.timestamp("us", tz="UTC")), ("language", pa.string()),
        ("text", pa.string()), ("word_count", pa.int32()), ("content_hash", pa.string()),
        ("duplicate_of", pa.string()), ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("published_at_source", pa.string()), ("description", pa.string()),
    ]
)
FETCH_SCHEMA = pa.schema(
    [
        ("url", pa.string()), ("source", pa.string()), ("status_code", pa.int32()),
        ("error", pa.string()), ("bytes", pa.int64()), ("content_type", pa.string()),
        ("final_url", pa.string()), ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("warc_record_id", pa.string()), ("page_type", pa.string()), ("page_type_reason", pa.string()),
    ]
)


@dataclass
class Counts:
    """Per-source counts of what a run did."""

    by_source: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, source: str, key: str, n: int = 1) -> None:
        bucket = self.by_source.setdefault(source, dict.fromkeys(COUNTS, 0))
        bucket[key] += n

    def merge(self, other: "Counts") -> None:
        for source, bucket in other.by_source.items():
            for key, n in bucket.items():
                self.add(source, key, n)

    def total(self) -> dict[str, int]:
        totals = dict.fromkeys(COUNTS, 0)
        for bucket in self.by_source.values():
            for key, n in bucket.items():
                totals[key] += n
        return totals


def _utc(stamp: datetime | None) -> datetime | None:
    if stamp is None:
        return None
    return stamp.astimezone(timezone.utc) if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def new_run_id(flow: str) -> str:
    return f"{flow}-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def start_run(
    path: Warehouse, flow: str, params: dict[str, Any], run_id: str | None = None, lock_wait: float | None = None
) -> str:
    """Record a new run as running; runs left 'running' by a dead process become 'crashed'.

    Takes the run lock first (warehouse/runlock.py): WarehouseError "warehouse busy" when another
    run holds it for longer than ``lock_wait`` seconds."""
    run_id = run_id or new_run_id(flow)
    _take_run_lock(path, run_id, lock_wait)
    try:
        _record_start(path, flow, params, run_id)
    except BaseException:
        _drop_run_lock(path, run_id)
        raise
    return run_id


def _record_start(path: Warehouse, flow: str, params: dict[str, Any], run_id: str) -> None:
    host = socket.gethostname()
    with open_writer(path) as con:
        stale = con.execute(
            "SELECT run_id, pid FROM store.runs WHERE state = 'running' AND host = ?", [host]
        ).fetchall()
        for stale_id, pid in stale:
            if not pid_alive(pid) or pid == os.getpid() and stale_id != run_id:
                record_crash(con, stale_id)  # counts from what its batches loaded, not 0
        con.execute(
            "INSERT INTO store.runs (run_id, flow, started_at, state, params, host, pid) "
            "VALUES (?, ?, ?, 'running', ?, ?, ?)",
            [run_id, flow, datetime.now(timezone.utc), json.dumps(params, default=str), host, os.getpid()],
        )


def finish_run(path: Warehouse, run_id: str, counts: Counts, state: str = "completed", message: str | None = None) -> None:
    """Record the run's final state and totals."""
    totals = counts.total()
    try:
        with open_writer(path) as con:
            con.execute(
                f"UPDATE store.runs SET finished_at = ?, state = ?, message = ?, "
                f"{', '.join(f'{k} = ?' for k in COUNTS)} WHERE run_id = ?",
                [datetime.now(timezone.utc), state, message, *[totals[k] for k in COUNTS], run_id],
            )
    finally:
        _drop_run_lock(path, run_id)


def _take_run_lock(path: Warehouse, run_id: str, lock_wait: float | None) -> None:
    from kabar import settings
    from warehouse import runlock

    if path.is_lake:
        return  # a DuckLake takes several writers at once
    if lock_wait is None:
        lock_wait = float(os.environ.get("KABAR_LOCK_WAIT") or settings.RUN_LOCK_WAIT_S)
    runlock.acquire(path.path, run_id, wait_s=lock_wait)


def _drop_run_lock(path: Warehouse, run_id: str) -> None:
    from warehouse import runlock

    if not path.is_lake:
        runlock.release(path.path, run_id)


def _page_types(articles: list[Article], errors: list[StageError]) -> dict[str, tuple[str, str]]:
    """url -> (page type, reason): articles are articles; extraction's page-type records say the rest."""
    found = {a.url: ("article", a.meta.get("page_type_reason") or "article") for a in articles}
    for error in errors:
        if error.stage == PAGE_TYPE_STAGE:
            kind, _, reason = error.error.partition(": ")
            found[error.url] = (kind, reason)
    return found


def _fetch_table(fetches: list[Fetched], page_types: dict[str, tuple[str, str]] | None = None) -> pa.Table:
    page_types = page_types or {}
    return pa.Table.from_pylist(
        [
            {
                "url": f.item.url, "source": f.item.source, "status_code": f.status_code, "error": f.error,
                "bytes": len(f.body) if f.body is not None else None, "content_type": f.content_type,
                "final_url": f.final_url, "fetched_at": _utc(f.fetched_at), "warc_record_id": f.warc_record_id,
                "page_type": page_types.get(f.item.url, (None, None))[0],
                "page_type_reason": page_types.get(f.item.url, (None, None))[1],
            }
            for f in fetches
        ],
        schema=FETCH_SCHEMA,
    )


def _article_table(articles: list[Article]) -> pa.Table:
    rows = [
        {
            "article_id": a.article_id, "url": a.url, "canonical_url": a.canonical_url, "source": a.source,
            "outlet": a.outlet, "sitename": a.sitename, "title": a.title, "author": a.author,
            "published_at": _utc(a.published_at), "language": a.language, "text": a.text,
            "word_count": a.word_count, "content_hash": a.content_hash, "duplicate_of": a.duplicate_of,
            "fetched_at": _utc(a.fetched_at), "published_at_source": a.published_at_source,
            "description": a.description,
        }
        for a in articles
    ]
    table = pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA)
    for name in _enricher_fields():
        if name not in ARTICLE_SCHEMA.names:
            table = table.append_column(name, pa.array([get_field(a, name) for a in articles]))
    return table


def _enricher_fields() -> list[str]:
    from tasks.enrich import selected

    selected()  # make sure every enricher module is registered
    return sorted({f for e in REGISTRY.values() for f in e.fields})


def _merge_articles(con: duckdb.DuckDBPyConnection, run_id: str, log_changes: bool = True) -> dict[str, int]:
    """Merge the staged articles (temp table ``staged``); returns counts by actual status.
    ``log_changes``: append the new and changed ones to ``store.search_changes``, the search
    index's change log (a DuckDB file; a lake's index is rebuilt from its articles instead)."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE staged_status AS
           SELECT s.article_id,
                  CASE WHEN a.article_id IS NULL THEN (CASE WHEN s.duplicate_of IS NULL THEN 'new' ELSE 'duplicate' END)
                       WHEN a.content_hash = s.content_hash THEN 'unchanged'
                       ELSE 'updated' END AS status,
                  coalesce(a.version, 0) + 1 AS next_version
           FROM staged s LEFT JOIN store.articles a USING (article_id)"""
    )
    con.execute(
        """INSERT INTO store.article_versions
           SELECT s.article_id, t.next_version, s.content_hash, s.title, s.text, s.fetched_at, ?
           FROM staged s JOIN staged_status t USING (article_id) WHERE t.status <> 'unchanged'""",
        [run_id],
    )
    extra = [c for c in _enricher_fields() if c not in ARTICLE_SCHEMA.names]
    content_cols = [c for c in ARTICLE_SCHEMA.names if c not in ("article_id", "duplicate_of")] + extra
    insert_cols = ARTICLE_SCHEMA.names + extra
    # a staged column that is all NULL arrives from Arrow untyped (INTEGER): cast each to its type
    types = {row[0]: row[1] for row in con.execute("DESCRIBE store.articles").fetchall()}
    con.execute(_articles_merge(content_cols, insert_cols, types), [run_id, run_id])
    if log_changes:  # the index update then reads these ids, not every article (warehouse/search.py)
        con.execute("INSERT INTO store.search_changes SELECT article_id, ?::VARCHAR FROM staged_status "
                    "WHERE status <> 'unchanged'", [run_id])
    return dict(con.execute("SELECT status, count(*) FROM staged_status GROUP BY status").fetchall())


def _articles_merge(content_cols: list[str], insert_cols: list[str], types: dict[str, str]) -> str:
    """The articles MERGE (two ``?``: the run id, for changed and for new rows). One WHEN MATCHED
    action, as DuckLake requires ("MERGE INTO with DuckLake only supports a single UPDATE/DELETE
    action"): unchanged rows keep their values through CASE, only last_seen_at moves."""
    def keep(column: str, new: str) -> str:
        return f"{column} = CASE WHEN s.status = 'unchanged' THEN a.{column} ELSE {new} END"

    sets = [keep(c, f"CAST(s.{c} AS {types[c]})" if c in types else f"s.{c}") for c in content_cols]
    sets += [keep("version", "s.next_version"), keep("run_id", "?::VARCHAR"), "last_seen_at = s.fetched_at"]
    return f"""MERGE INTO store.articles AS a
        USING (SELECT s.*, t.status, t.next_version FROM staged s JOIN staged_status t USING (article_id)) AS s
        ON a.article_id = s.article_id
        WHEN MATCHED THEN UPDATE SET {', '.join(sets)}
        WHEN NOT MATCHED THEN INSERT ({', '.join(insert_cols)}, version, first_seen_at, last_seen_at, run_id)
             VALUES ({', '.join('s.' + c for c in insert_cols)}, 1, s.fetched_at, s.fetched_at, ?::VARCHAR)"""


def write_enrichments(con: duckdb.DuckDBPyConnection, run_id: str, articles: list[Article]) -> None:
    """Replace each enricher's rows for these articles and log (article, enricher, version)."""
    now = datetime.now(timezone.utc)
    log_rows = []
    for enricher in REGISTRY.values():
        done = [a for a in articles if enricher.name in a.enrichments]
        if not done:
            continue
        ids = pa.table({"article_id": pa.array([a.article_id for a in done], pa.string())})
        con.register("enriched_ids", ids)
        for table in enricher.tables:
            con.execute(f"DELETE FROM store.{table} WHERE article_id IN (SELECT article_id FROM enriched_ids)")
            rows = [
                {"article_id": a.article_id, **row}
                for a in done
                for row in a.enrichments[enricher.name].rows.get(table, [])
            ]
            if rows:
                con.register("enriched_rows", pa.Table.from_pylist(rows))
                con.execute(f"INSERT INTO store.{table} BY NAME SELECT * FROM enriched_rows")
                con.unregister("enriched_rows")
        con.unregister("enriched_ids")
        for a in done:
            result: Enrichment = a.enrichments[enricher.name]
            log_rows.append(
                {"article_id": a.article_id, "enricher": enricher.name, "enricher_version": result.version or enricher.version,
                 "content_hash": a.content_hash, "error": result.error, "enriched_at": now, "run_id": run_id}
            )
    if log_rows:
        con.register("log_rows", pa.Table.from_pylist(log_rows))
        con.execute(
            """MERGE INTO store.enrichment_log AS l USING log_rows AS s
               ON l.article_id = s.article_id AND l.enricher = s.enricher
               WHEN MATCHED THEN UPDATE SET enricher_version = s.enricher_version, content_hash = s.content_hash,
                    error = s.error, enriched_at = s.enriched_at, run_id = s.run_id
               WHEN NOT MATCHED THEN INSERT BY NAME"""
        )
        con.unregister("log_rows")


def load_batch(
    path: Warehouse,
    run_id: str,
    fetches: list[Fetched],
    articles: list[Article],
    errors: list[StageError],
    discovery_fetches: list[Fetched] = (),
    subject: list[dict[str, Any]] = (),
    unchanged: dict[str, str] | None = None,
) -> Counts:
    """Write one batch (fetch records, stage errors, articles, enrichments) in one transaction.

    ``discovery_fetches`` (feeds, sitemaps) are recorded in ``fetches``; only their failures count.
    ``subject`` (tasks/coverage.py ``extracted_rows``) updates the coverage rows of extracted items.
    ``unchanged`` (URL -> (article id, page type, reason), tasks/unchanged.py): fetches whose body
    is the one their stored article came from; not extracted, they count ``unchanged`` and their
    articles are seen. One whose body gave no article last time (``NO_ARTICLE``) counts
    ``skipped`` again, with the page type recorded then.
    """
    counts = Counts()
    unchanged = unchanged or {}
    seen: dict[str, datetime] = {}
    for fetched in fetches:
        counts.add(fetched.item.source, "fetched" if fetched.error is None else "failed")
        if fetched.not_modified:  # a 304: the stored article stands, no extraction was done
            counts.add(fetched.item.source, "unchanged")
        elif fetched.item.url in unchanged:  # the same bytes as last time: the stored article stands
            article_id = unchanged[fetched.item.url][0]
            if article_id == NO_ARTICLE:  # the same video or index page as last time: skipped again
                counts.add(fetched.item.source, "skipped")
            else:
                counts.add(fetched.item.source, "unchanged")
                seen[article_id] = _utc(fetched.fetched_at)
    for fetched in discovery_fetches:
        if fetched.error is not None:
            counts.add(fetched.item.source, "failed")
    fetches = list(discovery_fetches) + list(fetches)
    for error in errors:  # a page that is not an article, or one never attempted, was skipped, not failed
        counts.add(error.source, "skipped" if error.stage in (PAGE_TYPE_STAGE, NOT_ATTEMPTED_STAGE) else "failed")
    source_of = {a.article_id: a.source for a in articles}
    with open_writer(path) as con, transaction(con):
        record_frontier(con, run_id, fetches[len(discovery_fetches):], discovery_fetches)
        claim_write(con)
        if fetches:
            page_types = _page_types(articles, errors)
            page_types.update({url: (kind, reason) for url, (_, kind, reason) in unchanged.items()})
            con.register("fetch_rows", _fetch_table(fetches, page_types))
            con.execute("INSERT INTO store.fetches BY NAME SELECT *, ?::VARCHAR AS run_id FROM fetch_rows", [run_id])
        failures = [e for e in errors if e.stage != PAGE_TYPE_STAGE]  # page types go on the fetch rows
        if failures:
            con.register("error_rows", pa.Table.from_pylist(
                [{"url": e.url, "source": e.source, "stage": e.stage, "error": e.error} for e in failures]))
            con.execute(
                "INSERT INTO store.stage_errors BY NAME SELECT *, current_timestamp AS failed_at, "
                "?::VARCHAR AS run_id FROM error_rows", [run_id],
            )
        if articles:
            con.register("staged_arrow", _article_table(articles))
            con.execute("CREATE OR REPLACE TEMP TABLE staged AS SELECT * FROM staged_arrow")
            statuses = _merge_articles(con, run_id, log_changes=not path.is_lake)
            per_article = dict(con.execute("SELECT article_id, status FROM staged_status").fetchall())
            for article_id, status in per_article.items():
                counts.add(source_of[article_id], status)
            write_enrichments(con, run_id, [a for a in articles if per_article.get(a.article_id) != "unchanged"])
            write_dedupe_state(con, run_id, articles, per_article)
            record_cleaning(con, run_id, articles)  # removed_spans audit + site profiles
            LOGGER.debug("loaded %s", statuses)
        record_bodies(con, run_id, _body_rows(fetches, articles, errors))
        touch_unchanged(con, seen)
        update_extracted(con, run_id, list(subject))
    return counts


def _body_rows(fetches: list[Fetched], articles: list[Article], errors: list[StageError] = ()) -> list[dict[str, Any]]:
    """The extracted-body rows of loaded articles, and of pages extraction found to be no article
    (page-type records; article id ``NO_ARTICLE``): which body (by hash) each came from, by which
    extractor version (a later fetch of the same bytes is then not extracted again)."""
    from tasks.unchanged import body_digest, extractor_version

    non_articles = [e.url for e in errors if e.stage == PAGE_TYPE_STAGE]
    if not articles and not non_articles:
        return []
    digests = {f.item.url: body_digest(f) for f in fetches if f.ok}
    version, now = extractor_version(), datetime.now(timezone.utc)
    made = {a.url: a.article_id for a in articles if a.article_id}
    made.update({url: NO_ARTICLE for url in non_articles if url not in made})
    return [{"url": url, "body_hash": digests[url], "extractor": version, "article_id": article_id,
             "extracted_at": now} for url, article_id in made.items() if digests.get(url)]


def load_enrichments(path: Warehouse, run_id: str, articles: list[Article]) -> Counts:
    """Write re-run enrichments of stored articles (``kabar enrich``) in one transaction: the
    article columns the enrichers set (e.g. ``summary``), their tables and the enrichment log.
    Counts per source: ``updated`` articles enriched cleanly, ``failed`` those with an error."""
    counts = Counts()
    for article in articles:
        failed = any(e.error for e in article.enrichments.values())
        counts.add(article.source, "failed" if failed else "updated")
    if not articles:
        return counts
    with open_writer(path) as con, transaction(con):
        for enricher in REGISTRY.values():
            done = [a for a in articles if enricher.name in a.enrichments and not a.enrichments[enricher.name].error]
            if not enricher.fields or not done:
                continue
            columns = {"article_id": [a.article_id for a in done]}
            columns.update({f: [get_field(a, f) for a in done] for f in enricher.fields})
            con.register("field_rows", pa.table(columns))
            assignments = ", ".join(f"{f} = s.{f}" for f in enricher.fields)
            con.execute(f"UPDATE store.articles AS t SET {assignments} FROM field_rows AS s WHERE t.article_id = s.article_id")
            con.unregister("field_rows")
        write_enrichments(con, run_id, articles)
    return counts


@task(name="load-enrichments", cache_policy=NO_CACHE)
def load_enrichments_task(path: Warehouse, run_id: str, articles: list[Article]) -> Counts:
    return load_enrichments(path, run_id, articles)


@task(name="load", cache_policy=NO_CACHE)
def load_task(
    path: Warehouse, run_id: str, fetches: list[Fetched], articles: list[Article], errors: list[StageError],
    discovery_fetches: list[Fetched] = (), subject: list[dict[str, Any]] = (), unchanged: dict[str, str] | None = None,
) -> Counts:
    return retry_on_conflict(lambda: load_batch(path, run_id, fetches, articles, errors, discovery_fetches, subject,
                                                unchanged))


@task(name="start-run", cache_policy=NO_CACHE)
def start_run_task(path: Warehouse, flow: str, params: dict[str, Any], lock_wait: float | None = None) -> str:
    return retry_on_conflict(lambda: start_run(path, flow, params, lock_wait=lock_wait))


@task(name="finish-run", cache_policy=NO_CACHE)
def finish_run_task(path: Warehouse, run_id: str, counts: Counts, state: str = "completed", message: str | None = None) -> None:
    retry_on_conflict(lambda: finish_run(path, run_id, counts, state, message))

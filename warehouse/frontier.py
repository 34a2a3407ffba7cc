"""The crawl frontier (``store.frontier``): read before fetching, written only by the load stage.

Read side (a read-only connection, closed before anything loads):

- ``validators(path, urls)``: ETag/Last-Modified of feeds and sitemaps, for conditional GETs;
- ``schedule(path, items, sources, now, revisit_hours)``: which discovered article URLs to fetch
  now (new ones, revisits with their validators, due retries of failures) and which to hold.

Write side: ``record(con, run_id, fetches, discovery)`` inside the load transaction. A good fetch
resets the failure count (it is revisited once ``[fetch] revisit_hours`` passed); a 304 keeps the stored
validators; a failure is due again after ``RETRY_BASE_MINUTES`` x 2^(failures-1) and is given
up (status ``gave_up``, never due) at ``MAX_FAILURES``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import duckdb
import pyarrow as pa

from kabar import settings
from kabar.warehouse_spec import Warehouse
from kabar.models import Fetched, Item
from warehouse.connection import WarehouseError
from warehouse.migrate import schema_version
from warehouse.backend import open_reader_for

LOGGER = logging.getLogger(__name__)

_COLUMNS = ("url", "source", "kind", "status", "status_code", "etag", "last_modified", "content_hash",
            "failures", "next_due_at", "last_error", "final_url", "last_fetched_at")


@dataclass(frozen=True)
class FrontierRow:
    url: str
    source: str
    kind: str
    status: str
    status_code: int | None
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    failures: int
    next_due_at: datetime | None
    last_error: str | None
    final_url: str | None
    last_fetched_at: datetime | None


def _has_frontier(con: duckdb.DuckDBPyConnection) -> bool:
    return schema_version(con) >= 10


def lookup(con: duckdb.DuckDBPyConnection, urls: list[str]) -> dict[str, FrontierRow]:
    """The frontier rows of these URLs (on any open connection)."""
    if not urls or not _has_frontier(con):
        return {}
    con.register("frontier_urls", pa.table({"url": pa.array(list(dict.fromkeys(urls)), pa.string())}))
    try:
        rows = con.execute(
            f"SELECT {', '.join('f.' + c for c in _COLUMNS)} FROM store.frontier f JOIN frontier_urls USING (url)"
        ).fetchall()
    finally:
        con.unregister("frontier_urls")
    return {row[0]: FrontierRow(*row) for row in rows}


def read(path: Warehouse, urls: list[str]) -> dict[str, FrontierRow]:
    """``lookup`` through a short read-only connection; an absent or busy warehouse reads as empty."""
    if not urls or not path.exists():
        return {}
    try:
        with open_reader_for(path, wait_s=60, locked=False) as con:
            return lookup(con, urls)
    except WarehouseError as exc:
        LOGGER.warning("frontier not read (%s): fetching unconditionally", exc)
        return {}


def with_validators(item: Item, row: FrontierRow | None) -> Item:
    """The item with the stored ETag/Last-Modified of its last good fetch (for a conditional GET)."""
    if row is not None and row.status in ("fetched", "unchanged"):
        item.etag, item.last_modified = row.etag, row.last_modified
    return item


def schedule(path: Warehouse, items: list[Item], sources: list[str], now: datetime | None = None,
             revisit_hours: float = settings.REVISIT_HOURS,
             con: duckdb.DuckDBPyConnection | None = None) -> tuple[list[Item], list[Item]]:
    """(items to fetch now, items held back) for discovered ``items`` of these ``sources``.

    New URLs are fetched (first); known good ones when fetched more than ``revisit_hours`` ago (with
    their validators: a conditional GET); failed ones when their retry is due; given-up ones
    never. Failed article URLs of these sources that are due again are added for a retry.
    ``con``: a connection the caller holds on ``path`` (tasks/fetch_plan.py); without it the
    frontier is read through short read-only connections."""
    now = now or datetime.now(timezone.utc)
    revisit = timedelta(hours=revisit_hours)
    http = [i for i in items if i.kind == "http"]
    known = lookup(con, [i.url for i in http]) if con is not None else read(path, [i.url for i in http])
    go: list[Item] = []
    revisits: list[Item] = []
    held: list[Item] = []
    for item in items:
        row = known.get(item.url) if item.kind == "http" else None
        if row is None:
            go.append(item)
        elif row.status == "gave_up":
            held.append(item)
        elif row.status in ("fetched", "unchanged") and row.last_fetched_at + revisit > now:
            held.append(item)
        elif row.status == "failed" and row.next_due_at is not None and row.next_due_at > now:
            held.append(item)
        else:
            revisits.append(with_validators(item, row))
    # URLs never fetched first: a run whose time budget ran out left them, and the next run must
    # reach them before it spends its budget re-checking what an earlier run already fetched
    go += revisits
    listed = {i.url for i in items}
    retries = due_retries_on(con, sources, now) if con is not None else due_retries(path, sources, now)
    go += [i for i in retries if i.url not in listed]
    return go, held


def due_retries(path: Warehouse, sources: list[str], now: datetime) -> list[Item]:
    """Failed article URLs of these sources whose next retry is due."""
    if not sources or not path.exists():
        return []
    try:
        with open_reader_for(path, wait_s=60, locked=False) as con:
            return due_retries_on(con, sources, now)
    except WarehouseError:
        return []


def due_retries_on(con: duckdb.DuckDBPyConnection, sources: list[str], now: datetime) -> list[Item]:
    """``due_retries`` on a connection the caller holds."""
    if not sources or not _has_frontier(con):
        return []
    rows = con.execute(
        "SELECT url, source FROM store.frontier WHERE kind = 'page' AND status = 'failed' "
        "AND next_due_at <= ? AND list_contains(?, source) ORDER BY next_due_at",
        [now, sources],
    ).fetchall()
    return [Item(url=url, source=source) for url, source in rows]


def _outcome(fetched: Fetched, old: FrontierRow | None, now: datetime) -> dict:
    """The frontier row after this fetch."""
    failures = 0
    etag = fetched.headers.get("etag")
    last_modified = fetched.headers.get("last-modified")
    content_hash = old.content_hash if old else None
    if fetched.not_modified:
        status = "unchanged"
        etag, last_modified = etag or (old.etag if old else None), last_modified or (old.last_modified if old else None)
        due: datetime | None = now + timedelta(hours=settings.REVISIT_HOURS)
    elif fetched.error is None:
        status = "fetched"
        if fetched.body is not None:
            content_hash = hashlib.sha256(fetched.body).hexdigest()[:32]
        due = now + timedelta(hours=settings.REVISIT_HOURS)
    else:
        failures = (old.failures if old else 0) + 1
        etag, last_modified = (old.etag, old.last_modified) if old else (None, None)
        if failures >= settings.MAX_FAILURES:
            status, due = "gave_up", None
        else:
            status = "failed"
            due = now + timedelta(minutes=settings.RETRY_BASE_MINUTES * 2 ** (failures - 1))
    return {"status": status, "failures": failures, "etag": etag, "last_modified": last_modified,
            "content_hash": content_hash, "next_due_at": due}


def record(con: duckdb.DuckDBPyConnection, run_id: str, fetches: list[Fetched],
           discovery: list[Fetched] = ()) -> None:
    """Upsert the frontier rows of these HTTP fetches (the caller holds the transaction)."""
    latest: dict[str, tuple[Fetched, str]] = {}
    for kind, batch in (("discovery", discovery), ("page", fetches)):
        for fetched in batch:
            if fetched.item.kind == "http" and fetched.item.url.startswith(("http://", "https://")):
                latest[fetched.item.url] = (fetched, kind)
    if not latest:
        return
    old = lookup(con, list(latest))
    rows = []
    for url, (fetched, kind) in latest.items():
        stamp = fetched.fetched_at if fetched.fetched_at.tzinfo else fetched.fetched_at.replace(tzinfo=timezone.utc)
        rows.append({
            "url": url, "source": fetched.item.source, "kind": kind, "first_seen_at": stamp,
            "last_fetched_at": stamp, "status_code": fetched.status_code, "last_error": fetched.error,
            # next_due_at counts from the fetch's own time (the injected clock), not the wall
            # clock at load time: a test or a replayed capture then schedules consistently.
            "final_url": fetched.final_url, "run_id": run_id, **_outcome(fetched, old.get(url), stamp),
        })
    con.register("frontier_rows", pa.Table.from_pylist(rows))
    try:
        con.execute(
            """MERGE INTO store.frontier AS f USING frontier_rows AS s ON f.url = s.url
               WHEN MATCHED THEN UPDATE SET source = s.source, kind = s.kind,
                    last_fetched_at = s.last_fetched_at, status = s.status, status_code = s.status_code,
                    etag = s.etag, last_modified = s.last_modified, content_hash = s.content_hash,
                    failures = s.failures, next_due_at = s.next_due_at, last_error = s.last_error,
                    final_url = s.final_url, run_id = s.run_id
               WHEN NOT MATCHED THEN INSERT BY NAME"""
        )
    finally:
        con.unregister("frontier_rows")


def last_successful_run(path: Warehouse, flow: str = "ingest") -> datetime | None:
    """When the newest completed run of ``flow`` started (None when there is none)."""
    if not path.exists():
        return None
    try:
        with open_reader_for(path, wait_s=60, locked=False) as con:
            if schema_version(con) == 0:
                return None
            return con.execute(
                "SELECT max(started_at) FROM store.runs WHERE flow = ? AND state = 'completed'", [flow]
            ).fetchone()[0]
    except WarehouseError:
        return None

"""The frontier: conditional GET validators, revisits, retries with backoff, giving up."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from kabar.config import Warehouse
from kabar import settings
from kabar.models import Fetched, Item
from tasks.load import load_batch, start_run
from warehouse.frontier import schedule

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def fetched(url: str, *, status: int | None = 200, error: str | None = None, etag: str | None = None) -> Fetched:
    headers = {"etag": etag} if etag else {}
    return Fetched(Item(url=url, source="s"), NOW, status_code=status, error=error,
                   body=None if error or status == 304 else b"<html>isi</html>", headers=headers)


def frontier(warehouse: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("SELECT url, status, failures, etag, next_due_at FROM frontier").fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def test_failures_back_off_and_are_given_up(warehouse: Path) -> None:
    run = start_run(Warehouse.file(warehouse), "test", {})
    url = "https://x.id/berita/gagal"
    dues = []
    for attempt in range(1, settings.MAX_FAILURES + 1):
        load_batch(Warehouse.file(warehouse), run, [fetched(url, status=503, error="HTTP 503")], [], [])
        status, failures, _, due = frontier(warehouse)[url]
        assert failures == attempt
        dues.append(due)
    assert status == "gave_up" and dues[-1] is None
    gaps = [b - a for a, b in zip(dues, dues[1:-1])]
    assert all(later > earlier for earlier, later in zip(gaps, gaps[1:]))  # exponential backoff
    # a given-up URL is never fetched again, even when a feed lists it
    go, held = schedule(Warehouse.file(warehouse), [Item(url=url, source="s")], ["s"], NOW + timedelta(days=365))
    assert go == [] and [i.url for i in held] == [url]


def test_schedule_holds_recent_revisits_and_retries_due_failures(warehouse: Path) -> None:
    run = start_run(Warehouse.file(warehouse), "test", {})
    good, bad = "https://x.id/berita/baik", "https://x.id/berita/buruk"
    load_batch(Warehouse.file(warehouse), run, [fetched(good, etag='"v1"'), fetched(bad, error="timeout: no response in time", status=None)], [], [])
    # right away, with revisit_hours = 20: the good page is held, the failure not due yet
    go, held = schedule(Warehouse.file(warehouse), [Item(url=good, source="s")], ["s"], NOW, 20)
    assert go == [] and len(held) == 1
    # with the default revisit_hours (0) the page is re-checked at once, conditionally
    go, _ = schedule(Warehouse.file(warehouse), [Item(url=good, source="s")], ["s"], NOW)
    assert [(i.url, i.etag) for i in go] == [(good, '"v1"')]
    # a day later: the good page is revisited with its ETag; the failure is retried though no feed lists it
    later = NOW + timedelta(days=1)
    go, held = schedule(Warehouse.file(warehouse), [Item(url=good, source="s")], ["s"], later, 20)
    assert {i.url: i.etag for i in go} == {good: '"v1"', bad: None}


def test_304_keeps_validators_and_counts_unchanged(warehouse: Path) -> None:
    run = start_run(Warehouse.file(warehouse), "test", {})
    url = "https://x.id/berita/tetap"
    load_batch(Warehouse.file(warehouse), run, [fetched(url, etag='"v1"')], [], [])
    counts = load_batch(Warehouse.file(warehouse), run, [fetched(url, status=304)], [], [])
    assert counts.by_source["s"]["unchanged"] == 1
    assert frontier(warehouse)[url][:3] == ("unchanged", 0, '"v1"')


def test_new_only_window_starts_at_the_last_completed_run(warehouse: Path) -> None:
    from tasks.discover import run_window
    from tasks.load import Counts, finish_run

    assert run_window(Warehouse.file(warehouse), None, None, True).since is None  # no run yet: everything
    run = start_run(Warehouse.file(warehouse), "ingest", {})
    finish_run(Warehouse.file(warehouse), run, Counts())
    con = duckdb.connect(str(warehouse), read_only=True)
    (started,) = con.execute("SELECT started_at FROM runs WHERE run_id = ?", [run]).fetchone()
    con.close()
    window = run_window(Warehouse.file(warehouse), None, None, True)
    assert window.since == started
    assert not window.contains(started - timedelta(hours=1)) and window.contains(started + timedelta(hours=1))
    explicit = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert run_window(Warehouse.file(warehouse), explicit, None, True).since == explicit  # --since wins


def test_urls_never_fetched_come_before_revisits(warehouse: Path) -> None:
    """A run whose time budget ran out left URLs never fetched; the next run reaches them first,
    before re-checking what was fetched already (which a budget could otherwise spend itself on)."""
    run = start_run(Warehouse.file(warehouse), "test", {})
    known = ["https://x.id/berita/lama-1", "https://x.id/berita/lama-2"]
    load_batch(Warehouse.file(warehouse), run, [fetched(url) for url in known], [], [])
    listed = [known[0], "https://x.id/berita/baru-1", known[1], "https://x.id/berita/baru-2"]
    go, held = schedule(Warehouse.file(warehouse), [Item(url=url, source="s") for url in listed], ["s"], NOW + timedelta(hours=1), 0)
    assert [i.url for i in go] == ["https://x.id/berita/baru-1", "https://x.id/berita/baru-2", *known] and held == []

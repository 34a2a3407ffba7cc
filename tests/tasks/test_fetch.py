"""tasks/fetch.py: one fetcher per run shared by all its batches, retry decisions, local reads.

The politeness limits are checked by counting at a real server on 127.0.0.1, not by timing."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kabar.config import FetchSettings
from kabar.models import Fetched, Item
from tasks.capture import CaptureTarget
from tasks.fetch import HttpFetcher, close_run_fetcher, fetch_batch
from tasks.politeness import RobotsCache
from tests.site import Response, TestSite

PAGE = "<html><head><title>Berita</title></head><body><p>Isi berita hari ini.</p></body></html>"


class Crowd:
    """Counts the requests a host is serving at once. Each request waits (up to ``hold_s``)
    for one more to arrive than the limit allows, so an excess is seen whenever it can happen."""

    def __init__(self, limit: int, hold_s: float = 0.5) -> None:
        self.limit, self.hold_s = limit, hold_s
        self.now = self.most = self.served = 0
        self.changed = threading.Condition()

    def __call__(self, handler) -> None:
        with self.changed:
            self.now += 1
            self.most = max(self.most, self.now)
            self.changed.notify_all()
            self.changed.wait_for(lambda: self.now > self.limit, timeout=self.hold_s)
        try:
            Response(PAGE)(handler)
        finally:
            with self.changed:
                self.now -= 1
                self.served += 1
                self.changed.notify_all()


def test_per_host_limit_holds_for_the_run_with_several_batches_in_flight(tmp_path: Path) -> None:
    crowd = Crowd(limit=2)
    with TestSite() as site:
        site.routes["/robots.txt"] = Response("", 404)
        for n in range(12):
            site.routes[f"/berita/{n}"] = crowd
        settings = FetchSettings(per_host_concurrency=2, allow_hosts=(site.host,), capture=False, retries=0)
        capture = CaptureTarget(str(tmp_path / "warc"), "ingest-uji-1")
        batches = [[Item(url=site.url(f"/berita/{n}"), source="uji") for n in range(b, 12, 3)] for b in range(3)]
        try:
            with ThreadPoolExecutor(max_workers=3) as pool:  # three batches in flight, as the flow does
                results = list(pool.map(lambda batch: fetch_batch(batch, settings, capture=capture), batches))
        finally:
            close_run_fetcher(capture.run_id)
        robots_requests = site.paths_requested().count("/robots.txt")
    assert [f.ok for batch in results for f in batch] == [True] * 12
    assert crowd.served == 12
    assert crowd.most == 2  # the limit was reached, never exceeded across batches
    assert robots_requests == 1  # one robots.txt per host for the whole run


def test_one_off_fetches_read_local_files(tmp_path: Path) -> None:
    page = tmp_path / "berita.html"
    page.write_text(PAGE, encoding="utf-8")
    missing = tmp_path / "tidak-ada.html"
    got = fetch_batch([Item(url=page.as_uri(), source="lokal", kind="file", path=str(page)),
                       Item(url=missing.as_uri(), source="lokal", kind="file", path=str(missing))], FetchSettings())
    assert got[0].ok and got[0].body == PAGE.encode() and got[0].content_type == "text/html"
    assert got[1].error.startswith("cannot read file")


def _outcome(status: int, headers: dict[str, str] | None = None, error: str = "HTTP") -> Fetched:
    return Fetched(Item(url="http://contoh.test/a", source="s"), datetime.now(timezone.utc), status_code=status,
                   error=f"{error} {status}", headers=headers or {})


@pytest.mark.parametrize(("status", "headers", "attempt", "expected"), [
    (429, {"retry-after": "1"}, 0, 1.0),       # Retry-After is obeyed as asked
    (503, {"retry-after": "7200"}, 0, None),   # longer than max_retry_after: left for a later run
    (404, {}, 0, None),                        # other 4xx: asking again will not help
    (500, {}, 2, None),                        # out of retries
])
def test_retry_decisions(status: int, headers: dict, attempt: int, expected: float | None) -> None:
    fetcher = HttpFetcher(FetchSettings(retries=2))
    assert fetcher._retry_wait(_outcome(status, headers), attempt) == expected


def test_server_errors_back_off_with_jitter() -> None:
    fetcher = HttpFetcher(FetchSettings(retries=3, backoff_base=0.5))
    waits = [fetcher._retry_wait(_outcome(500), attempt) for attempt in range(3)]
    for attempt, wait in enumerate(waits):
        assert 0.25 * 2**attempt <= wait <= 0.75 * 2**attempt


def test_crawl_delay_spaces_request_starts(monkeypatch) -> None:
    """Each start of a host's requests is reserved ``Crawl-delay`` after the previous one
    (a fixed clock: the waits asked for are checked, none is slept)."""
    from tasks import politeness

    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))

    monkeypatch.setattr(politeness.time, "monotonic", lambda: 100.0)
    monkeypatch.setattr(politeness.asyncio, "sleep", fake_sleep)
    gate = politeness.HostGate(per_host=2, min_delay=0.0)
    gate.set_delay("http://contoh.test/a", 0.1)

    async def three_starts() -> None:
        for path in ("a", "b", "c"):
            await gate.pace(f"http://contoh.test/{path}")
        await gate.pace("http://lain.test/a")  # another host is not held back

    asyncio.run(three_starts())
    assert slept == [0.1, 0.2]


def test_crawl_delay_becomes_the_host_spacing() -> None:
    async def robots(url: str) -> tuple[int, bytes]:
        return 200, b"User-agent: *\nCrawl-delay: 0.1\nDisallow: /private/\n"

    cache = RobotsCache("kabar-test", robots)
    assert asyncio.run(cache.crawl_delay("http://contoh.test/berita")) == pytest.approx(0.1)
    assert not asyncio.run(cache.allowed("http://contoh.test/private/rahasia"))


class _OneBadPage:
    """A fetcher whose article fetch raises for one URL, as an unforeseen bug in page handling would."""

    settings = FetchSettings()

    async def get_article(self, item: Item) -> Fetched:
        if item.url.endswith("/rusak"):
            raise ValueError("'bukan-alamat' does not appear to be an IPv4 or IPv6 address")
        return Fetched(item, datetime.now(timezone.utc), status_code=200, body=b"<p>isi</p>",
                       content_type="text/html")


def test_an_unexpected_error_on_one_page_fails_that_page_not_the_batch() -> None:
    from tasks.fetch import fetch_with

    items = [Item(url=f"https://contoh.test/berita/{name}", source="uji") for name in ("satu", "rusak", "dua")]
    fetched = asyncio.run(fetch_with(_OneBadPage(), items))
    assert [f.item.url for f in fetched] == [i.url for i in items]
    assert [f.ok for f in fetched] == [True, False, True]
    assert fetched[1].error.startswith("fetch failed: ValueError: 'bukan-alamat'"), fetched[1].error

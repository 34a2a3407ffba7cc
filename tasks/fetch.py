"""Fetch: turn Items into Fetched records (HTTP with httpx, local files, WARC records).

HTTP fetching is async with a global concurrency cap and a per-host limit, timeouts, a
configurable User-Agent, and retries with exponential backoff and jitter on timeouts,
connection errors and 5xx. Every outcome, good or bad, is a Fetched record: nothing raises.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from prefect import task
from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import FetchSettings
from kabar.models import Fetched, Item

LOGGER = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


def now() -> datetime:
    return datetime.now(timezone.utc)


class HttpFetcher:
    """An async HTTP client with per-host and global limits and retry with backoff."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self._global = asyncio.Semaphore(settings.global_concurrency)
        self._per_host: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host_concurrency)
        )
        self.client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent, "Accept-Language": "id,en;q=0.8"},
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=True,
            max_redirects=10,
        )

    async def __aenter__(self) -> "HttpFetcher":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def get(self, item: Item) -> Fetched:
        """GET one URL, retrying transient failures; the outcome is always a Fetched."""
        host = urlsplit(item.url).netloc.lower()
        attempt = 0
        while True:
            async with self._global, self._per_host[host]:
                outcome = await self._get_once(item)
            transient = outcome.error is not None and (
                outcome.status_code is None or outcome.status_code >= 500
            )
            if not transient or attempt >= self.settings.retries:
                return outcome
            attempt += 1
            delay = 0.5 * 2 ** (attempt - 1)
            await asyncio.sleep(delay * (0.5 + random.random()))

    async def _get_once(self, item: Item) -> Fetched:
        fetched_at = now()
        try:
            response = await self.client.get(item.url)
        except httpx.TimeoutException:
            return Fetched(item, fetched_at, error="timeout")
        except httpx.TooManyRedirects:
            return Fetched(item, fetched_at, error="too many redirects")
        except httpx.HTTPError as exc:
            return Fetched(item, fetched_at, error=f"connection error: {type(exc).__name__}: {exc}"[:300])
        body = response.content
        content_type = response.headers.get("content-type", "")
        outcome = Fetched(
            item,
            fetched_at,
            status_code=response.status_code,
            body=body,
            content_type=content_type,
            final_url=str(response.url),
            headers={k.lower(): v for k, v in response.headers.items()},
        )
        if response.status_code >= 400:
            outcome.error = f"HTTP {response.status_code}"
            outcome.body = None
        return outcome


def read_file(item: Item) -> Fetched:
    """Read a local file as a fetch; its url is its file:// URI."""
    fetched_at = now()
    try:
        body = Path(item.path or "").read_bytes()
    except OSError as exc:
        return Fetched(item, fetched_at, error=f"cannot read file: {exc.strerror or exc}")
    kind = "text/plain" if item.path and item.path.endswith(".txt") else "text/html"
    return Fetched(item, fetched_at, status_code=None, body=body, content_type=kind, final_url=item.url)


def read_warc_record(item: Item) -> Fetched:
    """Read one HTTP response record from a WARC file at the item's offset."""
    from warcio.archiveiterator import ArchiveIterator

    fetched_at = now()
    try:
        with open(item.path or "", "rb") as stream:
            stream.seek(item.offset or 0)
            record = next(iter(ArchiveIterator(stream)))
            status = int(record.http_headers.get_statuscode()) if record.http_headers else None
            content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
            body = record.content_stream().read()
    except Exception as exc:  # a damaged archive is a per-item error, never a crash
        return Fetched(item, fetched_at, error=f"cannot read WARC record: {type(exc).__name__}: {exc}"[:300])
    outcome = Fetched(item, fetched_at, status_code=status, body=body, content_type=content_type, final_url=item.url)
    if status is not None and status >= 400:
        outcome.error, outcome.body = f"HTTP {status}", None
    return outcome


def check_content_type(fetched: Fetched) -> Fetched:
    """Non-HTML bodies are recorded and skipped, not extracted."""
    if fetched.ok and fetched.content_type:
        mime = fetched.content_type.split(";")[0].strip().lower()
        if mime and mime not in HTML_TYPES:
            fetched.error = f"not HTML: {mime}"
            fetched.body = None
    return fetched


async def fetch_all(items: list[Item], settings: FetchSettings, html_only: bool = True) -> list[Fetched]:
    """Fetch a batch of items of any kind, concurrently for HTTP; order is preserved.
    With ``html_only``, non-HTML bodies are recorded as errors (feeds and sitemaps pass False)."""
    results: list[Fetched | None] = [None] * len(items)
    http_jobs = []
    async with HttpFetcher(settings) as fetcher:
        for index, item in enumerate(items):
            if item.kind == "file":
                results[index] = read_file(item)
            elif item.kind == "warc":
                results[index] = read_warc_record(item)
            else:
                http_jobs.append((index, fetcher.get(item)))
        if http_jobs:
            fetched = await asyncio.gather(*(job for _, job in http_jobs))
            for (index, _), outcome in zip(http_jobs, fetched):
                results[index] = outcome
    done = [r for r in results if r is not None]
    return [check_content_type(r) for r in done] if html_only else done


def fetch_batch(items: list[Item], settings: FetchSettings, html_only: bool = True) -> list[Fetched]:
    """Synchronous entry point: fetch a batch (runs its own event loop)."""
    return asyncio.run(fetch_all(items, settings, html_only))


@task(name="fetch", cache_policy=NO_CACHE)
def fetch_task(items: list[Item], settings: FetchSettings) -> list[Fetched]:
    return fetch_batch(items, settings)

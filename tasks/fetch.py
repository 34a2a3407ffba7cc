"""Fetch: turn Items into Fetched records (HTTP with httpx, local files, WARC records).

Every HTTP request goes through the same path (docs/fetching.md):

1. the URL guard (tasks/safety.py): scheme, length, public addresses unless allowed; again at
   connect time and for every redirect target (redirects are followed here, not by httpx);
2. robots.txt and Crawl-delay (tasks/politeness.py), a global cap and a per-host slot;
3. a conditional GET when the frontier knows the URL's ETag/Last-Modified (304 = unchanged);
4. a streamed, capped body read with a decompression-bomb guard (tasks/streaming.py), the whole
   request bounded by ``total_timeout`` (slow headers and slow-drip bodies alike);
5. retries with exponential backoff and jitter on timeouts, connection errors and 5xx,
   ``Retry-After`` on 429/503, none on other 4xx;
6. the response captured into the run's WARC file (tasks/capture.py);
7. pages 2.. of a multi-page article followed (tasks/pages.py).

Every outcome, good or bad, is a Fetched record: nothing raises.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import random
import socket
import stat
import threading
import time
from collections import defaultdict
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin

import httpx
from prefect.cache_policies import NONE as NO_CACHE

from kabar import settings as settings_module
from kabar.config import FetchSettings
from kabar.models import Fetched, Item, RunStopped
from kabar.tasking import task
from kabar.text import HTML_MIME_TYPES, PAGE_MIME_TYPES
from tasks.capture import CaptureTarget, WarcCapture, prune
from tasks.pages import next_page
from tasks.politeness import HostGate, RobotsCache, host_key
from tasks.safety import Refused, check_url, is_allowed_host
from tasks.streaming import BodyTooLarge, guarded_client, read_body

LOGGER = logging.getLogger(__name__)

HTML_TYPES = PAGE_MIME_TYPES
REDIRECTS = (301, 302, 303, 307, 308)
Accept = Literal["html", "any"]
MAX_ROBOTS_BYTES = settings_module.MAX_ROBOTS_BYTES


def now() -> datetime:
    return datetime.now(timezone.utc)


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now, or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - now()).total_seconds())
    except (TypeError, ValueError):
        return None


class HttpFetcher:
    """The polite, guarded, resilient HTTP client of one fetch call."""

    def __init__(self, settings: FetchSettings, capture: CaptureTarget | None = None) -> None:
        self.settings = settings
        self._global = asyncio.Semaphore(settings.global_concurrency)
        self.gate = HostGate(settings.per_host_concurrency, settings.min_delay)
        self.robots = RobotsCache(settings.user_agent, self._fetch_robots)
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._host_spent: dict[str, float] = defaultdict(float)  # seconds lost to timeouts per host
        self.capture = WarcCapture(capture) if capture is not None and settings.capture else None

    async def __aenter__(self) -> "HttpFetcher":
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in self._clients.values():
            await client.aclose()
        if self.capture is not None:
            self.capture.close()

    def client(self, url: str) -> httpx.AsyncClient:
        """The connection pool of the URL's host. One small pool per host rather than one big one:
        httpcore scans every pooled connection on each request (quadratic in pool size)."""
        key = host_key(url)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = guarded_client(
                {"User-Agent": self.settings.user_agent, "Accept-Language": "id,en;q=0.8",
                 "Accept-Encoding": "gzip, deflate"},  # only what read_body inflates itself (no br/zstd)
                self.settings.timeout, self.settings.per_host_concurrency + 1,
                lambda host, port: is_allowed_host(f"http://{host}:{port}/", self.settings.allow_hosts),
            )
        return client

    async def _fetch_robots(self, url: str) -> tuple[int | None, bytes]:
        """(status, body) of a robots.txt; status None with the reason as body when unreachable.

        Streamed with a byte budget: a plain ``client.get`` inflates the whole response in
        memory first (httpx decodes eagerly), so a 2 MB gzip robots.txt became 2 GiB."""
        try:
            await check_url(url, self.settings.allow_hosts)
            async with self._global:
                return await asyncio.wait_for(self._read_robots(url), self.settings.total_timeout)
        except Refused as exc:
            reason = str(exc)
        except asyncio.TimeoutError:
            reason = f"timeout: over {self.settings.total_timeout:g}s"
        except httpx.TimeoutException:
            reason = "timeout: no response in time"
        except (httpx.HTTPError, OSError) as exc:
            reason = connection_error(exc)
        LOGGER.info("robots.txt %s: %s", url, reason)
        return None, reason.encode("utf-8", "replace")

    async def _read_robots(self, url: str) -> tuple[int | None, bytes]:
        async with self.client(url).stream("GET", url) as response:
            if response.status_code in REDIRECTS:
                return 404, b""  # a redirected robots.txt: treat as absent rather than chase it
            if not 200 <= response.status_code < 300:
                return response.status_code, b""
            try:
                return response.status_code, await read_body(response, MAX_ROBOTS_BYTES)
            except (BodyTooLarge, Refused, ValueError) as exc:
                # Over the cap, a bomb, or an encoding we do not inflate: a robots.txt that could
                # not be read, so the host is skipped this run (as for a 5xx).
                return None, f"robots.txt {exc}".encode()

    async def get(self, item: Item, accept: Accept = "html") -> Fetched:
        """GET one URL politely, retrying transient failures; the outcome is always a Fetched."""
        try:
            await check_url(item.url, self.settings.allow_hosts)
        except Refused as exc:
            return Fetched(item, now(), error=str(exc))
        if self.settings.respect_robots:
            if not await self.robots.allowed(item.url):
                unreachable = self.robots.unavailable(item.url)
                error = (f"robots.txt unavailable, host skipped: {unreachable}" if unreachable
                         else "robots.txt disallows this URL")
                return Fetched(item, now(), error=error[:300])
            self.gate.set_delay(item.url, await self.robots.crawl_delay(item.url))
        attempt = 0
        # Retries included, one URL gets at most url_budget seconds (a slow-drip URL cost four
        # full timeouts before), and a host whose requests keep timing out at most host_budget.
        deadline = time.monotonic() + self.settings.url_budget
        while True:
            host = host_key(item.url)
            async with self._global, self.gate.slot(item.url):
                if self._host_spent[host] >= self.settings.host_budget:  # checked once in the slot
                    return Fetched(item, now(), error=f"timeout: host time budget of {self.settings.host_budget:g}s "
                                                       "used up by earlier timeouts this run")
                began = time.monotonic()
                outcome = await self._get_bounded(item, accept)
                if outcome.error and outcome.error.startswith("timeout"):
                    self._host_spent[host] += time.monotonic() - began
            wait = self._retry_wait(outcome, attempt)
            if wait is not None and time.monotonic() + wait >= deadline:
                outcome.error = f"{outcome.error} (gave up: URL time budget of {self.settings.url_budget:g}s)"[:300]
                wait = None
            if wait is None:
                return outcome
            attempt += 1
            self.gate.defer(item.url, wait)  # the whole host waits, not only this URL
            await asyncio.sleep(wait)

    def _retry_wait(self, outcome: Fetched, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the outcome is final."""
        if outcome.error is None or attempt >= self.settings.retries:
            return None
        status = outcome.status_code
        if status in (429, 503):
            asked = retry_after_seconds(outcome.headers.get("retry-after"))
            if asked is not None:
                if asked > self.settings.max_retry_after:
                    outcome.error += f" (Retry-After {asked:.0f}s: left for a later run)"
                    return None
                return asked
        elif status is not None and status < 500:
            return None  # other 4xx: asking again will not help
        elif status is None and not outcome.error.startswith(("timeout", "connection error")):
            return None  # refused, too large, redirect loop ...: final
        base = self.settings.backoff_base * 2**attempt
        return base * (0.5 + random.random())  # jitter: retries of many URLs do not line up

    async def _get_bounded(self, item: Item, accept: Accept) -> Fetched:
        started = now()
        try:
            return await asyncio.wait_for(self._follow(item, accept, started), self.settings.total_timeout)
        except asyncio.TimeoutError:
            return Fetched(item, started, error=f"timeout: over {self.settings.total_timeout:g}s in total")

    async def _follow(self, item: Item, accept: Accept, started: datetime) -> Fetched:
        """One attempt: follow redirects (each target checked), read the final body."""
        url, seen = item.url, {item.url}
        for hop in range(self.settings.max_redirects + 1):
            try:
                if hop:
                    await check_url(url, self.settings.allow_hosts)
                    if self.settings.respect_robots and not await self.robots.allowed(url):
                        return Fetched(item, started, error="robots.txt disallows the redirect target",
                                       final_url=url)
                    if self.settings.respect_robots:
                        self.gate.set_delay(url, await self.robots.crawl_delay(url))
                    await self.gate.pace(url)  # a redirect hop is a request too: keep the spacing
                headers = {}
                if hop == 0 and item.etag:
                    headers["If-None-Match"] = item.etag
                if hop == 0 and item.last_modified:
                    headers["If-Modified-Since"] = item.last_modified
                async with self.client(url).stream("GET", url, headers=headers) as response:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECTS and location:
                        self._capture(url, response, b"", item)
                        target = urljoin(url, location.strip())
                        if target in seen:
                            return Fetched(item, started, status_code=response.status_code,
                                           error=f"redirect loop at {target}"[:300], final_url=url)
                        seen.add(target)
                        url = target
                        continue
                    return await self._read(item, url, response, accept, started)
            except Refused as exc:
                return Fetched(item, started, error=str(exc)[:300], final_url=url)
            except httpx.TimeoutException:
                return Fetched(item, started, error="timeout: no response in time", final_url=url)
            except (httpx.HTTPError, OSError) as exc:
                return Fetched(item, started, error=connection_error(exc)[:300], final_url=url)
        return Fetched(item, started, error=f"too many redirects (over {self.settings.max_redirects})",
                       final_url=url)

    async def _read(self, item: Item, url: str, response: httpx.Response, accept: Accept,
                    started: datetime) -> Fetched:
        headers = {k.lower(): v for k, v in response.headers.items()}
        content_type = headers.get("content-type", "")
        outcome = Fetched(item, started, status_code=response.status_code, content_type=content_type,
                          final_url=url, headers=headers)
        if response.status_code == 304:
            outcome.warc_record_id = self._capture(url, response, b"", item)
            return outcome
        if response.status_code >= 400:
            outcome.error = f"HTTP {response.status_code}"
            outcome.warc_record_id = self._capture(url, response, b"", item)
            return outcome
        mime = content_type.split(";")[0].strip().lower()
        if accept == "html" and mime and mime not in HTML_TYPES:
            outcome.error = f"not HTML: {mime}"  # skipped unread: no bytes wasted on PDFs, videos
            return outcome
        try:
            outcome.body = await read_body(response, self.settings.max_body_bytes)
        except (BodyTooLarge, Refused, ValueError) as exc:
            outcome.error = str(exc)[:300]
            return outcome
        outcome.warc_record_id = self._capture(url, response, outcome.body, item)
        return outcome

    def _capture(self, url: str, response: httpx.Response, body: bytes, item: Item) -> str | None:
        if self.capture is None:
            return None
        try:
            return self.capture.write(url, response.status_code, response.reason_phrase,
                                      list(response.headers.items()), body, item.source, item.page_of)
        except OSError as exc:  # a full disk loses the capture, not the article
            LOGGER.warning("WARC capture of %s failed: %s", url, exc)
            return None

    async def get_article(self, item: Item) -> Fetched:
        """GET an article and, when it is split over pages, its following pages."""
        first = await self.get(item)
        if not first.ok or not (first.content_type or "").lower().startswith(HTML_MIME_TYPES):
            return first
        seen, body, url = {first.final_url or item.url}, first.body, first.final_url or item.url
        for _ in range(self.settings.max_article_pages - 1):
            following = next_page(body or b"", url)
            if following is None or following in seen:
                break
            seen.add(following)
            page = await self.get(Item(url=following, source=item.source, page_of=item.url))
            if not page.ok:
                LOGGER.info("page %s of %s: %s", following, item.url, page.error)
                break
            first.extra_pages.append(page.body)
            body, url = page.body, following
        return first


def connection_error(exc: BaseException) -> str:
    """The recorded reason for a request that got no response: DNS failures named as such."""
    text = f"{exc}"
    cause = exc.__cause__ or exc.__context__
    chain = f"{text} {cause or ''}".lower()
    if isinstance(exc, socket.gaierror) or isinstance(cause, socket.gaierror) or "name or service not known" in chain \
            or "temporary failure in name resolution" in chain or "nodename nor servname" in chain:
        return f"DNS error: {text or type(exc).__name__}"
    return f"connection error: {type(exc).__name__}: {text}"


def read_file(item: Item, max_bytes: int = settings_module.MAX_BODY_BYTES) -> Fetched:
    """Read a local file as a fetch; its url is its file:// URI. A file over ``max_bytes`` (by
    stat, before reading) or that is not a regular file is refused with a one-line reason."""
    fetched_at = now()
    path = Path(item.path or "")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return Fetched(item, fetched_at, error="cannot read file: not a regular file")
        if info.st_size > max_bytes:
            return Fetched(item, fetched_at, error=f"too large: file of {info.st_size} bytes > {max_bytes} bytes")
        with path.open("rb") as handle:
            body = handle.read(max_bytes + 1)  # the file may grow after the stat
        if len(body) > max_bytes:
            return Fetched(item, fetched_at, error=f"too large: file over {max_bytes} bytes")
    except OSError as exc:
        return Fetched(item, fetched_at, error=f"cannot read file: {exc.strerror or exc}")
    kind = "text/plain" if item.path and item.path.endswith(".txt") else "text/html"
    return Fetched(item, fetched_at, status_code=None, body=body, content_type=kind, final_url=item.url)


def read_warc_record(item: Item, max_bytes: int = settings_module.MAX_BODY_BYTES) -> Fetched:
    """Read one HTTP response record from a WARC file at the item's offset; a record cut short
    (fewer bytes than its declared length) or over ``max_bytes`` is refused."""
    from warcio.archiveiterator import ArchiveIterator

    from tasks.warc_records import missing_bytes, printable

    fetched_at = now()
    try:
        with open(item.path or "", "rb") as stream:
            stream.seek(item.offset or 0)
            record = next(iter(ArchiveIterator(stream)))
            status = int(record.http_headers.get_statuscode()) if record.http_headers else None
            content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
            body = record.content_stream().read(max_bytes + 1)
            if len(body) > max_bytes:
                return Fetched(item, fetched_at, error=f"too large: WARC record over {max_bytes} bytes")
            short = missing_bytes(record)
            if short:
                return Fetched(item, fetched_at, error=f"truncated WARC record: {short} bytes of its declared "
                                                       "length are missing")
            record_id = record.rec_headers.get_header("WARC-Record-ID")
    except Exception as exc:  # a damaged archive is a per-item error, never a crash
        return Fetched(item, fetched_at,
                       error=f"cannot read WARC record: {type(exc).__name__}: {printable(str(exc))}"[:300])
    outcome = Fetched(item, fetched_at, status_code=status, body=body, content_type=content_type,
                      final_url=item.url, warc_record_id=record_id)
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


async def fetch_with(fetcher: HttpFetcher, items: list[Item], html_only: bool = True) -> list[Fetched]:
    """Fetch a batch of items of any kind with ``fetcher``, concurrently for HTTP; order is kept.

    With ``html_only``, non-HTML bodies are recorded as errors and multi-page articles are
    followed; feeds and sitemaps pass False."""
    accept: Accept = "html" if html_only else "any"
    results: list[Fetched | None] = [None] * len(items)
    http_jobs = []
    for index, item in enumerate(items):
        if item.kind == "file":
            results[index] = read_file(item, fetcher.settings.max_body_bytes)
        elif item.kind == "warc":
            results[index] = read_warc_record(item, fetcher.settings.max_body_bytes)
        elif accept == "html":
            http_jobs.append((index, fetcher.get_article(item)))
        else:
            http_jobs.append((index, fetcher.get(item, accept)))
    if http_jobs:
        # One item's unexpected error is that item's failure, recorded with its reason; it must not
        # lose the batch (a bad link on one page once failed a whole night's fetch batch).
        fetched = await asyncio.gather(*(job for _, job in http_jobs), return_exceptions=True)
        for (index, _), outcome in zip(http_jobs, fetched):
            if isinstance(outcome, BaseException):
                if not isinstance(outcome, Exception) or isinstance(outcome, RunStopped):
                    raise outcome
                LOGGER.warning("fetching %s failed: %r", items[index].url, outcome)
                outcome = Fetched(items[index], now(), error=f"fetch failed: {type(outcome).__name__}: {outcome}"[:300])
            results[index] = outcome
    done = [r for r in results if r is not None]
    return [check_content_type(r) for r in done] if html_only else done


async def fetch_all(items: list[Item], settings: FetchSettings, html_only: bool = True,
                    capture: CaptureTarget | None = None) -> list[Fetched]:
    """Fetch one batch with a fetcher of its own (one-off fetches: a command, a test)."""
    if capture is not None and settings.capture:
        prune(capture.directory, capture.retention_days)
    async with HttpFetcher(settings, capture) as fetcher:
        return await fetch_with(fetcher, items, html_only)


class RunFetcher:
    """The fetcher of one run, shared by every batch of it (discovery included): one HttpFetcher
    (connection pools, host gates, robots.txt rules) living on one event loop in its own thread.
    Batches submitted from any thread run on that loop, so ``per_host_concurrency``, the global
    cap and the per-host spacing bound the whole run, not each batch. (A fetcher per batch, each
    with its own loop, let two batches in flight double the connections to a host.)"""

    def __init__(self, settings: FetchSettings, capture: CaptureTarget | None) -> None:
        if capture is not None and settings.capture:
            prune(capture.directory, capture.retention_days)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="kabar-fetcher", daemon=True)
        self._thread.start()
        self.fetcher = self._call(self._open(settings, capture))

    @staticmethod
    async def _open(settings: FetchSettings, capture: CaptureTarget | None) -> HttpFetcher:
        return HttpFetcher(settings, capture)  # made on the loop: its semaphores belong to it

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def fetch(self, items: list[Item], html_only: bool = True) -> list[Fetched]:
        try:
            return self._call(fetch_with(self.fetcher, items, html_only))
        except concurrent.futures.CancelledError:
            # cancel(): the run is ending and loads nothing more; an error per item rather than an
            # exception, which Prefect would log as a failed task with a traceback
            return [Fetched(item, now(), error="fetch cancelled: the run was stopped") for item in items]

    def cancel(self) -> None:
        """Cancel every fetch in progress (a stopped run): each waiting batch ends at once."""
        def cancel_all() -> None:
            for pending in asyncio.all_tasks(self.loop):
                pending.cancel()
        self.loop.call_soon_threadsafe(cancel_all)

    def close(self) -> None:
        try:
            self._call(self.fetcher.__aexit__(None, None, None))
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
            self.loop.close()


#: The open run fetchers of this process, by run id (a flow process holds one per run; under
#: Dask each worker process holds its own for the batches it fetches).
_RUN_FETCHERS: dict[str, RunFetcher] = {}
_RUN_FETCHERS_LOCK = threading.Lock()


#: Runs of this process that were stopped: a batch of theirs asked for later (a retry, a batch
#: already queued) raises RunStopped instead of opening a new fetcher.
_STOPPED_RUNS: set[str] = set()


def run_fetcher(settings: FetchSettings, capture: CaptureTarget) -> RunFetcher:
    """The fetcher of the run ``capture`` belongs to, opened on first use."""
    with _RUN_FETCHERS_LOCK:
        if capture.run_id in _STOPPED_RUNS:
            raise RunStopped("fetching stopped: the run was interrupted")
        fetcher = _RUN_FETCHERS.get(capture.run_id)
        if fetcher is None:
            fetcher = _RUN_FETCHERS[capture.run_id] = RunFetcher(settings, capture)
        return fetcher


@atexit.register
def _close_all() -> None:
    for run_id in list(_RUN_FETCHERS):
        close_run_fetcher(run_id)


def close_run_fetcher(run_id: str, cancel: bool = False) -> None:
    """Close the run's fetcher (its clients and WARC file), if this process opened one. With
    ``cancel`` (a stopped run), fetches in progress are cancelled first and the run takes no more."""
    with _RUN_FETCHERS_LOCK:
        fetcher = _RUN_FETCHERS.pop(run_id, None)
        if cancel:
            _STOPPED_RUNS.add(run_id)
    if fetcher is not None:
        if cancel:
            fetcher.cancel()
        fetcher.close()


def fetch_batch(items: list[Item], settings: FetchSettings, html_only: bool = True,
                capture: CaptureTarget | None = None) -> list[Fetched]:
    """Synchronous entry point: fetch a batch. Within a run (``capture`` names it) through the
    run's shared fetcher; otherwise with a fetcher of its own."""
    if capture is not None:
        return run_fetcher(settings, capture).fetch(items, html_only)
    return asyncio.run(fetch_all(items, settings, html_only))


@task(name="fetch", cache_policy=NO_CACHE)
def fetch_task(items: list[Item], settings: FetchSettings, capture: CaptureTarget | None = None) -> list[Fetched]:
    return fetch_batch(items, settings, capture=capture)

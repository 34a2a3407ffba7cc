"""Politeness: robots.txt per host (parsed by protego), Crawl-delay, and per-host pacing.

- ``RobotsCache`` fetches ``/robots.txt`` once per host and scheme per run (through the
  same guarded fetcher, so robots.txt obeys the URL guard too) and answers ``allowed(url)`` and
  ``crawl_delay(url)``. A missing robots.txt (4xx) allows everything; a robots.txt that cannot
  be fetched (5xx, timeout) is treated as "disallow all" for this run, as Google does, because
  an overloaded host is exactly the one not to hammer.
- ``HostGate`` holds each host to ``per_host_concurrency`` requests at a time and spaces request
  starts at least ``max(min_delay, Crawl-delay)`` apart (Crawl-delay capped, so a robots.txt
  asking for an hour per page does not stall a run: such pages are left for later runs).

Both belong to the run's fetcher (tasks/fetch.py ``RunFetcher``), so they hold across batches.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from contextlib import asynccontextmanager
from typing import AsyncIterator, Awaitable, Callable
from urllib.parse import urlsplit

from protego import Protego

LOGGER = logging.getLogger(__name__)

#: Longest Crawl-delay honoured as asked; a longer one is capped (and logged).
MAX_CRAWL_DELAY_S = 30.0


def host_key(url: str) -> str:
    """The politeness key of a URL: scheme://netloc, lower-case."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class RobotsCache:
    """robots.txt rules per host, fetched lazily with ``fetch_robots(robots_url) -> (status, body)``."""

    def __init__(self, user_agent: str, fetch_robots: Callable[[str], Awaitable[tuple[int | None, bytes]]]) -> None:
        self.user_agent = user_agent
        self._fetch = fetch_robots
        self._rules: dict[str, Protego | None] = {}
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._blocked: dict[str, str] = {}  # hosts whose robots.txt failed, and why: disallow all this run

    async def rules(self, url: str) -> Protego | None:
        key = host_key(url)
        if key in self._rules or key in self._blocked:
            return self._rules.get(key)
        async with self._locks[key]:
            if key in self._rules or key in self._blocked:
                return self._rules.get(key)
            status, body = await self._fetch(key + "/robots.txt")
            if status is not None and 200 <= status < 300:
                text = body.decode("utf-8", errors="replace")
                self._rules[key] = Protego.parse(text)
            elif status is not None and 400 <= status < 500:
                self._rules[key] = None  # no robots.txt: everything allowed
            else:
                reason = body.decode("utf-8", "replace") if status is None and body else f"HTTP {status}"
                LOGGER.warning("robots.txt of %s unavailable (%s): host skipped this run", key, reason)
                self._blocked[key] = reason
            return self._rules.get(key)

    async def allowed(self, url: str) -> bool:
        rules = await self.rules(url)
        if host_key(url) in self._blocked:
            return False
        return rules is None or rules.can_fetch(url, self.user_agent)

    def unavailable(self, url: str) -> str | None:
        """Why the host's robots.txt could not be had (connect error, timeout, DNS, 5xx), or None."""
        return self._blocked.get(host_key(url))

    async def crawl_delay(self, url: str) -> float:
        rules = await self.rules(url)
        delay = rules.crawl_delay(self.user_agent) if rules is not None else None
        if delay is None and rules is not None and rules.request_rate(self.user_agent) is not None:
            rate = rules.request_rate(self.user_agent)
            delay = rate.seconds / max(rate.requests, 1)
        return min(float(delay or 0.0), MAX_CRAWL_DELAY_S)

    def sitemaps(self, url: str) -> list[str]:
        """The ``Sitemap:`` lines of an already-fetched robots.txt."""
        rules = self._rules.get(host_key(url))
        return list(rules.sitemaps) if rules is not None else []


class HostGate:
    """Per-host concurrency and minimum spacing between request starts."""

    def __init__(self, per_host: int, min_delay: float) -> None:
        self.per_host = per_host
        self.min_delay = min_delay
        self._slots: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(self.per_host))
        self._next_start: dict[str, float] = defaultdict(float)
        self._spacing: dict[str, float] = {}

    def set_delay(self, url: str, delay: float) -> None:
        """Space this host's requests at least ``delay`` seconds apart (Crawl-delay)."""
        key = host_key(url)
        self._spacing[key] = max(self.min_delay, delay)

    def defer(self, url: str, seconds: float) -> None:
        """Start none of this host's requests for ``seconds`` (Retry-After, backoff)."""
        key = host_key(url)
        self._next_start[key] = max(self._next_start[key], time.monotonic() + seconds)

    async def pace(self, url: str) -> None:
        """Wait until this host may see its next request start (reserving that start)."""
        key = host_key(url)
        spacing = self._spacing.get(key, self.min_delay)
        now = time.monotonic()
        if spacing > 0 or self._next_start[key] > now:
            # Reserve the start time before sleeping, so concurrent waiters queue up behind it.
            start = max(now, self._next_start[key])
            self._next_start[key] = start + spacing
            if start > now:
                await asyncio.sleep(start - now)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold one of the host's slots, starting no sooner than its spacing allows."""
        async with self._slots[host_key(url)]:
            await self.pace(url)
            yield


def interleave(items: list) -> list:
    """Items reordered round-robin over their hosts (order kept within a host), so that a batch
    cut from the list keeps every host busy instead of queueing one host's pages behind its limit."""
    queues: dict[str, list] = {}
    for item in items:
        queues.setdefault(host_key(item.url), []).append(item)
    out = []
    while queues:
        for key in list(queues):
            out.append(queues[key].pop(0))
            if not queues[key]:
                del queues[key]
    return out

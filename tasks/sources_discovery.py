"""Sources discovery: where an outlet announces its articles, and how well each place works.

``discover_site(url)`` reads an outlet's home page and gathers candidates: ``<link
rel="alternate">`` RSS/Atom feeds, feed links in the page, the usual feed and sitemap paths,
the ``Sitemap:`` lines of robots.txt (news sitemaps and sitemap indexes are followed), and, only
when none of those works, section listing pages linked from the home page. ``check_source``
judges one configured source the same way. Every request goes through the ingest fetcher
(tasks/fetch.py): the URL guard, robots.txt, per-host pacing, size caps, retries.

A candidate is judged on what it really lists: does it parse, how many items, how many distinct
article URLs on the outlet's own site, the newest item's date, items per day, and the language
of its titles (the project's language identifier). Candidates are ranked news sitemap > fresh
feed > stale feed > plain sitemap > listing page. Nothing here raises for a bad site: problems
are one-line strings on the report (``error`` for the site, ``notes`` and per-candidate errors).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree

from kabar.config import FetchSettings, Source
from kabar.models import Article, Item
from kabar.settings import DISCOVERY_FRESH_DAYS, DISCOVERY_MAX_LISTINGS, DISCOVERY_SITEMAP_CHILDREN
from kabar.text import absolute_url
# ingest's own parsers and shape sniffing, so that what discovery approves ingest reads the same way
from tasks.discover import _looks_like, feed_items, parse_xml, refuse_entities, sitemap_entries
from tasks.fetch import HttpFetcher
from tasks.outlet_page import HomePage, is_article_url, listing_pattern, read_home, same_site, section_links
from tasks.pages import listing_links

LOGGER = logging.getLogger(__name__)

#: Where sites usually put feeds and sitemaps when no page links them.
FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")
SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml", "/sitemap-news.xml")
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

#: Rank of each grade: lower is better.
GRADES = {"news sitemap": 1, "fresh feed": 2, "stale feed": 3, "stale news sitemap": 3, "sitemap": 4,
          "listing page": 5}


@dataclass
class Candidate:
    """One place that may announce articles, and what checking it found."""

    url: str
    kind: str  # the sources-file kind: feed | sitemap | listing
    via: str  # how it was found: "<link> in page", "link in page", "common path", "robots.txt", ...
    news: bool = False
    error: str | None = None
    items: int = 0
    on_host: int = 0
    newest: datetime | None = None
    per_day: float | None = None
    language: str | None = None
    link_pattern: str | None = None
    note: str = ""
    titles: list[str] = field(default_factory=list, repr=False)

    @property
    def passed(self) -> bool:
        """Parsed, and lists at least one article URL on the outlet's site."""
        return self.error is None and self.on_host > 0

    def fresh(self, now: datetime) -> bool:
        return self.newest is not None and self.newest >= now - timedelta(days=DISCOVERY_FRESH_DAYS)

    def grade(self, now: datetime) -> str:
        if self.kind == "listing":
            return "listing page"
        if self.kind == "feed":
            return "fresh feed" if self.fresh(now) else "stale feed"
        if self.news:
            return "news sitemap" if self.fresh(now) else "stale news sitemap"
        return "sitemap"


@dataclass
class SiteReport:
    """What ``discover_site`` found: the outlet's name and language, ranked candidates, notes."""

    url: str
    home_url: str | None = None
    outlet: str | None = None
    language: str | None = None
    candidates: list[Candidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def best(self) -> Candidate | None:
        return next((c for c in self.candidates if c.passed), None)


@lru_cache(maxsize=1)
def _language_enricher():
    """One identifier per process: loading py3langid's model takes about a second."""
    from tasks.enrichers.language import LanguageEnricher

    return LanguageEnricher()


def identify_language(texts: list[str]) -> str | None:
    """The language of some titles or text (the enrich stage's identifier), None when too little."""
    sample = "\n".join(t for t in texts if t)[:5000]
    if len(sample.split()) < 5:
        return None
    article = Article(url="about:blank", source="discover", fetched_at=datetime.now(timezone.utc), text=sample)
    return _language_enricher().enrich(article).fields.get("language")


def _judge_dates(candidate: Candidate, dates: list[datetime]) -> None:
    dates = sorted(d for d in dates if d is not None)
    if not dates:
        return
    candidate.newest = dates[-1]
    span_days = (dates[-1] - dates[0]).total_seconds() / 86400
    candidate.per_day = round(len(dates) / max(span_days, 1.0), 1)


def _news_titles(root: etree._Element) -> tuple[bool, list[str]]:
    titles = [t.text.strip() for t in root.iter(f"{{{NEWS_NS}}}title") if t.text and t.text.strip()]
    is_news = any(isinstance(e.tag, str) and e.tag.startswith(f"{{{NEWS_NS}}}") for e in root.iter())
    return is_news, titles


class Checker:
    """Fetches and judges candidates with one fetcher, for one outlet's home page."""

    def __init__(self, fetcher: HttpFetcher, home: str, now: datetime) -> None:
        self.fetcher, self.home, self.now = fetcher, home, now

    async def fetch(self, url: str) -> tuple[bytes | None, str, str | None, str | None]:
        """(body, final URL, content type, error) of one GET through the ingest fetcher."""
        fetched = await self.fetcher.get(Item(url=url, source="discover"), accept="any")
        final = fetched.final_url or url
        if not same_site(final, self.home):  # before the error: the other host may well answer 404
            return None, final, fetched.content_type, f"redirects to another host ({urlsplit(final).netloc})"
        if fetched.error:
            return None, final, fetched.content_type, fetched.error
        return fetched.body or b"", final, fetched.content_type, None

    async def check(self, url: str, via: str, kind: str | None = None, probe: bool = False) -> Candidate | None:
        """Fetch and judge a feed or sitemap. With ``probe`` (a guessed path) a miss is None."""
        body, final, content_type, error = await self.fetch(url)
        if error is not None:
            return None if probe and not error.startswith("robots.txt") else Candidate(url, kind or "feed", via, error=error)
        shape = _looks_like(body)
        if shape == "html" or (shape == "unknown" and probe):
            return None if probe else Candidate(url, kind or "feed", via, error="an HTML page, not a feed or sitemap")
        candidate = Candidate(final, "sitemap" if shape == "sitemap" else (kind or "feed"), via)
        try:
            refuse_entities(body)
            if candidate.kind == "sitemap":
                await self._judge_sitemap(candidate, body)
            else:
                self._judge_feed(candidate, body)
        except Exception as exc:  # a broken feed is this candidate's failure
            text = str(exc)
            candidate.error = (text if text.startswith("refused:") else f"cannot parse: {type(exc).__name__}: {text}")[:200]
            return None if probe else candidate
        if candidate.items == 0 and candidate.error is None:
            candidate.error = "lists no items"
        elif candidate.on_host == 0 and candidate.error is None:
            candidate.error = "no article URLs on the outlet's host"
        return candidate

    def _judge_feed(self, candidate: Candidate, body: bytes) -> None:
        source = Source(name="discover", kind="feed", url=candidate.url)
        items = feed_items(body, source, candidate.url)
        urls = {i.url for i in items}
        candidate.items = len(items)
        candidate.on_host = sum(is_article_url(u, self.home) for u in urls)
        candidate.titles = [i.title_hint or "" for i in items]
        _judge_dates(candidate, [i.published_hint for i in items])

    async def _judge_sitemap(self, candidate: Candidate, body: bytes) -> None:
        urls, titles, indexes = await self._read_sitemap(candidate, candidate.url, body, depth=0)
        if indexes:
            candidate.note = f"index of {indexes} sitemaps, newest {DISCOVERY_SITEMAP_CHILDREN} read"
        candidate.items = len(urls)
        candidate.on_host = len({u for u, _ in urls if is_article_url(u, self.home)})
        candidate.titles = titles
        _judge_dates(candidate, [d for _, d in urls])

    async def _read_sitemap(self, candidate: Candidate, url: str, body: bytes,
                            depth: int) -> tuple[list[tuple[str, datetime | None]], list[str], int]:
        """(article URLs with dates, news titles, how many children the top index lists) of a
        sitemap; of an index, its newest few children (by <lastmod>, else the first listed),
        and of an index of indexes (per section, then per day) one level further."""
        root = parse_xml(body)
        urls, children = sitemap_entries(body)
        news, titles = _news_titles(root)
        candidate.news = candidate.news or news
        if not children or depth > 1:
            return urls, titles, 0
        dated = [(c, _lastmod(root, c)) for c in children]
        dated.sort(key=lambda pair: pair[1] or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
        for child, _ in dated[:DISCOVERY_SITEMAP_CHILDREN]:
            child_url = absolute_url(url, child)
            if child_url is None:
                continue
            child_body, _, _, error = await self.fetch(child_url)
            if error is not None or child_body is None:
                continue
            refuse_entities(child_body)
            child_urls, child_titles, _ = await self._read_sitemap(candidate, child_url, child_body, depth + 1)
            urls += child_urls
            titles += child_titles
        return urls, titles, len(children)


def _lastmod(root: etree._Element, child: str) -> datetime | None:
    from tasks.discover import _parse_iso

    for element in root.iter("{*}sitemap"):
        if (element.findtext("{*}loc") or "").strip() == child:
            return _parse_iso(element.findtext("{*}lastmod"))
    return None


async def check_listing(checker: Checker, url: str, via: str, pattern: str | None = None) -> Candidate:
    """Judge an HTML listing page: its article links (matching ``pattern`` when given)."""
    body, final, content_type, error = await checker.fetch(url)
    candidate = Candidate(final, "listing", via, error=error, link_pattern=pattern)
    if error is not None:
        return candidate
    try:
        if pattern is None:
            links = [u for u in listing_links(body, final, r"^https?://") if is_article_url(u, checker.home)]
            candidate.link_pattern = listing_pattern(links)
        else:
            links = listing_links(body, final, pattern)
        page = read_home(body, final)
    except Exception as exc:  # an unparsable page is this candidate's failure
        candidate.error = f"cannot parse: {type(exc).__name__}: {exc}"[:200]
        return candidate
    links = list(dict.fromkeys(links))
    candidate.items = len(links)
    candidate.on_host = sum(is_article_url(u, checker.home) for u in links) if pattern is None else len(links)
    candidate.titles = [text for u, text in page.links if u in set(links)]
    if candidate.items == 0:
        candidate.error = "no article links"
    elif pattern is None and candidate.link_pattern is None:
        candidate.error = "article links share no common pattern"
    return candidate


def rank(candidates: list[Candidate], now: datetime) -> list[Candidate]:
    """Passed candidates first, by grade, then more article URLs, then newer; failures last."""
    stamp = lambda c: c.newest.timestamp() if c.newest else 0.0  # noqa: E731
    return sorted(candidates, key=lambda c: (not c.passed, GRADES[c.grade(now)], -c.on_host, -stamp(c)))


def _languages(candidates: list[Candidate], fallback: str | None) -> None:
    for candidate in candidates:
        candidate.language = identify_language(candidate.titles) or fallback


def candidate_urls(home: HomePage, home_url: str, robots_sitemaps: list[str]) -> tuple[dict[str, tuple[str, bool]], list[str]]:
    """({candidate URL: (how it was found, whether it is only a guessed path)}, notes on links to
    other hosts, which are never fetched), in the order they are worth trying."""
    found: dict[str, tuple[str, bool]] = {}
    for link in home.alternates:
        found.setdefault(link, ("<link> in page", False))
    for link in home.feed_links:
        found.setdefault(link, ("link in page", False))
    root = f"{urlsplit(home_url).scheme}://{urlsplit(home_url).netloc}"
    for link in robots_sitemaps:
        if (absolute := absolute_url(root, link)) is not None:
            found.setdefault(absolute, ("robots.txt", False))
    for path in FEED_PATHS + SITEMAP_PATHS:
        found.setdefault(root + path, ("common path", True))
    notes = [f"{link}: on another host ({urlsplit(link).netloc}), not used" for link in found if not same_site(link, home_url)]
    return {link: how for link, how in found.items() if same_site(link, home_url)}, notes


async def discover(url: str, settings: FetchSettings, now: datetime) -> SiteReport:
    report = SiteReport(url)
    async with HttpFetcher(settings) as fetcher:
        checker = Checker(fetcher, url, now)
        fetched = await fetcher.get(Item(url=url, source="discover"), accept="any")
        home_url = report.home_url = fetched.final_url or url
        if not same_site(home_url, url):
            report.error = (f"home page {url} redirects to another host ({urlsplit(home_url).netloc}); "
                            "run discover on that address if it is the outlet")
            return report
        if fetched.error:
            report.error = f"home page {url}: {await _home_error(fetcher, url, fetched.error)}"
            return report
        body = fetched.body or b""
        report.error = not_html(url, body, fetched.content_type)
        if report.error:
            return report
        try:
            home = read_home(body, home_url)
        except (ValueError, etree.ParserError) as exc:
            report.error = f"home page {url} cannot be parsed as HTML ({exc})"
            return report
        checker.home = home_url
        report.outlet = home.outlet
        report.language = identify_language([home.text])

        await fetcher.robots.rules(home_url)  # fetched even when [fetch] respect_robots is off
        found, notes = candidate_urls(home, home_url, fetcher.robots.sitemaps(home_url))
        report.notes += notes
        checked = await asyncio.gather(*(checker.check(u, via, probe=guessed) for u, (via, guessed) in found.items()))
        candidates: dict[str, Candidate] = {}
        for candidate in checked:
            if candidate is not None:
                candidates.setdefault(candidate.url, candidate)  # /feed redirecting to /feed.xml: once
        if not any(c.passed for c in candidates.values()):
            sections = section_links(home, home_url)[:DISCOVERY_MAX_LISTINGS]
            listings = await asyncio.gather(*(check_listing(checker, u, "section link") for u in sections))
            for candidate in listings:
                candidates.setdefault(candidate.url, candidate)
            if not sections:
                report.notes.append(f"{home_url}: no section links to try as listing pages")
    report.candidates = rank(list(candidates.values()), now)
    _languages(report.candidates, report.language)
    return report


def not_html(url: str, body: bytes, content_type: str | None) -> str | None:
    """Why a home page is not an HTML page (a feed given instead says which kind to use), or None."""
    mime = (content_type or "").split(";")[0].strip().lower()
    shape = _looks_like(body)
    if shape in ("feed", "sitemap"):
        return f"home page {url} is not HTML ({mime or 'no content type'}) (it is a {shape}: add it with kind = \"{shape}\")"
    if (mime and mime not in ("text/html", "application/xhtml+xml")) or (shape == "unknown" and b"<" not in body[:1024]):
        return f"home page {url} is not HTML ({mime or 'no content type'})"
    return None


async def _home_error(fetcher: HttpFetcher, url: str, error: str) -> str:
    """The fetch error, except that a robots.txt which could not be fetched at all (the fetcher
    then refuses the whole host, tasks/politeness.py) is reported as the host being unreachable."""
    if error.startswith("robots.txt") and await fetcher.robots.rules(url) is None:
        return "unreachable (its robots.txt could not be fetched: connection failed, timeout or server error)"
    return error


def discover_site(url: str, settings: FetchSettings, now: datetime | None = None) -> SiteReport:
    """Find and judge every place the outlet at ``url`` announces articles. Never raises for a
    bad site: ``error`` says why the home page could not be used, ``notes`` what was skipped."""
    return asyncio.run(discover(url, settings, now or datetime.now(timezone.utc)))


def _local(source: Source, settings: FetchSettings) -> Candidate:
    from tasks.discover import discover_source

    found = discover_source(source, settings)
    error = found.error or (None if found.items else "no files")
    return Candidate(source.glob or source.path or "", source.kind, "configured", error=error,
                     items=len(found.items), on_host=len(found.items), note="local, not fetched")


async def _check_one(fetcher: HttpFetcher, source: Source, now: datetime) -> Candidate:
    checker = Checker(fetcher, source.url or "", now)
    if source.kind == "listing":
        return await check_listing(checker, source.url or "", "configured", source.link_pattern)
    candidate = await checker.check(source.url or "", "configured", kind=source.kind)
    assert candidate is not None  # only probes return None
    return candidate


async def _check_all(sources: list[Source], settings: FetchSettings, now: datetime) -> list[Candidate]:
    async with HttpFetcher(settings) as fetcher:  # one fetcher: per-host limits hold across sources
        return list(await asyncio.gather(*(_check_one(fetcher, s, now) for s in sources)))


def check_sources(sources: list[Source], settings: FetchSettings, now: datetime | None = None) -> list[Candidate]:
    """Fetch each configured feed, sitemap or listing once (concurrently, politely) and judge it
    like a discovered one; nothing is ingested. Local sources (files, WARC) are counted, not
    fetched. One Candidate per source, in order."""
    now = now or datetime.now(timezone.utc)
    remote = [s for s in sources if s.kind not in ("files", "warc")]
    checked = iter(asyncio.run(_check_all(remote, settings, now)) if remote else [])
    results = [_local(s, settings) if s.kind in ("files", "warc") else next(checked) for s in sources]
    _languages([r for r in results if r.kind not in ("files", "warc")], None)
    return results


def check_source(source: Source, settings: FetchSettings, now: datetime | None = None) -> Candidate:
    """``check_sources`` of one source."""
    return check_sources([source], settings, now)[0]

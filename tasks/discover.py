"""Discover: turn each configured Source into the Items (URLs, files, WARC records) to fetch.

Feeds are parsed with feedparser (which copes with the malformed feeds real sites serve);
sitemaps and sitemap indexes with lxml, entity expansion and network access off; any feed or
sitemap declaring XML entities (billion laughs, XXE) is refused first (defusedxml). Listing
pages yield the links matching the source's ``link_pattern``, following pagination. A source that
cannot be read becomes a recorded failure of that source, never a crashed run.
"""

from __future__ import annotations

import glob as globlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from lxml import etree
from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import FetchSettings, Source, Warehouse
from kabar.models import Fetched, Item, StageError, Window
from kabar.settings import MAX_LISTING_PAGES
from kabar.signals import reraise_signal
from kabar.tasking import task
from kabar.text import HTML_MIME_TYPES
from tasks.capture import CaptureTarget
from tasks.fetch import fetch_batch

if TYPE_CHECKING:
    import feedparser

LOGGER = logging.getLogger(__name__)

FILE_SUFFIXES = (".html", ".htm", ".txt")
MAX_SITEMAPS = 50
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass
class Discovery:
    """What one source yielded: items to fetch, and the fetches made to discover them."""

    source: str
    items: list[Item] = field(default_factory=list)
    fetches: list[Fetched] = field(default_factory=list)
    error: str | None = None
    #: Per-item problems that did not stop the source (damaged WARC records, an empty feed).
    problems: list[StageError] = field(default_factory=list)


def file_items(source: Source) -> list[Item]:
    """Local files matching the source's glob (recursive with **), sorted for stable order."""
    paths = sorted(Path(p) for p in globlib.glob(source.glob or "", recursive=True))
    return [
        Item(url=p.resolve().as_uri(), source=source.name, kind="file", path=str(p.resolve()))
        for p in paths
        if p.is_file() and p.suffix.lower() in FILE_SUFFIXES
    ]


def warc_items(source: Source) -> tuple[list[Item], list[StageError]]:
    """One Item per HTTP 200 HTML response record in the WARC file(s) the source names, and a
    StageError per damaged or truncated record (tasks/warc_records.py) or per file that held
    no such record; the good records around a bad one are all kept."""
    from tasks.warc_records import WarcProblem, scan

    items: list[Item] = []
    problems: list[StageError] = []
    for path in sorted(globlib.glob(source.path or "")) or [source.path or ""]:
        resolved = Path(path).resolve()
        found = 0
        for entry in scan(resolved):
            if isinstance(entry, WarcProblem):
                LOGGER.warning("%s at offset %d: %s", path, entry.offset, entry.error)
                problems.append(StageError(f"{resolved.as_uri()}#offset={entry.offset}", source.name, "discover",
                                           f"WARC {resolved.name} at offset {entry.offset}: {entry.error}"[:300]))
            elif entry.url and entry.status == "200" and entry.mime in (*HTML_MIME_TYPES, ""):
                items.append(Item(url=entry.url, source=source.name, kind="warc", path=str(resolved),
                                  offset=entry.offset))
                found += 1
        if not found:
            problems.append(StageError(resolved.as_uri(), source.name, "discover",
                                       f"WARC {resolved.name} held no HTML response record to load"))
    return items, problems


def _feed_date(entry: feedparser.FeedParserDict) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime(*parsed[:6], tzinfo=timezone.utc)


def feed_items(body: bytes, source: Source, base_url: str) -> list[Item]:
    """Entry links of an RSS/Atom feed (malformed feeds are parsed as far as they go)."""
    import feedparser  # here, not at the top: a run of local files or WARCs never needs it (issue 11: fixed costs)

    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        if link:
            items.append(Item(url=link.strip(), source=source.name, title_hint=entry.get("title"),
                              published_hint=_feed_date(entry)))
    # feedparser flags a well-formed feed served without an XML content type (we pass no
    # Content-Type header) as bozo NonXMLContentType: that is no reason to call an empty but
    # well-formed feed (a silent source) unreadable; a truncated one is still refused.
    benign = type(parsed.get("bozo_exception")).__name__ in ("NonXMLContentType", "CharacterEncodingOverride")
    if not items and parsed.get("bozo") and not benign:
        raise ValueError(f"not a readable feed ({parsed.get('bozo_exception')})")
    return items


def parse_xml(body: bytes) -> etree._Element:
    """Parse untrusted XML: no entity expansion, no network, no huge trees."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    root = etree.fromstring(body.lstrip(), parser=parser)
    if root is None:
        raise ValueError("not XML")
    return root


def sitemap_entries(body: bytes) -> tuple[list[tuple[str, datetime | None]], list[str]]:
    """(article URLs with their dates, child sitemap URLs) of a sitemap or sitemap index."""
    root = parse_xml(body)
    urls: list[tuple[str, datetime | None]] = []
    children: list[str] = []
    for element in root.iter(f"{_SITEMAP_NS}url", "url"):
        loc = element.findtext(f"{_SITEMAP_NS}loc") or element.findtext("loc")
        if not loc:
            continue
        stamp = None
        for date_element in element.iter():
            tag = date_element.tag if isinstance(date_element.tag, str) else ""
            if tag.endswith("publication_date") or tag.endswith("lastmod"):
                stamp = _parse_iso(date_element.text)
                if stamp:
                    break
        urls.append((loc.strip(), stamp))
    for element in root.iter(f"{_SITEMAP_NS}sitemap", "sitemap"):
        loc = element.findtext(f"{_SITEMAP_NS}loc") or element.findtext("loc")
        if loc:
            children.append(loc.strip())
    return urls, children


def _parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def _looks_like(body: bytes) -> str:
    head = body[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    return "html" if b"<html" in head or b"<!doctype html" in head else "unknown"


def refuse_entities(body: bytes) -> None:
    """Raise ValueError when XML declares entities or external references (billion laughs,
    XXE). defusedxml's expat parser sees the DTD before any content, so even a feed that is
    malformed further down is checked; its plain parse errors are left to the lenient parsers."""
    import defusedxml
    from defusedxml.ElementTree import fromstring as safe_fromstring

    try:
        safe_fromstring(body)
    except defusedxml.DefusedXmlException as exc:
        raise ValueError(f"refused: XML declares entities ({type(exc).__name__})") from None
    except Exception:  # malformed XML: feedparser/lxml (recover mode) read what they can
        pass


def robots_sitemaps(body: bytes) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt (parsed by protego)."""
    from protego import Protego

    return list(Protego.parse(body.decode("utf-8", errors="replace")).sitemaps)


def _listing_items(body: bytes, source: Source, url: str) -> tuple[list[Item], str | None]:
    """Article links of one listing page and the URL of its next page."""
    from tasks.pages import listing_links, next_page

    links = listing_links(body, url, source.link_pattern or ".")
    return [Item(url=link, source=source.name) for link in links], next_page(body, url)


def remote_items(source: Source, settings: FetchSettings, warehouse: Warehouse | None = None,
                 capture: CaptureTarget | None = None) -> Discovery:
    """Fetch a feed, sitemap (following sitemap indexes and robots.txt Sitemap: lines) or listing
    (following its pages up to ``max_pages``) and list its article URLs. Feeds and sitemaps are
    fetched conditionally when the frontier holds their validators: a 304 lists nothing new."""
    from warehouse.frontier import read as read_frontier, with_validators

    discovery = Discovery(source.name)
    queue = [source.url or ""]
    seen: set[str] = set()
    pages = 0
    max_pages = source.max_pages or MAX_LISTING_PAGES
    while queue and len(seen) < MAX_SITEMAPS:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        item = Item(url=url, source=source.name)
        if warehouse and source.kind != "listing":  # listing pages change with every article
            with_validators(item, read_frontier(warehouse, [url]).get(url))
        fetched = fetch_batch([item], settings, html_only=False, capture=capture)[0]
        discovery.fetches.append(fetched)
        if fetched.error or fetched.not_modified:
            continue
        if fetched.body is None or not fetched.body.strip():
            fetched.error = f"empty response: HTTP {fetched.status_code} with no body"
            continue
        body = fetched.body
        base = fetched.final_url or url
        shape = _looks_like(body)
        try:
            if source.kind == "listing":
                pages += 1
                found, following = _listing_items(body, source, base)
                discovery.items += found
                if following and pages < max_pages:
                    queue.append(following)
                continue
            if url.endswith("/robots.txt"):
                queue += robots_sitemaps(body)
                continue
            if shape in ("sitemap", "feed", "unknown"):
                refuse_entities(body)
            if shape == "sitemap" or (shape == "unknown" and source.kind == "sitemap"):
                urls, children = sitemap_entries(body)
                discovery.items += [Item(url=u, source=source.name, published_hint=d) for u, d in urls]
                queue += children
            elif shape == "html":  # an article page given directly
                discovery.items.append(Item(url=base, source=source.name))
            else:
                found = feed_items(body, source, base)
                if not found:
                    discovery.problems.append(StageError(url, source.name, "discover", "the feed lists no articles"))
                discovery.items += found
        except Exception as exc:  # a broken feed is that source's failure, not the run's
            reason = str(exc) if str(exc).startswith("refused:") else f"cannot parse {source.kind}: {type(exc).__name__}: {exc}"
            fetched.error = reason[:300]
    if not discovery.items and all(f.error for f in discovery.fetches):
        discovery.error = discovery.fetches[0].error if discovery.fetches else "nothing fetched"
    return discovery


def discover_source(source: Source, settings: FetchSettings, warehouse: Warehouse | None = None,
                    capture: CaptureTarget | None = None) -> Discovery:
    """List what one source offers. Never raises: a failure is recorded on the Discovery."""
    try:
        if source.kind == "files":
            found = Discovery(source.name, items=file_items(source))
            if not found.items:
                found.error = f"no .html/.htm/.txt files match {source.glob}"
            return found
        if source.kind == "warc":
            items, problems = warc_items(source)
            return Discovery(source.name, items=items, problems=problems)
        return remote_items(source, settings, warehouse, capture)
    except Exception as exc:
        reraise_signal(exc)  # a SIGTERM inside its warehouse query stops the run (kabar/signals.py)
        LOGGER.warning("source %s: %s", source.name, exc)
        return Discovery(source.name, error=f"{type(exc).__name__}: {exc}"[:300])


def unique_items(items: list[Item]) -> Iterator[Item]:
    """Items in order, each URL once (a URL listed by a feed and a sitemap is fetched once)."""
    seen: set[str] = set()
    for item in items:
        if item.url not in seen:
            seen.add(item.url)
            yield item


@task(name="discover", cache_policy=NO_CACHE, task_run_name="discover-{source.name}")
def discover_task(source: Source, settings: FetchSettings, warehouse: Warehouse | None = None,
                  capture: CaptureTarget | None = None) -> Discovery:
    return discover_source(source, settings, warehouse, capture)


def plan_items(
    discoveries: list[Discovery], limit: int | None = None, window: Window = Window()
) -> tuple[list[Item], list[Fetched], list[StageError], dict[str, int]]:
    """Merge what the sources offered: unique items inside the date window (by the date the feed
    or sitemap gave), at most ``limit`` per source; the discovery fetches to record; one
    StageError per source that could not be read; and per-source counts of items kept."""
    items: list[Item] = []
    fetches: list[Fetched] = []
    errors: list[StageError] = []
    discovered: dict[str, int] = {}
    seen: set[str] = set()
    for discovery in discoveries:
        fetches += discovery.fetches
        if discovery.error and not discovery.fetches:
            errors.append(StageError(discovery.source, discovery.source, "discover", discovery.error))
        errors += discovery.problems
        fresh = (i for i in unique_items(discovery.items) if i.url not in seen and window.contains(i.published_hint))
        taken = list(fresh)[: limit or None]
        seen.update(i.url for i in taken)
        discovered[discovery.source] = len(taken)
        items += taken
    return items, fetches, errors, discovered


def schedule_items(warehouse: Warehouse, items: list[Item], sources: list[str],
                   revisit_hours: float = 0.0) -> tuple[list[Item], int]:
    """(the items to fetch now, interleaved over hosts; how many the frontier held back).

    Reads the frontier (read-only, closed on return): URLs fetched within ``revisit_hours`` are held,
    due ones carry their ETag/Last-Modified for a conditional GET, given-up ones are dropped, and
    failed URLs of these sources that are due again are added for a retry."""
    from tasks.politeness import interleave
    from warehouse.frontier import schedule

    go, held = schedule(warehouse, items, sources, revisit_hours=revisit_hours)
    return interleave(go), len(held)


def run_window(warehouse: Warehouse, since: datetime | None, until: datetime | None, new_only: bool) -> Window:
    """The publication window of a run: ``since``/``until`` as given; with ``new_only`` and no
    ``since``, items published after the start of the last completed ingest run."""
    from warehouse.frontier import last_successful_run

    if new_only and since is None:
        since = last_successful_run(warehouse)
    return Window(since, until)


@task(name="window", cache_policy=NO_CACHE)
def window_task(warehouse: Warehouse, since: datetime | None, until: datetime | None, new_only: bool) -> Window:
    return run_window(warehouse, since, until, new_only)

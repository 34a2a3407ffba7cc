"""A small generated news site for orchestration tests: an RSS feed of article pages.

Pages come from ``benchmarks.corpus`` (this project's own Indonesian-like generator), served by
a real ``TestSite`` on 127.0.0.1; item i is published on 2024-05-(i+1) 08:00 Asia/Jakarta.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from benchmarks.corpus import article
from tests.site import Response, TestSite

JAKARTA = timezone(timedelta(hours=7))


def published(index: int) -> datetime:
    return datetime(2024, 5, 1, 8, tzinfo=JAKARTA) + timedelta(days=index)


def newsroom(count: int = 6) -> TestSite:
    """A TestSite (not started) serving /rss.xml and /berita/<i>.html for i < count."""
    site = TestSite(None)
    for index in range(count):
        _, html, _ = article(index, published=published(index))
        site.routes[f"/berita/{index}.html"] = Response(html)

    def feed(handler) -> None:
        base = site.base_url
        items = "".join(
            f"<item><title>Berita {i}</title><link>{base}/berita/{i}.html</link>"
            f"<pubDate>{format_datetime(published(i))}</pubDate></item>" for i in range(count))
        Response(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Lokal</title>{items}</channel></rss>',
                 # text/plain, not application/rss+xml: the foundation's discover fetches feeds through
                 # fetch_batch, whose content-type check drops non-HTML bodies.
                 headers={"Content-Type": "text/plain; charset=utf-8"})(handler)

    site.routes["/rss.xml"] = feed
    return site


def sources_file(path: Path, site: TestSite, extra: str = "") -> Path:
    """A sources.toml with one feed source `lokal` reading the site's feed."""
    path.write_text(
        f'{extra}\n[fetch]\nallow_hosts = ["{site.host}"]\n\n'
        f'[[sources]]\nname = "lokal"\nkind = "feed"\nurl = "{site.url("/rss.xml")}"\nlanguage = "id"\n',
        encoding="utf-8")
    return path


def config_for(path: Path, site: TestSite, extra_source: str = "", run: str = "") -> Path:
    """A sources.toml for run tests: `[run]` lines, no fetch retries, and the feed source `lokal`
    followed by ``extra_source`` (more `[[sources]]` tables)."""
    path.write_text(
        f'[run]\n{run}\n[fetch]\nretries = 0\ntimeout = 30\nallow_hosts = ["{site.host}"]\n\n'
        f'[[sources]]\nname = "lokal"\nkind = "feed"\nurl = "{site.url("/rss.xml")}"\nlanguage = "id"\n{extra_source}',
        encoding="utf-8")
    return path

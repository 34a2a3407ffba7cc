"""Discovery over HTTP: listing pages with pagination, robots.txt Sitemap: lines, conditional GET."""

from __future__ import annotations

import pytest

from kabar.config import ConfigError, FetchSettings, Source, parse_sources
from kabar.models import Item
from tasks.discover import discover_source
from tasks.fetch import fetch_batch
from tests import site as local_site
from tests.site import Response


def listing_page(n: int) -> str:
    links = "".join(f'<li><a href="/berita/{n}-{i}">Berita {n}.{i}</a></li>' for i in range(3))
    return (f'<html><body><ul>{links}</ul><a href="/tag/politik">Politik</a>'
            f'<a href="/indeks?page={n + 1}">Selanjutnya</a></body></html>')


def test_listing_follows_pagination_up_to_max_pages() -> None:
    with local_site.TestSite() as site:
        site.routes["/indeks"] = lambda h: Response(listing_page(int((h.path.split("page=") + ["1"])[1])))(h)
        source = Source(name="idx", kind="listing", url=site.url("/indeks"), link_pattern=r"/berita/\d", max_pages=2)
        found = discover_source(source, FetchSettings(allow_hosts=(site.host,)))
        assert [i.url.rsplit("/", 1)[1] for i in found.items] == ["1-0", "1-1", "1-2", "2-0", "2-1", "2-2"]
        assert site.paths_requested().count("/indeks") == 2  # page 3 not asked for


def test_sitemap_lines_of_robots_txt_are_followed() -> None:
    with local_site.TestSite() as site:
        site.routes["/robots.txt"] = Response(f"User-agent: *\nAllow: /\nSitemap: {site.url('/peta.xml')}\n", 200,
                                              {"Content-Type": "text/plain"})
        site.routes["/peta.xml"] = Response(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{site.url('/berita/satu')}</loc></url></urlset>", 200, {"Content-Type": "application/xml"})
        source = Source(name="peta", kind="sitemap", url=site.url("/robots.txt"))
        found = discover_source(source, FetchSettings(allow_hosts=(site.host,)))
        assert [i.url for i in found.items] == [site.url("/berita/satu")]


def test_conditional_get_sends_validators_and_reads_304() -> None:
    with local_site.TestSite() as site:
        site.routes["/a"] = lambda h: (Response(b"", 304) if h.headers.get("If-None-Match") == '"v1"'
                                       else Response("<html><body>x</body></html>", 200, {"ETag": '"v1"', "Content-Type": "text/html"}))(h)
        settings = FetchSettings(allow_hosts=(site.host,))
        first = fetch_batch([Item(url=site.url("/a"), source="s")], settings)[0]
        again = fetch_batch([Item(url=site.url("/a"), source="s", etag=first.headers["etag"])], settings)[0]
        assert first.ok and again.not_modified and again.body is None


def test_listing_needs_a_valid_link_pattern(tmp_path) -> None:
    base = {"sources": [{"name": "idx", "kind": "listing", "url": "https://x.id/indeks"}]}
    with pytest.raises(ConfigError, match="needs `link_pattern`"):
        parse_sources(base, "s.toml", tmp_path)
    base["sources"][0]["link_pattern"] = "(oops"
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        parse_sources(base, "s.toml", tmp_path)
    feed = {"sources": [{"name": "f", "kind": "feed", "url": "https://x.id/rss", "max_pages": 3}]}
    with pytest.raises(ConfigError, match="only to listing"):
        parse_sources(feed, "s.toml", tmp_path)

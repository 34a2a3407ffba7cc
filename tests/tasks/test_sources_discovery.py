"""tasks/sources_discovery.py against small Indonesian outlets on 127.0.0.1, one per way of
announcing articles (tests/fixtures/discovery, rendered with dates relative to now)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kabar.config import FetchSettings, Source
from tasks.sources_discovery import check_source, discover_site
from tests.discovery_sites import serve
from tests.site import Response, TestSite


def settings(*hosts: str) -> FetchSettings:
    return FetchSettings(allow_hosts=hosts, retries=0, timeout=10, capture=False)


def discover(name: str, tmp_path: Path, edit=None):
    with serve(name, tmp_path) as site:
        if edit:
            edit(site)
        return site, discover_site(site.base_url + "/", settings(site.host))


def test_feed_in_link_tag_ranks_above_a_stale_feed_and_foreign_feeds_are_noted(tmp_path: Path) -> None:
    site, report = discover("link_feed", tmp_path)
    assert report.error is None and report.outlet == "Warta Khatulistiwa" and report.language == "id"
    best, second = report.candidates[:2]
    assert (best.url, best.kind, best.via) == (site.url("/berita/rss.xml"), "feed", "<link> in page")
    assert best.passed and best.items == 3 and best.on_host == 3 and best.language == "id"
    assert best.grade(best.newest) == "fresh feed" and best.per_day is not None
    assert (second.url, second.via) == (site.url("/arsip/feed.xml"), "link in page")
    assert second.passed and second.grade(best.newest) == "stale feed"
    assert any("umpan.contoh-lain.net" in note and "another host" in note for note in report.notes)
    assert not any(c.url.startswith("https://umpan") for c in report.candidates)  # never fetched


def test_feed_only_at_a_common_path_beats_the_plain_sitemap(tmp_path: Path) -> None:
    site, report = discover("common_path", tmp_path)
    assert report.outlet == "Suara Pesisir"  # first part of the <title>
    assert [(c.url, c.kind, c.via) for c in report.candidates] == [
        (site.url("/feed.xml"), "feed", "common path"), (site.url("/sitemap.xml"), "sitemap", "common path")]
    assert all(c.passed and c.on_host == 3 for c in report.candidates)
    assert report.best.grade(report.best.newest) == "fresh feed"
    assert report.candidates[1].grade(report.best.newest) == "sitemap"


def test_news_sitemap_named_only_in_robots_txt(tmp_path: Path) -> None:
    site, report = discover("robots_news", tmp_path)
    assert report.outlet == "Kabar Lembah"  # JSON-LD publisher
    best = report.best
    assert (best.url, best.kind, best.via, best.news) == (site.url("/peta/berita.xml"), "sitemap", "robots.txt", True)
    assert best.grade(best.newest) == "news sitemap" and best.language == "id" and best.on_host == 3
    assert len(report.candidates) == 1  # no guessed path answered


def test_sitemap_index_reads_the_newest_monthly_sitemaps_only(tmp_path: Path) -> None:
    with serve("sitemap_index", tmp_path) as site:
        report = discover_site(site.base_url, settings(site.host))
        requested = site.paths_requested()
    best = report.best
    assert (best.url, best.kind, best.via, best.news) == (site.url("/sitemap_index.xml"), "sitemap", "common path", False)
    assert best.items == 3 + 2 + 2 and best.note == "index of 4 sitemaps, newest 3 read"
    assert {"/peta/bulan-ini.xml", "/peta/bulan-1.xml", "/peta/bulan-2.xml"} <= set(requested)
    assert "/peta/bulan-3.xml" not in requested  # the oldest month is not read
    assert len(requested) == len(set(requested))  # politeness: no URL asked for twice


def test_listing_pages_only_when_nothing_else_exists(tmp_path: Path) -> None:
    site, report = discover("listing_only", tmp_path)
    assert [c.url for c in report.candidates if c.passed] == [site.url("/nasional.html"), site.url("/ekonomi.html")]
    best = report.best
    assert best.kind == "listing" and best.on_host == 2 and best.link_pattern
    about = next(c for c in report.candidates if c.url.endswith("/tentang.html"))
    assert not about.passed and about.error == "no article links"
    assert re.search(best.link_pattern, site.url("/berita/banjir-rendam-tiga-desa-di-hilir-sungai.html"))
    assert not re.search(best.link_pattern, site.url("/nasional.html"))


def test_a_site_with_nothing_reports_no_candidate_that_passed(tmp_path: Path) -> None:
    _, report = discover("nothing", tmp_path)
    assert report.error is None and report.best is None
    assert all(not c.passed for c in report.candidates)


def test_a_listing_is_not_tried_when_a_feed_works(tmp_path: Path) -> None:
    _, report = discover("link_feed", tmp_path)
    assert all(c.kind != "listing" for c in report.candidates)


def test_robots_txt_forbidding_the_feed_is_reported_on_the_candidate(tmp_path: Path) -> None:
    def forbid(site: TestSite) -> None:
        site.routes["/robots.txt"] = Response("User-agent: *\nDisallow: /berita/rss.xml\n",
                                              headers={"Content-Type": "text/plain"})

    site, report = discover("link_feed", tmp_path, forbid)
    forbidden = next(c for c in report.candidates if c.url == site.url("/berita/rss.xml"))
    assert not forbidden.passed and forbidden.error == "robots.txt disallows this URL"
    assert report.best.url == site.url("/arsip/feed.xml")
    assert "/berita/rss.xml" not in site.paths_requested()


@pytest.mark.parametrize("route, expected", [
    (Response('{"berita": []}', headers={"Content-Type": "application/json"}), "is not HTML (application/json)"),
    (Response("<html><body>rusak</body></html>", 500), "HTTP 500"),
])
def test_a_home_page_that_cannot_be_used_is_one_error(route: Response, expected: str) -> None:
    with TestSite() as site:
        site.routes["/"] = route
        report = discover_site(site.url("/"), settings(site.host))
    assert report.error is not None and expected in report.error and "\n" not in report.error
    assert report.candidates == []


def test_a_feed_given_as_home_page_says_how_to_add_it(tmp_path: Path) -> None:
    with serve("link_feed", tmp_path) as site:
        report = discover_site(site.url("/berita/rss.xml"), settings(site.host))
    assert "not HTML" in report.error and 'kind = "feed"' in report.error


def test_redirect_to_another_host_and_unreachable_host() -> None:
    with TestSite() as site, TestSite() as other:
        other_host = f"localhost:{other.server_address[1]}"
        site.routes["/"] = Response("", 302, {"Location": f"http://{other_host}/"})
        report = discover_site(site.url("/"), settings(site.host, other_host))
    assert report.error and f"redirects to another host ({other_host})" in report.error
    report = discover_site("http://127.0.0.1:9/", settings("127.0.0.1:9"))
    assert report.error and "unreachable" in report.error


def test_private_host_is_refused_without_allow_host() -> None:
    with TestSite() as site:
        report = discover_site(site.url("/"), settings())
    assert report.error and "refused" in report.error and site.requests == []


def test_check_source_judges_a_configured_feed_and_a_dead_one(tmp_path: Path) -> None:
    with serve("common_path", tmp_path) as site:
        alive = check_source(Source(name="a", kind="feed", url=site.url("/feed.xml")), settings(site.host))
        dead = check_source(Source(name="b", kind="feed", url=site.url("/hilang.xml")), settings(site.host))
        html = check_source(Source(name="c", kind="feed", url=site.url("/")), settings(site.host))
    assert alive.passed and alive.items == 3 and alive.language == "id" and alive.per_day
    assert not dead.passed and dead.error == "HTTP 404"
    assert not html.passed and "HTML page" in html.error


def test_real_feeds_from_the_corpus_are_judged(shared) -> None:
    """Real 2015 feeds: antara and republika list their own articles; detik's went through
    feedsportal, another host, so it fails with that reason instead of passing."""
    from datetime import datetime, timezone

    from tasks.sources_discovery import Candidate, Checker

    feeds = shared / "corpus" / "indonesian-news" / "feeds"
    now = datetime(2015, 11, 6, tzinfo=timezone.utc)  # the captures' own week: no clock involved
    results = {}
    for name, home in (("antaranews_rss_2015-11.xml", "http://www.antaranews.com/"),
                       ("republika_rss.xml", "http://www.republika.co.id/"),
                       ("detik_feedsportal_rss.xml", "http://www.detik.com/")):
        candidate = Candidate("http://example.invalid/feed", "feed", "test")
        Checker(None, home, now)._judge_feed(candidate, (feeds / name).read_bytes())
        results[name] = candidate
    antara = results["antaranews_rss_2015-11.xml"]
    assert antara.items > 10 and antara.on_host == antara.items and antara.newest.year == 2015
    republika = results["republika_rss.xml"]
    assert republika.items >= 10 and republika.on_host == republika.items
    detik = results["detik_feedsportal_rss.xml"]
    assert detik.items > 10 and detik.on_host == 0


def test_an_index_of_indexes_is_followed_one_level_further(tmp_path: Path) -> None:
    def nest(site: TestSite) -> None:
        xml = {"Content-Type": "application/xml"}
        site.routes["/sitemap.xml"] = Response(
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f'<sitemap><loc>{site.url("/peta/kanal-nasional.xml")}</loc></sitemap></sitemapindex>', headers=xml)
        site.routes["/peta/kanal-nasional.xml"] = Response(
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f'<sitemap><loc>{site.url("/peta/bulan-ini.xml")}</loc></sitemap></sitemapindex>', headers=xml)

    site, report = discover("sitemap_index", tmp_path, nest)
    nested = next(c for c in report.candidates if c.url == site.url("/sitemap.xml"))
    assert nested.passed and nested.items == 3 and nested.on_host == 3


def test_a_feed_redirecting_to_another_host_fails_with_that_reason(tmp_path: Path) -> None:
    with TestSite() as other:
        other_host = f"localhost:{other.server_address[1]}"
        with serve("link_feed", tmp_path) as site:
            site.routes["/berita/rss.xml"] = Response("", 302, {"Location": f"http://{other_host}/rss.xml"})
            report = discover_site(site.base_url, settings(site.host, other_host))
    moved = next(c for c in report.candidates if c.url == site.url("/berita/rss.xml"))
    assert not moved.passed and moved.error == f"redirects to another host ({other_host})"
    assert report.best.url == site.url("/arsip/feed.xml")

"""tasks/outlet_page.py: what discovery reads from an outlet's home page."""

from __future__ import annotations

import lxml.html

from tasks.outlet_page import listing_pattern, outlet_name, read_home, same_site, section_links


def page(head: str, body: str = "") -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def test_same_site() -> None:
    assert same_site("https://news.contoh.co.id/a", "https://www.contoh.co.id/")
    assert not same_site("https://feeds.lain.com/a", "https://www.contoh.co.id/")
    assert same_site("http://127.0.0.1:5/a", "http://127.0.0.1:5/") and not same_site("http://localhost/", "http://127.0.0.1/")
    assert not same_site("mailto:redaksi@contoh.co.id", "mailto:iklan@contoh.co.id")  # not http(s): no site


def test_listing_pattern() -> None:
    assert listing_pattern(["https://x.id/berita/satu-dua-tiga", "https://x.id/daerah/2024/12345"]) == (
        r"^https?://x\.id/(?:berita|daerah)/.*(?:\d{4,}|[^/?#]+-[^/?#]+-[^/?#]+)")
    assert listing_pattern([]) is None


def test_outlet_name_sources_in_order() -> None:
    assert outlet_name(page('<meta property="og:site_name" content="Warta  Kita"><title>x</title>')) == "Warta Kita"
    ld = '<script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "Kabar Kita"}]}</script>'
    assert outlet_name(page(ld + "<title>Lain</title>")) == "Kabar Kita"
    assert outlet_name(page("<title>Beranda | Kabar Kita - Berita Terkini</title>")) == "Kabar Kita"
    assert outlet_name(page("")) is None


def test_read_home_finds_feeds_and_sections() -> None:
    html = b"""<html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml">
    <link rel="stylesheet" href="/gaya.css"></head><body>
    <a href="/rss/nasional">RSS Nasional</a> <a href="/ekonomi">Ekonomi</a>
    <a href="/ekonomi/harga-beras-turun-lagi">Harga beras turun lagi</a> <a href="https://lain.id/olahraga">Olahraga</a>
    </body></html>"""
    home = read_home(html, "https://contoh.id/")
    assert home.alternates == ["https://contoh.id/atom.xml"]
    assert home.feed_links == ["https://contoh.id/rss/nasional"]
    assert section_links(home, "https://contoh.id/") == ["https://contoh.id/ekonomi"]


def test_article_links_of_real_indonesian_home_pages(shared) -> None:
    """The corpus's real home pages (kompas, liputan6, viva, tempo English; 2015-16): every
    article URL its ground truth expects is taken as an article link, and the derived
    ``link_pattern`` matches them all. (The antara/detik/kapanlagi "mainpages" are RSS feeds.)"""
    import ast
    import json
    import re

    from tasks.outlet_page import is_article_url
    from tasks.pages import listing_links

    pages = shared / "corpus" / "indonesian-news" / "pages"
    truth = json.loads((pages / "ground-truth.json").read_text(encoding="utf-8"))
    checked = 0
    for name, record in truth.items():
        body = next(pages.rglob(name)).read_bytes() if "mainpage" in name else b""
        if not body.lstrip().lower().startswith((b"<!doctype html", b"<html")):
            continue
        expected = record["expected_urls_prefix"]
        expected = ast.literal_eval(expected) if isinstance(expected, str) else expected
        home = re.match(r"https?://[^/]+/", expected[0]).group(0)
        links = [u for u in listing_links(body, home, r"^https?://") if is_article_url(u, home)]
        assert set(expected) <= set(links), name
        pattern = listing_pattern(links)
        assert pattern and all(re.search(pattern, u) for u in expected), name
        assert not re.search(pattern, home)
        checked += 1
    assert checked >= 4

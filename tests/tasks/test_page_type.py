"""Only articles become articles: listings, galleries and licence files are recorded with the reason."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest
from lxml.html import fromstring

from kabar.config import Warehouse
from kabar.models import Fetched, Item
from tasks.dedupe import identify
from tasks.extract import extract_batch
from tasks.load import load_batch, start_run
from tasks.normalise import normalise_batch
from tasks.page_type import html_page_type, text_file_type

PAGES = Path(__file__).parent.parent / "fixtures" / "page_type"
LICENCE = """MIT License

Copyright (c) 2024 Contoh Proyek

Permission is hereby granted, free of charge, to any person obtaining a copy of this software,
to deal in the Software without restriction, subject to the conditions below.
"""


def _html(name: str) -> Fetched:
    url = f"https://warta.example.id/{name}"
    return Fetched(Item(url=url, source="warta"), datetime.now(timezone.utc), 200, None,
                   (PAGES / name).read_bytes(), "text/html; charset=utf-8", url)


def _file(path: Path) -> Fetched:
    return Fetched(Item(url=path.as_uri(), source="folder", kind="file", path=str(path)),
                   datetime.now(timezone.utc), None, None, path.read_bytes(), "text/plain", path.as_uri())


@pytest.mark.parametrize("name,kind", [("indeks.html", "listing"), ("foto.html", "gallery")])
def test_listing_and_photo_pages_are_not_articles(name: str, kind: str) -> None:
    articles, errors = extract_batch([_html(name)])
    assert articles == []
    assert [(e.stage, e.error.split(":")[0]) for e in errors] == [("page_type", kind)]


def test_an_article_beside_a_related_news_list_is_an_article() -> None:
    articles, errors = extract_batch([_html("artikel.html")])
    assert errors == [] and len(articles) == 1
    assert "Ratusan nelayan di Cilacap" in articles[0].text
    assert "Harga Cabai Rawit" not in articles[0].text


def test_licence_files_are_not_articles(tmp_path: Path) -> None:
    (tmp_path / "LICENSE.txt").write_text(LICENCE, encoding="utf-8")
    (tmp_path / "lisensi-proyek.txt").write_text(LICENCE, encoding="utf-8")
    story = tmp_path / "nelayan.txt"
    story.write_text("Nelayan Cilacap Kembali Melaut\n" + " ".join(["Ratusan nelayan kembali melaut pagi ini."] * 10),
                     encoding="utf-8")
    articles, errors = extract_batch([_file(tmp_path / n) for n in ("LICENSE.txt", "lisensi-proyek.txt", "nelayan.txt")])
    assert [a.title for a in articles] == ["Nelayan Cilacap Kembali Melaut"]
    assert sorted(e.error for e in errors) == ["other: LICENSE.txt is a project file (licence, read-me, change log), not news",
                                               "other: the text is a licence"]


def test_page_types_are_kept_on_the_fetch_records(warehouse: Path) -> None:
    fetched = [_html(n) for n in ("indeks.html", "foto.html", "artikel.html")]
    articles, errors = extract_batch(fetched)
    kept, _ = normalise_batch(articles, {})
    for article in kept:
        identify(article)
    counts = load_batch(Warehouse.file(warehouse), start_run(Warehouse.file(warehouse), "test", {}), fetched, kept, errors).total()
    assert counts["new"] == 1 and counts["skipped"] == 2 and counts["failed"] == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = dict(con.execute("SELECT url, page_type FROM main.fetches").fetchall())
        assert con.execute("SELECT count(*) FROM main.stage_errors").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM main.articles").fetchone()[0] == 1
    assert sorted(rows.values()) == ["article", "gallery", "listing"]


def test_declared_types_decide_short_pages() -> None:
    video = fromstring('<html><head><script type="application/ld+json">{"@type": "VideoObject"}</script></head>'
                       '<body><video src="a.mp4"></video><p>Cuplikan banjir.</p></body></html>')
    assert html_page_type(video, "Cuplikan banjir.")[0] == "video"
    short = fromstring('<html><head><meta property="og:type" content="article"></head><body><p>x</p></body></html>')
    assert html_page_type(short, "Gempa berkekuatan 5,1 mengguncang Garut pagi ini, tidak ada laporan kerusakan.")[0] == "article"
    assert text_file_type("README.md", "Cara memakai proyek ini")[0] == "other"


def test_a_front_page_with_a_lead_teaser_and_headline_rows_is_a_listing(warehouse: Path) -> None:
    """A front page: one lead story's teaser, rows of headline blocks each with its teaser, a
    little prose, and ``og:type`` "article" as many sites declare on every page: not stored."""
    fetched = [_html("beranda.html"), _html("artikel_terkait.html")]
    articles, errors = extract_batch(fetched)
    assert [(e.url, e.stage, e.error.split(":")[0]) for e in errors] == [
        ("https://warta.example.id/beranda.html", "page_type", "listing")]
    assert "headlines and teasers of other pages" in errors[0].error
    kept, _ = normalise_batch(articles, {})
    for article in kept:
        identify(article)
    load_batch(Warehouse.file(warehouse), start_run(Warehouse.file(warehouse), "test", {}), fetched, kept, errors)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT url FROM main.articles").fetchall() == [("https://warta.example.id/artikel_terkait.html",)]
        assert dict(con.execute("SELECT url, page_type FROM main.fetches").fetchall())[
            "https://warta.example.id/beranda.html"] == "listing"


def test_a_long_article_with_a_related_news_box_is_an_article() -> None:
    articles, errors = extract_batch([_html("artikel_terkait.html")])
    assert errors == [] and len(articles) == 1
    assert "Ratusan petani di Kabupaten Indramayu" in articles[0].text
    assert "banjir susulan" in articles[0].text


def test_a_feed_saved_as_a_page_is_a_listing(tmp_path: Path) -> None:
    feed = tmp_path / "beranda-rss.html"
    feed.write_text('\n<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Warta</title>'
                    + "".join(f"<item><title>Berita nomor {i} tentang banjir di pesisir utara</title>"
                              f"<link>https://warta.example.id/berita/{i}</link></item>" for i in range(5))
                    + "</channel></rss>", encoding="utf-8")
    fetched = Fetched(Item(url=feed.as_uri(), source="folder", kind="file", path=str(feed)),
                      datetime.now(timezone.utc), None, None, feed.read_bytes(), "text/html", feed.as_uri())
    articles, errors = extract_batch([fetched])
    assert articles == [] and [e.error for e in errors] == ["listing: an RSS/Atom feed, a list of other pages"]


def test_a_short_post_followed_by_rows_of_teasers_is_an_article() -> None:
    """A blog post of a few sentences, then its site's teasers of other posts (far more text
    than the post): the body opens with the post's own prose, so it is an article."""
    post = ("Kartunis Bima Aryo menggambar kritik tajam tentang cara orang tua memandang generasi muda yang "
            "dianggap malas. Karyanya dimuat di laman depan sebuah media nasional pekan ini dan ramai dibagikan. "
            "Klik gambarnya untuk membaca seluruh komik.")
    teasers = "".join(
        f'<div class="kartu"><h3><a href="/pos/{i}">Tulisan lain nomor {i} tentang musik dan komik lokal</a></h3>'
        f"<p>Paduan suara warga kembali tampil di festival kota ke-{i} dengan lagu-lagu baru yang digubah bersama "
        f"para penonton, ditemani pemain perkusi tamu yang datang jauh dari Yogyakarta untuk acara itu.</p></div>"
        for i in range(10))
    html = (f"<html><head><title>Generasi yang Gemar Kita Salahkan</title></head><body><main>"
            f"<div class='pos'><h1>Generasi yang Gemar Kita Salahkan</h1><p>{post}</p></div>{teasers}</main></body></html>")
    tree = fromstring(html)
    body = post + "\n" + "\n".join(
        f"Paduan suara warga kembali tampil di festival kota ke-{i} dengan lagu-lagu baru yang digubah bersama "
        f"para penonton, ditemani pemain perkusi tamu yang datang jauh dari Yogyakarta untuk acara itu." for i in range(10))
    assert html_page_type(tree, body)[0] == "article"
    # the same rows without the post opening the body: a listing
    assert html_page_type(tree, body.split("\n", 1)[1])[0] == "listing"

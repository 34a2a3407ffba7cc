"""tasks/extract.py: a fetched body to an Article; bad pages become per-item errors."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from kabar.models import Fetched, Item
from tasks.extract import extract_batch, meta_published_at

PAGE = (Path(__file__).resolve().parent.parent / "fixtures" / "extract" / "berita.html").read_bytes()
NOW = datetime(2024, 5, 15, 3, 0, tzinfo=timezone.utc)


def _fetched(url: str, body: bytes | None, content_type: str = "text/html; charset=utf-8", error: str | None = None) -> Fetched:
    return Fetched(Item(url=url, source="uji"), NOW, status_code=200, body=body, content_type=content_type,
                   final_url=url, error=error)


def test_a_page_becomes_an_article_and_bad_pages_become_errors() -> None:
    articles, errors = extract_batch([
        _fetched("https://kabarkita.example/banjir-rob", PAGE),
        _fetched("https://kabarkita.example/kosong", b"<html><body></body></html>"),
        _fetched("https://kabarkita.example/gagal", None, error="HTTP 500"),  # a failed fetch: not extracted
    ])
    assert [a.url for a in articles] == ["https://kabarkita.example/banjir-rob"]
    assert articles[0].title == "Banjir Rob Genangi Pesisir Utara Makassar"
    assert "Makassar" in articles[0].text and len(articles[0].text.split()) > 30
    assert [(e.url, e.stage) for e in errors] == [("https://kabarkita.example/kosong", "extract")]


def test_json_ld_date_is_read_as_json_anywhere_in_the_block() -> None:
    html = ("<html><head><script type='application/ld+json'>"
            '{"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "name": "Berita"},'
            ' {"@type": "NewsArticle", "headline": "Judul \\"kutipan\\"", "datePublished": "2024-05-15T10:00:00+07:00"}]}'
            "</script></head><body></body></html>")
    assert meta_published_at(html) == datetime(2024, 5, 15, 3, 0, tzinfo=timezone.utc)
    broken = "<html><head><script type='application/ld+json'>{\"datePublished\": </script></head></html>"
    assert meta_published_at(broken) is None

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


def test_a_teaser_paragraph_of_label_and_link_is_cut_whatever_the_label() -> None:
    from tasks.normalise import normalise_article

    lead = ("Banjir rob kembali menggenangi kawasan pesisir utara Makassar sejak Selasa pagi, merendam "
            "ratusan rumah warga dan memutus akses jalan utama menuju pelabuhan perikanan setempat.")
    more = ("Kepala BPBD mengatakan air laut naik lebih tinggi dari perkiraan, sehingga petugas mendirikan "
            "posko darurat. Menurut <a href='/bmkg'>prakiraan BMKG terbaru untuk pekan ini</a>, pasang masih tinggi.")
    html = (f"<html><body><article><h1>Banjir Rob Genangi Pesisir Utara Makassar</h1><p>{lead}</p>"
            "<p><b>Artikel Terkait: <a href='/harga-beras'>Harga Beras di Pasar Terong Naik Dua Ribu Rupiah</a></b></p>"
            f"<p>{more}</p><p>{lead.replace('Selasa', 'Rabu')}</p></article></body></html>").encode()
    articles, _ = extract_batch([_fetched("https://kabarkita.example/banjir-rob", html)])
    text = normalise_article(articles[0]).text
    assert "Harga Beras di Pasar Terong" not in text
    assert "prakiraan BMKG terbaru untuk pekan ini" in text  # a link inside a sentence stays
    # extraction drops it as another page's headline link (``tasks.candidates.without_headlines``)
    # and says so; normalising would have (rule ``link_block``) had it got that far
    assert "Artikel Terkait: Harga Beras di Pasar Terong Naik Dua Ribu Rupiah" in articles[0].meta["dropped_headlines"]

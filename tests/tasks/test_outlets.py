"""One outlet label per site, never a URL; bylines, not publishers, as authors."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kabar.models import Fetched, Item
from tasks.boilerplate import site_of
from tasks.bylines import byline
from tasks.extract import ExtractionError, extract_article
from tasks.normalise import normalise_article
from tasks.outlets import outlet_name


@pytest.mark.parametrize("url,declared,label", [
    ("https://www.antaranews.com/a", ["Antara News Agency"], "Antara News"),
    ("https://www.antaranews.com/b", ["Antara News"], "Antara News"),
    ("https://bola.kompas.com/a", ["https://www.facebook.com/Bola.Kompascom", "kompascom"], "Kompas"),
    ("https://www.kompas.com/a", ["KOMPAS.com"], "Kompas"),
    ("https://www.liputan6.com/a", ["Liputan6Dotcom"], "Liputan6"),
    ("https://www.liputan6.com/b", ["liputan6.com"], "Liputan6"),
    ("https://finance.detik.com/a", ["detikfinance"], "Detik"),
    ("https://www.theguardian.com/a", ["The Guardian"], "The Guardian"),
    ("https://warta.example.co.id/a", ["https://www.facebook.com/warta"], "example.co.id"),
])
def test_one_label_per_site_never_a_url(url: str, declared: list[str], label: str) -> None:
    assert outlet_name(url, declared) == label


def test_one_outlet_label_per_host_on_the_indonesian_corpus(shared: Path) -> None:
    labels = defaultdict(set)
    pages = shared / "corpus" / "indonesian-news" / "pages"
    truth = json.loads((pages / "ground-truth.json").read_text(encoding="utf-8"))
    for path in sorted(pages.glob("*/*-singlepage*.html")):
        url = truth[path.name]["url"]
        fetched = Fetched(Item(url=url, source="c"), datetime.now(timezone.utc), 200, None, path.read_bytes(),
                          "text/html", url)
        try:
            article = normalise_article(extract_article(fetched))
        except ExtractionError:
            continue
        assert article.outlet and "/" not in article.outlet
        labels[site_of(url)].add(article.outlet)
    assert len(labels) >= 6
    assert {site: len(names) for site, names in labels.items() if len(names) > 1} == {}


def test_bylines_not_publishers() -> None:
    words = {"kompas", "kompascybermedia"}
    assert byline("", "Isi berita.", "Kompas Cyber Media", words) is None
    assert byline("Reporter: Siti Rahmawati | Editor: Budi", "Isi berita.", "Kompas Cyber Media", words) == "Siti Rahmawati"
    assert byline("", "Oleh: Andi Wijaya\nJakarta - Isi berita.", None, words) == "Andi Wijaya"
    assert byline("", "Isi berita ditutup di sini. (ant/fyk)", "https://www.facebook.com/kompas", words) == "ant/fyk"
    assert byline("", "Isi berita.", "Pewarta Nur Imansyah", words) == "Nur Imansyah"
    assert byline("", "Ia dijemput oleh petugas kemarin.", None, words) is None

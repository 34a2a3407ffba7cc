"""tasks/dedupe.py: canonical URLs, identity and near-duplicates inside a batch."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from kabar.models import Article
from tasks.dedupe import canonical_url, classify, identify, mark_near_duplicates, sign, KnownKeys
from tasks.minhash import Banding

NOW = datetime(2024, 5, 15, tzinfo=timezone.utc)
BODY = (Path(__file__).parent.parent / "fixtures" / "dedupe" / "artikel.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://WWW.Detik.COM:443/berita/a/?utm_source=x&id=2&fbclid=y&gclid=z#komentar", "https://detik.com/berita/a?id=2"),
        ("https://m.detik.com/berita/a", "https://detik.com/berita/a"),
        ("https://amp.kompas.com/read/2024/05/15/korut", "https://kompas.com/read/2024/05/15/korut"),
        ("https://www.kompas.com/read/2024/05/15/korut/amp/", "https://kompas.com/read/2024/05/15/korut"),
        ("https://tempo.co/amp/dunia/korut", "https://tempo.co/dunia/korut"),
        ("https://tempo.co/dunia/korut?amp=1&page=2", "https://tempo.co/dunia/korut?page=2"),
        ("https://tempo.co/dunia/korut.amp.html", "https://tempo.co/dunia/korut.html"),
        ("http://antaranews.com:80/berita//1", "http://antaranews.com/berita/1"),
        ("http://127.0.0.1:8123/a/", "http://127.0.0.1:8123/a"),
        ("https://m.co/a", "https://m.co/a"),
        ("file:///tmp/a.txt", "file:///tmp/a.txt"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def _article(url: str, text: str = BODY, **meta) -> Article:
    article = Article(url=url, source="s", fetched_at=NOW, text=text)
    article.meta.update(meta)
    return article


def test_rel_canonical_counts_only_on_the_same_site() -> None:
    same = identify(_article("https://m.detik.com/x/amp", html_canonical="https://www.detik.com/berita/x"))
    assert same.canonical_url == "https://detik.com/berita/x"
    relative = identify(_article("https://detik.com/x?utm_medium=a", html_canonical="/berita/x"))
    assert relative.canonical_url == "https://detik.com/berita/x"
    elsewhere = identify(_article("https://suara.com/x", html_canonical="https://detik.com/berita/x"))
    assert elsewhere.canonical_url == "https://suara.com/x"
    unreadable = identify(_article("https://suara.com/x", html_canonical="http://[pengaturan]/x"))
    assert unreadable.canonical_url == "https://suara.com/x"


def _decide(articles: list[Article], threshold: float = 0.8) -> list[Article]:
    decided = classify(articles, KnownKeys())
    sign(decided, 3, Banding.for_threshold(threshold))
    return mark_near_duplicates(decided, {}, threshold)


def test_a_copy_with_another_dateline_is_a_near_duplicate_of_the_first() -> None:
    original = _article("https://detik.com/a", "Jakarta - " + BODY)
    copy = _article("https://suara.com/b", "Suara.com - " + BODY.replace("Hingga Rabu sore", "Sampai Rabu petang"))
    exact = _article("https://tempo.co/c", "Jakarta - " + BODY)
    other = _article("https://tempo.co/d", "Harga beras naik di pasar induk Cipinang menjelang lebaran " * 10)
    decided = {a.url: a for a in _decide([original, copy, exact, other])}
    assert decided["https://detik.com/a"].meta["status"] == "new"
    near = decided["https://suara.com/b"]
    assert near.meta["status"] == "duplicate" and near.duplicate_of == original.article_id
    assert 0.8 <= near.meta["duplicate_similarity"] < 1.0
    assert decided["https://tempo.co/c"].duplicate_of == original.article_id
    assert decided["https://tempo.co/c"].meta["duplicate_similarity"] == 1.0
    assert decided["https://tempo.co/d"].duplicate_of is None


def test_threshold_decides_how_far_a_rewrite_may_go() -> None:
    paragraphs = BODY.split("\n")
    rewritten = "\n".join(paragraphs[:6] + ["Paragraf ini ditulis ulang oleh redaksi lain dengan kata-kata yang sama sekali berbeda."] * 3)
    loose = _decide([_article("https://a.id/1"), _article("https://b.id/2", rewritten)], threshold=0.5)
    strict = _decide([_article("https://a.id/1"), _article("https://b.id/2", rewritten)], threshold=0.95)
    assert loose[1].duplicate_of == loose[0].article_id
    assert strict[1].duplicate_of is None


@pytest.mark.parametrize(("key", "tracking"), [
    ("utm_medium", True), ("fbclid", True), ("campaign", True), ("itm_source", True), ("share", True),
    ("id", False), ("page", False), ("gallery", False), ("cidTexte", False), ("keywords", False),
])
def test_tracking_params(key: str, tracking: bool) -> None:
    from tasks.dedupe import is_tracking_param

    assert is_tracking_param(key) is tracking

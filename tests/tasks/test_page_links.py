"""The page's links read once and shared (tasks/page_links.py): every step that takes them gives
what it gives when it reads the page's links itself."""

from __future__ import annotations

import pytest
from trafilatura.utils import load_html

from tasks.boilerplate import link_texts, prune_tree
from tasks.candidates import anchor_texts, other_pages_headlines
from tasks.page_links import page_links
from tasks.page_type import html_page_type, listing_evidence


def _pages(shared):
    cache = shared / "corpus" / "trafilatura-eval" / "cache"
    pages = sorted(cache.glob("*.html"))[:25]
    if not pages:
        pytest.skip(f"{cache} holds no pages")
    return pages


def test_shared_links_give_the_same_answers(shared) -> None:
    for path in _pages(shared):
        tree = load_html(path.read_bytes().decode("utf-8", "replace"))
        prune_tree(tree)
        url = "https://example.org/news/story.html"
        links = page_links(tree)
        assert [a for a, _ in links] == list(tree.iter("a"))
        assert all(text == " ".join(a.text_content().split()) for a, text in links)
        body = "\n".join(text for _, text in links[:40]) or "kosong"
        assert anchor_texts(tree, url=url, links=links) == anchor_texts(tree, url=url)
        assert other_pages_headlines(tree, url, links) == other_pages_headlines(tree, url)
        assert link_texts(tree, links=links) == link_texts(tree)
        assert listing_evidence(tree, body, links) == listing_evidence(tree, body)
        assert html_page_type(tree, body, links) == html_page_type(tree, body)


def test_headline_items_read_each_ancestor_once_and_stay_per_link() -> None:
    """Links of one list share their ancestors' texts (read once); each link still gets the
    largest block around it holding little more than its headline."""
    from tasks.page_type import _headline_items

    tree = load_html("<html><body><ul>" + "".join(
        f"<li><a href='/a{i}'>Judul berita nomor {i} yang cukup panjang</a> teaser {i}</li>" for i in range(30))
        + "</ul></body></html>")
    items = _headline_items(page_links(tree))
    assert len(items) == 30
    assert items[3] == ("Judul berita nomor 3 yang cukup panjang", "Judul berita nomor 3 yang cukup panjang teaser 3", "/a3")

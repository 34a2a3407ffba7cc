"""tasks/candidates.py: a list of other pages' headlines is never a body; a link round-up post is."""

from __future__ import annotations

import lxml.html

from tasks.candidates import anchor_texts, list_shaped

URL = "https://kabarkita.example/2024/05/15/banjir-rob"
HEADLINES = [
    "Gubernur Tinjau Tanggul Laut yang Jebol di Pesisir Utara",
    "Harga Beras di Pasar Terong Naik Dua Ribu Rupiah Sekilo",
    "Ribuan Warga Padati Pantai Losari Saat Libur Panjang",
    "Dinas Kesehatan Buka Posko Layanan untuk Korban Banjir",
    "Nelayan Tak Melaut Tiga Hari Karena Gelombang Tinggi",
]


def _page(hrefs: list[str]) -> lxml.html.HtmlElement:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in zip(hrefs, HEADLINES))
    return lxml.html.fromstring(f"<html><body><h1>Banjir Rob</h1><ul>{items}</ul></body></html>")


def _as_text() -> str:
    return "\n".join(f"- {text}" for text in HEADLINES)


def test_related_headlines_of_the_same_site_are_list_shaped() -> None:
    tree = _page([f"/2024/05/15/berita-{i}" for i in range(5)])
    assert list_shaped(_as_text(), anchor_texts(tree, url=URL))
    # a sister site or two (a media group's related box) still reads as related headlines
    tree = _page(["https://kabarkita.example/a", "https://kabarsaudara.example/b", "/c", "/d", "/e"])
    assert list_shaped(_as_text(), anchor_texts(tree, url=URL))


def test_a_round_up_of_links_to_many_other_sites_is_the_post_itself() -> None:
    tree = _page([f"https://situs{i}.example/artikel" for i in range(5)])
    anchors = anchor_texts(tree, url=URL)
    assert not list_shaped(_as_text(), anchors)
    # without the page's own address nothing tells the sites apart: the list counts as headlines
    assert list_shaped(_as_text(), anchor_texts(tree))


def test_an_href_no_parser_reads_counts_as_no_other_site() -> None:
    tree = _page(["http://[ccpa-preferences]", "http://[::1", "/c", "/d", "/e"])
    anchors = anchor_texts(tree, url=URL)
    assert set(anchors.values()) == {None}
    assert list_shaped(_as_text(), anchors)

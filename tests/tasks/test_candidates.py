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


def test_an_article_carried_in_a_script_string_is_extracted() -> None:
    """A client-rendered page: the markup has no text, the script payload has the article's HTML."""
    import json
    from datetime import datetime, timezone

    from kabar.models import Fetched, Item
    from tasks.candidates import embedded_article_html
    from tasks.extract import extract_article

    paragraphs = [
        "Banjir rob kembali menggenangi kawasan pesisir utara Makassar sejak Selasa pagi, merendam ratusan "
        "rumah warga dan memutus akses jalan utama menuju pelabuhan perikanan setempat.",
        "Kepala BPBD Kota Makassar mengatakan air laut naik lebih tinggi dari perkiraan, sehingga petugas "
        "mendirikan posko darurat di tiga kelurahan dan menyiapkan perahu karet untuk warga lanjut usia.",
        "Menurut prakiraan BMKG, pasang maksimum air laut masih akan terjadi hingga akhir pekan ini, terutama "
        "pada malam hari, sehingga warga diminta tetap waspada dan menjauhi tanggul yang retak.",
    ]
    payload = "".join(f"<p class=\"isi\">{p}</p>" for p in paragraphs)
    # as Next.js writes it: a JSON string with < escaped as \u003c
    pushed = json.dumps([1, payload]).replace("<", "\\u003c")
    html = ("<html><head><title>Banjir Rob Genangi Pesisir Utara Makassar</title></head><body>"
            "<div id='app'></div>"
            f"<script>self.__next_f.push({pushed})</script><script>self.__next_f.push({pushed})</script>"
            "</body></html>")
    tree = lxml.html.fromstring(html)
    assert embedded_article_html(tree) == payload  # the repeated push counted once
    fetched = Fetched(Item(url=URL, source="uji"), datetime(2024, 5, 15, 3, 0, tzinfo=timezone.utc), 200,
                      None, html.encode("utf-8"), "text/html; charset=utf-8", URL)
    article = extract_article(fetched)
    assert article.text.split("\n") == paragraphs
    # a script without such strings adds nothing
    assert embedded_article_html(lxml.html.fromstring("<html><body><script>var a = 1;</script></body></html>")) == ""


def test_the_headline_and_other_pages_headline_links_leave_the_body() -> None:
    from tasks.candidates import other_pages_headlines, without_headlines

    story = [
        "Banjir rob kembali menggenangi kawasan pesisir utara Makassar sejak Selasa pagi, merendam ratusan rumah.",
        "Menurut Gubernur Tinjau Tanggul Laut yang Jebol di Pesisir Utara, kata warga",  # a sentence: stays
        "Kepala BPBD mengatakan air laut naik lebih tinggi dari perkiraan.",
    ]
    tree = lxml.html.fromstring(
        "<html><body><h1>Banjir Rob Genangi Pesisir Utara Makassar</h1>"
        f'<ul><li><a href="/2024/05/15/berita-1">{HEADLINES[0]}</a></li>'
        f'<li>Ekonomi: <a href="/2024/05/15/berita-2">{HEADLINES[1]}</a></li></ul>'
        # a table of contents: in-page anchors repeat the article's own subheadings, which stay
        '<a href="#warga-mengungsi">Warga Mengungsi ke Balai Kelurahan Cambaya</a>'
        f'<a href="{URL}">Banjir Rob Genangi Pesisir Utara Makassar Lagi Hari Ini</a></body></html>')
    headlines = other_pages_headlines(tree, URL)
    assert HEADLINES[0].casefold() in headlines and HEADLINES[1].casefold() in headlines
    assert not {"warga mengungsi ke balai kelurahan cambaya",
                "banjir rob genangi pesisir utara makassar lagi hari ini"} & headlines
    text = "\n".join(["Banjir Rob Genangi Pesisir Utara Makassar", story[0], f"- {HEADLINES[0]}", story[1],
                      "Warga Mengungsi ke Balai Kelurahan Cambaya", f"Ekonomi: {HEADLINES[1]}", story[2]])
    body, dropped = without_headlines(text, ["Banjir Rob Genangi Pesisir Utara Makassar"], headlines)
    assert body.split("\n") == [story[0], story[1], "Warga Mengungsi ke Balai Kelurahan Cambaya", story[2]]
    assert dropped == ["Banjir Rob Genangi Pesisir Utara Makassar", f"- {HEADLINES[0]}", f"Ekonomi: {HEADLINES[1]}"]
    # a body made only of such lines is left as it is (page typing decided it is an article)
    assert without_headlines(f"- {HEADLINES[0]}", [], headlines) == (f"- {HEADLINES[0]}", [])

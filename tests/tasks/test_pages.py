"""Pagination: next pages of the same article, listing links, joining pages."""

from __future__ import annotations

from tasks.pages import join_pages, listing_links, next_page, page_key


def test_page_key_strips_page_markers() -> None:
    assert page_key("https://x.id/berita/banjir?page=2") == ("https://x.id/berita/banjir", 2)
    assert page_key("https://x.id/berita/banjir/3") == ("https://x.id/berita/banjir", 3)
    assert page_key("https://x.id/berita/banjir") == ("https://x.id/berita/banjir", 1)


def test_next_page_by_rel_text_or_number() -> None:
    url = "https://x.id/berita/banjir"
    assert next_page('<link rel="next" href="/berita/banjir?page=2">', url) == url + "?page=2"
    assert next_page('<a href="/berita/banjir/2">Halaman Berikutnya</a>', url) == url + "/2"
    assert next_page('<a href="?page=2">2</a><a href="?page=3">3</a>', url) == url + "?page=2"
    assert next_page('<a href="/berita/lain">Selanjutnya</a>', url) is None  # another article
    assert next_page('<a href="/berita/banjir?page=1">1</a>', url + "?page=2") is None  # backwards


def test_listing_links_match_the_pattern_once_each() -> None:
    html = '<a href="/berita/a-1">A</a><a href="/tag/x">t</a><a href="/berita/a-1#c">A</a><a href="/berita/b-2">B</a>'
    assert listing_links(html, "https://x.id/indeks", r"/berita/") == ["https://x.id/berita/a-1", "https://x.id/berita/b-2"]


def test_join_pages_keeps_a_repeated_lead_once() -> None:
    lead = "Banjir melanda tiga desa sejak Senin malam."
    text = join_pages([f"{lead}\nBagian satu.", f"{lead}\nBagian dua.", f"{lead}\nBagian tiga."])
    assert text == f"{lead}\nBagian satu.\nBagian dua.\nBagian tiga."


def test_a_link_no_url_parser_reads_is_skipped_not_raised() -> None:
    from tasks.pages import next_page

    html = ('<p>Isi berita.</p><a href="http://[pengaturan-privasi]/setel">Privasi</a>'
            '<a href="/berita/banjir?page=2">Halaman berikutnya</a>')
    assert next_page(html, "https://contoh.test/berita/banjir") == "https://contoh.test/berita/banjir?page=2"

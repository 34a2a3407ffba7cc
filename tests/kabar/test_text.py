"""kabar/text.py: the keys the pipeline and the warehouse share."""

from __future__ import annotations

import pytest

from kabar.text import line_key, site_of, title_affixes


@pytest.mark.parametrize(("url", "site"), [
    ("https://regional.kompas.com/read/1", "kompas.com"),
    ("https://www.kabarpesisir.co.id/read/1", "kabarpesisir.co.id"),
    ("https://berita.desa.web.id/a", "desa.web.id"),
    ("https://news.bbc.co.uk/x", "bbc.co.uk"),  # any registry's second level, not a hand-kept list
    ("http://127.0.0.1:8123/a", "127.0.0.1"),
    ("http://localhost/a", "localhost"),
    ("file:///tmp/a.html", None),
    (None, None),
])
def test_site_of_is_the_registrable_domain(url: str | None, site: str | None) -> None:
    assert site_of(url) == site


def test_line_key_ignores_case_digits_and_punctuation() -> None:
    assert line_key("Baca Juga: Berita 12 Mei") == line_key("baca juga   berita 3 mei!")
    assert line_key("Baca Juga") != line_key("Simak Juga")


def test_title_affixes_are_the_outer_segments() -> None:
    assert title_affixes("Korut Uji Rudal - Nasional | Kabar Pesisir") == ["Korut Uji Rudal", "Kabar Pesisir"]
    assert title_affixes("Korut Uji Rudal Baru") == []


def test_absolute_url_reads_what_urllib_reads_and_says_none_otherwise() -> None:
    from kabar.text import absolute_url

    assert absolute_url("https://contoh.test/berita/a", "../b?x=1") == "https://contoh.test/b?x=1"
    assert absolute_url("https://contoh.test/", "http://[pengaturan-privasi]/setel") is None
    assert absolute_url("https://contoh.test/", "http://[::1/") is None

"""`kabar extract page.html --url URL --json`: the cleaned text and the dateline metadata."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, run_cli, run_main

PAGE = FIXTURES / "extract" / "berita.html"
URL = "https://www.kabarkita.com/read/2024/05/06/banjir-rob-makassar"


def test_extract_json_shows_clean_text_and_dateline() -> None:
    result = run_cli("extract", str(PAGE), "--url", URL, "--json")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "Banjir Rob Genangi Pesisir Utara Makassar"  # " - KabarKita.com" cut
    assert article["published_at"] == "2024-05-06T14:05:00+08:00"  # WITA is Asia/Makassar
    text = article["text"]
    assert text.startswith("Banjir rob kembali menggenangi permukiman warga")
    assert "pasang tertinggi diperkirakan terjadi hingga Rabu malam" in text
    assert text.rstrip().endswith("setiap bulan purnama.")
    for noise in ("KABARKITA.com -", "Baca Juga", "ADVERTISEMENT", "Editor:", "Berita Terkait",
                  "Nelayan Paotere Libur Melaut", "Harga Emas Antam", "Copyright"):
        assert noise not in text, noise
    meta = article["meta"]
    assert meta["dateline_place"] == "MAKASSAR"
    assert meta["dateline_outlet"] == "KABARKITA.com"
    rules = {rule for rule, _, _ in meta["removed"]}
    assert {"dateline", "baca_juga", "advertisement", "byline"} <= rules
    assert not any(key.startswith("_") for key in meta)


def test_extract_of_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    result = run_main("extract", str(tmp_path / "tidak-ada.html"), "--json")  # in process: about 8 CPU s less
    assert result.returncode == 2 and "no such file" in result.stderr

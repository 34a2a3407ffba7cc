"""kabar/sources_edit.py: appending a [[sources]] block round-trip, validated before writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from kabar.config import ConfigError, load_sources
from kabar.sources_edit import append_source, unique_name

BLOCK = {"name": "Kabar Kita", "kind": "feed", "url": "https://kabarkita.id/rss", "outlet": "Kabar Kita", "language": "id"}


def test_a_new_file_and_a_file_with_only_settings(tmp_path: Path) -> None:
    fresh = tmp_path / "baru" / "sources.toml"
    assert append_source(fresh, BLOCK) == "kabar-kita"
    assert load_sources(fresh).sources[0].url == BLOCK["url"]
    settings_only = tmp_path / "settings.toml"
    settings_only.write_text("# pengaturan\n[fetch]\ntimeout = 5\n", encoding="utf-8")
    append_source(settings_only, BLOCK, comment="ditambahkan")
    text = settings_only.read_text(encoding="utf-8")
    assert text.startswith("# pengaturan\n[fetch]\ntimeout = 5\n\n[[sources]]\n# ditambahkan\n")
    assert load_sources(settings_only).fetch.timeout == 5


def test_nothing_is_written_when_the_result_would_not_validate(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    original = '[[sources]]\nname = "lama"\nkind = "feed"\nurl = "bukan-url"\n'
    path.write_text(original, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sources\[0\]\.url.*file not written"):
        append_source(path, BLOCK)
    assert path.read_text(encoding="utf-8") == original
    inline = tmp_path / "inline.toml"
    inline.write_text("sources = []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not an array of"):
        append_source(inline, BLOCK)
    assert list(tmp_path.glob(".*")) == []  # no temporary file left behind


def test_unique_name() -> None:
    assert unique_name("Kabar Kita!", set()) == "kabar-kita"
    assert unique_name("Kabar Kita", {"kabar-kita", "kabar-kita-2"}) == "kabar-kita-3"
    assert unique_name("---", set()) == "outlet"
    assert len(unique_name("x" * 200, set())) <= 64

"""The `[enrich]` table of the sources file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kabar.config import ConfigError, load_sources
from kabar.sources import resolve_sources


def _write(tmp_path: Path, enrich: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(f'{enrich}\n[[sources]]\nname = "a"\nkind = "files"\nglob = "*.html"\n', encoding="utf-8")
    return path


def test_enrich_paths_resolve_against_the_sources_file(tmp_path: Path) -> None:
    path = _write(tmp_path, '[enrich]\nknowledge_base = ["kb/mine.toml", "/abs/other.csv"]\nthemes = "t.toml"')
    settings = resolve_sources(str(path), None, None).enrich
    assert settings.knowledge_base == (str(tmp_path / "kb" / "mine.toml"), "/abs/other.csv")
    assert settings.themes == str(tmp_path / "t.toml")
    assert load_sources(_write(tmp_path, "")).enrich.knowledge_base == ()


@pytest.mark.parametrize("enrich, message", [
    ('[enrich]\nknowledge_base = ["kb.json"]', "enrich.knowledge_base: 'kb.json' is not a .csv or .toml"),
    ('[enrich]\nthemes = "themes.yaml"', "enrich.themes: 'themes.yaml' is not a .toml themes file"),
    ('[enrich]\nlexicon = "x.tsv"', "enrich.lexicon: unknown key"),
])
def test_bad_enrich_settings_name_the_key(tmp_path: Path, enrich: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_sources(_write(tmp_path, enrich))

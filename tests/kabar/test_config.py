"""The sources file: valid files load, every mistake is one line naming file, key and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from kabar.config import ConfigError, load_sources
from tests.conftest import ROOT, run_cli, write_sources

GOOD = """
[fetch]
user_agent = "kabar-test/1.0 (+https://example.org/contact)"
per_host_concurrency = 1

[[sources]]
name = "antara"
kind = "feed"
url = "https://www.antaranews.com/rss/dunia.xml"
outlet = "ANTARA"
language = "id"
include = ["Korea Utara|Korut|Kim Jong"]

[[sources]]
name = "local"
kind = "files"
glob = "pages/*.html"
"""


def test_good_file_loads_and_resolves_relative_globs(tmp_path: Path) -> None:
    config = load_sources(write_sources(tmp_path, GOOD))
    assert [s.name for s in config.sources] == ["antara", "local"]
    assert config.fetch.per_host_concurrency == 1
    assert config.sources[1].glob == str(tmp_path.resolve() / "pages/*.html")
    assert config.sources[0].matches("Pemimpin Korut Kim Jong Un") is True
    assert config.sources[0].matches("Harga cabai naik") is False


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (('kind = "feed"', 'kind = "rss"'), "sources[0].kind (source 'antara'): 'rss' is not allowed; expected one of 'feed', 'sitemap', 'files', 'warc' or 'listing'"),
        (('outlet = "ANTARA"', 'outlet = "ANTARA"\ncolour = "red"'), "sources[0].colour (source 'antara'): unknown key"),
        (('per_host_concurrency = 1', 'per_host_concurrency = 0'), "fetch.per_host_concurrency: Input should be greater than or equal to 1"),
        (('url = "https://www.antaranews.com/rss/dunia.xml"', 'url = "ftp://x"'), "sources[0].url (source 'antara'): 'ftp://x' is not an http(s) URL"),
        (('include = ["Korea Utara|Korut|Kim Jong"]', 'include = ["(unclosed"]'), "sources[0].include (source 'antara'): '(unclosed' is not a valid regular expression"),
        (('glob = "pages/*.html"', 'url = "https://x.example/"'), "sources[1] (source 'local'): a files source needs `glob`"),
        (('name = "local"', 'name = "antara"'), "source name 'antara' is used twice"),
    ],
)
def test_each_mistake_is_named(tmp_path: Path, mutation: tuple[str, str], expected: str) -> None:
    path = write_sources(tmp_path, GOOD.replace(*mutation))
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert expected in message


def test_invalid_toml_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"invalid TOML"):
        load_sources(write_sources(tmp_path, "[[sources]\nname="))


def test_cli_bad_config_exits_2_without_traceback(tmp_path: Path) -> None:
    path = write_sources(tmp_path, GOOD.replace('kind = "feed"', 'kind = "rss"'))
    result = run_cli("ingest", "--config", str(path), "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "sources[0].kind" in lines[0] and "'rss' is not allowed" in lines[0]
    assert not (tmp_path / "w.duckdb").exists()


def test_shipped_sources_files_are_valid() -> None:
    for path in (ROOT / "sources.toml", ROOT / "samples" / "sources.toml"):
        config = load_sources(path)
        assert config.sources, path

"""The sources file: valid files load, every mistake is one line naming file, key and what is allowed."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from kabar.config import ConfigError, Warehouse, WarehouseSettings, load_sources, resolve_warehouse
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


@pytest.mark.parametrize("spec", [
    "data/kabar.duckdb",
    "/srv/kabar/berita.duckdb",
    "ducklake:meta.ducklake#files/",
    "ducklake:postgres:host=db port=5432 dbname=kabar user=kabar#/srv/kabar/lake/",
    "ducklake:catalog#with#hash#/data/",  # the last '#' splits catalog from data path
])
def test_a_warehouse_spec_round_trips(spec: str) -> None:
    warehouse = Warehouse.parse(spec)
    assert str(warehouse) == spec
    assert Warehouse.parse(str(warehouse)) == warehouse
    assert pickle.loads(pickle.dumps(warehouse)) == warehouse  # crosses Prefect tasks and Dask workers
    assert warehouse.is_lake == spec.startswith("ducklake:")


def test_a_warehouse_knows_its_parts_and_folders(tmp_path: Path) -> None:
    lake = Warehouse.parse("ducklake:postgres:host=db dbname=kabar#/srv/danau/")
    assert (lake.kind, lake.catalog, lake.data_path, lake.path) == ("ducklake", "postgres:host=db dbname=kabar", "/srv/danau/", None)
    assert lake.data_dir == Path("/srv/danau.kabar") and lake.label == "lake" and lake.exists()
    assert lake.absolute() is lake
    berkas = Warehouse.parse(str(tmp_path / "arsip" / "berita.duckdb"))
    assert (berkas.kind, berkas.path, berkas.catalog) == ("duckdb", str(tmp_path / "arsip" / "berita.duckdb"), None)
    assert berkas.data_dir == tmp_path / "arsip" and berkas.label == "berita.duckdb"
    assert not berkas.exists()
    assert Warehouse.file("rel.duckdb").absolute() == Warehouse.file(Path("rel.duckdb").resolve())


@pytest.mark.parametrize("spec, expected", [
    ("", "empty warehouse"),
    ("   ", "empty warehouse"),
    ("ducklake:meta.ducklake", "expected ducklake:CATALOG#DATA_PATH"),
    ("ducklake:#files/", "expected ducklake:CATALOG#DATA_PATH"),
    ("ducklake:meta.ducklake#", "expected ducklake:CATALOG#DATA_PATH"),
    ("ducklake:meta'x.ducklake#files/", "quotes are not allowed"),
])
def test_a_malformed_warehouse_spec_is_one_config_error(spec: str, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Warehouse.parse(spec)
    assert expected in str(raised.value) and "\n" not in str(raised.value)


def test_the_resolver_returns_a_warehouse_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KABAR_WAREHOUSE", raising=False)
    section = WarehouseSettings(backend="ducklake", catalog="meta.ducklake", data_path="files")
    assert resolve_warehouse(None, section) == Warehouse.lake("meta.ducklake", "files/")
    assert resolve_warehouse("ducklake:a#b/", section) == Warehouse.lake("a", "b/")  # explicit wins
    monkeypatch.setenv("KABAR_WAREHOUSE", str(tmp_path / "env.duckdb"))
    assert resolve_warehouse(None, section) == Warehouse.file(tmp_path / "env.duckdb")


def test_cli_malformed_warehouse_spec_exits_2_in_one_line(tmp_path: Path) -> None:
    result = run_cli("sql", "select 1", "--warehouse", "ducklake:tanpa-pagar", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "ducklake:CATALOG#DATA_PATH" in result.stderr

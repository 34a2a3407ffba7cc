"""Traps an operator fell into: paths select only themselves, deployed runs never default into the checkout,
captures per warehouse, `kabar serve --show` from any directory."""

from __future__ import annotations

from pathlib import Path

from kabar import settings
from kabar.config import Warehouse, warehouse_of
from kabar.sources import resolve_sources
from tasks.capture import capture_files, warc_dir
from tests.conftest import run_cli


def config(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text('[[sources]]\nname = "antara"\nkind = "feed"\nurl = "https://www.antaranews.com/rss/dunia.xml"\n\n'
                    '[[sources]]\nname = "tempo"\nkind = "feed"\nurl = "https://rss.tempo.co/dunia"\n', encoding="utf-8")
    return path


def test_paths_with_a_config_run_only_the_paths(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    assert [s.name for s in resolve_sources(str(config(tmp_path)), None, [str(pages)]).sources] == ["pages"]
    named = resolve_sources(str(config(tmp_path)), ["tempo"], [str(pages)]).sources
    assert [s.name for s in named] == ["tempo", "pages"]
    assert [s.name for s in resolve_sources(str(config(tmp_path)), None, None).sources] == ["antara", "tempo"]


def test_a_deployed_run_defaults_to_the_user_data_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("KABAR_WAREHOUSE", raising=False)
    monkeypatch.setenv("KABAR_DATA_DIR", str(tmp_path / "data-home"))
    assert str(warehouse_of(None, str(config(tmp_path)), deployed=True)) == str(tmp_path / "data-home" / "kabar.duckdb")
    assert str(warehouse_of(None, None, deployed=True)) == str(tmp_path / "data-home" / "kabar.duckdb")
    assert str(warehouse_of(None, None)) == str(settings.DEFAULT_WAREHOUSE)  # the CLI keeps ./data
    monkeypatch.setenv("KABAR_WAREHOUSE", str(tmp_path / "env.duckdb"))
    assert str(warehouse_of(None, None, deployed=True)) == str(tmp_path / "env.duckdb")
    monkeypatch.delenv("KABAR_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert settings.deployed_warehouse_path() == tmp_path / "xdg" / "kabar" / "kabar.duckdb"


def test_captures_belong_to_one_warehouse(tmp_path: Path) -> None:
    one, two = Warehouse.file(tmp_path / "one.duckdb"), Warehouse.file(tmp_path / "two.duckdb")
    assert warc_dir(one) != warc_dir(two) and warc_dir(one).parent == warc_dir(two).parent
    for warehouse, run_id in ((one, "ingest-1"), (two, "ingest-2")):
        warc_dir(warehouse).mkdir(parents=True)
        (warc_dir(warehouse) / f"{run_id}.warc.gz").write_bytes(b"")
    legacy = warc_dir(one).parent  # an older kabar's shared folder: only this warehouse's runs count
    (legacy / "ingest-0.warc.gz").write_bytes(b"")
    (legacy / "ingest-9.warc.gz").write_bytes(b"")
    assert [p.name for p in capture_files(one, {"ingest-0", "ingest-1"})] == ["ingest-0.warc.gz", "ingest-1.warc.gz"]
    assert [p.name for p in capture_files(two, {"ingest-2"})] == ["ingest-2.warc.gz"]


def test_serve_show_works_from_any_directory(tmp_path: Path) -> None:
    done = run_cli("serve", "--show", cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "nightly" in done.stdout and "cron '0 2 * * *'" in done.stdout

"""Every command honours the sources file's ``[warehouse]`` section (a DuckDB file, or a DuckLake
with a real PostgreSQL catalog): ingest, enrich, reextract, sql, search, export and report given
only ``--config`` all talk to the same warehouse.

Before one resolver, `kabar enrich --config wh.toml` and `kabar reextract --config wh.toml`
looked for data/kabar.duckdb ("no warehouse at data/kabar.duckdb") after `kabar ingest --config
wh.toml` had loaded the configured one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kabar.cli import main
from kabar.config import Warehouse
from tests.site import TestSite
from warehouse.backend import open_reader_for


def _section(backend: str, request: pytest.FixtureRequest) -> tuple[str, str]:
    """(the [warehouse] table, the spec it resolves to relative to the config's directory)."""
    if backend == "duckdb":
        return '[warehouse]\npath = "gudang/kabar.duckdb"\n', "gudang/kabar.duckdb"
    dsn = request.getfixturevalue("postgres").createdb("lake_commands")
    return (f'[warehouse]\nbackend = "ducklake"\ncatalog = "postgres:{dsn}"\ndata_path = "danau"\n',
            f"ducklake:postgres:{dsn}#{{root}}/danau/")


@pytest.mark.parametrize("backend", ["duckdb", pytest.param("ducklake", marks=[pytest.mark.postgres, pytest.mark.slow,
                                                                          pytest.mark.timeout(1800)])])
def test_every_command_uses_the_configured_warehouse(backend: str, tmp_path: Path, site: TestSite,
                                                     request: pytest.FixtureRequest, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)  # a stray default warehouse would land here: checked below
    section, spec = _section(backend, request)
    root = tmp_path / "proyek"
    root.mkdir()
    config = root / "wh.toml"
    config.write_text(f'{section}\n[fetch]\nallow_hosts = ["{site.host}"]\nretries = 0\n\n'
                      f'[[sources]]\nname = "contoh"\nkind = "feed"\nurl = "{site.url("/feed.xml")}"\n',
                      encoding="utf-8")
    spec = spec.format(root=root) if backend == "ducklake" else str(root / spec)
    assert main(["ingest", "--config", str(config)]) == 0
    assert main(["enrich", "--config", str(config), "--force", "--only", "language"]) == 0
    assert main(["reextract", "--config", str(config)]) == 0
    capsys.readouterr()
    assert main(["sql", "select flow, state from runs order by started_at", "--config", str(config),
                 "--format", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["flow"] for r in runs] == ["ingest", "enrich", "reextract"]
    assert {r["state"] for r in runs} <= {"completed", "completed_with_warnings"}
    assert main(["search", "Korea", "--config", str(config), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)
    assert main(["export", "--to", str(tmp_path / "ekspor"), "--config", str(config)]) == 0
    assert (tmp_path / "ekspor" / "runs.parquet").exists()
    assert main(["report", "--out", str(tmp_path / "laporan.html"), "--config", str(config)]) == 0
    with open_reader_for(Warehouse.parse(spec)) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
    assert not (tmp_path / "data").exists()  # nothing went to the default warehouse

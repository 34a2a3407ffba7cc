"""The CLI as a user runs it (the real console script in a subprocess); `kabar extract` through
``kabar.cli.main`` in process (tests/conftest.py run_main): it imports the pipeline, about 8 CPU s a
subprocess, and tests/kabar/test_extract_command.py runs it whole once."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from tests.conftest import ROOT, run_cli, run_main
from warehouse.connection import open_writer


def seeded_warehouse(path: Path) -> Path:
    with open_writer(path) as con:
        con.execute(
            "INSERT INTO store.runs (run_id, flow, started_at, state) VALUES ('r1', 'ingest', now(), 'completed')"
        )
    return path


def test_sql_formats(tmp_path: Path) -> None:
    path = seeded_warehouse(tmp_path / "w.duckdb")
    as_json = run_cli("sql", "select run_id, state from runs", "--format", "json", "--warehouse", str(path))
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [{"run_id": "r1", "state": "completed"}]
    as_csv = run_cli("sql", "select run_id, state from runs", "--format", "csv", env={"KABAR_WAREHOUSE": str(path)})
    assert as_csv.stdout.splitlines() == ["run_id,state", "r1,completed"]
    table = run_cli("sql", "select run_id from runs", "--warehouse", str(path))
    assert "r1" in table.stdout and "(1 row)" in table.stdout


def test_sql_is_read_only_and_errors_are_one_line(tmp_path: Path) -> None:
    path = seeded_warehouse(tmp_path / "w.duckdb")
    write = run_cli("sql", "delete from store.runs", "--warehouse", str(path))
    assert write.returncode == 2 and "read-only" in write.stderr.lower()
    assert "Traceback" not in write.stderr
    assert duckdb.connect(str(path), read_only=True).execute("select count(*) from runs").fetchone()[0] == 1
    missing = run_cli("sql", "select 1", "--warehouse", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 1 and "no warehouse at" in missing.stderr


def test_extract_prints_what_would_be_stored() -> None:
    page = ROOT / "samples/pages/warta-nusantara/kim-jong-un-tinjau-pabrik-amunisi.html"
    result = run_main("extract", str(page), "--url", "https://warta-nusantara.example/x?utm_source=t", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["title"].startswith("Kim Jong Un Tinjau Pabrik Amunisi")
    assert data["language"] == "id"
    assert data["published_at"].startswith("2023-08-14")
    assert data["outlet"] == "Warta Nusantara"
    assert "Baca Juga" not in data["text"]
    assert len(data["text"].split()) > 200


def test_extract_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run_main("extract", str(tmp_path / "nope.html"))
    assert result.returncode == 2 and result.stderr.strip().endswith("no such file")

"""Readers are really read-only: no statement through `kabar sql` (or any reader) can write a file,
read one outside the warehouse, attach a database, install/load an extension or change a setting;
search and DuckLake readers still work with external access off."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import FIXTURES, run_cli, run_main
from warehouse.backend import open_reader_for
from warehouse.connection import open_reader
from warehouse.search import search


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def warehouse(seeded: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "w" / "kabar.duckdb"
    copy.parent.mkdir()
    shutil.copy(seeded, copy)
    return copy


def _dangerous(tmp_path: Path, warehouse: Path) -> dict[str, Path | None]:
    """Each statement, and the file it would create (None when it only reads)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("rahasia\n", encoding="utf-8")
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    return {
        f"copy (select 'gone' as x) to '{warehouse}' (format csv)": None,
        f"copy (select 1 as x) to '{tmp_path / 'out.csv'}'": tmp_path / "out.csv",
        f"export database '{tmp_path / 'dump'}'": tmp_path / "dump",
        f"select * from read_csv('{secret}')": None,
        "select * from read_csv('/etc/passwd')": None,
        f"select * from read_text('{secret}')": None,
        f"select * from glob('{tmp_path}/*')": None,
        f"attach '{other}' as other": None,
        "install httpfs": None,
        "load httpfs": None,
        "set autoinstall_known_extensions = true": None,
        "set enable_external_access = true": None,
        "reset lock_configuration": None,
        "create table main.x as select 1": None,
    }


@pytest.mark.slow
def test_dangerous_statements_are_refused_in_one_line(warehouse: Path, tmp_path: Path) -> None:
    before = _digest(warehouse)
    for number, (statement, creates) in enumerate(_dangerous(tmp_path, warehouse).items()):
        # the first through the console script, as a user runs it (nothing but the one line on
        # its stderr); the rest through kabar.cli.main in process: the same command, without a
        # Python start and `kabar sql`'s imports for each of the 14 (tests/conftest.py run_main)
        result = (run_cli if number == 0 else run_main)("sql", statement, "--warehouse", str(warehouse))
        assert result.returncode == 2, (statement, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kabar: error: refused"), (statement, result.stderr)
        assert "Traceback" not in result.stderr and "rahasia" not in result.stdout
        if creates is not None:
            assert not creates.exists(), statement
    assert _digest(warehouse) == before
    assert run_cli("sql", "select count(*) as n from articles", "--warehouse", str(warehouse)).returncode == 0


def test_reader_refuses_in_process_too(warehouse: Path, tmp_path: Path) -> None:
    with open_reader(warehouse) as con:
        for statement in _dangerous(tmp_path, warehouse):
            with pytest.raises(duckdb.Error):
                con.execute(statement).fetchall()
        # The search macro and fts functions still work with external access off.
        assert search(con, "senjata", limit=5)
        assert con.execute("SELECT count(*) FROM search_articles('senjata')").fetchone()[0] > 0


def test_allow_files_is_an_explicit_opt_in(warehouse: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text("kata\nsenjata\n", encoding="utf-8")
    query = f"select kata from read_csv('{mine}')"
    assert run_cli("sql", query, "--warehouse", str(warehouse)).returncode == 2
    allowed = run_cli("sql", query, "--allow-files", "--format", "csv", "--warehouse", str(warehouse))
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.strip().splitlines() == ["kata", "senjata"]
    # Still no extensions and no settings with files allowed.
    refused = run_cli("sql", "set autoinstall_known_extensions = true", "--allow-files", "--warehouse", str(warehouse))
    assert refused.returncode == 2 and "refused" in refused.stderr


def test_ducklake_reader_reads_its_data_files_with_external_access_off(tmp_path: Path, prefect_harness) -> None:
    """A DuckLake with a local catalog file: its Parquet data files and the local search index are
    read through the locked reader; a file outside is not."""
    from flows.ingest import ingest
    from kabar.config import Warehouse
    from warehouse.lake import build_lake_index

    lake = Warehouse.lake(str(tmp_path / "meta.ducklake"), str(tmp_path / "files") + "/")
    summary = ingest(paths=[str(FIXTURES / "warehouse")], warehouse=str(lake))
    assert summary["state"] == "completed", summary
    build_lake_index(lake)
    with open_reader_for(lake) as con:
        texts = con.execute("SELECT string_agg(text, ' ') FROM articles").fetchone()[0]
        assert texts and "amunisi" in texts.lower()
        assert con.execute("SELECT count(*) FROM search_articles('amunisi')").fetchone()[0] > 0
        # the lake's own data path is allowed (DuckLake reads its Parquet files through the file
        # system); anything beside it is not
        outside = tmp_path / "elsewhere"
        outside.mkdir()
        duckdb.connect().execute(f"COPY (SELECT 'rahasia' AS x) TO '{outside}/secret.parquet'")
        with pytest.raises(duckdb.Error, match="disabled"):
            con.execute(f"SELECT * FROM read_parquet('{outside}/secret.parquet')").fetchall()
        with pytest.raises(duckdb.Error, match="disabled"):
            con.execute(f"COPY (SELECT 1) TO '{outside}/x.parquet'")
    assert not (outside / "x.parquet").exists()

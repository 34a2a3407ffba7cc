"""`kabar export`: every public view, read back by pyarrow with the views' row counts.

The first test and those counting the lines of an error run the console script whole; the others
call ``kabar.cli.main`` in process (tests/conftest.py run_main): they are about what the command
writes, and a subprocess each paid Python's start and the command's imports again."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from tests.conftest import run_cli, run_main
from warehouse.connection import open_reader
from warehouse.export import public_views


def _view_counts(path: Path, since: str | None = None) -> dict[str, int]:
    with open_reader(path) as con:
        return {v: con.execute(f'SELECT count(*) FROM "{v}"').fetchone()[0] for v in public_views(con)}


def test_parquet_export_reads_back_with_the_views_row_counts(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = run_cli("export", "--format", "parquet", "--to", str(out), "--warehouse", str(seeded))
    assert result.returncode == 0, result.stderr
    counts = _view_counts(seeded)
    assert {"articles", "runs", "fetches", "quality_checks"} <= set(counts)
    for view, n in counts.items():
        if view == "articles":
            table = ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table()
            # seeds 003 and 002 are dated by the estimates from their leads (2023-08, 2024-05)
            assert sorted({p.name for p in (out / "articles").iterdir()}) == [
                "month=2023-08", "month=2024-05", "month=2024-06", "month=unknown"]
            assert set(table.column("month").to_pylist()) == {"2023-08", "2024-05", "2024-06", "unknown"}
        else:
            table = pq.read_table(out / f"{view}.parquet")
        assert table.num_rows == n, view
    manifest = json.loads((out / "manifest.json").read_text())
    assert {v: e["rows"] for v, e in manifest["views"].items()} == counts


def test_csv_export_and_since(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    result = run_main("export", "--format", "csv", "--to", str(out), "--since", "2024-06-01", "--warehouse", str(seeded))
    assert result.returncode == 0, result.stderr
    articles = pacsv.read_csv(out / "articles.csv")
    assert sorted(articles.column("title").to_pylist()) == ["Harga Beras Naik di Pasar Tradisional",
                                                            "Pabrik Amunisi Baru Diresmikan"]
    # runs has a time column (started_at) but all runs are recent: kept whole.
    assert pacsv.read_csv(out / "runs.csv").num_rows == _view_counts(seeded)["runs"]


def test_export_to_a_file_is_a_user_error(seeded: Path, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    result = run_main("export", "--to", str(tmp_path / "f"), "--warehouse", str(seeded))
    assert result.returncode == 2 and "not a directory" in result.stderr


def test_non_empty_target_is_refused_without_overwrite(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("catatan penting", encoding="utf-8")
    result = run_cli("export", "--to", str(out), "--warehouse", str(seeded))
    assert result.returncode == 2 and "not empty" in result.stderr and "--overwrite" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_overwrite_replaces_only_kabars_own_files(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert run_main("export", "--to", str(out), "--warehouse", str(seeded)).returncode == 0
    (out / "articles" / "notes.txt").write_text("catatan di dalam articles", encoding="utf-8")
    (out / "README.txt").write_text("milik analis", encoding="utf-8")
    parquet_names = {p.name for p in out.iterdir()}
    result = run_main("export", "--format", "csv", "--overwrite", "--to", str(out), "--warehouse", str(seeded))
    assert result.returncode == 0, result.stderr
    names = {p.name for p in out.iterdir()}
    # No Parquet left over from the previous export, nothing of the analyst's deleted, no staging folder.
    assert not any(n.endswith(".parquet") for n in names) and "articles" not in names
    assert "README.txt" in names and all(not n.startswith(".kabar-export") for n in names)
    assert {n for n in names if n.endswith(".csv")} == {n.replace(".parquet", ".csv") for n in parquet_names
                                                      if n.endswith(".parquet")} | {"articles.csv"}
    assert json.loads((out / "manifest.json").read_text())["format"] == "csv"


def test_a_file_the_manifest_does_not_name_is_never_replaced(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    out.mkdir()
    (out / "runs.csv").write_text("milik analis", encoding="utf-8")
    result = run_main("export", "--format", "csv", "--overwrite", "--to", str(out), "--warehouse", str(seeded))
    assert result.returncode == 2 and "runs.csv" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["runs.csv"]
    assert (out / "runs.csv").read_text() == "milik analis"


def test_failed_export_leaves_the_previous_one_whole(seeded: Path, tmp_path: Path) -> None:
    from warehouse.export import ExportTargetError, export_views

    out = tmp_path / "export"
    assert run_main("export", "--to", str(out), "--warehouse", str(seeded)).returncode == 0
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    with open_reader(seeded, external_access=True) as con:
        # A view that fails while being written, after others were: the export must not land.
        con.execute("CREATE TEMP VIEW zz_broken AS SELECT error('rusak') AS x")
        with pytest.raises(ExportTargetError, match="nothing replaced"):
            export_views(con, out, "csv", overwrite=True)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before


@pytest.mark.parametrize("where", ["file", "readonly", "proc"])
def test_unwritable_or_odd_targets_are_one_line_errors(seeded: Path, tmp_path: Path, where: str) -> None:
    import os

    if where == "file":
        target = tmp_path / "a-file"
        target.write_text("x")
        target = target / "sub"
    elif where == "readonly":
        if os.geteuid() == 0:
            pytest.skip("root can write to a read-only folder")
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "out"
    else:
        target = Path("/proc/kabar-export")
    result = run_cli("export", "--to", str(target), "--warehouse", str(seeded))
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr

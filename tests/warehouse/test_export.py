"""`kabar export`: every public view, read back by pyarrow with the views' row counts."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from tests.conftest import run_cli
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
            assert sorted({p.name for p in (out / "articles").iterdir()}) == [
                "month=2024-05", "month=2024-06", "month=unknown"]
            assert set(table.column("month").to_pylist()) == {"2024-05", "2024-06", "unknown"}
        else:
            table = pq.read_table(out / f"{view}.parquet")
        assert table.num_rows == n, view
    manifest = json.loads((out / "manifest.json").read_text())
    assert {v: e["rows"] for v, e in manifest["views"].items()} == counts


def test_csv_export_and_since(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    result = run_cli("export", "--format", "csv", "--to", str(out), "--since", "2024-06-01", "--warehouse", str(seeded))
    assert result.returncode == 0, result.stderr
    articles = pacsv.read_csv(out / "articles.csv")
    assert sorted(articles.column("title").to_pylist()) == ["Harga Beras Naik di Pasar Tradisional",
                                                            "Pabrik Amunisi Baru Diresmikan"]
    # runs has a time column (started_at) but all runs are recent: kept whole.
    assert pacsv.read_csv(out / "runs.csv").num_rows == _view_counts(seeded)["runs"]


def test_export_to_a_file_is_a_user_error(seeded: Path, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    result = run_cli("export", "--to", str(tmp_path / "f"), "--warehouse", str(seeded))
    assert result.returncode == 2 and "not a directory" in result.stderr

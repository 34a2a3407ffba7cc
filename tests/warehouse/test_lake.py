"""The DuckLake backend against a real PostgreSQL catalog: load, views, sql/search/export, and
two ingests loading the same lake at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from kabar.config import Warehouse
from tests.conftest import FIXTURES, SHARED, run_cli
from warehouse import explorer as ex
from warehouse import summaries
from warehouse.backend import open_reader_for

pytestmark = pytest.mark.postgres


def _config(tmp_path: Path, dsn: str, name: str = "lake") -> tuple[Path, str]:
    """A sources file loading the seeds and the warehouse fixtures into a DuckLake; (file, spec)."""
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is missing")
    config = tmp_path / f"{name}.toml"
    config.write_text(f"""
[warehouse]
backend = "ducklake"
catalog = "postgres:{dsn}"
data_path = "{name}-files"

[[sources]]
name = "seeds"
kind = "files"
glob = "{SHARED / 'seeds' / '*.txt'}"

[[sources]]
name = "fixtures"
kind = "files"
glob = "{FIXTURES / 'warehouse' / '*.html'}"
""", encoding="utf-8")
    return config, f"ducklake:postgres:{dsn}#{tmp_path / (name + '-files')}/"


def test_config_section_is_validated(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[warehouse]\nbackend = "ducklake"\ncatalog = "postgres:dbname=x"\n\n'
                   '[[sources]]\nname = "a"\nkind = "files"\nglob = "*.txt"\n')
    result = run_cli("ingest", "--config", str(bad))
    assert result.returncode == 2 and "warehouse" in result.stderr and "data_path" in result.stderr


def test_ingest_into_ducklake_then_sql_search_export(postgres, tmp_path: Path) -> None:
    from flows.ingest import ingest

    config, spec = _config(tmp_path, postgres.createdb("lake_one"))
    first = ingest(config=str(config))
    assert first["state"] == "completed" and first["warehouse"] == spec
    again = ingest(config=str(config))
    assert sum(b["unchanged"] for b in again["by_source"].values()) == 8
    with open_reader_for(Warehouse.parse(spec)) as con:
        assert con.execute("SELECT count(*), count(DISTINCT article_id) FROM articles").fetchone() == (8, 8)
        assert con.execute("SELECT count(*) FROM runs WHERE state = 'completed'").fetchone()[0] == 2
        assert con.execute("SELECT count(DISTINCT run_id) FROM quality_checks").fetchone()[0] == 2
        # The explorer's copies are written to the lake by the index step and read while current.
        assert summaries.current(con) and ex._entities(con) == "store.explorer_entities"
        live = con.execute("SELECT entity_id, name, type, country, wikidata_id, articles FROM main.entities "
                           "ORDER BY articles DESC, name, entity_id LIMIT 25").fetchall()
        assert live and ex.entities_list(con).rows == live
        assert ex.stories_list(con).rows and ex.stories_list(con).rows == [r[:7] for r in con.execute(
            "SELECT story_id, title, first_published_at, first_outlet, outlet_count, article_count, original_count "
            "FROM main.stories ORDER BY first_published_at DESC NULLS LAST, story_id LIMIT 25").fetchall()]
    # The data is in the lake's Parquet files; the only DuckDB file is the lake's local search index.
    assert list((tmp_path / "lake-files").rglob("*.parquet"))
    assert [p.name for p in tmp_path.rglob("*.duckdb")] == ["lake-files.search.duckdb"]

    sql = run_cli("sql", "select outlet, count(*) as n from articles group by all order by all", "--format", "json",
                  "--warehouse", spec)
    assert sql.returncode == 0, sql.stderr
    assert {"outlet": "Warta Nusantara", "n": 2} in json.loads(sql.stdout)

    search = run_cli("search", "persenjataan produksi", "--format", "json", "--warehouse", spec)
    assert search.returncode == 0, search.stderr
    titles = [h["title"] for h in json.loads(search.stdout)]
    assert "Rusia dan Korea Utara Bahas Ekspor Persenjataan" in titles and len(titles) >= 6

    out = tmp_path / "export"
    export = run_cli("export", "--to", str(out), "--warehouse", spec)
    assert export.returncode == 0, export.stderr
    assert ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table().num_rows == 8
    assert pq.read_table(out / "runs.parquet").num_rows == 2


@pytest.mark.slow
def test_two_ingests_at_once_lose_and_duplicate_nothing(postgres, tmp_path: Path, cli_env: dict) -> None:
    config, spec = _config(tmp_path, postgres.createdb("lake_two"))
    kabar = str(Path(sys.executable).parent / "kabar")
    env = {**os.environ, **cli_env}
    procs = [subprocess.Popen([kabar, "ingest", "--config", str(config)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-2000:]
    with open_reader_for(Warehouse.parse(spec)) as con:
        assert con.execute("SELECT count(*), count(DISTINCT article_id) FROM articles").fetchone() == (8, 8)
        assert con.execute("SELECT count(*), count(DISTINCT (article_id, version)) FROM article_versions").fetchone() == (8, 8)
        runs = con.execute("SELECT state, new + duplicate + unchanged + updated FROM runs").fetchall()
        assert [r[0] for r in runs] == ["completed", "completed"]
        assert sum(r[1] for r in runs) == 16  # each run accounted for all 8 articles
        assert con.execute("SELECT count(*) FROM fetches").fetchone()[0] == 16
        assert con.execute("SELECT count(*) FROM store.enrichment_log").fetchone()[0] == con.execute(
            "SELECT count(DISTINCT (article_id, enricher)) FROM store.enrichment_log").fetchone()[0]

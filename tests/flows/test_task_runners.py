"""The `[run] task_runner = "dask"` option: fetch, extract and enrich batches on a Dask
LocalCluster give the same warehouse as the default runner."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from benchmarks.corpus import write_warc
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def _articles(path: Path) -> set[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return set(con.execute("SELECT article_id, canonical_url, content_hash, language, word_count FROM articles").fetchall())
    finally:
        con.close()


def test_dask_runner_loads_the_same_articles(tmp_path: Path) -> None:
    archive = write_warc(tmp_path / "berita.warc.gz", 60, paragraphs=(2, 5))
    results = {}
    for runner in ("default", "dask"):
        config = tmp_path / f"{runner}.toml"
        config.write_text(f'[run]\ntask_runner = "{runner}"\n\n[[sources]]\nname = "arsip"\nkind = "warc"\npath = "{archive}"\n')
        warehouse = tmp_path / runner / "kabar.duckdb"
        # small batches so several are in flight on the runner at once
        done = run_cli("ingest", "--config", str(config), "--warehouse", str(warehouse),
                       env={"CI": "1", "PREFECT_LOGGING_LEVEL": "INFO", "KABAR_BATCH_SIZE": "15"}, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        assert ("LocalCluster" in done.stdout + done.stderr) == (runner == "dask")
        results[runner] = _articles(warehouse)
    assert len(results["default"]) == 60
    assert results["dask"] == results["default"]

"""The run's wrap-up (tasks/wrapup.py): it lets the idle extraction workers go before its steps,
the main process's largest in memory (issue 11: the peak of a 3,000-page ingest)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from kabar.config import RunSettings, Warehouse
from tasks import extract_pool
from tasks.extract import extract_batch
from tasks.extract_pool import extract_in_workers
from tasks.wrapup import wrap_up
from tests.tasks.test_extract_pool import real_pages


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(") ", 1)[1][0] not in "ZX"  # a zombie is gone, not yet reaped
    except FileNotFoundError:
        return False


def test_the_wrap_up_stops_the_extraction_workers_and_a_later_run_extracts_again(
        tmp_path: Path, seeds_warehouse: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    shutil.copy(seeds_warehouse, path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        (run_id,), = con.execute("SELECT run_id FROM runs").fetchall()
    finally:
        con.close()
    batch = real_pages(2)
    extract_in_workers(batch, extract_batch)
    workers = extract_pool.worker_pids()
    assert workers, "no extraction worker started"

    search_index, quality, health = wrap_up(Warehouse.file(path), run_id, {}, {}, RunSettings())

    assert search_index["documents"] > 0 and quality and health["state"]
    assert [pid for pid in workers if _running(pid)] == [], "extraction workers left running after the wrap-up"
    assert extract_pool.worker_pids() == []
    articles, errors = extract_in_workers(batch, extract_batch)  # a later run in this process
    assert len(articles) + len(errors) == len(batch) and articles

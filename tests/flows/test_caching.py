"""Extraction and enrichment are cached on content: a rerun that extracts the same pages again
(``reextract``; a plain rerun does not extract unchanged bodies at all, tests/flows/test_unchanged.py)
takes them from the cache, a changed page is extracted again, and cached results keep this run's
fetch times."""

from __future__ import annotations

from pathlib import Path

import duckdb

from benchmarks.corpus import write_files
from kabar.config import Warehouse
from flows.ingest import ingest
from flows.runner import results_dir


def _task_states(flow_run_id) -> dict[str, str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return {run.name.rsplit("-", 1)[0]: run.state.name for run in runs}


def test_rerun_takes_extraction_and_enrichment_from_the_cache(tmp_path: Path) -> None:
    pages = tmp_path / "halaman"
    write_files(pages, 6)
    warehouse = tmp_path / "wh" / "kabar.duckdb"
    first = ingest(paths=[str(pages)], warehouse=str(warehouse), return_state=True)
    assert _task_states(first.state_details.flow_run_id)["extract"] == "Completed"
    assert any(results_dir(Warehouse.file(warehouse)).iterdir())  # results live beside the warehouse

    second = ingest(paths=[str(pages)], warehouse=str(warehouse), reextract=True, return_state=True)
    assert _task_states(second.state_details.flow_run_id)["extract"] == "Cached"
    assert second.result()["by_source"]["halaman"]["unchanged"] == 6

    changed = pages / "artikel-000002.html"
    changed.write_text(changed.read_text().replace("<p>", "<p>Pembaruan: ", 1))
    third = ingest(paths=[str(pages)], warehouse=str(warehouse), return_state=True)
    assert _task_states(third.state_details.flow_run_id)["extract"] == "Completed"
    assert third.result()["by_source"]["halaman"]["updated"] == 1

    con = duckdb.connect(str(warehouse), read_only=True)
    last_seen = con.execute("SELECT count(*) FROM articles WHERE last_seen_at > first_seen_at").fetchone()[0]
    con.close()
    assert last_seen == 6  # the cached batches carried this run's fetch times, not the first run's


def test_a_fresh_warehouse_beside_another_does_not_reuse_its_cache(tmp_path: Path) -> None:
    pages = tmp_path / "halaman"
    write_files(pages, 3)
    first = tmp_path / "wh" / "kabar.duckdb"
    ingest(paths=[str(pages)], warehouse=str(first))
    beside = tmp_path / "wh" / "lain.duckdb"
    state = ingest(paths=[str(pages)], warehouse=str(beside), return_state=True)
    assert _task_states(state.state_details.flow_run_id)["extract"] == "Completed"
    assert results_dir(Warehouse.file(first)) != results_dir(Warehouse.file(beside))


def _batch_key(context, parameters) -> str:
    return f"test-batch-{parameters['n']}"


def test_cached_batch_results_are_not_kept_in_memory_for_the_whole_run(tmp_path: Path) -> None:
    """Issue 11, bounded memory: Prefect keeps persisted results in a run-long in-memory LRU
    (1,000 records) unless told not to; every batch of a long run stayed in the process."""
    from prefect import flow, task
    from prefect.results import get_result_store

    from flows.runner import cached

    @task
    def batch(n: int) -> list[str]:
        return [f"artikel {n}-{i} " * 50 for i in range(200)]

    @flow
    def many_batches(warehouse: str) -> tuple[int, int]:
        step = cached(batch, Warehouse.file(Path(warehouse)), _batch_key)
        sizes = [len(step(n)) for n in range(3)]
        return sum(sizes), len(get_result_store().cache)

    total, kept = many_batches(str(tmp_path / "wh" / "kabar.duckdb"))
    assert total == 600  # the batches' results reached the flow
    assert kept == 0  # and none stayed in Prefect's in-memory result cache
    assert len(list(results_dir(Warehouse.file(tmp_path / "wh" / "kabar.duckdb")).iterdir())) == 3  # persisted instead

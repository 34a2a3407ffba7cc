"""SIGTERM on `kabar ingest` under the Dask task runner (issue 17): a file of its own so the two
test workers share the whole-process signal tests (tests/file_costs.json)."""

from __future__ import annotations

import signal
from pathlib import Path

import duckdb
import pytest

from benchmarks.corpus import write_warc
from benchmarks.interrupt import ingest_env, stop_ingest


@pytest.mark.slow
def test_a_sigterm_stops_an_ingest_on_the_dask_runner(tmp_path: Path) -> None:
    """Under `[run] task_runner = "dask"` (a LocalCluster of worker processes) a SIGTERM records
    the run interrupted, closes the cluster and leaves no process behind. prefect-dask serialises
    each task's context with pydantic, which reported a SIGTERM landing there with no cause: the
    run was recorded failed with a traceback until recorded_run read the signal from its message."""
    archive = write_warc(tmp_path / "berita.warc.gz", 600, paragraphs=(6, 14))
    config = tmp_path / "dask.toml"
    config.write_text(f'[run]\ntask_runner = "dask"\n\n[[sources]]\nname = "arsip"\nkind = "warc"\npath = "{archive}"\n')
    warehouse = tmp_path / "wh" / "kabar.duckdb"
    warehouse.parent.mkdir()
    # The session's Prefect API, not a temporary one of its own: what this test is about is the
    # Dask cluster and the signal read through prefect-dask's serialisation; stopping Prefect's
    # temporary server on SIGTERM is tests/flows/test_interrupt.py's, and a second temporary
    # server here cost another ~14 CPU s and its start-up on the suite's critical path.
    from prefect.settings import PREFECT_API_URL

    assert PREFECT_API_URL.value(), "the session's Prefect API is not set"
    env = {**ingest_env(tmp_path / "home"), "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    stopped = stop_ingest(None, warehouse, tmp_path / "ingest.log", env, config=config)
    assert "LocalCluster" in stopped.log
    assert stopped.loads_before >= 2, "the run ended before batches were loading:\n" + stopped.log[-3000:]
    assert stopped.code == 128 + signal.SIGTERM, stopped.log[-3000:]
    assert stopped.left == [], f"processes left running after the ingest exited: {stopped.left}"
    assert "Traceback" not in stopped.log, stopped.log[-3000:]
    con = duckdb.connect(str(warehouse))
    try:
        (run_id, state, message, new), = con.execute("SELECT run_id, state, message, new FROM runs").fetchall()
    finally:
        con.close()
    assert state == "interrupted" and "stopped by SIGTERM" in message and 0 < new < 600
    assert f"(run {run_id} is recorded as interrupted)" in stopped.log

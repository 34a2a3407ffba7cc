"""A warehouse with the seeds and tests/fixtures/warehouse ingested once per session (read-only use)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, prefect_harness, seeds_warehouse: Path) -> Path:
    """Path of a warehouse holding the 5 seeds (undated) and 3 dated fixture articles: a copy of
    the worker's seeds warehouse (tests/conftest.py, the same first run), then the fixtures.

    Tests must not write to it; copy it first (``shutil.copy``) to change it."""
    import shutil

    from flows.ingest import ingest

    path = tmp_path_factory.mktemp("seeded") / "kabar.duckdb"
    shutil.copy(seeds_warehouse, path)
    summary = ingest(paths=[str(FIXTURES / "warehouse")], warehouse=str(path))
    assert summary["state"] == "completed", summary
    return path


@pytest.fixture(scope="session")
def cli_env(prefect_harness) -> dict[str, str]:
    """Environment for `kabar` subprocesses: use the session's Prefect API instead of starting a
    temporary server each (that start-up timed out on the loaded 2-core machine)."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    return {"PREFECT_API_URL": url} if url else {}

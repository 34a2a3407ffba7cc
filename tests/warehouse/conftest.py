"""A warehouse with the seeds and tests/fixtures/warehouse ingested once per session (read-only use)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SHARED


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, prefect_harness) -> Path:
    """Path of a warehouse holding the 5 seeds (undated) and 3 dated fixture articles.

    Tests must not write to it; copy it first (``shutil.copy``) to change it."""
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is missing (the shared corpus beside the project root)")
    from flows.ingest import ingest

    path = tmp_path_factory.mktemp("seeded") / "kabar.duckdb"
    for target in (SHARED / "seeds", FIXTURES / "warehouse"):
        summary = ingest(paths=[str(target)], warehouse=str(path))
        assert summary["state"] == "completed", summary
    return path


@pytest.fixture(scope="session")
def cli_env(prefect_harness) -> dict[str, str]:
    """Environment for `kabar` subprocesses: use the session's Prefect API instead of starting a
    temporary server each (that start-up timed out on the loaded 2-core machine)."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    return {"PREFECT_API_URL": url} if url else {}

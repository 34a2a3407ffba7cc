"""Shared fixtures: a real local web site, warehouse paths under tmp_path, a Prefect harness."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.site import TestSite

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).parent / "fixtures"

# What each test file cost in a whole `make test` run (seconds, `--durations=0` summed by file,
# 2 cores); only the order files are handed to the workers depends on it.
FILE_COSTS = Path(__file__).with_name("file_costs.json")


def pytest_configure(config: pytest.Config) -> None:
    # xdist's --dist loadfile hands files out largest test count first (--loadscope-reorder,
    # its default), so the long files of one or two tests (crash safety, the real Prefect
    # server, interrupts) started last and one worker ran them alone while the other sat idle.
    # Keep the order pytest_collection_modifyitems sets instead: the costliest file first.
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files in order of their recorded cost, costliest first (longest-processing-time-first
    keeps the two workers' ends close); a file not recorded yet counts as a median one. The
    order of the tests inside a file is kept (a stable sort)."""
    costs = json.loads(FILE_COSTS.read_text(encoding="utf-8")) if FILE_COSTS.exists() else {}
    known = sorted(costs.values())
    median = known[len(known) // 2] if known else 0.0
    items.sort(key=lambda item: -costs.get(item.nodeid.split("::")[0], median))


# Tests name their warehouses themselves: one inherited from the shell would override them.
os.environ.pop("KABAR_WAREHOUSE", None)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@pytest.fixture(scope="session", autouse=True)
def prefect_harness(tmp_path_factory: pytest.TempPathFactory):
    """One temporary Prefect API (SQLite under tmp) for the whole session, or the server at
    $PREFECT_API_URL when one is configured (its start-up is then not paid per session: on a
    loaded 2-core machine the temporary one missed its 120 s start-up limit)."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.testing.utilities import prefect_test_harness

    # a loaded 2-core machine needed more than 120 s to start it (KABAR_TEST_PREFECT_STARTUP_S)
    with prefect_test_harness(server_startup_timeout=int(os.environ.get("KABAR_TEST_PREFECT_STARTUP_S", "600"))):
        yield


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL on a free loopback port for the session (installed with apt-get when
    missing); the tests using it are skipped, saying why, only when it cannot be had."""
    from tests.pg import PostgresUnavailable, start_postgres

    server = start_postgres()
    try:
        pg = server.__enter__()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL is unavailable: {exc}")
    try:
        yield pg
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def site() -> TestSite:
    """The fixture web site (tests/fixtures/site) on 127.0.0.1:<free port>."""
    with TestSite(FIXTURES / "site") as server:
        yield server


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse file path under tmp_path (not created)."""
    return tmp_path / "wh" / "kabar.duckdb"


@pytest.fixture
def shared() -> Path:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is missing (the shared corpus beside the project root)")
    return SHARED


def query(warehouse: Path | str, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of ``sql`` on a warehouse file, read-only; the connection is closed before returning."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def write_sources(directory: Path, text: str) -> Path:
    """``text`` written as ``directory/sources.toml``; returns its path."""
    path = directory / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 300):
    """Run the real `kabar` console script in a subprocess; returns the CompletedProcess.

    The subprocess uses the session's Prefect API unless ``env`` names one (``""``: Prefect's
    own temporary server, for the tests of that path): a temporary server per command costs
    about 13 CPU s, which on 2 cores made up much of the suite's time."""
    full_env = {**os.environ, **(env or {})}
    if "PREFECT_API_URL" not in full_env:
        from prefect.settings import PREFECT_API_URL

        if PREFECT_API_URL.value():
            full_env["PREFECT_API_URL"] = PREFECT_API_URL.value()
    exe = Path(sys.executable).parent / "kabar"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=full_env,
                          cwd=cwd or ROOT, timeout=timeout)

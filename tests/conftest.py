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
    keeps the workers' ends close); a file not recorded yet counts as a median one. The
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


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """In the xdist controller (or a run without xdist), before xdist spawns its workers: they
    inherit $PREFECT_API_URL naming the session's Prefect API (see _start_session_server)."""
    config = session.config
    if os.environ.get("PYTEST_XDIST_WORKER") or os.environ.get("PREFECT_API_URL") or config.option.collectonly:
        return
    config.add_cleanup(_start_session_server())


def _start_session_server():
    """Start the session's Prefect API (the same uvicorn app and SQLite database as
    ``prefect_test_harness`` starts) in the background, once for the whole run: in the xdist
    controller before it spawns the workers, which inherit $PREFECT_API_URL from it.

    Before, each of the two workers started its own temporary API at its first test and waited
    for it (29-35 s each on a loaded 2-core machine, both at once, with the two workers' imports
    competing for the same cores). Now one starts while the workers are still starting up and
    collecting, and the workers only wait for what is left of its start-up (``prefect_harness``).
    Returns the function that stops it."""
    import shutil
    import tempfile

    from tests.prefect_server import free_port

    home = Path(tempfile.mkdtemp(prefix="kabar-test-prefect-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        "PREFECT_HOME": str(home), "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
        # what prefect.server.api.server.SubprocessASGIServer sets for the harness's server
        "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1",
    })
    import importlib.util

    log = open(home / "server.log", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(importlib.util.find_spec("prefect").origin).parent.parent),
         "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "error", "--lifespan", "on"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop() -> None:
        from tests.prefect_server import stop as stop_process

        stop_process(process)
        log.close()
        shutil.rmtree(home, ignore_errors=True)

    os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    os.environ[SESSION_SERVER] = str(home)
    return stop


#: Set (to the server's home) in the processes that use the session's background Prefect API.
SESSION_SERVER = "KABAR_TEST_PREFECT_SERVER"


def _wait_for_session_server(timeout_s: float) -> None:
    import time

    import httpx

    url = os.environ["PREFECT_API_URL"] + "/health"
    log = Path(os.environ[SESSION_SERVER]) / "server.log"
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            said = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"the session's Prefect API at {url} did not start in {timeout_s:.0f} s:\n{said}")
        time.sleep(0.2)


@pytest.fixture(scope="session", autouse=True)
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A Prefect home (profiles, local storage) of the session's own, never the user's."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))


@pytest.fixture(scope="session", autouse=True)
def prefect_harness(prefect_home: None):
    """The session's Prefect API: one for the whole run, started in the background before the
    test workers (pytest_sessionstart), or the server at $PREFECT_API_URL when one is configured.
    A test file that never talks to it (its processes start their own) replaces this fixture
    with a no-op of the same name, so its worker does not wait for the API's start-up."""
    if os.environ.get(SESSION_SERVER):
        # a loaded 2-core machine needed more than 120 s to start it (KABAR_TEST_PREFECT_STARTUP_S)
        _wait_for_session_server(float(os.environ.get("KABAR_TEST_PREFECT_STARTUP_S", "600")))
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


@pytest.fixture(scope="session")
def seeds_warehouse(tmp_path_factory: pytest.TempPathFactory, prefect_harness) -> Path:
    """Path of a warehouse holding the five seeds of ../shared/seeds, ingested once per test
    worker. Read it only; copy it first (``shutil.copy``) to change it.

    Four files each ingested the same five seeds into a warehouse of their own before (a flow
    run, the migrations and the enrichers each time) for tests that only read the result or
    copy it; the ingest of the seeds itself is tested in tests/flows/test_ingest_seeds.py."""
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"{SHARED / 'seeds'} is missing (the shared corpus beside the project root)")
    from flows.ingest import ingest

    path = tmp_path_factory.mktemp("seeds-only") / "kabar.duckdb"
    summary = ingest(paths=[str(SHARED / "seeds")], warehouse=str(path))
    assert summary["state"] == "completed", summary
    return path


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


def run_main(*args: str) -> subprocess.CompletedProcess:
    """``kabar ARGS`` through ``kabar.cli.main`` in this process, stdout and stderr captured;
    returns a CompletedProcess like :func:`run_cli`'s (argparse's exits give their code).

    For tests about what a command prints and returns, not about its process: a `kabar`
    subprocess pays Python's start and the command's imports each time (`kabar extract` imports
    Prefect: about 8 CPU s a call), which across the suite's read-command tests added up. An
    exception main() does not turn into a one-line error escapes and fails the test, as a
    traceback on the subprocess's stderr would. Tests of a whole process (exit on a signal,
    terminal detection, imports) keep :func:`run_cli`."""
    import contextlib
    import io
    import signal

    from kabar.cli import main

    out, err = io.StringIO(), io.StringIO()
    environ = dict(os.environ)  # main() sets Prefect's defaults in os.environ; keep the test's
    # `kabar ingest` and `kabar serve` install their stop handlers: give the test's back after
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.environ.clear()
        os.environ.update(environ)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return subprocess.CompletedProcess(["kabar", *args], code, out.getvalue(), err.getvalue())

"""Concurrent use of one DuckDB warehouse by real processes: the run lock, waiting, readers."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import FIXTURES, run_cli
from tests.site import Response
from tests.site import TestSite as Site
from warehouse import runlock
from warehouse.connection import WarehouseError

PAGE = (FIXTURES / "warehouse" / "ekspor-senjata.html").read_text(encoding="utf-8")
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>{base}/</link>
<item><title>Ekspor</title><link>{base}/slow.html</link></item></channel></rss>"""


def _kabar() -> str:
    return str(Path(sys.executable).parent / "kabar")


def _wait_for(condition, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.slow
def test_second_writer_busy_or_waits_and_readers_work_during_a_run(tmp_path: Path, cli_env: dict) -> None:
    path = tmp_path / "kabar.duckdb"
    gate = threading.Event()

    def slow_page(handler) -> None:
        gate.wait(240)  # holds run A in its fetch stage (run lock held) until the test lets go
        Response(PAGE)(handler)

    with Site(None) as site:
        # text/plain: the foundation's fetch drops bodies of XML content types before discovery
        # reads them (tasks/fetch.py check_content_type), so an application/xml feed lists nothing.
        site.routes["/feed.xml"] = Response(FEED.format(base=site.base_url),
                                            headers={"Content-Type": "text/plain"})
        site.routes["/slow.html"] = slow_page
        args = [_kabar(), "ingest", site.url("/feed.xml"), "--allow-host", site.host, "--warehouse", str(path)]
        env = {**__import__("os").environ, **cli_env}
        first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            _wait_for(lambda: "/slow.html" in site.paths_requested() or first.poll() is not None, "run A to fetch")
            assert first.poll() is None, first.communicate()
            holder = runlock.read_lock(path)
            assert holder and holder["pid"] == first.pid

            busy = run_cli("ingest", site.url("/feed.xml"), "--allow-host", site.host, "--warehouse", str(path),
                           env=cli_env)
            assert busy.returncode == 1
            assert f"warehouse busy: run {holder['run_id']} started at {holder['started_at']}" in busy.stderr
            # One line, asked before Prefect starts: no failed flow's tracebacks.
            assert len(busy.stderr.strip().splitlines()) == 1 and "Traceback" not in busy.stderr, busy.stderr

            waiter = subprocess.Popen(args + ["--wait", "300"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=env)
            reader = run_cli("sql", "select run_id, state from runs", "--format", "json", "--warehouse", str(path),
                             env=cli_env)
            assert reader.returncode == 0, reader.stderr
            assert json.loads(reader.stdout) == [{"run_id": holder["run_id"], "state": "running"}]
            assert waiter.poll() is None  # still waiting for run A
        finally:
            gate.set()
            out, err = first.communicate(timeout=300)
        assert first.returncode == 0, err
        out2, err2 = waiter.communicate(timeout=300)
        assert waiter.returncode == 0, err2
    con = duckdb.connect(str(path), read_only=True)
    runs = con.execute("SELECT run_id, state, started_at, finished_at, new, unchanged FROM runs ORDER BY started_at").fetchall()
    assert [r[1] for r in runs] == ["completed", "completed"]
    assert runs[0][0] == holder["run_id"] and runs[1][2] >= runs[0][3]  # B started after A finished
    assert (runs[0][4], runs[1][5]) == (1, 1)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert not runlock.lock_path(path).exists()


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    dead = subprocess.Popen(["true"])
    dead.wait()
    runlock.lock_path(path).write_text(json.dumps(
        {"run_id": "ghost", "started_at": "2024-01-01T00:00:00+00:00", "host": __import__("socket").gethostname(),
         "pid": dead.pid}))
    runlock.acquire(path, "mine")
    assert runlock.read_lock(path)["run_id"] == "mine"
    with pytest.raises(WarehouseError, match="warehouse busy: run mine started at"):
        runlock.acquire(path, "other", wait_s=0.3)
    runlock.release(path, "other")  # not the holder: no effect
    assert runlock.read_lock(path)["run_id"] == "mine"
    runlock.release(path, "mine")
    assert runlock.read_lock(path) is None

"""Issue 16 against a real Prefect server and process worker on 127.0.0.1: an all-failing run is
Failed in Prefect and calls the webhook; a `paths` run touches no configured source; a deployed
run without a warehouse parameter writes outside the clone; source health flags a feed that
stops answering; `kabar worker` and `kabar serve` stop on one SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT
from tests.newsroom import newsroom
from tests.prefect_server import BIN, PrefectServer
from tests.site import Response, TestSite

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def prefect_harness():
    """Replaces the session's temporary Prefect API (tests/conftest.py): everything here talks to
    the real server below through subprocesses, and on a loaded machine the temporary API's
    start-up alone could time out."""
    yield


def ignore_sigint() -> None:
    """What a background job of a non-interactive shell (cron, a script's `&`) starts with."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory):
    """A server with kabar's deployments and a `kabar worker` started as a background job would be;
    yields (server, worker process, the worker's data dir)."""
    home = tmp_path_factory.mktemp("prefect-health")
    with PrefectServer(home) as server:
        done = server.run(str(BIN / "kabar"), "deploy", cwd=ROOT, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        data_dir = home / "user-data"
        worker = subprocess.Popen(
            [str(BIN / "kabar"), "worker", "--pool", "kabar"], cwd=home, env={**server.env, "KABAR_DATA_DIR": str(data_dir)},
            stdout=open(home / "worker.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=ignore_sigint)
        server.processes.append(worker)
        yield server, worker, data_dir


def run_deployment(server: PrefectServer, params: dict) -> dict:
    triggered = server.run(str(BIN / "prefect"), "deployment", "run", "ingest/manual", "--params", json.dumps(params))
    assert triggered.returncode == 0, triggered.stdout + triggered.stderr
    flow_run_id = re.search(r"UUID:\s*([0-9a-f-]{36})", triggered.stdout).group(1)
    return server.wait_flow_run(flow_run_id)


def feed_config(path: Path, site: TestSite, hook: str | None = None) -> Path:
    notify = f'[notify]\nwebhook_url = "{hook}"\n' if hook else ""
    path.write_text(
        f'{notify}[fetch]\nretries = 0\ntimeout = 5\nallow_hosts = ["{site.host}"]\n\n'
        f'[[sources]]\nname = "lokal"\nkind = "feed"\nurl = "{site.url("/rss.xml")}"\n', encoding="utf-8")
    return path


def test_an_all_failing_run_is_failed_in_prefect_and_calls_the_webhook(deployed, tmp_path: Path) -> None:
    server, _, _ = deployed
    received: list[dict] = []

    def hook(handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        received.append(json.loads(handler.rfile.read(length)))
        Response("ok")(handler)

    warehouse = tmp_path / "wh" / "kabar.duckdb"
    with newsroom(3) as site:
        for index in range(3):
            site.routes[f"/berita/{index}.html"] = Response("gone", status=404)
        site.routes["/hook"] = hook
        config = feed_config(tmp_path / "sources.toml", site, site.url("/hook"))
        run = run_deployment(server, {"config": str(config), "warehouse": str(warehouse)})
        deadline = time.monotonic() + 30
        while not received and time.monotonic() < deadline:
            time.sleep(0.5)
    assert run["state"]["type"] == "FAILED", server.log("worker.log")[-3000:]
    assert "nothing could be fetched or extracted" in run["state"]["message"]
    assert received and received[0]["state"] == "Failed" and "lokal failing" in received[0]["text"]
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT state FROM runs").fetchall() == [("failed",)]
    con.close()


def test_a_paths_run_touches_no_configured_source_and_writes_outside_the_clone(deployed, tmp_path: Path) -> None:
    server, _, data_dir = deployed
    pages = tmp_path / "pages"
    pages.mkdir()
    for index in range(2):
        (pages / f"berita-{index}.html").write_text(
            f"<html><head><title>Banjir di desa {index}</title></head><body><article><h1>Banjir di desa {index}</h1>"
            + "".join(f"<p>Warga desa {index} mengungsi ke balai desa setelah hujan deras kalimat {n}.</p>" for n in range(8))
            + "</article></body></html>", encoding="utf-8")
    clone_data = ROOT / "data" / "kabar.duckdb"
    before = clone_data.stat().st_mtime if clone_data.exists() else None
    with TestSite(None) as recorder:
        config = feed_config(tmp_path / "sources.toml", recorder)
        run = run_deployment(server, {"config": str(config), "paths": [str(pages)]})  # no warehouse parameter
        requested = recorder.paths_requested()
    assert run["state"]["type"] == "COMPLETED", server.log("worker.log")[-3000:]
    assert requested == []  # the configured feed was not touched
    warehouse = data_dir / "kabar.duckdb"  # the worker's KABAR_DATA_DIR, not the clone
    assert warehouse.exists()
    assert (clone_data.stat().st_mtime if clone_data.exists() else None) == before
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    assert con.execute("SELECT DISTINCT source FROM fetches").fetchall() == [("pages",)]
    con.close()


def test_source_health_flags_a_feed_that_stops_answering(deployed, tmp_path: Path) -> None:
    server, _, _ = deployed
    warehouse = tmp_path / "wh" / "kabar.duckdb"
    with newsroom(2) as site:
        config = feed_config(tmp_path / "sources.toml", site)
        params = {"config": str(config), "warehouse": str(warehouse)}
        assert run_deployment(server, params)["state"]["type"] == "COMPLETED"
        site.routes["/rss.xml"] = Response("unavailable", status=503)
        assert run_deployment(server, params)["state"]["type"] == "FAILED"
    shown = subprocess.run([str(BIN / "kabar"), "sources", "--warehouse", str(warehouse)],
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 1, shown.stdout + shown.stderr
    line = next(l for l in shown.stdout.splitlines() if l.startswith("lokal"))
    assert "started_failing" in line and "503" in line


def test_the_worker_stops_on_one_sigterm(deployed) -> None:
    server, worker, _ = deployed
    assert worker.poll() is None
    worker.send_signal(signal.SIGTERM)
    try:
        code = worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the worker ignored SIGTERM:\n" + server.log("worker.log")[-2000:])
    assert code != -signal.SIGKILL


def test_kabar_serve_stops_on_one_sigterm(deployed, tmp_path: Path) -> None:
    server, _, _ = deployed
    with newsroom(1) as site:
        config = feed_config(tmp_path / "sources.toml", site)
        served = subprocess.Popen(
            [str(BIN / "kabar"), "serve", "--config", str(config), "--warehouse", str(tmp_path / "kabar.duckdb")],
            cwd=tmp_path, env=server.env, stdout=open(tmp_path / "serve.log", "ab"), stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=ignore_sigint)
        server.processes.append(served)
        deadline = time.monotonic() + 120
        while "serving 4 deployments" not in (tmp_path / "serve.log").read_text() and time.monotonic() < deadline:
            assert served.poll() is None, (tmp_path / "serve.log").read_text()
            time.sleep(0.5)
        served.send_signal(signal.SIGTERM)
        try:
            code = served.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("kabar serve ignored SIGTERM:\n" + (tmp_path / "serve.log").read_text()[-2000:])
    assert code == 0, (tmp_path / "serve.log").read_text()[-2000:]

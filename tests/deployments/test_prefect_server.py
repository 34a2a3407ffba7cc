"""deployments/prefect.yaml against a real Prefect server: deploy, a process worker, a manual
run with parameters over a local site, the nightly schedule's timezone, and `kabar serve`."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from tests.conftest import ROOT
from tests.newsroom import newsroom, sources_file
from tests.prefect_server import BIN, PrefectServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def prefect_harness():
    """Replaces the session's Prefect API (tests/conftest.py), which this file never uses:
    everything here talks to the real server below through subprocesses; its worker need not
    wait for that API's start-up."""
    yield


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with PrefectServer(tmp_path_factory.mktemp("prefect-server")) as running:
        yield running


def _scheduled_starts(server: PrefectServer, deployment_id: str, timeout_s: float = 90) -> list[datetime]:
    """Expected start times of the deployment's scheduled runs (waits for the scheduler)."""
    deadline = time.monotonic() + timeout_s
    while True:
        runs = server.post("/flow_runs/filter", {
            "deployments": {"id": {"any_": [deployment_id]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}, "limit": 10})
        if runs or time.monotonic() > deadline:
            return [datetime.fromisoformat(r["expected_start_time"].replace("Z", "+00:00")) for r in runs]
        time.sleep(2)


def _assert_nightly_at_two_in_jakarta(server: PrefectServer) -> None:
    nightly = server.get("/deployments/name/ingest/nightly")
    schedules = [s["schedule"] for s in nightly["schedules"]]
    assert schedules == [{"cron": "0 2 * * *", "timezone": "Asia/Jakarta", "day_or": True}]
    starts = _scheduled_starts(server, nightly["id"])
    assert starts, "the scheduler created no nightly runs"
    local = [s.astimezone(ZoneInfo("Asia/Jakarta")) for s in starts]
    assert {(t.hour, t.minute) for t in local} == {(2, 0)}
    assert {(s.astimezone(ZoneInfo("UTC")).hour) for s in starts} == {19}


def test_deploy_worker_and_manual_run(server: PrefectServer, tmp_path: Path) -> None:
    deployed = server.run(str(BIN / "kabar"), "deploy", cwd=ROOT, timeout=300)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    for name in ("nightly", "manual", "backfill", "reenrich"):
        flow_name = name if name in ("backfill", "reenrich") else "ingest"
        deployment = server.get(f"/deployments/name/{flow_name}/{name}")
        assert deployment["work_pool_name"] == "kabar" and deployment["work_queue_name"] == "writers"
        assert deployment["enforce_parameter_schema"] is True
        limit = deployment.get("global_concurrency_limit") or {}
        assert limit.get("limit") == 1 or deployment.get("concurrency_limit") == 1
    queue = server.get("/work_pools/kabar/queues/writers")
    assert queue["concurrency_limit"] == 1
    _assert_nightly_at_two_in_jakarta(server)

    warehouse = tmp_path / "wh" / "kabar.duckdb"
    worker = server.start(str(BIN / "prefect"), "worker", "start", "--pool", "kabar", log="worker.log", cwd=tmp_path)
    with newsroom(6) as site:
        config = sources_file(tmp_path / "sources.toml", site)
        params = {"config": str(config), "sources": ["lokal"], "since": "2024-05-02T00:00:00+07:00",
                  "until": "2024-05-06T00:00:00+07:00", "limit": 3, "warehouse": str(warehouse),
                  "allow_hosts": [site.host]}
        triggered = server.run(str(BIN / "prefect"), "deployment", "run", "ingest/manual", "--params", json.dumps(params))
        assert triggered.returncode == 0, triggered.stdout + triggered.stderr
        flow_run_id = re.search(r"UUID:\s*([0-9a-f-]{36})", triggered.stdout).group(1)
        run = server.wait_flow_run(flow_run_id)
        assert run["state"]["type"] == "COMPLETED", server.log("worker.log")[-4000:]
        assert worker.poll() is None
        requested = site.paths_requested()
    assert run["name"] == "ingest[lokal]"
    # since/until keep items 1..4 (2-5 May); limit keeps the first three of them
    assert sorted(p for p in requested if p.startswith("/berita/")) == ["/berita/1.html", "/berita/2.html", "/berita/3.html"]
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT count(*), count(DISTINCT article_id) FROM articles").fetchone() == (3, 3)
    assert con.execute("SELECT state FROM runs").fetchall() == [("completed",)]
    con.close()
    artifacts = server.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}})
    keys = {a["key"]: a for a in artifacts}
    assert {"kabar-ingest-report", "kabar-ingest-sources"} <= set(keys)
    assert "| lokal | 3 | 3 | 3 | 0 | 0 | 0 |" in keys["kabar-ingest-report"]["data"]


def test_kabar_serve_shows_and_keeps_the_jakarta_schedule(server: PrefectServer, tmp_path: Path) -> None:
    with newsroom(2) as site:
        config = sources_file(tmp_path / "sources.toml", site)
        served = server.start(str(BIN / "kabar"), "serve", "--config", str(config),
                              "--warehouse", str(tmp_path / "wh" / "kabar.duckdb"), log="serve.log", cwd=tmp_path)
        deadline = time.monotonic() + 120
        while "serving 4 deployments" not in server.log("serve.log") and time.monotonic() < deadline:
            assert served.poll() is None, server.log("serve.log")
            time.sleep(0.5)
        output = server.log("serve.log")
        assert re.search(r"nightly\s+cron '0 2 \* \* \*' \(Asia/Jakarta\); next run \d{4}-\d\d-\d\d 02:00 Asia/Jakarta", output), output
        # serve registers its deployments with the schedule's timezone kept
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            nightly = server.get("/deployments/name/ingest/nightly")
            if nightly["parameters"].get("config") == str(config):
                break
            time.sleep(1)
        assert nightly["parameters"]["config"] == str(config)  # registered by `kabar serve`
        _assert_nightly_at_two_in_jakarta(server)
        assert served.poll() is None

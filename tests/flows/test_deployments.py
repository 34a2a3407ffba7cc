"""deployments/prefect.yaml as `kabar serve` reads it, and the CLI's schedule output."""

from __future__ import annotations

from datetime import datetime, timezone

from flows.deployments import next_runs, read_specs, runner_deployments, schedule_lines
from tests.conftest import run_cli


def test_four_writer_deployments_with_limits() -> None:
    specs = {s.name: s for s in read_specs()}
    assert set(specs) == {"nightly", "manual", "backfill", "reenrich"}
    assert all(s.concurrency_limit == 1 and s.enforce_parameter_schema for s in specs.values())
    assert specs["nightly"].schedules == [{"cron": "0 2 * * *", "timezone": "Asia/Jakarta", "active": True}]
    assert [n for n, s in specs.items() if s.schedules] == ["nightly"]


def test_runner_deployments_keep_the_timezone() -> None:
    deployments = {d.name: d for d in runner_deployments(read_specs(), {"config": "/srv/kabar/sources.toml"})}
    schedule = deployments["nightly"].schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("0 2 * * *", "Asia/Jakarta")
    assert deployments["manual"].parameters == {"config": "/srv/kabar/sources.toml"}
    assert "config" not in deployments["reenrich"].parameters  # the reenrich flow takes no config


def test_next_run_is_two_in_jakarta() -> None:
    after = datetime(2024, 5, 1, 20, 0, tzinfo=timezone.utc)  # 03:00 on 2 May in Jakarta
    first = next_runs("0 2 * * *", "Asia/Jakarta", 1, after)[0]
    assert first.isoformat() == "2024-05-03T02:00:00+07:00"
    assert "next run 2024-05-03 02:00 Asia/Jakarta = 2024-05-02 19:00 UTC" in schedule_lines(read_specs(), after)[0]


def test_serve_show_prints_the_schedule() -> None:
    done = run_cli("serve", "--show", "--config", "sources.toml")
    assert done.returncode == 0, done.stderr
    assert "nightly   cron '0 2 * * *' (Asia/Jakarta); next run" in done.stdout
    assert " 02:00 Asia/Jakarta = " in done.stdout and " 19:00 UTC" in done.stdout


def test_deploy_without_a_server_is_a_user_error() -> None:
    done = run_cli("deploy", env={"PREFECT_API_URL": ""})
    assert done.returncode == 2 and "no Prefect server" in done.stderr


def test_reenrich_deployment_runs_the_enrich_flow(seeds_warehouse, tmp_path) -> None:
    """The `reenrich` deployment's entry point delegates to flows/enrich.py over the warehouse."""
    import shutil

    import duckdb

    from flows.reenrich import reenrich

    warehouse = tmp_path / "kabar.duckdb"
    shutil.copy(seeds_warehouse, warehouse)  # the worker's seeds warehouse (tests/conftest.py)
    state = reenrich(warehouse=str(warehouse), force=True, return_state=True)
    assert state.is_completed(), state
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM runs WHERE flow = 'enrich' AND state = 'completed'").fetchone()[0] == 1
    finally:
        con.close()


def test_reenrich_deployment_passes_enrichers_and_limit(seeds_warehouse, tmp_path) -> None:
    """The deployment's ``enrichers`` and ``limit`` reach the enrich flow (they were dropped, so
    naming one enricher re-ran all of them over every article)."""
    import shutil

    from flows.reenrich import reenrich

    warehouse = tmp_path / "kabar.duckdb"
    shutil.copy(seeds_warehouse, warehouse)
    summary = reenrich(warehouse=str(warehouse), enrichers=["language"], force=True, limit=2)
    assert summary["by_enricher"] == {"language": 2}
    assert set(summary["versions"]) == {"language"}

"""A time budget per run (issue 17): `[run] max_run_minutes` / `kabar ingest --max-minutes`.

Once the budget is spent no new batch starts, the batches in flight are loaded, the items not
attempted are recorded (stage ``not_attempted``, counted as skipped), the run ends
completed_with_errors naming the budget, and the next run picks the rest up."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from flows.ingest import ingest
from kabar.cli import main
from kabar.config import ConfigError, load_sources
from kabar.health import RunUnhealthy
from tests.conftest import query
from tests.newsroom import config_for, newsroom
from tests.site import Response, TestSite

PAGES = 8


def test_a_spent_budget_records_what_was_left_and_the_next_run_takes_it_up(tmp_path: Path, capsys) -> None:
    warehouse = tmp_path / "wh" / "kabar.duckdb"
    with newsroom(PAGES) as site:
        config = config_for(tmp_path / "sources.toml", site)
        # a budget spent before the first batch (discovery alone takes longer): nothing is attempted
        code = main(["ingest", "--config", str(config), "--warehouse", str(warehouse), "--max-minutes", "0.0001"])
        out, err = capsys.readouterr()
        assert code == 1 and "Traceback" not in err
        assert "completed_with_errors" in out.splitlines()[0]
        assert "run time budget of 0.0001 min used up" in out
        assert [p for _, p, _ in site.requests if p.startswith("/berita/")] == []
        (state, message, fetched, skipped, failed), = query(
            warehouse, "SELECT state, message, fetched, skipped, failed FROM runs")
        assert state == "completed_with_errors"
        assert f"{PAGES} of {PAGES} items not attempted (left for the next run)" in message
        assert (fetched, skipped, failed) == (0, PAGES, 0)
        left = query(warehouse, "SELECT url, error FROM stage_errors WHERE stage = 'not_attempted' ORDER BY url")
        assert len(left) == PAGES and all("time budget" in error for _, error in left)
        assert query(warehouse, "SELECT count(*) FROM frontier WHERE url LIKE '%/berita/%'") == [(0,)]
        # the next run, without a budget, fetches and stores every article the first one left
        assert main(["ingest", "--config", str(config), "--warehouse", str(warehouse)]) == 0
    assert query(warehouse, "SELECT count(*), count(DISTINCT canonical_url) FROM articles") == [(PAGES, PAGES)]
    assert query(warehouse, "SELECT state, new FROM runs ORDER BY started_at DESC LIMIT 1") == [("completed", PAGES)]


def test_batches_in_flight_when_the_budget_runs_out_are_loaded(tmp_path: Path) -> None:
    """Batches of 2; the first two batches' pages answer after the 6 s budget has passed, so
    (unless discovery alone took 6 s on a loaded machine) those two batches, already in flight,
    are loaded, and the last two are never started."""
    warehouse = tmp_path / "wh" / "kabar.duckdb"
    budget_s = 6.0
    with newsroom(PAGES) as site:
        for index in range(4):
            page = site.routes[f"/berita/{index}.html"]

            def slow(handler, page: Response = page) -> None:
                time.sleep(budget_s + 0.5)
                page(handler)
            site.routes[f"/berita/{index}.html"] = slow
        config = config_for(tmp_path / "sources.toml", site, run=f"max_run_minutes = {budget_s / 60}")
        with pytest.raises(RunUnhealthy) as raised:
            ingest(config=str(config), warehouse=str(warehouse), batch_size=2)
        requested = sorted({p for _, p, _ in site.requests if p.startswith("/berita/")})
    assert raised.value.summary["state"] == "completed_with_errors"
    (fetched, new, skipped, message), = query(warehouse, "SELECT fetched, new, skipped, message FROM runs")
    assert fetched + skipped == PAGES
    assert fetched in (0, 4), "a batch was cut in the middle or one started after the budget was spent"
    assert new == fetched  # every page fetched in flight was extracted and loaded
    assert f"{skipped} of {PAGES} items not attempted" in message
    assert len(requested) == fetched  # nothing beyond the batches in flight was asked for
    not_attempted = {u.rsplit("/", 1)[1] for u, in query(
        warehouse, "SELECT url FROM stage_errors WHERE stage = 'not_attempted'")}
    assert not_attempted.isdisjoint(p.rsplit("/", 1)[1] for p in requested)


@pytest.mark.parametrize("value", ["-1", "99999999"])
def test_the_budget_is_bounded_in_the_config_and_on_the_command_line(tmp_path: Path, value: str, capsys) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(f'[run]\nmax_run_minutes = {value}\n\n[[sources]]\nname = "a"\nkind = "files"\nglob = "*.html"\n')
    with pytest.raises(ConfigError, match="max_run_minutes"):
        load_sources(config)
    page = tmp_path / "a.html"
    page.write_text("<html><body><p>Berita.</p></body></html>")
    assert main(["ingest", str(page), "--warehouse", str(tmp_path / "w.duckdb"), "--max-minutes", value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--max-minutes must be between 0" in err
    assert not (tmp_path / "w.duckdb").exists()


def test_prefects_stand_in_for_a_failed_state_without_its_data_is_recognised() -> None:
    """Prefect 3.8.8 once gave back the flow's Failed state without the RunUnhealthy it carried
    (CI, a `FailedRun` with the state's message only): `kabar ingest` reads it as the unhealthy
    end it is, not as a crash."""
    from prefect.exceptions import CrashedRun, FailedRun

    from kabar.commands.ingest import _unhealthy_without_summary

    assert _unhealthy_without_summary(FailedRun("run time budget of 0.0001 min used up"))
    assert not _unhealthy_without_summary(CrashedRun("crashed"))
    assert not _unhealthy_without_summary(RuntimeError("FailedRun"))

"""Run the data-quality checks after a run's last load and record them for the run."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE as NO_CACHE

from warehouse.backend import open_writer_for
from warehouse.lake import retry_on_conflict
from warehouse.quality import record_checks, run_checks


def check_quality(path: str, run_id: str) -> list[dict]:
    """Run the checks on the warehouse at ``path``, record them under ``run_id``; returns them."""
    def attempt() -> list:
        with open_writer_for(path) as con:
            results = run_checks(con, run_id=run_id)  # this run's rows: cost follows the run
            con.execute("BEGIN TRANSACTION")
            record_checks(con, run_id, results)
            con.execute("COMMIT")
        return results

    return [r.as_dict() for r in retry_on_conflict(attempt)]


def run_state(checks: list[dict]) -> str:
    """The state a run ends in: 'completed', or 'completed_with_warnings' when a check failed."""
    return "completed" if all(c["passed"] for c in checks) else "completed_with_warnings"


@task(name="quality-checks", cache_policy=NO_CACHE)
def quality_task(path: str, run_id: str) -> list[dict]:
    return check_quality(path, run_id)

"""Run the data-quality checks after a run's last load and record them for the run."""

from __future__ import annotations

from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import Warehouse
from kabar.tasking import task
from warehouse.quality import check_and_record


def run_state(checks: list[dict]) -> str:
    """The state a run ends in: 'completed', or 'completed_with_warnings' when a check failed."""
    return "completed" if all(c["passed"] for c in checks) else "completed_with_warnings"


@task(name="quality-checks", cache_policy=NO_CACHE)
def quality_task(path: Warehouse, run_id: str) -> list[dict]:
    """Run the checks on the warehouse at ``path``, record them under ``run_id``; returns them."""
    return [r.as_dict() for r in check_and_record(path, run_id)]

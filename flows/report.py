"""What a run tells: its summary completed with the warehouse's view of it, published as
Prefect artifacts (a markdown report and a per-source table) on the flow run."""

from __future__ import annotations

import logging
from typing import Any

from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import Warehouse
from kabar.signals import reraise_signal
from kabar.summary import summary_markdown, summary_rows
from kabar.tasking import task
from warehouse.run_report import report_figures

LOGGER = logging.getLogger(__name__)


def complete_summary(path: Warehouse, summary: dict[str, Any]) -> dict[str, Any]:
    """The summary plus ``failures`` (top reasons), ``quality`` (checks) and ``source_health`` (the
    sources the warehouse's source_health view flags), read from the run's warehouse ``path``."""
    run_id = summary["run_id"]
    try:
        failures, quality, flagged = report_figures(path, run_id)
    except Exception as exc:  # a report must never fail the run it describes
        reraise_signal(exc)  # but it must not swallow a SIGTERM that interrupted its query
        LOGGER.warning("cannot read the run report of %s: %s", run_id, exc)
        failures, quality, flagged = [], [], []
    return {**summary, "failures": failures, "quality": quality, "source_health": flagged}


def publish_artifacts(summary: dict[str, Any], flow: str = "ingest") -> None:
    """Attach the report to the current flow run (no-op outside a run)."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact
    from prefect.context import get_run_context
    from prefect.exceptions import MissingContextError

    try:
        get_run_context()
    except MissingContextError:
        return
    description = f"kabar {flow} run {summary['run_id']}: {summary['state']}"
    create_markdown_artifact(summary_markdown(summary), key=f"kabar-{flow}-report", description=description)
    create_table_artifact(summary_rows(summary), key=f"kabar-{flow}-sources", description=description)
    if summary.get("failures"):
        create_table_artifact(summary["failures"], key=f"kabar-{flow}-failures", description=description)
    attention = (summary.get("health") or {}).get("attention") or []
    if attention:
        create_table_artifact(attention, key=f"kabar-{flow}-attention", description=description)


@task(name="report", cache_policy=NO_CACHE)
def report_task(path: Warehouse, summary: dict[str, Any], flow: str = "ingest") -> dict[str, Any]:
    """Complete the summary from the warehouse ``path`` and publish it as artifacts; returns it."""
    summary = complete_summary(path, summary)
    try:
        publish_artifacts(summary, flow)
    except Exception as exc:
        reraise_signal(exc)  # Prefect's API client may carry a SIGTERM that landed inside it
        LOGGER.warning("cannot publish the run report: %s", exc)
    return summary

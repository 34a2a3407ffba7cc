"""Judge a finished run's health and record each source's outcome (issue 16).

``listing_of(discoveries)`` keeps what discovery said about each source (how many items it listed,
whether it answered 304, why it could not be read); ``health_task`` combines that with the run's
per-source counts (kabar/health.py decides), records one ``store.run_sources`` row per source for
the ``source_health`` view, and returns the verdict.
"""

from __future__ import annotations

import logging
from typing import Any

from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import RunSettings, Warehouse
from kabar.signals import reraise_signal
from kabar.health import FAILING, OK, SILENT, UNCHANGED, RunHealth, SourceOutcome, judge
from kabar.tasking import task

LOGGER = logging.getLogger(__name__)


def listing_of(discoveries: list[Any]) -> dict[str, dict[str, Any]]:
    """Per source: items listed (unique URLs, before the date window and limit), the discovery
    status (ok / silent / unchanged / failing) and the reason it failed."""
    listing = {}
    for d in discoveries:
        listed = len({i.url for i in d.items})
        if d.error:
            status = FAILING
        elif not listed and any(getattr(f, "not_modified", False) for f in d.fetches):
            status = UNCHANGED
        elif not listed:
            status = SILENT
        else:
            status = OK
        listing[d.source] = {"listed": listed, "discovery": status, "reason": d.error}
    return listing


def outcomes(listing: dict[str, dict[str, Any]], by_source: dict[str, dict[str, int]],
             reasons: dict[str, str] | None = None) -> list[SourceOutcome]:
    """One SourceOutcome per source of the run; ``reasons`` (source -> most frequent failure
    reason this run) names why a source failed when discovery did not say."""
    names = list(dict.fromkeys([*listing, *by_source]))
    result = []
    for name in names:
        info = listing.get(name, {})
        reason = info.get("reason") or (reasons or {}).get(name)
        result.append(SourceOutcome(name, int(info.get("listed", 0)), dict(by_source.get(name, {})),
                                    info.get("discovery", OK), reason))
    return result


def run_source_rows(found: list[SourceOutcome]) -> list[dict[str, Any]]:
    return [{"source": o.source, "status": o.status, "listed": o.listed,
             "discovered": o.counts.get("discovered", 0), "fetched": o.counts.get("fetched", 0),
             "failed": o.counts.get("failed", 0), "new": o.counts.get("new", 0),
             "reason": (o.reason or "")[:300] or None} for o in found]


def judge_run(path: Warehouse, run_id: str, listing: dict[str, dict[str, Any]], by_source: dict[str, dict[str, int]],
              run: RunSettings, con: Any = None) -> RunHealth:
    """Judge the run, record its per-source outcomes in the warehouse; returns the verdict.
    A warehouse that cannot be written here is logged: the verdict still stands. ``con``: the
    run's writer on a file, already open (tasks/wrapup.py), for both the read and the write."""
    from warehouse.backend import open_writer_for
    from warehouse.coverage import record_run_sources
    from warehouse.lake import retry_on_conflict
    from warehouse.run_report import source_failure_reasons

    try:
        reasons = source_failure_reasons(path, run_id, con)
    except Exception as exc:  # the verdict must not depend on the report
        reraise_signal(exc)  # but a SIGTERM that interrupted the query stops the run
        LOGGER.warning("cannot read failure reasons of %s: %s", run_id, exc)
        reasons = {}
    found = outcomes(listing, by_source, reasons)
    health = judge(found, run.max_failed_share, run.max_silent_share)

    def record(con: Any) -> None:
        con.execute("BEGIN TRANSACTION")
        try:
            record_run_sources(con, run_id, run_source_rows(found))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    if con is not None:
        record(con)
        return health

    def attempt() -> None:
        with open_writer_for(path) as writer:
            record(writer)

    retry_on_conflict(attempt)
    return health


def final_state(health_state: str, quality_state: str) -> str:
    """The worse of the health verdict and the quality-check state."""
    order = ["failed", "completed_with_errors", "completed_with_warnings", "completed"]
    return min(health_state, quality_state, key=order.index)


@task(name="run-health", cache_policy=NO_CACHE)
def health_task(path: Warehouse, run_id: str, listing: dict[str, dict[str, Any]], by_source: dict[str, dict[str, int]],
                run: RunSettings) -> dict[str, Any]:
    health = judge_run(path, run_id, listing, by_source, run)
    return {**health.as_dict(), "message": health.message()}

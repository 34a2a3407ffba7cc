"""The backfill flow: re-ingest a range of publication days, one child ingest run per day.

Each day is its own ``ingest`` flow run (``since``/``until`` = that day in Asia/Jakarta) over the
given sources: sitemaps (their lastmod/news dates pick the day's URLs) or WARC archives (the
records' dates). A day that fails is retried alone (``day_retries``), the other days go on, and
the backfill ends failed naming the days to run again.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger

from flows.ingest import ingest
from flows.runner import in_deployment
from kabar import settings
from kabar.notify import on_run_failure
from kabar.config import warehouse_of

#: Longest range one backfill run accepts (a guard against a mistyped year).
MAX_DAYS = 366


def days_between(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end``, both included; ValueError for a reversed or huge range."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    count = (end - start).days + 1
    if count > MAX_DAYS:
        raise ValueError(f"{count} days is more than {MAX_DAYS}; split the backfill")
    return [start + timedelta(days=n) for n in range(count)]


def day_window(day: date, tz: str = settings.SCHEDULE_TIMEZONE) -> tuple[datetime, datetime]:
    """The [midnight, next midnight) window of ``day`` in ``tz``."""
    since = datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))
    return since, since + timedelta(days=1)


def _run_name() -> str:
    from prefect.runtime import flow_run

    params = flow_run.parameters
    return f"backfill[{params.get('start')}..{params.get('end')}]"


@flow(name="backfill", flow_run_name=_run_name, validate_parameters=True,
      on_failure=[on_run_failure], on_crashed=[on_run_failure])
def backfill(
    start: date,
    end: date,
    config: str | None = None,
    sources: list[str] | None = None,
    paths: list[str] | None = None,
    limit: int | None = None,
    allow_hosts: list[str] | None = None,
    warehouse: str | None = None,
    day_retries: int = 1,
) -> dict:
    """Ingest each day from ``start`` to ``end`` (inclusive) as its own child flow run; returns
    {day: state}. Raises (so the run fails and notifies) when any day failed after its retries."""
    logger = get_run_logger()
    if warehouse is None and in_deployment():  # the child runs are not deployment runs themselves
        warehouse = str(warehouse_of(None, config, deployed=True))  # a flow parameter: the spec
    states: dict[str, str] = {}
    for day in days_between(start, end):
        since, until = day_window(day)
        daily = ingest.with_options(flow_run_name=f"ingest[backfill {day.isoformat()}]",
                                    retries=day_retries, retry_delay_seconds=30)
        state = daily(config=config, sources=sources, paths=paths, limit=limit, since=since, until=until,
                      allow_hosts=allow_hosts, warehouse=warehouse, return_state=True)
        states[day.isoformat()] = state.name or state.type.value
        logger.info("backfill day %s: %s", day, states[day.isoformat()])
    failed = [day for day, name in states.items() if name != "Completed"]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(states)} days failed: {', '.join(failed)}; rerun them "
                           "with start/end set to each day")
    return states

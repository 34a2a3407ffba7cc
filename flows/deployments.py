"""The deployments of ``deployments/prefect.yaml`` as Python objects, for ``kabar serve``.

One source of truth: ``kabar deploy`` hands the YAML file to ``prefect deploy``; ``kabar serve``
reads the same file and turns each entry into ``flow.to_deployment(...)`` with its schedules as
``prefect.schedules.Cron(..., timezone=...)``. (``flow.serve(cron=...)`` would store no
timezone, and 02:00 would mean 02:00 UTC; see ../shared/ENVIRONMENT.md.)
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
PREFECT_FILE = PROJECT_DIR / "deployments" / "prefect.yaml"


@dataclass(frozen=True)
class Spec:
    """One deployment entry of the YAML file."""

    name: str
    entrypoint: str
    parameters: dict[str, Any]
    schedules: list[dict[str, Any]]
    concurrency_limit: int | None
    enforce_parameter_schema: bool
    tags: list[str]
    description: str | None


def read_specs(path: Path = PREFECT_FILE) -> list[Spec]:
    """The deployment entries of a prefect.yaml file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Spec(name=d["name"], entrypoint=d["entrypoint"], parameters=dict(d.get("parameters") or {}),
             schedules=list(d.get("schedules") or []), concurrency_limit=d.get("concurrency_limit"),
             enforce_parameter_schema=bool(d.get("enforce_parameter_schema", True)),
             tags=list(d.get("tags") or []), description=d.get("description"))
        for d in data.get("deployments") or []
    ]


def load_flow(entrypoint: str) -> Any:
    """The flow object of ``flows/ingest.py:ingest`` (imported as a module, not by file path)."""
    file, attr = entrypoint.split(":")
    module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
    return getattr(module, attr)


def next_runs(cron: str, tz: str, count: int = 3, after: datetime | None = None) -> list[datetime]:
    """The next ``count`` times a cron schedule fires, in its timezone."""
    from cronsim import CronSim

    start = (after or datetime.now(timezone.utc)).astimezone(ZoneInfo(tz))
    times = CronSim(cron, start)
    return [next(times) for _ in range(count)]


def schedule_lines(specs: list[Spec], after: datetime | None = None) -> list[str]:
    """One human line per deployment: its schedule and next run, or 'manual'."""
    lines = []
    for spec in specs:
        if not spec.schedules:
            lines.append(f"{spec.name:<9} no schedule (trigger it: Prefect UI or `prefect deployment run`)")
            continue
        for schedule in spec.schedules:
            tz = schedule.get("timezone") or "UTC"
            nxt = next_runs(schedule["cron"], tz, 1, after)[0]
            lines.append(f"{spec.name:<9} cron '{schedule['cron']}' ({tz}); next run {nxt:%Y-%m-%d %H:%M} {tz} "
                         f"= {nxt.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC")
    return lines


def runner_deployments(specs: list[Spec], overrides: dict[str, Any] | None = None) -> list[Any]:
    """``RunnerDeployment``s for ``serve``; ``overrides`` replace parameters the flows take
    (e.g. an absolute config path or a warehouse)."""
    from prefect.schedules import Cron

    deployments = []
    for spec in specs:
        flow = load_flow(spec.entrypoint)
        accepted = set(flow.parameters.properties)
        parameters = {**spec.parameters, **{k: v for k, v in (overrides or {}).items() if k in accepted and v is not None}}
        schedules = [Cron(s["cron"], timezone=s.get("timezone") or "UTC", active=s.get("active", True))
                     for s in spec.schedules]
        deployments.append(flow.to_deployment(
            name=spec.name, parameters=parameters, schedules=schedules or None,
            concurrency_limit=spec.concurrency_limit, enforce_parameter_schema=spec.enforce_parameter_schema,
            tags=spec.tags, description=spec.description,
        ))
    return deployments

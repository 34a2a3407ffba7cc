"""Run health (issue 16): how a finished run should end, from what each source did.

A run that fetched or extracted nothing while things failed is ``failed``; a run where the share
of failed items, or the share of sources that listed nothing or could not be read, passes the
``[run]`` thresholds is ``completed_with_errors``. Both end the CLI with a non-zero exit and the
Prefect flow run in a Failed state (so the failure webhook is called). Pure functions on plain
dicts: the flow passes in its per-source counts and what discovery said about each source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Per-source statuses, worst first.
FAILING, SILENT, OK, UNCHANGED = "failing", "silent", "ok", "unchanged"
#: Run states that must reach the operator (non-zero exit, Failed in Prefect, webhook).
UNHEALTHY = ("failed", "completed_with_errors")


@dataclass(frozen=True)
class SourceOutcome:
    """What one source did in a run: ``listed`` items its feed/sitemap/files offered (before the
    date window and limit), its counts, and the reason it could not be read (if any)."""

    source: str
    listed: int
    counts: dict[str, int]
    discovery: str = OK  # ok | silent | unchanged | failing (from discovery alone)
    reason: str | None = None

    @property
    def good(self) -> int:
        """Pages that became an article outcome (stored, duplicate, unchanged, filtered out)."""
        c = self.counts
        return sum(c.get(k, 0) for k in ("new", "duplicate", "updated", "unchanged", "skipped"))

    @property
    def status(self) -> str:
        failed = self.counts.get("failed", 0)
        if self.discovery == FAILING:
            return FAILING  # the feed, sitemap or listing could not be read
        if self.discovery == UNCHANGED and not self.listed:
            return UNCHANGED  # the feed answered 304 Not Modified: nothing new, nothing wrong
        if not self.listed:
            return SILENT  # read, but listed nothing (its only "failure" is the note saying so)
        if failed and not self.good:
            return FAILING  # pages failed and none became an article
        return OK


@dataclass(frozen=True)
class RunHealth:
    """The verdict on a run: its state, why, and the sources needing attention (worst first)."""

    state: str
    reasons: list[str] = field(default_factory=list)
    attention: list[dict[str, Any]] = field(default_factory=list)
    failed_share: float = 0.0
    silent_share: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "reasons": self.reasons, "attention": self.attention,
                "failed_share": round(self.failed_share, 3), "silent_share": round(self.silent_share, 3)}

    def message(self) -> str:
        """One line for the failure notification: the state, why, and the worst sources."""
        worst = "; ".join(f"{a['source']} {a['status']}" + (f" ({a['reason']})" if a.get("reason") else "")
                          for a in self.attention[:5])
        return f"run {self.state}: {'; '.join(self.reasons)}" + (f". Worst sources: {worst}" if worst else "")


def judge(outcomes: list[SourceOutcome], max_failed_share: float, max_silent_share: float) -> RunHealth:
    """The health of a run whose sources did ``outcomes``, against the ``[run]`` thresholds."""
    totals = {k: sum(o.counts.get(k, 0) for o in outcomes) for k in ("fetched", "failed")}
    good = sum(o.good for o in outcomes)
    attempts = totals["fetched"] + totals["failed"]
    failed_share = totals["failed"] / attempts if attempts else 0.0
    bad = [o for o in outcomes if o.status in (FAILING, SILENT)]
    silent_share = len(bad) / len(outcomes) if outcomes else 0.0
    attention = [
        {"source": o.source, "status": o.status, "listed": o.listed, "failed": o.counts.get("failed", 0),
         "reason": o.reason}
        for o in sorted(bad, key=lambda o: (o.status != FAILING, -o.counts.get("failed", 0), o.source))
    ]
    reasons: list[str] = []
    # failed: things failed and no source got anywhere (a source whose items were all held back by
    # the frontier, or whose feed answered 304, did nothing wrong)
    if totals["failed"] and not good and not any(o.status in (OK, UNCHANGED) for o in outcomes):
        state = "failed"
        reasons.append(f"nothing could be fetched or extracted ({totals['failed']} failures)")
    else:
        if failed_share > max_failed_share:
            reasons.append(f"{totals['failed']} of {attempts} items failed "
                           f"({failed_share:.0%} > max_failed_share {max_failed_share:.0%})")
        if silent_share > max_silent_share:
            reasons.append(f"{len(bad)} of {len(outcomes)} sources silent or failing "
                           f"({silent_share:.0%} > max_silent_share {max_silent_share:.0%})")
        state = "completed_with_errors" if reasons else "completed"
    return RunHealth(state, reasons, attention, failed_share, silent_share)


class RunUnhealthy(Exception):
    """What a call of the ingest flow raises after it recorded a failed or completed_with_errors
    run (the data of the Failed state the flow returns, so Prefect also calls its failure hooks);
    ``summary`` is the run summary for the CLI to print."""

    def __init__(self, message: str, summary: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.summary = summary or {}

    def __reduce__(self):  # picklable with its summary (Prefect may serialise the exception)
        return (type(self), (str(self), self.summary))

"""Per-stage progress bars for the CLI (rich), and a silent stand-in everywhere else.

Flows call ``progress.advance(stage, n)``; nothing shows unless the CLI opened a display with
``show_progress()``, which it does only on a terminal and never under CI ($CI set), so logs,
pipes and Prefect workers stay clean.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Any, Iterator

_CURRENT: Any = None


def wanted(stream: Any = None) -> bool:
    """Whether to draw bars: a terminal, not CI, not disabled with KABAR_PROGRESS=0."""
    stream = stream or sys.stderr
    if os.environ.get("CI") or os.environ.get("KABAR_PROGRESS", "1") == "0":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class StageBars:
    """One rich progress bar per stage; totals grow as work is discovered."""

    def __init__(self, stages: tuple[str, ...]) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self.ids = {stage: self.progress.add_task(stage, total=None) for stage in stages}

    def total(self, stage: str, n: int) -> None:
        if stage in self.ids:
            self.progress.update(self.ids[stage], total=n)

    def advance(self, stage: str, n: int = 1) -> None:
        if stage in self.ids:
            self.progress.advance(self.ids[stage], n)


@contextmanager
def show_progress(stages: tuple[str, ...], enabled: bool | None = None) -> Iterator[StageBars | None]:
    """Show bars for ``stages`` while the block runs (only when ``wanted()``)."""
    global _CURRENT
    if not (wanted() if enabled is None else enabled):
        yield None
        return
    bars = StageBars(stages)
    _CURRENT = bars
    try:
        with bars.progress:
            yield bars
    finally:
        _CURRENT = None


def total(stage: str, n: int) -> None:
    """Set a stage's total (no-op without a display)."""
    if _CURRENT is not None:
        _CURRENT.total(stage, n)


def advance(stage: str, n: int = 1) -> None:
    """Advance a stage's bar by ``n`` (no-op without a display)."""
    if _CURRENT is not None:
        _CURRENT.advance(stage, n)

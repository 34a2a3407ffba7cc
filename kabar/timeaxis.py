"""Time axes that fit their span: daily counts binned to days, weeks or months, gaps kept as gaps.

A chart of one-day bars over twelve years is empty to the eye; a line drawn from January to
June across months without data says there was data in between. So counts are summed into bins
sized to the span (about 120 bins at most) and every bin in between is present: bars get a
zero there, lines a None (plotly breaks a line at None).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Iterable

#: The most bins an axis should hold before a coarser unit is chosen.
MAX_BINS = 120


def bin_unit(first: date, last: date, max_bins: int = MAX_BINS) -> str:
    """``day``, ``week`` or ``month``: the finest unit giving at most ``max_bins`` bins."""
    days = (last - first).days + 1
    if days <= max_bins:
        return "day"
    if days / 7 <= max_bins:
        return "week"
    return "month"


def bin_start(day: date, unit: str) -> date:
    """The first day of the bin ``day`` falls in (weeks start on Monday)."""
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next(start: date, unit: str) -> date:
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def binned(counts: Iterable[tuple[date, float]], unit: str | None = None,
           fill: float | None = 0) -> tuple[str, list[date], list[float | None]]:
    """Sum ``(day, value)`` pairs into bins: the unit, every bin's start (gaps included, in order)
    and its value (``fill`` where no day had data). No pairs give no bins."""
    sums: dict[date, float] = defaultdict(float)
    days = [(d, v) for d, v in counts if d is not None]
    if not days:
        return unit or "day", [], []
    first, last = min(d for d, _ in days), max(d for d, _ in days)
    unit = unit or bin_unit(first, last)
    for d, v in days:
        sums[bin_start(d, unit)] += v or 0
    starts, values = [], []
    cursor = bin_start(first, unit)
    while cursor <= last:
        starts.append(cursor)
        values.append(sums[cursor] if cursor in sums else fill)
        cursor = _next(cursor, unit)
    return unit, starts, values

"""The run summary the CLI prints (and flows publish): one row per source."""

from __future__ import annotations

from typing import Any

from tasks.load import COUNTS


def summary_table(summary: dict[str, Any]) -> str:
    """A plain-text table of a run's per-source counts, with a total row."""
    header = ["source", *COUNTS]
    rows = [[name, *[str(bucket.get(k, 0)) for k in COUNTS]] for name, bucket in sorted(summary["by_source"].items())]
    totals = [sum(int(r[i + 1]) for r in rows) for i in range(len(COUNTS))]
    rows.append(["TOTAL", *map(str, totals)])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def print_summary(summary: dict[str, Any]) -> None:
    print(f"run {summary['run_id']}: {summary['state']}  (warehouse: {summary['warehouse']})")
    print(summary_table(summary))
    print_quality(summary)


def quality_lines(summary: dict[str, Any]) -> list[str]:
    """One line per data-quality check of the run: PASS/FAIL, name, failing rows, detail."""
    return [
        f"  {'PASS' if c['passed'] else 'FAIL'}  {c['check']}  ({c['failing_rows']} failing)  {c['detail']}"
        for c in summary.get("quality") or []
    ]


def print_quality(summary: dict[str, Any]) -> None:
    lines = quality_lines(summary)
    if lines:
        print("quality checks:")
        print("\n".join(lines))

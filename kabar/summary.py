"""The run summary the CLI prints (and flows publish): one row per source."""

from __future__ import annotations

from typing import Any

from kabar.models import COUNTS


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
    print_details(summary)
    print_quality(summary)


#: The per-source columns of a run report (the counts a user asks about first).
REPORT_COUNTS = ("discovered", "fetched", "new", "duplicate", "updated", "failed")


def _md_row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def summary_markdown(summary: dict[str, Any]) -> str:
    """The run report as markdown: per-source counts, top failure reasons, quality checks."""
    lines = [f"# kabar run `{summary['run_id']}`: {summary['state']}", "",
             f"Warehouse: `{summary['warehouse']}`", "", "## Per source", "",
             _md_row(["source", *REPORT_COUNTS]), _md_row(["---"] * (len(REPORT_COUNTS) + 1))]
    for name, bucket in sorted(summary["by_source"].items()):
        lines.append(_md_row([name, *(bucket.get(k, 0) for k in REPORT_COUNTS)]))
    totals = [sum(b.get(k, 0) for b in summary["by_source"].values()) for k in REPORT_COUNTS]
    lines += [_md_row(["**total**", *totals]), "", "## Top failure reasons", ""]
    failures = summary.get("failures") or []
    if failures:
        lines += [_md_row(["stage", "reason", "count", "example"]), _md_row(["---"] * 4)]
        lines += [_md_row([f["stage"], f["reason"], f["count"], f["example"]]) for f in failures]
    else:
        lines.append("No failures.")
    lines += ["", "## Quality checks", ""]
    checks = summary.get("quality") or []
    if checks:
        columns = list(checks[0])
        lines += [_md_row(columns), _md_row(["---"] * len(columns))]
        lines += [_md_row([row.get(c) for c in columns]) for row in checks]
    else:
        lines.append("No quality checks recorded for this run.")
    return "\n".join(lines) + "\n"


def summary_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-source counts as table rows (for a Prefect table artifact)."""
    return [{"source": name, **{k: bucket.get(k, 0) for k in REPORT_COUNTS}}
            for name, bucket in sorted(summary["by_source"].items())]


def print_details(summary: dict[str, Any]) -> None:
    """Print the failure reasons and quality checks under the counts table (CLI only)."""
    failures = summary.get("failures") or []
    if failures:
        print("\ntop failure reasons:")
        for f in failures:
            print(f"  {f['count']:>6}  {f['stage']:<8} {f['reason'][:100]}  (e.g. {f['example']})")


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

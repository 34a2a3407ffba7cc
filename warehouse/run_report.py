"""Read-side figures of one run for its report: top failure reasons and quality checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from warehouse.connection import open_reader

#: How many distinct failure reasons a report lists.
TOP_REASONS = 10


def failure_reasons(path: str | Path, run_id: str, limit: int = TOP_REASONS) -> list[dict[str, Any]]:
    """The run's most frequent failure reasons (failed fetches and later stage errors), with a
    count and one example URL each, most frequent first."""
    if not Path(path).exists():
        return []
    with open_reader(path, wait_s=60) as con:
        rows = con.execute(
            """WITH failures AS (
                   SELECT 'fetch' AS stage, regexp_replace(error, '[0-9a-f]{12,}', '…', 'g') AS reason, url
                   FROM main.fetches WHERE run_id = $run AND error IS NOT NULL
                   UNION ALL
                   SELECT stage, regexp_replace(error, '[0-9a-f]{12,}', '…', 'g'), url
                   FROM main.stage_errors WHERE run_id = $run
               )
               SELECT stage, reason, count(*) AS n, min(url) AS example
               FROM failures GROUP BY stage, reason ORDER BY n DESC, stage, reason LIMIT $limit""",
            {"run": run_id, "limit": limit},
        ).fetchall()
    return [{"stage": s, "reason": r, "count": n, "example": e} for s, r, n, e in rows]


def quality_checks(path: str | Path, run_id: str) -> list[dict[str, Any]]:
    """Rows of the ``quality_checks`` view for this run, when the view exists; [] else."""
    if not Path(path).exists():
        return []
    with open_reader(path, wait_s=60) as con:
        columns = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
            "AND table_name = 'quality_checks' ORDER BY ordinal_position").fetchall()]
        if not columns:
            return []
        where = "WHERE run_id = $run" if "run_id" in columns else ""
        params = {"run": run_id} if where else {}
        rows = con.execute(f"SELECT * FROM main.quality_checks {where} LIMIT 100", params).fetchall()
    return [dict(zip(columns, row)) for row in rows]

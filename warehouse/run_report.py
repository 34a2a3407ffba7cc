"""Read-side figures of one run for its report: top failure reasons and quality checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from kabar.warehouse_spec import Warehouse
from warehouse.backend import open_reader_for

#: How many distinct failure reasons a report lists.
TOP_REASONS = 10


def failure_reasons(path: Warehouse, run_id: str, limit: int = TOP_REASONS) -> list[dict[str, Any]]:
    """The run's most frequent failure reasons (failed fetches and later stage errors), with a
    count and one example URL each, most frequent first."""
    if not path.exists():
        return []
    with open_reader_for(path, wait_s=60, locked=False) as con:
        return _failure_reasons(con, run_id, limit)


def _failure_reasons(con: duckdb.DuckDBPyConnection, run_id: str, limit: int = TOP_REASONS) -> list[dict[str, Any]]:
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


def quality_checks(path: Warehouse, run_id: str) -> list[dict[str, Any]]:
    """Rows of the ``quality_checks`` view for this run, when the view exists; [] else."""
    if not path.exists():
        return []
    with open_reader_for(path, wait_s=60, locked=False) as con:
        return _quality_checks(con, run_id)


def _quality_checks(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    columns = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_name = 'quality_checks' ORDER BY ordinal_position").fetchall()]
    if not columns:
        return []
    where = "WHERE run_id = $run" if "run_id" in columns else ""
    params = {"run": run_id} if where else {}
    rows = con.execute(f"SELECT * FROM main.quality_checks {where} LIMIT 100", params).fetchall()
    return [dict(zip(columns, row)) for row in rows]


def report_figures(path: Warehouse, run_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(failure reasons, quality checks, sources needing attention) of a run's report, read on one
    connection: three short opens were a tenth of a CPU second of every run (issue 11)."""
    from warehouse.source_health import flagged_sources

    if not path.exists():
        return [], [], []
    # Not locked: the report is read inside the ingest process, where a locked reader would lock
    # the writer's shared database too (DuckDB shares one instance per file within a process).
    with open_reader_for(path, wait_s=60, locked=False) as con:
        return _failure_reasons(con, run_id), _quality_checks(con, run_id), flagged_sources(con)


#: A crashed run's counts, from the rows its finished batches left (the run never reached
#: finish_run, so the runs row still says 0): fetches it recorded, articles it wrote first,
#: copies it found, and later versions it stored.
CRASHED_COUNTS_SQL = """
UPDATE store.runs SET state = 'crashed', message = 'process ended without finishing',
    fetched = (SELECT count(*) FROM store.fetches f WHERE f.run_id = $run AND f.error IS NULL),
    failed = (SELECT count(*) FROM store.fetches f WHERE f.run_id = $run AND f.error IS NOT NULL),
    new = (SELECT count(*) FROM store.articles a
           WHERE a.run_id = $run AND a.version = 1 AND a.duplicate_of IS NULL),
    duplicate = (SELECT count(*) FROM store.articles a WHERE a.run_id = $run AND a.duplicate_of IS NOT NULL),
    updated = (SELECT count(*) FROM store.article_versions v WHERE v.run_id = $run AND v.version > 1)
WHERE run_id = $run
"""


def record_crash(con, run_id: str) -> None:
    """Mark a run whose process died as crashed, with the counts of what its batches loaded."""
    con.execute(CRASHED_COUNTS_SQL, {"run": run_id})
def source_failure_reasons(path: Warehouse, run_id: str, con: duckdb.DuckDBPyConnection | None = None) -> dict[str, str]:
    """Per source, the run's most frequent failure reason (fetches and stage errors); read on
    ``con`` when given (the run's writer, tasks/wrapup.py), else on a reader of its own."""
    if con is None:
        if not path.exists():
            return {}
        with open_reader_for(path, wait_s=60, locked=False) as con:
            return source_failure_reasons(path, run_id, con)
    rows = con.execute(
        """WITH failures AS (
               SELECT source, regexp_replace(error, '[0-9a-f]{12,}', '…', 'g') AS reason
               FROM main.fetches WHERE run_id = $run AND error IS NOT NULL
               UNION ALL
               SELECT source, stage || ': ' || regexp_replace(error, '[0-9a-f]{12,}', '…', 'g')
               FROM main.stage_errors WHERE run_id = $run
           ),
           ranked AS (
               SELECT source, reason, count(*) AS n,
                      row_number() OVER (PARTITION BY source ORDER BY count(*) DESC, reason) AS rank
               FROM failures GROUP BY source, reason
           )
           SELECT source, reason || ' (' || n || 'x)' FROM ranked WHERE rank = 1""",
        {"run": run_id},
    ).fetchall()
    return dict(rows)


def run_ids(path: Warehouse) -> set[str]:
    """Every run id recorded in a DuckDB warehouse file (empty when there is no file)."""
    if not path.exists():
        return set()
    with open_reader_for(path, wait_s=60, locked=False) as con:
        return {r[0] for r in con.execute("SELECT run_id FROM main.runs").fetchall()}


def run_of_process(spec: Warehouse, pid: int, host: str, since: datetime) -> tuple[str, str] | None:
    """(run_id, state) of the newest run this process (``pid`` on ``host``) recorded since
    ``since`` in the warehouse; None when it recorded none, e.g. a signal that stopped it before
    its run started."""
    if not spec.exists():
        return None
    with open_reader_for(spec, wait_s=10, locked=False) as con:
        row = con.execute(
            "SELECT run_id, state FROM store.runs WHERE pid = ? AND host = ? AND started_at >= ? "
            "ORDER BY started_at DESC LIMIT 1", [pid, host, since]).fetchone()
    return (row[0], row[1]) if row else None

"""Read the ``source_health`` view (issue 16): for `kabar sources` and the run report."""

from __future__ import annotations

from typing import Any

import duckdb

from kabar.warehouse_spec import Warehouse

#: The columns `kabar sources` prints, in order (the view has a few more; `kabar sql` shows all).
SHOWN = ("source", "status", "last_run_at", "last_success_at", "consecutive_failed_runs",
         "consecutive_silent_runs", "items_last_day", "median_items_30d", "last_reason")


def has_view(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'source_health'"
    ).fetchone()[0])


def source_health(con: duckdb.DuckDBPyConnection, attention_only: bool = False,
                  columns: tuple[str, ...] = SHOWN) -> list[dict[str, Any]]:
    """Rows of the view (sources needing attention first), as dicts of ``columns``."""
    where = "WHERE needs_attention" if attention_only else ""
    rows = con.execute(f"SELECT {', '.join(columns)} FROM main.source_health {where}").fetchall()
    return [dict(zip(columns, row)) for row in rows]


def sources_needing_attention(path: Warehouse) -> list[dict[str, Any]]:
    """The flagged sources of the warehouse ([] when it has none or no such view)."""
    from warehouse.backend import open_reader_for

    if not path.exists():
        return []
    # The run's report reads this inside the ingest process: a locked reader there would lock the
    # writer's shared database too (DuckDB shares one instance per file within a process).
    with open_reader_for(path, wait_s=60, locked=False) as con:
        return flagged_sources(con)


def flagged_sources(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The flagged sources on an open connection ([] when the view is missing)."""
    if not has_view(con):
        return []
    return source_health(con, attention_only=True,
                         columns=("source", "status", "consecutive_failed_runs", "last_success_at"))

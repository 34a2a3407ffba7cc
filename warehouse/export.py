"""Export every public view to Parquet or CSV files any engine can read.

``DIR/<view>.parquet`` (or ``.csv``) per view; ``articles`` in Parquet is a hive-partitioned
directory ``DIR/articles/month=YYYY-MM/*.parquet`` (``month=unknown`` for undated articles).
``DIR/manifest.json`` lists each view's rows and files. With ``since``, views that have a time
column (the first of ``TIME_COLUMNS`` they carry) keep rows from then on; the others are whole.
"""

from __future__ import annotations

import json
import logging
import shutil
from datetime import datetime, timezone
from pathlib import Path

import duckdb

LOGGER = logging.getLogger(__name__)

FORMATS = ("parquet", "csv")
#: Which column a view is filtered on for --since, by preference.
TIME_COLUMNS = ("published_at", "first_published_at", "day", "started_at", "fetched_at", "checked_at", "failed_at")
PARTITIONED = {"articles"}


def public_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The public views (schema ``main`` of the current database; TEMP views on a DuckLake), by name."""
    return [r[0] for r in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' "
        "AND database_name IN (current_database(), 'temp') ORDER BY view_name"
    ).fetchall()]


def _columns(con: duckdb.DuckDBPyConnection, view: str) -> list[str]:
    return [d[0] for d in con.execute(f'SELECT * FROM main."{view}" LIMIT 0').description]


def _quote_path(path: Path) -> str:
    return str(path).replace("'", "''")


def export_views(
    con: duckdb.DuckDBPyConnection, directory: str | Path, fmt: str = "parquet", since: datetime | None = None
) -> dict[str, dict]:
    """Write every public view under ``directory``; returns {view: {"rows": n, "path": p}}."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict] = {}
    for view in public_views(con):
        columns = _columns(con, view)
        time_column = next((c for c in TIME_COLUMNS if c in columns), None)
        where, params = "", []
        if since is not None and time_column:
            where, params = f' WHERE "{time_column}" >= ?', [since]
        select = f'SELECT * FROM main."{view}"{where}'
        rows = con.execute(f"SELECT count(*) FROM ({select})", params).fetchone()[0]
        if fmt == "parquet" and view in PARTITIONED and "published_at" in columns:
            target = directory / view
            shutil.rmtree(target, ignore_errors=True)
            con.execute(
                f"COPY (SELECT *, coalesce(strftime(published_at, '%Y-%m'), 'unknown') AS month FROM ({select})) "
                f"TO '{_quote_path(target)}' (FORMAT parquet, PARTITION_BY (month), OVERWRITE_OR_IGNORE)",
                params,
            )
        else:
            target = directory / f"{view}.{fmt}"
            options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER"
            con.execute(f"COPY ({select}) TO '{_quote_path(target)}' ({options})", params)
        manifest[view] = {"rows": rows, "path": target.name, "filtered_on": time_column if since else None}
        LOGGER.info("exported %s: %d rows to %s", view, rows, target)
    (directory / "manifest.json").write_text(json.dumps(
        {"format": fmt, "since": since.isoformat() if since else None,
         "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "views": manifest},
        indent=2), encoding="utf-8")
    return manifest

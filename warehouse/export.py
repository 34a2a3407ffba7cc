"""Export every public view to Parquet or CSV files any engine can read.

``DIR/<view>.parquet`` (or ``.csv``) per view; ``articles`` in Parquet is a hive-partitioned
directory ``DIR/articles/month=YYYY-MM/*.parquet`` (``month=unknown`` for undated articles).
``DIR/manifest.json`` lists each view's rows and files. With ``since``, views that have a time
column (the first of ``TIME_COLUMNS`` they carry) keep rows from then on; the others are whole.

Export never deletes what it did not write: a non-empty ``DIR`` is refused unless ``overwrite``,
and then only the entries named in the manifest kabar left there are replaced (other files stay).
Everything is written to a temporary folder beside ``DIR`` first and moved in place at the end, so
a failed export leaves the previous one whole.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import duckdb

LOGGER = logging.getLogger(__name__)

FORMATS = ("parquet", "csv")
#: Which column a view is filtered on for --since, by preference.
TIME_COLUMNS = ("published_at", "first_published_at", "day", "started_at", "fetched_at", "checked_at", "failed_at")
PARTITIONED = {"articles"}
MANIFEST = "manifest.json"


class ExportTargetError(ValueError):
    """The target folder cannot be used as asked (not empty, not writable, a file, ...)."""


def previous_export(directory: Path) -> set[str]:
    """Names of the entries kabar's manifest in ``directory`` says it wrote (empty if none)."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        return {MANIFEST} | {Path(e["path"]).name for e in manifest["views"].values()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def check_target(directory: Path, overwrite: bool) -> set[str]:
    """Refuse a target kabar must not write to; returns the names of the old export to replace."""
    if directory.exists() and not directory.is_dir():
        raise ExportTargetError(f"{directory}: exists and is not a directory")
    try:
        entries = {p.name for p in directory.iterdir()} if directory.exists() else set()
    except OSError as exc:
        raise ExportTargetError(f"{directory}: cannot list it ({exc.strerror or exc})") from None
    if not entries:
        return set()
    if not overwrite:
        raise ExportTargetError(f"{directory} is not empty: pass --overwrite to replace a previous kabar export there "
                                "(only the files its manifest.json names are replaced)")
    return previous_export(directory)


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


def _write_views(con: duckdb.DuckDBPyConnection, directory: Path, fmt: str, since: datetime | None) -> dict[str, dict]:
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
            con.execute(
                f"COPY (SELECT *, coalesce(strftime(published_at, '%Y-%m'), 'unknown') AS month FROM ({select})) "
                f"TO '{_quote_path(target)}' (FORMAT parquet, PARTITION_BY (month))",
                params,
            )
        else:
            target = directory / f"{view}.{fmt}"
            options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER"
            con.execute(f"COPY ({select}) TO '{_quote_path(target)}' ({options})", params)
        manifest[view] = {"rows": rows, "path": target.name, "filtered_on": time_column if since else None}
        LOGGER.info("exported %s: %d rows", view, rows)
    (directory / MANIFEST).write_text(json.dumps(
        {"format": fmt, "since": since.isoformat() if since else None,
         "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "views": manifest},
        indent=2), encoding="utf-8")
    return manifest


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _move_in(staging: Path, directory: Path, old: set[str]) -> None:
    """Replace the old export's entries in ``directory`` by ``staging``'s, restoring them on failure."""
    new = {p.name for p in staging.iterdir()}
    clash = sorted(n for n in new - old if (directory / n).exists() or (directory / n).is_symlink())
    if clash:
        raise ExportTargetError(f"{directory}: {', '.join(clash)} exist(s) but the manifest there does not name "
                                "them: kabar does not replace files it did not write")
    backup = Path(tempfile.mkdtemp(prefix=".kabar-export-old-", dir=directory))
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        for name in sorted(old):
            if (directory / name).exists() or (directory / name).is_symlink():
                os.replace(directory / name, backup / name)
                moved_out.append(name)
        for name in sorted(new - {MANIFEST}) + [MANIFEST]:  # the manifest last: it vouches for the rest
            os.replace(staging / name, directory / name)
            moved_in.append(name)
    except OSError:
        for name in moved_in:
            _remove(directory / name)
        for name in moved_out:
            os.replace(backup / name, directory / name)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)


def export_views(
    con: duckdb.DuckDBPyConnection, directory: str | Path, fmt: str = "parquet", since: datetime | None = None,
    *, overwrite: bool = False,
) -> dict[str, dict]:
    """Write every public view under ``directory``; returns {view: {"rows": n, "path": p}}.

    Raises ``ExportTargetError`` for a target that is a file, not empty (without ``overwrite``),
    or not writable; the target is left as it was on any failure."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    directory = Path(directory)
    old = check_target(directory, overwrite)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".kabar-export-new-", dir=directory))
    except OSError as exc:
        raise ExportTargetError(f"cannot write to {directory}: {exc.strerror or exc}") from None
    try:
        manifest = _write_views(con, staging, fmt, since)
        _move_in(staging, directory, old)
    except duckdb.Error as exc:
        raise ExportTargetError(f"export to {directory} failed, nothing replaced: {str(exc).splitlines()[0]}") from None
    except OSError as exc:
        raise ExportTargetError(f"export to {directory} failed, nothing replaced: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest

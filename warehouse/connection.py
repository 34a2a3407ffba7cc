"""Opening the warehouse: offline extensions, read-only readers, and the single writer.

DuckDB lets one process hold a file for writing; other processes cannot even read it meanwhile.
So the writer (the load stage) opens, writes one batch and closes, and readers retry for a
short while when the file is momentarily held.
"""

from __future__ import annotations

import importlib
import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

LOGGER = logging.getLogger(__name__)

#: Extensions shipped as PyPI packages (DuckDB's own download fails without internet).
_EXTENSION_PACKAGES = {
    "fts": "duckdb_extension_fts",
    "ducklake": "duckdb_extension_ducklake",
    "postgres": "duckdb_extension_postgres",
}
_CONFIG = {"autoinstall_known_extensions": False, "allow_unsigned_extensions": False}


class WarehouseError(RuntimeError):
    """A warehouse problem a user can act on (missing file, busy, newer schema, ...)."""


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Install and load a DuckDB extension from its PyPI package, signature checks left on."""
    loaded = con.execute("SELECT count(*) FROM duckdb_extensions() WHERE loaded AND extension_name = ?",
                         ["postgres_scanner" if name == "postgres" else name]).fetchone()[0]
    if loaded:  # DuckDB shares one database instance per file in a process; it may be locked already
        return
    package = importlib.import_module(_EXTENSION_PACKAGES[name])
    version = con.sql("PRAGMA version").fetchone()[0]
    binary = Path(package.__file__).parent / "extensions" / version / f"{name}.duckdb_extension"
    if not binary.exists():
        raise WarehouseError(f"the {name} extension for DuckDB {version} is not installed ({binary})")
    con.execute(f"INSTALL '{binary}'")
    con.execute(f"LOAD {name}")


#: Run on every reader after the extensions it needs are loaded. Order matters: the last one
#: freezes the others (DuckDB refuses any later SET/RESET), and extension loading must be done
#: by then because LOAD reads the extension file (an external access).
_LOCK_DOWN = (
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)


def lock_down(con: duckdb.DuckDBPyConnection, *, external_access: bool = False) -> None:
    """Make a read connection side-effect free: no file outside the open databases can be read
    or written (COPY TO, EXPORT DATABASE, read_csv/read_text/glob, ATTACH), no extension
    installed or loaded, and no setting changed afterwards. ``external_access=True`` keeps file
    access (for analysts reading their own files, `kabar sql --allow-files`, and for kabar's
    own export) but still locks extensions and configuration."""
    if con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]:
        return  # another reader of this process locked the shared database instance already
    for statement in _LOCK_DOWN:
        if external_access and "enable_external_access" in statement:
            continue
        con.execute(statement)


def refusal(exc: BaseException) -> str | None:
    """Why DuckDB refused a statement on a locked reader, in one line; None for other errors."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    if "disabled by configuration" in text or "disabled through configuration" in text:
        return ("refused: readers cannot read or write files outside the warehouse, attach databases "
                f"or install/load extensions ({text.split(': ', 1)[-1]})")
    if "configuration has been locked" in text:
        return "refused: readers cannot change DuckDB settings (the configuration is locked)"
    if "read-only mode" in text or "attached in read-only" in text:
        return "refused: the warehouse is opened read-only (use `kabar ingest` and friends to change it)"
    return None


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def connect(
    path: str | Path, *, read_only: bool = False, wait_s: float = 10.0, external_access: bool = False,
    locked: bool = True, fts: bool = True,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, waiting up to ``wait_s`` while another process holds it.

    A read-only connection is locked down (see ``lock_down``) once fts is loaded, unless
    ``locked=False`` (the pipeline's own readers, see ``open_reader``). ``fts=False`` skips
    loading the fts extension: the pipeline's own connections, which use no search function
    (warehouse/search.py loads it where it stems)."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `kabar ingest` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=dict(_CONFIG))
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                if _is_lock_error(exc):
                    raise WarehouseError(f"warehouse busy: {path} is held by another process") from None
                raise WarehouseError(f"cannot open warehouse {path}: {exc}") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
            continue
        # The search macros (warehouse/search.py) call fts's stem(): an analyst's connection loads
        # fts (a locked reader cannot load it later). The pipeline's own connections skip it:
        # LOAD verifies the 11 MB extension's signature, about 0.1 CPU s, and an unchanged ingest
        # opened the warehouse about fifteen times (issue 11: the rerun's fixed cost). No view
        # needs fts; only stemming does, and update_index / _stems load it themselves.
        if fts:
            load_extension(con, "fts")
        if read_only and locked:
            lock_down(con, external_access=external_access)
        return con


@contextmanager
def open_writer(path: str | Path, *, wait_s: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """The write connection, migrated and with current views; closed on exit."""
    from warehouse.migrate import ensure_schema

    con = connect(path, wait_s=wait_s, fts=False)
    try:
        ensure_schema(con)  # migrations and views only when their SQL changed
        yield con
    finally:
        con.close()


@contextmanager
def open_reader(
    path: str | Path, *, wait_s: float = 10.0, external_access: bool = False, locked: bool = True,
    fts: bool | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only, locked-down connection (see ``lock_down``); closed on exit.

    ``locked=False`` is for the pipeline's own readers (frontier, lookups, run report) running
    only kabar's SQL inside an ingest: DuckDB shares one database instance per file within a
    process and settings are per instance, so a locked reader would leave the run's writer
    unable to load extensions ("file system operations are disabled") or to open at all
    ("different configuration than existing connections").

    ``fts`` (default: ``locked``) loads the fts extension before the lock: a locked reader
    cannot load it later. `kabar sql` opens without it and again with it only for a query that
    needs it (kabar/commands/sql.py)."""
    con = connect(path, read_only=True, wait_s=wait_s, external_access=external_access, locked=locked,
                  fts=locked if fts is None else fts)
    try:
        yield con
    finally:
        con.close()

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
    package = importlib.import_module(_EXTENSION_PACKAGES[name])
    version = con.sql("PRAGMA version").fetchone()[0]
    binary = Path(package.__file__).parent / "extensions" / version / f"{name}.duckdb_extension"
    if not binary.exists():
        raise WarehouseError(f"the {name} extension for DuckDB {version} is not installed ({binary})")
    con.execute(f"INSTALL '{binary}'")
    con.execute(f"LOAD {name}")


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def connect(path: str | Path, *, read_only: bool = False, wait_s: float = 10.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, waiting up to ``wait_s`` while another process holds it."""
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
        # The search macro (warehouse/search.py) calls fts functions: every connection loads fts.
        load_extension(con, "fts")
        return con


@contextmanager
def open_writer(path: str | Path, *, wait_s: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """The write connection, migrated and with current views; closed on exit."""
    from warehouse.migrate import ensure_schema

    con = connect(path, wait_s=wait_s)
    try:
        ensure_schema(con)  # migrations and views only when their SQL changed
        yield con
    finally:
        con.close()


@contextmanager
def open_reader(path: str | Path, *, wait_s: float = 10.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection; closed on exit."""
    con = connect(path, read_only=True, wait_s=wait_s)
    try:
        yield con
    finally:
        con.close()

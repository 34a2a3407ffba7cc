"""The DuckLake backend: the same tables, views and commands over a DuckLake (PostgreSQL catalog
plus a data path), so several workers can load at once.

A lake is a ``kabar.config.Warehouse`` of kind ``ducklake`` (its spec string is
``ducklake:<catalog>#<data_path>``, e.g.
``ducklake:postgres:host=db port=5432 dbname=kabar user=kabar#/srv/kabar/lake/``; ``kabar.config``
parses it or builds it from the ``[warehouse]`` section). What differs from a DuckDB file, and why:

- DuckLake has no PRIMARY KEY/UNIQUE constraints ("not supported in DuckLake"): migrations are
  applied with them stripped. MERGE works, but two transactions MERGE-inserting the same key
  would both commit. So every load transaction first updates the one row of
  ``store.write_token`` (``claim_write``): concurrent loads then conflict at commit, and
  ``retry_on_conflict`` re-runs the later one on the newer snapshot, where MERGE sees the rows.
- Views are TEMP views created on every open (not stored in the lake): readers attach the lake
  read-only and nothing in the catalog is rewritten per batch by each worker.
- The pipeline's own connections are cursors of one instance per lake in the process (``_SHARED``):
  the extensions are loaded and the lake attached once, not on every open.
- ``PRAGMA create_fts_index`` fails on a lake table (its commit fails), so the search index lives
  in a local DuckDB file ``<data_path>.search.duckdb`` built from the lake's articles after each
  run and attached read-only as ``search``; ``search_articles`` is a TEMP macro over it.
- The run lock file (warehouse/runlock.py) is not used: concurrent runs are the point.
"""

from __future__ import annotations

import atexit
import logging
import random
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import duckdb

from kabar.warehouse_spec import LAKE_PREFIX, Warehouse
from warehouse.connection import _CONFIG, WarehouseError, load_extension, lock_down
from warehouse.migrate import MigrationFailed, apply_migrations, applied_versions, apply_views, schema_version

LOGGER = logging.getLogger(__name__)

T = TypeVar("T")


def index_path(lake: Warehouse) -> Path:
    """The local DuckDB file holding the lake's search index."""
    return Path(lake.data_path.rstrip("/") + ".search.duckdb")


_CONSTRAINTS = (
    (re.compile(r",\s*PRIMARY\s+KEY\s*\([^)]*\)", re.I), ""),
    (re.compile(r"\s+PRIMARY\s+KEY\b", re.I), ""),
    (re.compile(r"\s+UNIQUE\b", re.I), ""),
)


def strip_constraints(sql: str) -> str:
    """DDL without PRIMARY KEY/UNIQUE, which DuckLake refuses."""
    for pattern, replacement in _CONSTRAINTS:
        sql = pattern.sub(replacement, sql)
    return sql


def temp_views(sql: str) -> str:
    """A view file's SQL creating a TEMP view (see the module docstring)."""
    return re.sub(r"CREATE\s+OR\s+REPLACE\s+VIEW\s+main\.", "CREATE OR REPLACE TEMP VIEW ", sql, flags=re.I)


def _is_conflict(exc: BaseException) -> bool:
    while exc is not None:
        text = str(exc)
        if "conflict" in text.lower() or "Failed to commit" in text:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def retry_on_conflict(fn: Callable[[], T], attempts: int = 20) -> T:
    """Run ``fn``; when its DuckLake commit conflicts with another writer's, run it again."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except duckdb.Error as exc:
            if attempt == attempts or not _is_conflict(exc):
                raise
            LOGGER.info("DuckLake commit conflict (attempt %d): retrying", attempt)
            time.sleep(random.uniform(0.05, 0.3) * attempt)
    raise AssertionError("unreachable")


def is_lake_connection(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT current_database()").fetchone()[0] == "lake"


def claim_write(con: duckdb.DuckDBPyConnection) -> None:
    """Inside a load transaction on a lake: touch the write token (no-op on a DuckDB file)."""
    if is_lake_connection(con):
        con.execute("UPDATE store.write_token SET n = n + 1")


def _attach(con: duckdb.DuckDBPyConnection, lake: Warehouse, read_only: bool) -> None:
    catalog, data_path = lake.catalog, lake.data_path
    load_extension(con, "ducklake")
    if catalog.startswith(("postgres:", "postgresql:")):
        load_extension(con, "postgres")
    if not read_only:
        Path(data_path).mkdir(parents=True, exist_ok=True)
    options = f"DATA_PATH '{data_path}'" + (", READ_ONLY" if read_only else "")
    for attempt in range(1, 11):
        try:
            con.execute(f"ATTACH '{LAKE_PREFIX}{catalog}' AS lake ({options})")
            break
        except duckdb.Error as exc:
            # Two workers initialising a fresh catalog at once: one loses the race to create
            # DuckLake's metadata tables ("duplicate key value"); the next attempt finds them.
            if attempt < 10 and ("Failed to initialize DuckLake" in str(exc) or _is_conflict(exc)):
                time.sleep(random.uniform(0.1, 0.5))
                continue
            raise WarehouseError(f"cannot attach DuckLake {catalog!r}: {str(exc).splitlines()[0]}") from None
    con.execute("USE lake")


def _attach_index(con: duckdb.DuckDBPyConnection, lake: Warehouse) -> None:
    """Attach the local search index read-only and create the TEMP search_articles macro."""
    from warehouse.search import macro_sql

    path = index_path(lake)
    if not path.exists():
        return
    con.execute(f"ATTACH '{path}' AS search (READ_ONLY)")
    con.execute(macro_sql("search.store", temp=True))


def _migrate(con: duckdb.DuckDBPyConnection, attempts: int = 20) -> None:
    """Apply pending migrations. Two workers opening a lake race to apply the same file: the
    loser's transaction fails and rolls back whole; on the next attempt the ledger shows the
    winner's commit and the file is skipped. How it fails depends on the file: a commit
    conflict, "already exists" (CREATE), or an ALTER that finds the winner's change made
    ("Cannot DROP NULL on column char_start - it has no NOT NULL constraint defined", migration
    075, fresh-clone CI: two ingests at once, tests/warehouse/test_lake.py). So besides the first
    two, a failed file that the ledger now records as applied is the race, whatever the message."""
    for attempt in range(1, attempts + 1):
        try:
            apply_migrations(con, transform=strip_constraints)
            return
        except (duckdb.Error, RuntimeError) as exc:
            raced = _is_conflict(exc) or "already exists" in str(exc) or _applied_by_another(con, exc)
            if attempt == attempts or not raced:
                raise
            LOGGER.info("DuckLake migration raced another writer (attempt %d): retrying", attempt)
            time.sleep(random.uniform(0.05, 0.3) * attempt)


def _applied_by_another(con: duckdb.DuckDBPyConnection, exc: BaseException) -> bool:
    """Whether the migration that failed with ``exc`` is now in the ledger (another writer's)."""
    if not isinstance(exc, MigrationFailed):
        return False
    try:
        return exc.version in applied_versions(con)
    except duckdb.Error:
        return False


#: The pipeline's own lake connections (writers, and readers not locked down) are cursors of one
#: DuckDB instance per lake and mode in a process, with the extensions loaded and the lake
#: attached once. A fresh in-memory instance per open paid LOAD of fts, ducklake and postgres
#: again (DuckDB checks an extension's signature on every LOAD: about 0.7 CPU s for the three,
#: 88 MB) and the attach, and an ingest of 8 articles opened the lake 17 times (26-36 CPU s in
#: process before, about 20 after). A cursor has its own transactions, TEMP views and USE.
#: Analysts' readers (locked) still get an instance of their own: lock_down's settings and the
#: attached search index belong to the instance. Only lakes with a PostgreSQL catalog: a local
#: catalog file cannot be attached by two instances of a process at once.
_SHARED: dict[tuple[str, str, bool], duckdb.DuckDBPyConnection] = {}
_SHARED_LOCK = threading.Lock()


def _shared_cursor(lake: Warehouse, read_only: bool) -> duckdb.DuckDBPyConnection:
    key = (lake.catalog, lake.data_path, read_only)
    with _SHARED_LOCK:
        root = _SHARED.get(key)
        if root is None:
            root = duckdb.connect(config=dict(_CONFIG))
            try:
                load_extension(root, "fts")
                _attach(root, lake, read_only)
            except BaseException:
                root.close()
                raise
            _SHARED[key] = root
        try:
            cursor = root.cursor()
            cursor.execute("USE lake")
            return cursor
        except duckdb.Error:  # the instance broke (its catalog went away): next open starts afresh
            _SHARED.pop(key, None)
            root.close()
            raise


@atexit.register
def _close_shared() -> None:
    with _SHARED_LOCK:
        while _SHARED:
            _SHARED.popitem()[1].close()


@contextmanager
def open_lake(
    lake: Warehouse, *, read_only: bool, external_access: bool = False, locked: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with the lake attached as the default database, migrated (writers), with the
    public views as TEMP views and, for locked readers, the search macro when an index exists;
    closed on exit. Readers are locked down once everything is attached (see
    ``connection.lock_down``): DuckLake still reads its own data files and the attached index
    with external access off. Writers and unlocked readers of a lake with a PostgreSQL catalog
    are cursors of the process's shared instance for the lake (see ``_SHARED``)."""
    # A catalog in a local file can be attached by one instance of a process at a time: such a
    # lake keeps an instance per open (opened one after another, as before).
    own = (read_only and locked) or not lake.catalog.startswith(("postgres:", "postgresql:"))
    con = duckdb.connect(config=dict(_CONFIG)) if own else _shared_cursor(lake, read_only)
    try:
        if own:
            load_extension(con, "fts")
            _attach(con, lake, read_only)
        if read_only:
            if schema_version(con) == 0:
                raise WarehouseError(f"the DuckLake {lake.catalog!r} is empty: run `kabar ingest` first")
        else:
            _migrate(con)
        apply_views(con, transform=temp_views)
        if own:
            _attach_index(con, lake)
            # DuckLake reads its Parquet data files through the file system, which a locked reader
            # refuses (enable_external_access = false); its own data path stays allowed.
            con.execute("SET allowed_directories = ?", [[str(Path(lake.data_path).resolve()).rstrip("/") + "/"]])
            lock_down(con, external_access=external_access)
        yield con
    finally:
        con.close()


def build_lake_index(lake: Warehouse) -> int:
    """Update the lake's local search index from its articles; returns documents indexed."""
    from warehouse.connection import connect
    from warehouse.search import build_index

    path = index_path(lake)
    con = connect(path, wait_s=120)
    try:
        local = con.execute("SELECT current_database()").fetchone()[0]
        _attach(con, lake, read_only=True)
        con.execute(f'USE "{local}"')
        con.execute("CREATE SCHEMA IF NOT EXISTS store")
        # The macro stored in this file is not used (lake readers create a TEMP one); it needs
        # main.articles to bind, so give it a view over the lake's articles.
        con.execute("CREATE OR REPLACE VIEW main.articles AS SELECT * FROM lake.store.articles")
        return build_index(con, articles="lake.store.articles")
    finally:
        con.close()

"""Opening the warehouse: offline extensions, read-only readers, and the single writer.

DuckDB lets one process hold a file for writing; other processes cannot even read it meanwhile.
So the writer (the load stage) opens, writes one batch and closes, and readers retry for a
short while when the file is momentarily held.
"""

from __future__ import annotations

import gc
import importlib
import logging
import threading
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

LOGGER = logging.getLogger(__name__)


def sql_strings(values: list[str]) -> str:
    """``values`` as a comma-separated list of SQL string literals, for an ``IN (...)`` over ids the
    warehouse itself produced.

    Why not one ``?`` per value (issue 11): DuckDB 1.5.5's Python client converts every bound
    Python value through ``TransformPythonValue``, which asks its import cache whether pandas is
    loaded (to tell pandas' NA and NaT apart; the pattern of duckdb/duckdb#5581); pandas is not a
    kabar dependency, and when it is missing the cache tries ``import pandas`` again for every
    value, each attempt a search of every ``sys.path`` entry. 500 bound ids cost 43 ms of CPU
    against 2.7 ms as literals, with the same plan (the scan filters on the constants before it
    reads a row's text). Quoting doubles ``'``, so any string is safe here."""
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)

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
    # execute(), not sql(): a relation that has fetched a row keeps its streaming result, and with
    # it the database instance, alive after the connection closes (see ``_open_database``)
    version = con.execute("PRAGMA version").fetchone()[0]
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


#: How long opening a file may take in all, once no other process holds it: far above a real
#: open (milliseconds; seconds for a WAL replay), short enough that a run stopped by a signal
#: still ends (see ``_open_database``).
OPEN_BOUND_S = 60.0

#: Waited before collecting garbage once (see ``_open_database``).
_GRACE_S = 0.5


class _Open:
    """One ``duckdb.connect`` running in a helper thread (see ``_open_database``), started by
    ``start``, inside the waiter's ``try``: a signal can land while ``Thread.start`` waits for
    the thread to come up, and the thread then opens the file all the same. When that was done
    in ``__init__`` the waiter had no handle to drop it by: the stopped run's closing write met
    the reader's open instance ("Can't open a connection to same database file with a different
    configuration") and the run was never recorded interrupted (1 of 31 SIGTERMs sent at random
    moments to Dask-runner ingests, the way benchmarks/interrupt.py ``--chaos`` sends them)."""

    def __init__(self, path: Path, read_only: bool) -> None:
        self.path, self.read_only = path, read_only
        self.running = threading.Event()
        self.done = threading.Event()
        self.con: duckdb.DuckDBPyConnection | None = None
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._unwanted = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kabar-duckdb-open", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        self.running.set()
        try:
            con = duckdb.connect(str(self.path), read_only=self.read_only, config=dict(_CONFIG))
        except BaseException as exc:  # handed to the thread that waits for it
            self.error = exc
        else:
            with self._lock:
                if self._unwanted:
                    con.close()
                else:
                    self.con = con
        finally:
            self.done.set()

    def drop(self) -> None:
        """The waiter was stopped (a signal): close the connection now or once it is open, so
        that no handle of it outlives the run (an open reader would refuse the run's writer:
        "different configuration than existing connections")."""
        with self._lock:
            self._unwanted = True
            con, self.con = self.con, None
        if con is not None:
            con.close()


#: Opens given up on, by file and mode, until a later open of the same takes their result over:
#: starting another would queue behind the same spin, and one finishing while a second opens the
#: file was seen to fail that second ("Unique file handle conflict").
_ABANDONED: dict[tuple[str, bool], _Open] = {}
_ABANDONED_LOCK = threading.Lock()


def _open_database(path: Path, read_only: bool, bound_s: float) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, but never for ever: WarehouseError after ``bound_s`` seconds.

    Why (issue 11, the Ctrl-C hang): DuckDB keeps one database instance per file in a process
    (DBInstanceCache, src/main/db_instance_cache.cpp). When the last connection to a file has
    closed but the instance itself is still alive, ``connect`` takes it for an instance shutting
    down and busy-waits, holding the cache's lock, until it is destroyed (duckdb/duckdb issue
    25965, open). What keeps an instance alive past its connection's close is a client context,
    held by any result still streaming: a relation that has fetched a row (``con.sql(q).fetchone()``)
    is enough, and so is one referenced from the frames of a traceback the process still holds
    (a run stopped by Ctrl-C keeps its exception while it records the run). Nothing in the
    connect loop can release it, so that wait never ends.

    So the connect runs in a helper thread (DuckDB releases the GIL while it spins) and this
    thread waits: after ``_GRACE_S`` it collects garbage once (a traceback in a reference cycle
    frees its frames' results, and the spin ends), and after ``bound_s`` it gives up with an
    error the run records. The helper is left to its spin; the next open of the same file and
    mode takes its connection over if it ends. Readers and writers release what they can
    themselves (``release``); this is the bound for what they cannot reach. Its cost when it is
    reached: the process's exit frees the holder while the helper still waits, the helper's
    open then returns into an interpreter shutting down, and the process aborts ("terminate
    called without an active exception", exit 134) after its error was reported."""
    key = (str(path), read_only)
    with _ABANDONED_LOCK:
        attempt = _ABANDONED.pop(key, None)
    attempt = attempt or _Open(path, read_only)
    try:
        attempt.start()
        if not attempt.done.wait(min(_GRACE_S, bound_s)):
            gc.collect()
            attempt.done.wait(max(bound_s - _GRACE_S, 0.0))
    except BaseException:  # a signal while starting or waiting: nobody will use this connection
        attempt.drop()
        # and let the open end first (closed by its thread), or the run's closing write could
        # meet this file's read-only instance still open ("different configuration"); a thread
        # the signal stopped before it was created never comes up (a second, not the bound)
        if attempt.running.wait(1.0):
            attempt.done.wait(bound_s)
        raise
    if not attempt.done.is_set():
        with _ABANDONED_LOCK:
            _ABANDONED.setdefault(key, attempt)
        raise WarehouseError(
            f"cannot open warehouse {path}: DuckDB did not open it within {bound_s:g} s; an earlier "
            "connection to it in this process was closed while a query result still held its "
            "database (duckdb/duckdb issue 25965)")
    if attempt.error is not None:
        raise attempt.error
    return attempt.con  # type: ignore[return-value]


def release(con: duckdb.DuckDBPyConnection, exc: BaseException) -> None:
    """Close ``con`` after the block using it raised ``exc`` (a signal's KeyboardInterrupt too),
    and drop what the finished frames of its traceback hold (``drop_traceback_hold``): a query
    result kept alive through the traceback keeps DuckDB's database instance for the file alive
    after the close, and the next open of the same file in this process would wait on it
    (``_open_database``). The frame that opened ``con`` is still running here and keeps its
    locals; a holder of the exception past it calls ``drop_traceback_hold`` again."""
    try:
        drop_traceback_hold(exc)
        _end_interrupted_query(con)
    finally:
        con.close()


def _end_interrupted_query(con: duckdb.DuckDBPyConnection) -> None:
    """Run one trivial query on ``con`` before it is closed after an error.

    Why (issue 11, the signal hang, confirmed): a query stopped by a signal (DuckDB checks for
    one while it runs and raises ``RuntimeError: Query interrupted``) leaves its pending result
    on the connection's client context, and that context keeps the file's database instance
    alive past ``con.close()`` and past garbage collection; the next ``duckdb.connect`` of the
    file in this process then spins for ever (see ``_open_database``). Plain DuckDB shows it:
    interrupt ``con.execute(q)`` with SIGINT, close, reconnect: hangs every time; run
    ``con.execute("SELECT 1")`` before the close: the reconnect opens at once (six of six).
    The new query replaces and cleans up the interrupted one. Any error here is ignored: the
    connection is being closed because of an earlier one."""
    try:
        con.execute("SELECT 1").fetchall()
    except BaseException:  # noqa: BLE001 - closing anyway; the error being handled is re-raised by the caller
        pass


def drop_traceback_hold(exc: BaseException) -> None:
    """Clear the locals of every finished frame in ``exc``'s traceback, and of the exceptions it
    was raised from (``traceback.clear_frames`` skips frames still running). The exception keeps
    its type, message and the lines of its traceback; what goes is what its frames referenced,
    among them DuckDB results that would keep a closed connection's database alive (see
    ``_open_database``). For a holder of an exception past the frames that raised it, such as a
    run being recorded after Ctrl-C (flows/runner.py ``recorded_run``)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        traceback.clear_frames(exc.__traceback__)
        exc = exc.__cause__ or exc.__context__


def connect(
    path: str | Path, *, read_only: bool = False, wait_s: float = 10.0, external_access: bool = False,
    locked: bool = True, fts: bool = True, open_s: float = OPEN_BOUND_S,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, waiting up to ``wait_s`` while another process holds it.

    A read-only connection is locked down (see ``lock_down``) once fts is loaded, unless
    ``locked=False`` (the pipeline's own readers, see ``open_reader``). ``fts=False`` skips
    loading the fts extension: the pipeline's own connections, which use no search function
    (warehouse/search.py loads it where it stems). ``open_s`` bounds each open attempt (see
    ``_open_database``): WarehouseError rather than a wait without end."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `kabar ingest` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            con = _open_database(path, read_only, open_s)
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
        try:
            if fts:
                load_extension(con, "fts")
            if read_only and locked:
                lock_down(con, external_access=external_access)
        except BaseException as exc:
            release(con, exc)
            raise
        return con


@contextmanager
def open_writer(path: str | Path, *, wait_s: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """The write connection, migrated and with current views; closed on exit."""
    from warehouse.migrate import ensure_schema

    con = connect(path, wait_s=wait_s, fts=False)
    try:
        ensure_schema(con)  # migrations and views only when their SQL changed
        yield con
    except BaseException as exc:  # a signal too: what the block left must not outlive the close
        release(con, exc)
        raise
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
    except BaseException as exc:  # a signal too: what the block left must not outlive the close
        release(con, exc)
        raise
    con.close()

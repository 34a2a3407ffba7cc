"""Opening the warehouse after a reader was interrupted (issue 11, the Ctrl-C hang).

DuckDB keeps one database instance per file in a process; a query result still streaming keeps it
alive after its connection closes, and the next ``duckdb.connect`` of that file then busy-waits
for ever (warehouse/connection.py ``_open_database``). Each case runs in its own process with a
time limit, so that the hang it guards against fails the test instead of hanging the suite."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]

@pytest.fixture(scope="module", autouse=True)
def prefect_harness():
    """Replaces the session's Prefect API (tests/conftest.py): nothing here runs a flow or task."""
    yield


#: A reader the way the pipeline opens one (warehouse/profiles.py ``load_profiles``), with a
#: result that has fetched one row and is still streaming when Ctrl-C's KeyboardInterrupt lands.
_PRELUDE = """
    import sys
    from warehouse.connection import WarehouseError, connect, drop_traceback_hold, open_reader, open_writer

    path = sys.argv[1]

    def rows_of(con):
        rows = con.sql("SELECT * FROM range(100000)")
        rows.fetchone()
        raise KeyboardInterrupt  # as Ctrl-C does while the result is still open
"""


def _run(tmp_path: Path, body: str, limit: float = 240.0) -> str:
    warehouse = tmp_path / "kabar.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    script = tmp_path / "case.py"
    script.write_text(textwrap.dedent(_PRELUDE) + textwrap.dedent(body), encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, str(script), str(warehouse)], cwd=str(ROOT), capture_output=True,
                              text=True, timeout=limit)
    except subprocess.TimeoutExpired as hung:
        raise AssertionError(f"opening the warehouse again did not return within {limit:g} s (the Ctrl-C hang): "
                             f"{(hung.stdout or b'')[-2000:]!r}") from None
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


def test_a_writer_opens_after_a_reader_was_interrupted_with_a_result_open(tmp_path: Path) -> None:
    """The result lives in a frame the interrupted reader's block called; the run keeps the
    exception (and so that frame) while it records the run: the reader's exit releases it."""
    said = _run(tmp_path, """
        def load_profiles():
            with open_reader(path, locked=False) as con:
                return rows_of(con)

        try:
            load_profiles()
        except KeyboardInterrupt as exc:
            kept = exc  # the run records itself while it still holds the exception
            with open_writer(path) as con:
                con.execute("CREATE TABLE recorded AS SELECT 'interrupted' AS state")
            print("recorded", con is not None)
    """)
    assert "recorded True" in said
    con = duckdb.connect(str(tmp_path / "kabar.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT state FROM recorded").fetchall() == [("interrupted",)]
    finally:
        con.close()


def test_an_open_that_would_wait_for_ever_fails_with_an_error_naming_the_cause(tmp_path: Path) -> None:
    """A result the reader cannot reach (a local of the frame that opened it, kept by the held
    traceback) still blocks the file: the open gives up within its bound with an error a run
    records, and opens once the holder lets go (``drop_traceback_hold``)."""
    said = _run(tmp_path, """
        def load_profiles():
            with open_reader(path, locked=False) as con:
                rows = con.sql("SELECT * FROM range(100000)")
                rows.fetchone()
                raise KeyboardInterrupt

        try:
            load_profiles()
        except KeyboardInterrupt as exc:
            kept = exc
        try:
            connect(path, fts=False, open_s=2.0)
            print("opened while held")
        except WarehouseError as refused:
            print("refused:", refused)
        drop_traceback_hold(kept)
        con = connect(path, fts=False, open_s=60.0)
        print("opened after the hold was dropped", con.execute("SELECT x FROM t").fetchall())
        con.close()
    """)
    assert "refused: cannot open warehouse" in said and "duckdb/duckdb issue 25965" in said, said
    assert "opened after the hold was dropped [(1,)]" in said, said


def test_a_writer_opens_after_a_signal_interrupted_a_running_query(tmp_path: Path) -> None:
    """The hang as the ingest met it: SIGINT lands while DuckDB runs a reader's query, DuckDB
    stops it ("Query interrupted"), the reader closes, and the run's closing write opens the same
    file. Without the trivial query run before the close (``_end_interrupted_query``) the
    interrupted query's context keeps the database alive and this open spins for ever: it is
    bounded at 20 s here, so the test fails with the open's error instead of hanging."""
    said = _run(tmp_path, """
        import os, signal, threading, time

        # a process started under pytest-xdist inherits SIGINT ignored: take Python's own handler
        signal.signal(signal.SIGINT, signal.default_int_handler)
        started = threading.Event()
        def send():
            started.wait()
            time.sleep(0.2)  # well inside the first of the queries below, each far longer
            os.kill(os.getpid(), signal.SIGINT)
        threading.Thread(target=send, daemon=True).start()
        try:
            with open_reader(path, locked=False) as con:
                started.set()
                for _ in range(200):  # minutes of work: the signal always lands inside a query
                    con.execute("CREATE OR REPLACE TEMP TABLE counted AS "  # as load_profiles does
                                "SELECT k, count(*) AS n FROM (SELECT range % 1000 AS k FROM range(30000000)) GROUP BY ALL")
            print("not interrupted")
        except BaseException as exc:
            kept = exc
            print("stopped by:", type(exc).__name__, exc)
        con = connect(path, fts=False, open_s=20.0)
        print("writer opened", con.execute("SELECT x FROM t").fetchall())
        con.close()
    """)
    assert "Query interrupted" in said or "KeyboardInterrupt" in said, said
    assert "writer opened [(1,)]" in said, said


def test_a_writer_opens_after_a_signal_landed_while_the_reader_s_open_thread_started(tmp_path: Path) -> None:
    """A signal can land while ``Thread.start`` waits for the open's helper thread to come up; the
    thread then opens the file read-only all the same. The run's closing write must still open
    (it met "a different configuration than existing connections" when the thread was started
    where the waiter could not drop it; seen once in 25 SIGTERMs on the Dask runner)."""
    said = _run(tmp_path, """
        import threading
        import time

        start = threading.Thread.start

        def start_then_signal(thread):
            start(thread)
            if thread.name == "kabar-duckdb-open":
                time.sleep(0.2)  # the helper is opening the file as the signal's exception leaves
                raise KeyboardInterrupt

        threading.Thread.start = start_then_signal
        try:
            with open_reader(path, locked=False) as con:
                pass
        except KeyboardInterrupt:
            threading.Thread.start = start
            with open_writer(path) as con:
                con.execute("CREATE TABLE recorded AS SELECT 'interrupted' AS state")
            print("recorded", con is not None)
    """)
    assert "recorded True" in said


def test_sql_strings_lists_any_string_as_a_literal_that_matches_itself() -> None:
    """warehouse/connection.py ``sql_strings``: ids are listed as SQL literals rather than bound one
    ``?`` each (DuckDB's client looks pandas up for every bound value); a quote, a backslash, a
    non-ASCII letter or an empty string still matches exactly itself and nothing else."""
    from warehouse.connection import sql_strings

    values = ["a1b2", "O'Brien", "it''s", "back\\slash", "Jakarta Selatan — ä", ""]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.execute("INSERT INTO t SELECT unnest(?::VARCHAR[])", [[*values, "other", "O'Brien2"]])
    found = sorted(r[0] for r in con.execute(f"SELECT v FROM t WHERE v IN ({sql_strings(values)})").fetchall())
    assert found == sorted(values)

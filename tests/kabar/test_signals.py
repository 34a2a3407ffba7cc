"""kabar/signals.py: a signal DuckDB wrapped in 'Query interrupted' is raised again, not swallowed."""

from __future__ import annotations

import os
import signal
import threading

import duckdb
import pytest

from kabar.signals import reraise_signal, signal_in


class Terminated(BaseException):
    """Stands for Prefect's TerminationSignal (a BaseException a signal handler raises)."""


def test_a_signal_inside_a_duckdb_query_is_raised_again_by_a_broad_handler() -> None:
    def handler(signum: int, frame: object) -> None:
        raise Terminated("SIGUSR1")

    previous = signal.signal(signal.SIGUSR1, handler)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGUSR1))
    con = duckdb.connect()
    try:
        timer.start()
        with pytest.raises(Terminated):
            try:  # a query long enough for the signal to land inside it (it is cut short by it)
                con.execute("SELECT count(*) FROM range(100000000000) t(x) WHERE x % 7 = 3").fetchall()
            except Exception as exc:  # what the pipeline's "never fail the run" handlers do
                assert "interrupted" in str(exc).lower()
                reraise_signal(exc)
                pytest.fail("reraise_signal returned for a wrapped signal")
    finally:
        timer.cancel()
        con.close()
        signal.signal(signal.SIGUSR1, previous)


def test_ordinary_errors_are_left_to_the_caller() -> None:
    try:
        raise ValueError("inner")
    except ValueError as inner:
        outer = RuntimeError("outer")
        outer.__cause__ = inner
    assert signal_in(outer) is None
    reraise_signal(outer)  # returns
    wrapped = RuntimeError("Query interrupted")
    wrapped.__cause__ = KeyboardInterrupt()
    assert isinstance(signal_in(wrapped), KeyboardInterrupt)

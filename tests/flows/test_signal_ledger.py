"""A signal some library swallows still stops the run (flows/runner.py ledgered_signals,
kabar/signals.py Ledger): the SIGTERM that fresh-clone CI once saw go nowhere on the Dask runner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from benchmarks.interrupt import ingest_env
from kabar.signals import LEDGER, Ledger

ROOT = Path(__file__).resolve().parents[2]


class Raised(BaseException):
    """Stands for a handler's exception (Prefect's TerminationSignal)."""


def _raising(signum: int, frame: object) -> None:
    raise Raised(signum)


def test_a_ledgered_handler_counts_what_it_raises_and_a_check_raises_it_once() -> None:
    ledger = Ledger()
    handler = ledger.wrap(_raising)
    assert ledger.wrap(handler) is handler, "wrapping twice would count twice"
    mark = ledger.mark()
    ledger.raise_unsettled(mark)  # nothing yet: returns
    with pytest.raises(Raised):
        handler(signal.SIGTERM, None)
    assert ledger.count == mark + 1
    # the run's check, later: the handler's exception was dropped on the way, so it is raised again
    with pytest.raises(Raised):
        ledger.raise_unsettled(mark)
    ledger.raise_unsettled(mark)  # once: the next check goes on
    assert not ledger.settle(ledger.count), "a re-send after the check must not send it a second time"


def test_a_check_before_the_run_began_sees_nothing() -> None:
    ledger = Ledger()
    handler = ledger.wrap(_raising)
    with pytest.raises(Raised):
        handler(signal.SIGTERM, None)  # an earlier run's signal, which stopped that run
    ledger.raise_unsettled(ledger.mark())  # a new run starts after it: nothing to raise


#: A real Prefect flow (the session's API) whose run records itself in a real warehouse; each
#: "batch" runs a task in the thread-pool runner and one on the flow's thread, which reuses the
#: installed handler only if it is Prefect's module function (so it must be the ledgered one), and
#: the second batch calls a "library" that sends the SIGTERM and swallows what Prefect's handler
#: raises, as pydantic-core does inside a serializer and an ``except Exception`` above it then
#: does: no cause, no context, no name in its message.
SCRIPT = textwrap.dedent("""
    import os, signal, sys, time
    from prefect import flow, task
    from prefect.utilities import engine
    from flows.runner import recorded_run
    from kabar.config import Warehouse

    @task
    def batch_task(n):
        return n

    @task
    def direct_task():  # called, not submitted: its run (and capture_sigterm) is on the flow's thread
        installed = signal.getsignal(signal.SIGTERM)
        return installed is engine._prefect_sigterm_handler and getattr(installed, "kabar_ledger", None) is not None

    def library_call():
        try:
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                for _ in range(600):  # the handler runs at the next bytecode; a loaded machine is slow
                    time.sleep(0.05)
            except BaseException:
                pass
            raise RuntimeError("Error calling function `_ser_model`")
        except Exception as exc:
            print("library swallowed:", exc, flush=True)

    @flow
    def batches(path: str) -> None:
        with recorded_run(Warehouse.file(path), "ingest", {}) as run:
            for n in range(5):
                run.stop_if_signalled()
                batch_task.submit(n).result()
                print("batch", n, "handler ledgered:", direct_task(), flush=True)
                run.counts.add("arsip", "new", 1)
                if n == 1:
                    library_call()
            print("ran to the end", flush=True)

    batches(sys.argv[1])
    print("exited normally", flush=True)
""")


def test_a_sigterm_a_library_swallows_still_stops_the_run_at_the_next_batch(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    script = tmp_path / "case.py"
    script.write_text(SCRIPT, encoding="utf-8")
    warehouse = tmp_path / "kabar.duckdb"
    env = {**ingest_env(tmp_path / "home"), "PREFECT_API_URL": str(PREFECT_API_URL.value()),
           "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run([sys.executable, str(script), str(warehouse)], capture_output=True, text=True,
                              env=env, timeout=400, cwd=str(ROOT))
    except subprocess.TimeoutExpired:
        pytest.fail("the flow did not end after its SIGTERM (the handler re-sent or waited)")
    said = done.stdout + done.stderr[-3000:]
    assert "library swallowed" in done.stdout, said
    assert "kabar: a SIGTERM reached the run and was dropped on its way" in done.stderr, said
    assert "ran to the end" not in done.stdout and "exited normally" not in done.stdout, said
    # Prefect hands the signal on to the handler it replaced (here the default): the process dies of it
    assert done.returncode == -signal.SIGTERM, said
    assert done.stdout.count("handler ledgered: True") == 2, said
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (state, message, new), = con.execute("SELECT state, message, new FROM runs").fetchall()
    finally:
        con.close()
    assert state == "interrupted" and "stopped by SIGTERM" in message, said
    assert new == 2, "the run stopped at the batch after the swallowed signal"


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_sigint_and_sighup_handlers_are_put_back_after_a_run() -> None:
    from flows.runner import ledgered_signals

    sigint_before = signal.getsignal(signal.SIGINT)
    custom = signal.signal(signal.SIGHUP, _raising)
    try:
        with ledgered_signals() as mark:
            hup = signal.getsignal(signal.SIGHUP)
            assert getattr(hup, "kabar_wrapped", None) is _raising
            with pytest.raises(Raised):
                os.kill(os.getpid(), signal.SIGHUP)
                for _ in range(400):  # the handler runs at the next bytecode
                    time.sleep(0.05)
            assert LEDGER.count == mark + 1
        assert signal.getsignal(signal.SIGHUP) is _raising
        assert signal.getsignal(signal.SIGINT) is sigint_before
    finally:
        signal.signal(signal.SIGHUP, custom)

"""kabar/signals.py: a signal DuckDB wrapped in 'Query interrupted' is raised again, not swallowed;
a signal that landed in a finaliser, where Python drops it, is sent again."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import duckdb
import pytest

from kabar.signals import LEDGER, reraise_signal, resend_lost_signals, signal_in, signal_named


class Terminated(BaseException):
    """Stands for Prefect's TerminationSignal (a BaseException a signal handler raises)."""


def test_a_signal_inside_a_duckdb_query_is_raised_again_by_a_broad_handler() -> None:
    def handler(signum: int, frame: object) -> None:
        raise Terminated("SIGUSR1")

    # One DuckDB thread: the query then runs on the calling thread, which checks for signals
    # between chunks. With more threads a background thread can take the whole scan and does
    # not stop when the caller is interrupted, so con.close() waited for it to count 10^11 rows
    # (the CI hang of round 3). The query is bounded (about 100 s uncut on this machine) and the
    # signal is sent again every 0.2 s, so a signal that lands before the query starts (a loaded
    # machine) neither hangs the test nor passes it without the wrapped path being exercised.
    previous = signal.signal(signal.SIGUSR1, handler)
    con = duckdb.connect(config={"threads": 1})
    con.execute("SET enable_progress_bar = false")
    stop = threading.Event()

    def keep_signalling() -> None:
        while not stop.wait(0.2):
            os.kill(os.getpid(), signal.SIGUSR1)

    wrapped: list[BaseException] = []
    sender = threading.Thread(target=keep_signalling, daemon=True)
    try:
        with pytest.raises(Terminated):
            sender.start()
            for _ in range(50):  # until a signal lands inside the query rather than around it
                try:
                    con.execute("SELECT count(*) FROM range(20000000000) t(x) WHERE x % 7 = 3").fetchall()
                except Terminated:
                    continue
                except Exception as exc:  # what the pipeline's "never fail the run" handlers do
                    wrapped.append(exc)
                    reraise_signal(exc)
                    pytest.fail(f"reraise_signal returned for a wrapped signal: {exc!r}")
    finally:
        stop.set()
        sender.join()
        con.close()
        signal.signal(signal.SIGUSR1, previous)
    assert wrapped, "no signal landed inside a DuckDB query"
    assert "interrupted" in str(wrapped[0]).lower()
    assert isinstance(signal_in(wrapped[0]), Terminated)


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


def test_a_signal_named_by_an_error_that_does_not_chain_it_is_found() -> None:
    said = RuntimeError("Error calling function `_ser_model`: TerminationSignal: ")
    assert signal_in(said) is None and signal_named(said) == "TerminationSignal"
    outer = ValueError("batch failed")
    outer.__cause__ = RuntimeError("interrupted: KeyboardInterrupt")
    assert signal_named(outer) == "KeyboardInterrupt"
    assert signal_named(RuntimeError("Query interrupted")) is None
    assert signal_named(ValueError("a TerminationSignals table")) is None  # a whole word only


class SignalTerminated(BaseException):
    """Stands for Prefect's TerminationSignal, which carries its signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signal = signum


class SignalsItselfWhenDropped:
    """Sends SIGUSR1 from its finaliser: the handler then runs inside ``__del__`` (the next
    bytecodes are the loop's), as it did in distributed's Future.__del__ on the flow's thread."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGUSR1)
        for _ in range(1000):
            pass


def _raise_terminated(signum: int, frame: object) -> None:
    raise SignalTerminated(signum)


def _wait_for_the_signal(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_signal_dropped_in_a_finaliser_is_lost_without_the_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """Why the hook exists: Python hands the handler's exception to sys.unraisablehook and goes on."""
    dropped: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: dropped.append(unraisable.exc_value))
    previous = signal.signal(signal.SIGUSR1, _raise_terminated)
    try:
        SignalsItselfWhenDropped()
        _wait_for_the_signal(0.5)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert [type(e) for e in dropped] == [SignalTerminated]


def test_a_signal_dropped_in_a_finaliser_is_sent_again(capsys: pytest.CaptureFixture[str]) -> None:
    previous = signal.signal(signal.SIGUSR1, _raise_terminated)
    hook = sys.unraisablehook
    try:
        with pytest.raises(SignalTerminated) as raised, resend_lost_signals():
            SignalsItselfWhenDropped()
            _wait_for_the_signal(60)  # returns only if the signal is lost for good
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert raised.value.signal == signal.SIGUSR1
    assert sys.unraisablehook is hook, "the hook it replaced is back"
    said = capsys.readouterr().err
    assert "SIGUSR1 landed in" in said and "sending it again" in said and "Traceback" not in said


def test_other_errors_in_finalisers_go_to_the_hook_before(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: seen.append(unraisable.exc_value))

    class Broken:
        def __del__(self) -> None:
            raise ValueError("a finaliser's own error")

    with resend_lost_signals():
        Broken()
    assert [str(e) for e in seen] == ["a finaliser's own error"]


def test_a_dropped_signal_a_run_took_up_is_not_sent_again() -> None:
    """A ledgered signal dropped in a finaliser is taken up once: here the run's check between
    batches raises it before the re-send is due, and the re-send then stays quiet (a second
    signal would land while the run records itself interrupted)."""
    previous = signal.signal(signal.SIGUSR1, LEDGER.wrap(_raise_terminated))
    try:
        with resend_lost_signals(delay_s=0.5):
            mark = LEDGER.mark()
            SignalsItselfWhenDropped()
            assert LEDGER.count == mark + 1, "the handler ran (and its exception was dropped)"
            with pytest.raises(SignalTerminated):
                LEDGER.raise_unsettled(mark)
            _wait_for_the_signal(2)  # a re-send would raise here
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_a_dropped_signal_no_run_took_up_is_sent_again_once() -> None:
    previous = signal.signal(signal.SIGUSR1, LEDGER.wrap(_raise_terminated))
    try:
        with pytest.raises(SignalTerminated), resend_lost_signals():
            mark = LEDGER.mark()
            SignalsItselfWhenDropped()
            _wait_for_the_signal(60)  # returns only if the signal is lost for good
        assert LEDGER.count == mark + 2, "dropped once, then raised by the re-sent signal"
        _wait_for_the_signal(0.5)  # and sent only once
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_a_signal_inside_the_ledgers_own_lock_is_counted_not_deadlocked() -> None:
    """The handler runs on the main thread wherever it is, also while the ledger's lock is held
    there (a run's check): the ledger's lock must let it in."""
    from kabar.signals import Ledger

    ledger = Ledger()
    previous = signal.signal(signal.SIGUSR1, ledger.wrap(_raise_terminated))
    try:
        with pytest.raises(SignalTerminated):
            with ledger._lock:  # as settle() holds it
                os.kill(os.getpid(), signal.SIGUSR1)
                _wait_for_the_signal(60)  # with a plain Lock the handler waits here for ever
        assert ledger.count == 1
    finally:
        signal.signal(signal.SIGUSR1, previous)

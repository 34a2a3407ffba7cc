"""Signals that other libraries wrap: the one rule every broad ``except Exception`` on the run's
path follows (core: any floor may use it).

DuckDB checks for signals while a query runs in the main thread (PyErr_CheckSignals): the
Python handler runs and raises (Prefect's TerminationSignal for SIGTERM, KeyboardInterrupt for
Ctrl-C), and DuckDB then raises ``RuntimeError('Query interrupted')`` with that exception as its
cause. A handler that swallows errors ("a busy warehouse means no profile") would swallow the
signal with it: a SIGTERM was seen to be lost that way, the run going on to complete.

A signal can also land where Python cannot raise at all, in a finaliser: ``resend_lost_signals``
sends it again. And a library may catch what the handler raised and go on, wrapped in an error
that names it nowhere: ``LEDGER`` counts every signal exception the run's handlers raised, so a
run can stop for a signal nobody let through (``Ledger.raise_unsettled``).
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator


def signal_in(exc: BaseException | None) -> BaseException | None:
    """The signal's exception (anything raised that is not an ``Exception``: KeyboardInterrupt,
    Prefect's TerminationSignal, SystemExit) that ``exc`` is or was raised from, else None."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if not isinstance(exc, (Exception, GeneratorExit)):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def reraise_signal(exc: BaseException) -> None:
    """Raise the signal ``exc`` wraps, if it wraps one; otherwise return (the caller handles it)."""
    signalled = signal_in(exc)
    if signalled is not None and signalled is not exc:
        raise signalled from None



#: How a library that does not chain exceptions names the signal's exception in its own error:
#: pydantic-core reported a TerminationSignal raised inside a model serializer as
#: ``PydanticSerializationError("Error calling function `_ser_model`: TerminationSignal: ")``,
#: with neither cause nor context (seen when a SIGTERM landed while prefect-dask serialised a
#: task's context), so ``signal_in`` finds nothing to follow.
_NAMED = re.compile(r"\b(TerminationSignal|KeyboardInterrupt)\b")


def signal_named(exc: BaseException | None) -> str | None:
    """The class name of a signal's exception ('TerminationSignal', 'KeyboardInterrupt') that an
    error in ``exc``'s chain names in its message without chaining it, else None.

    Only a fallback after ``signal_in``, for an error that reaches the run. One that a library
    swallowed is caught by ``LEDGER`` instead: a first wrapper over the installed SIGTERM handler
    was dropped because Prefect reuses its handler for nested task runs only while that handler
    is the one installed (prefect.utilities.engine.capture_sigterm); behind a wrapper each task
    run installed its own and re-sent the signal, and a CI run hung. flows/runner.py
    ``ledgered_signals`` replaces Prefect's function itself."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, Exception) and (found := _NAMED.search(str(exc))):
            return found.group(1)
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _signal_number(exc: BaseException) -> int | None:
    """The signal a signal's exception stands for: Prefect's TerminationSignal carries it
    (``.signal``), the CLI's Stopped names it (``.signal_name``), a bare KeyboardInterrupt is
    SIGINT. None for other BaseExceptions (SystemExit, GeneratorExit)."""
    number = getattr(exc, "signal", None)
    if isinstance(number, int):
        return number
    name = getattr(exc, "signal_name", None)
    if isinstance(name, str) and name in signal.Signals.__members__:
        return signal.Signals[name]
    return signal.SIGINT if isinstance(exc, KeyboardInterrupt) else None


class Ledger:
    """The signal exceptions this process's ledgered handlers raised: how many, and the last.

    A signal's exception normally propagates and stops the run. When something drops it instead
    (a finaliser, where Python cannot raise; a library's ``except Exception`` around an error that
    wrapped it without a cause), it is *unsettled*: a run that reads the ledger between batches
    raises it again (``raise_unsettled``), and ``resend_lost_signals`` re-sends a dropped one,
    whichever comes first, once (``settle``). Process-wide because signal handlers are."""

    def __init__(self) -> None:
        # re-entrant: a handler runs on the main thread between any two bytecodes, also inside
        # this ledger's own ``with self._lock`` there, and a plain Lock would then wait for ever
        self._lock = threading.RLock()
        self.count = 0
        self.last: BaseException | None = None
        self._settled = 0

    def wrap(self, handler: Callable[[int, Any], Any]) -> Callable[[int, Any], Any]:
        """``handler`` with every exception it raises counted here first (then raised as before)."""
        if getattr(handler, "kabar_ledger", None) is self:
            return handler

        def ledgered(signum: int, frame: Any) -> Any:
            try:
                return handler(signum, frame)
            except BaseException as exc:
                with self._lock:
                    self.count, self.last = self.count + 1, exc
                raise

        ledgered.kabar_ledger = self  # type: ignore[attr-defined]
        ledgered.kabar_wrapped = handler  # type: ignore[attr-defined]
        return ledgered

    def mark(self) -> int:
        """Where the ledger stands now: ``raise_unsettled(mark)`` looks only at signals after it."""
        return self.count

    def settle(self, upto: int) -> bool:
        """Take up the signals counted up to ``upto``: True for the first caller, False once they
        were taken up (by a run's check or by a re-send)."""
        with self._lock:
            if self._settled >= upto:
                return False
            self._settled = upto
            return True

    def raise_unsettled(self, mark: int) -> None:
        """Raise the last signal exception counted after ``mark`` that nobody took up yet; the
        caller is past the point where it should have propagated, so it was dropped."""
        with self._lock:
            count, last = self.count, self.last
        if count > mark and last is not None and self.settle(count):
            number = _signal_number(last)
            name = signal.Signals(number).name if number is not None else type(last).__name__
            print(f"kabar: a {name} reached the run and was dropped on its way (a library caught it); "
                  f"stopping the run now", file=sys.stderr, flush=True)
            raise last.with_traceback(None)


#: The process's ledger (flows/runner.py installs it around a run's handlers).
LEDGER = Ledger()


@contextmanager
def resend_lost_signals(delay_s: float = 0.05) -> Iterator[None]:
    """While the block runs, a signal whose exception Python had to drop is sent again.

    A signal's Python handler runs in the main thread at the next bytecode, wherever that is;
    when it is a finaliser (``__del__``, a weakref callback, the garbage collector's), Python
    cannot raise there: it prints "Exception ignored in ..." and goes on (sys.unraisablehook),
    and the signal is lost. A SIGTERM sent to a Dask-runner ingest after two loads once went
    nowhere: the run took its 600 pages to the end and exited 0 (fresh-clone CI,
    tests/flows/test_interrupt_dask.py). Of the places CPython drops a BaseException (finalisers,
    asyncio callbacks), only finalisers run on the flow's thread (Prefect's event loops have
    threads of their own), and they run there all the time (distributed's ``Future.__del__``
    releases a batch's keys as its futures are dropped; weakref callbacks). The loss was not seen
    again in the tries at random moments of benchmarks/interrupt.py ``--chaos``: this is the
    mechanism shown (tests/kabar/test_signals.py), not a reproduced run. The hook sends the same
    signal to this process again from a short-lived thread ``delay_s`` later, when the main
    thread is back in ordinary code,
    so the handler installed then (Prefect's, the CLI's) raises where it can be handled. Other
    unraisable errors go to the hook that was installed before."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        lost = signal_in(unraisable.exc_value)
        number = _signal_number(lost) if lost is not None else None
        if number is None:
            previous(unraisable)
            return
        where = getattr(unraisable.object, "__qualname__", None) or type(unraisable.object).__name__
        print(f"kabar: {signal.Signals(number).name} landed in {where}, where Python cannot raise; "
              f"sending it again", file=sys.stderr, flush=True)
        # a ledgered signal is sent again only if a run's check has not raised it meanwhile:
        # both would stop the run, and the second would land while it records itself interrupted
        upto = LEDGER.count if lost is LEDGER.last else None

        def send_again() -> None:
            if upto is None or LEDGER.settle(upto):
                os.kill(os.getpid(), number)

        timer = threading.Timer(delay_s, send_again)
        timer.daemon = True
        timer.start()

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous

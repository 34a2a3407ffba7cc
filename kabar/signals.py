"""Signals that other libraries wrap: the one rule every broad ``except Exception`` on the run's
path follows (core: any floor may use it).

DuckDB checks for signals while a query runs in the main thread (PyErr_CheckSignals): the
Python handler runs and raises (Prefect's TerminationSignal for SIGTERM, KeyboardInterrupt for
Ctrl-C), and DuckDB then raises ``RuntimeError('Query interrupted')`` with that exception as its
cause. A handler that swallows errors ("a busy warehouse means no profile") would swallow the
signal with it: a SIGTERM was seen to be lost that way, the run going on to complete.

A signal can also land where Python cannot raise at all, in a finaliser: ``resend_lost_signals``
sends it again.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
from contextlib import contextmanager
from typing import Any, Iterator


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

    Only a fallback after ``signal_in``: wrapping the signal handlers to see every signal was
    tried and dropped, because Prefect reuses its SIGTERM handler for nested task runs only
    while that handler is the one installed (prefect.utilities.engine.capture_sigterm); behind
    a wrapper each task run installed its own and re-sent the signal, and a CI run hung."""
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
        resend = threading.Timer(delay_s, os.kill, (os.getpid(), number))
        resend.daemon = True
        resend.start()

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous

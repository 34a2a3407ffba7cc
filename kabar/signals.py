"""Signals that other libraries wrap: the one rule every broad ``except Exception`` on the run's
path follows (core: any floor may use it).

DuckDB checks for signals while a query runs in the main thread (PyErr_CheckSignals): the
Python handler runs and raises (Prefect's TerminationSignal for SIGTERM, KeyboardInterrupt for
Ctrl-C), and DuckDB then raises ``RuntimeError('Query interrupted')`` with that exception as its
cause. A handler that swallows errors ("a busy warehouse means no profile") would swallow the
signal with it: a SIGTERM was seen to be lost that way, the run going on to complete.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator


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


class SignalWitness:
    """What a signal became while ``witness_signals`` was in force: the exception its handler
    raised (``raised``), kept even when a library wraps it without a cause."""

    def __init__(self) -> None:
        self.raised: BaseException | None = None


@contextmanager
def witness_signals(signums: Iterable[int] = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)) -> Iterator[SignalWitness]:
    """Chain a recorder in front of each Python-level handler of ``signums`` for the block, so the
    block's owner knows a signal arrived however it came out. Not every library chains the
    exception: pydantic-core reports a TerminationSignal raised inside a model serializer as
    ``PydanticSerializationError("Error calling function `_ser_model`: TerminationSignal: ")``
    with no cause (seen when a SIGTERM landed while prefect-dask serialised a task's context),
    and ``signal_in`` then finds nothing. Outside the main thread (where Python runs handlers)
    and for handlers that are not Python callables (SIG_DFL, SIG_IGN) nothing is installed."""
    witness = SignalWitness()
    if threading.current_thread() is not threading.main_thread():
        yield witness
        return
    replaced: dict[int, Any] = {}
    for signum in signums:
        previous = signal.getsignal(signum)
        if not callable(previous):
            continue

        def recorder(number: int, frame: Any, previous: Callable[..., Any] = previous) -> None:
            try:
                previous(number, frame)
            except BaseException as raised:
                if witness.raised is None:
                    witness.raised = raised
                raise

        replaced[signum] = previous
        signal.signal(signum, recorder)
    try:
        yield witness
    finally:
        for signum, previous in replaced.items():
            signal.signal(signum, previous)

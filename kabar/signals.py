"""Signals that other libraries wrap: the one rule every broad ``except Exception`` on the run's
path follows (core: any floor may use it).

DuckDB checks for signals while a query runs in the main thread (PyErr_CheckSignals): the
Python handler runs and raises (Prefect's TerminationSignal for SIGTERM, KeyboardInterrupt for
Ctrl-C), and DuckDB then raises ``RuntimeError('Query interrupted')`` with that exception as its
cause. A handler that swallows errors ("a busy warehouse means no profile") would swallow the
signal with it: a SIGTERM was seen to be lost that way, the run going on to complete.
"""

from __future__ import annotations

import re


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

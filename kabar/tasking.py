"""``task``: Prefect's ``@task``, with Prefect imported when the task is first used, not when its
module is.

Why (issue 11, bounded memory): the extraction workers (tasks/extract_pool.py) import
``tasks.extract`` and what it imports: the stage modules whose thin ``@task`` wrappers pulled
in Prefect (and through it pydantic, httpx, ...) at import, about 70 MB of every worker and of
their fork server that extraction never uses (a worker only runs ``extract_batch``, the plain
function). With this decorator a module that declares a task costs nothing until a flow calls,
submits or configures the task; then the real ``prefect.Task`` is built once and every
attribute (``submit``, ``map``, ``with_options``, ``name`` ...) is that task's. ``.fn`` is the
plain function, as on a Prefect task. Every task of kabar (tasks/, flows/) is declared with it.

    from kabar.tasking import NO_CACHE, task

    @task(name="extract", cache_policy=NO_CACHE)
    def extract(batch): ...

The Prefect task runs the function through ``_signals_raised``: a signal's exception that a
library wrapped in its own error (DuckDB's ``RuntimeError('Query interrupted')`` from Ctrl-C's
KeyboardInterrupt, kabar/signals.py) leaves the task as the signal itself. Prefect then records a
crash in one line; as the wrapper, an ordinary Exception, it logged "Task run failed with
exception" with the whole traceback in a run that Ctrl-C had stopped cleanly (a Ctrl-C during
the wrap-up's search index update: ``benchmarks/interrupt.py --chaos``).
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
from typing import Any, Callable

from kabar.signals import reraise_signal


class _NoCache:
    """Stands for ``prefect.cache_policies.NONE`` (replaced when the task is built); pickled as
    this module's ``NO_CACHE``, so a copy is still recognised."""

    def __reduce__(self) -> str:
        return "NO_CACHE"

    def __repr__(self) -> str:
        return "NO_CACHE"


NO_CACHE = _NoCache()


def _signals_raised(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, raising the signal's own exception when it raises an error that wraps one."""
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            reraise_signal(exc)
            raise
    return run


class LazyTask:
    """A Prefect task built on first use from ``fn`` and the ``@task`` options."""

    def __init__(self, fn: Callable[..., Any], options: dict[str, Any]) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self._options = options
        self._task: Any = None
        self._lock = threading.Lock()

    def _built(self) -> Any:
        if self._task is None:
            with self._lock:
                if self._task is None:
                    from prefect import task as prefect_task
                    from prefect.cache_policies import NONE

                    options = {k: (NONE if v is NO_CACHE else v) for k, v in self._options.items()}
                    self._task = prefect_task(**options)(_signals_raised(self.fn))
        return self._task

    def __getattr__(self, name: str) -> Any:
        # only reached for what this object lacks: everything a Prefect task has
        if name.startswith("__") or name in ("_task", "_options", "_lock"):
            raise AttributeError(name)
        return getattr(self._built(), name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._built()(*args, **kwargs)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as where it is declared (its module's attribute), else as its function and
        options: never with its lock. A Dask worker gets a task's function by value (cloudpickle:
        the module's attribute of that name is this LazyTask, not the function), with what the
        function's code reads from its module, and a LazyTask met there was pickled whole: the
        discover task failed to reach the workers with "cannot pickle '_thread.lock' object" once
        every task was declared through this module (tests/flows/test_task_runners.py)."""
        module = sys.modules.get(self.fn.__module__)
        if module is not None and getattr(module, self.fn.__name__, None) is self:
            return _declared, (self.fn.__module__, self.fn.__name__)
        return LazyTask, (self.fn, self._options)


def _declared(module: str, name: str) -> LazyTask:
    """The LazyTask declared as ``name`` in ``module`` (unpickling, see ``LazyTask.__reduce__``)."""
    return getattr(importlib.import_module(module), name)


def task(**options: Any) -> Callable[[Callable[..., Any]], LazyTask]:
    """``@task(name=..., cache_policy=NO_CACHE, ...)``: Prefect's ``@task`` options, built lazily."""
    def wrap(fn: Callable[..., Any]) -> LazyTask:
        return LazyTask(fn, options)
    return wrap

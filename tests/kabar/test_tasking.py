"""kabar/tasking.py: stage modules declare Prefect tasks without importing Prefect, so the
extraction workers (tasks/extract_pool.py), which import tasks.extract, stay small (issue 11,
bounded memory); the task a flow uses is still a real Prefect task."""

from __future__ import annotations

import json
import subprocess
import sys

from kabar.tasking import NO_CACHE, LazyTask, task
from tests.conftest import ROOT

#: What the extraction workers' fork server preloads must not bring in (about 100 MB of each
#: worker's and the fork server's memory when it did).
HEAVY = ("prefect", "duckdb", "pyarrow", "httpx")


def test_extraction_modules_import_without_prefect_or_the_warehouse() -> None:
    probe = f"import json, sys, tasks.extract; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_a_lazy_task_becomes_a_prefect_task_with_its_options() -> None:
    from prefect import Task
    from prefect.cache_policies import NONE

    def double(x: int) -> int:
        """Twice x."""
        return 2 * x

    lazy = task(name="double-it", cache_policy=NO_CACHE, retries=2)(double)
    assert isinstance(lazy, LazyTask) and lazy.fn is double and lazy.__doc__ == "Twice x."
    assert lazy._task is None  # nothing built yet: Prefect not needed to declare it
    assert lazy.name == "double-it" and lazy.retries == 2 and lazy.cache_policy is NONE
    assert isinstance(lazy._task, Task) and lazy.with_options(name="other").name == "other"
    assert lazy.fn(4) == 8


def test_a_signal_a_library_wrapped_leaves_the_task_as_the_signal() -> None:
    """DuckDB raises RuntimeError('Query interrupted') from Ctrl-C's KeyboardInterrupt; the task
    re-raises the KeyboardInterrupt (Prefect records a crash, no traceback), and other errors
    stay what they were."""
    import pytest

    def interrupted() -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as signal:
            raise RuntimeError("Query interrupted") from signal

    def broken() -> None:
        raise ValueError("a real error")

    built = task(name="interrupted", cache_policy=NO_CACHE)(interrupted)._built()
    assert built.fn.__wrapped__ is interrupted  # what Prefect's task runs
    with pytest.raises(KeyboardInterrupt):
        built.fn()
    with pytest.raises(ValueError, match="a real error"):
        task(name="broken", cache_policy=NO_CACHE)(broken)._built().fn()


def test_a_declared_lazy_task_pickles_by_reference_and_a_local_one_by_value() -> None:
    """Dask ships tasks to its workers by pickling; a LazyTask holds a lock, which cannot be."""
    import pickle

    import cloudpickle

    from tasks.discover import discover_task

    assert pickle.loads(pickle.dumps(discover_task)) is discover_task
    lazy = task(name="local", cache_policy=NO_CACHE)(lambda x: x + 1)
    lazy._built()
    copy = cloudpickle.loads(cloudpickle.dumps(lazy))
    assert isinstance(copy, LazyTask) and copy.fn(1) == 2 and copy._task is None
    assert copy._options["cache_policy"] is NO_CACHE

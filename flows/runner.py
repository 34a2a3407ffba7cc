"""How flows execute their batch tasks: the task runner, and the caches that let reruns skip work.

- ``task_runner_for(run)``: the default runner (threads in the flow process) or a Dask cluster
  (``[run] task_runner = "dask"``; ``dask_address`` for a running scheduler, else a LocalCluster).
  Flows submit fetch, extract and enrich batches to it; the load stays in the flow process,
  the single writer of the warehouse.
- ``recorded_run(...)``: the run's bookkeeping (start row, final state, failure) for every flow;
  a run stopped by SIGTERM or Ctrl-C cancels its fetches, kills its extraction workers and is
  recorded ``interrupted``.
- ``RunBudget``: the run's time budget (``[run] max_run_minutes``), checked between batches.
- ``cached(task, warehouse)``: the task with results persisted under the warehouse's data dir
  (``<data dir>/prefect-results/<warehouse file name>``), so a retry or rerun over the same content loads the finished
  batch instead of recomputing it. Keys are the batch's content hashes plus
  ``settings.PIPELINE_CODE_VERSION`` (never the inputs themselves: Prefect's default policy
  hashes whole inputs, slow for 200 page bodies, and would miss a code change).
"""

from __future__ import annotations

import hashlib
import logging
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from kabar import settings
from kabar.config import RunSettings, Warehouse
from kabar.models import Item, RunStopped, StageError
from kabar.records import NOT_ATTEMPTED_STAGE
from kabar.signals import LEDGER, resend_lost_signals, signal_in, signal_named
from tasks import extract_pool
from tasks.enrich import versions
from tasks.fetch import close_run_fetcher
from tasks.load import Counts, finish_run_task, start_run_task
from warehouse.connection import drop_traceback_hold

LOGGER = logging.getLogger(__name__)

#: Cached batch results older than this are recomputed (and their files overwritten).
CACHE_EXPIRATION = timedelta(days=14)


def task_runner_for(run: RunSettings | None = None) -> TaskRunner:
    """The task runner a run's settings ask for (default: $KABAR_TASK_RUNNER, else threads)."""
    name = run.task_runner if run is not None else settings.TASK_RUNNER
    if name == "dask":
        from prefect_dask import DaskTaskRunner

        # distributed logs a comm that a closing worker dropped mid-send at INFO *with its
        # traceback* (distributed/batched.py: "Batched Comm Closed", exc_info=True), an expected
        # race when a SIGTERM closes the LocalCluster: a stopped run's log then showed a traceback
        # for nothing wrong (tests/flows/test_interrupt_dask.py, fresh-clone CI). Its warnings and
        # errors still show.
        logging.getLogger("distributed.batched").setLevel(logging.WARNING)
        if run is not None and run.dask_address:
            return DaskTaskRunner(address=run.dask_address)
        # Processes, one thread each: extraction is CPU-bound Python (the GIL), and batches are big
        # enough that Dask's per-task cost (measured ~20x a thread's) stays small.
        # Each worker preloads flows/dask_worker.py: a heartbeat cut by the cluster's shutdown is
        # one log line there, not a traceback.
        return DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True,
                                              "dashboard_address": None, "preload": ["flows.dask_worker"]})
    # A few threads: fetches wait on the network while the flow thread extracts and loads.
    return ThreadPoolTaskRunner(max_workers=4)


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:40]


def fetched_batch_key(context: Any, parameters: dict[str, Any]) -> str | None:
    """Cache key of an extract batch: each page's URL and body hash, plus the extractor version;
    pages left out as unchanged bodies (tasks/unchanged.py) are left out of the key too."""
    from tasks.unchanged import changed, extractor_version

    batch = changed(parameters.get("batch") or [], parameters.get("stored"))
    parts = [f"extract:{extractor_version()}"]
    for fetched in batch:
        body = hashlib.sha1(fetched.body).hexdigest() if fetched.body is not None else "-"
        parts.append(f"{fetched.item.url}|{fetched.final_url}|{fetched.content_type}|{fetched.error}|{body}")
    return _digest(parts)


def article_batch_key(context: Any, parameters: dict[str, Any]) -> str | None:
    """Cache key of an enrich batch: article ids and content hashes, enricher names and versions
    (under the run's enrichment settings: a custom KB or themes file changes the versions)."""
    try:
        current = versions(parameters.get("names"), parameters.get("settings"))
    except ValueError:
        return None  # an unknown enricher or a bad file: no caching, the task reports the error itself
    parts = [f"enrich:{settings.PIPELINE_CODE_VERSION}", *(f"{name}={v}" for name, v in current.items())]
    # duplicate_of and status too: a cached batch must not bring back another run's dedupe decisions
    parts += [f"{a.article_id}|{a.content_hash}|{a.duplicate_of}|{a.meta.get('status')}"
              for a in parameters.get("articles") or []]
    return _digest(parts)


def results_dir(warehouse: Warehouse) -> Path:
    """Where cached batch results of this warehouse live: beside it, in its data dir, in a
    folder of its own (``prefect-results/<file name>``). One folder for the whole data dir let a
    fresh warehouse next to another reuse that one's results (3.5x faster "fresh" runs)."""
    return warehouse.data_dir / "prefect-results" / warehouse.label


def cached(task: Any, warehouse: Warehouse, key_fn: Any) -> Any:
    """``task`` with results persisted under the warehouse's data dir and looked up by ``key_fn``."""
    from prefect.cache_policies import CacheKeyFnPolicy
    # A Path, not an unsaved LocalFileSystem block: Prefect refuses unsaved blocks as result
    # storage ("must be persisted server-side") but turns a Path into a local file system itself.
    storage = results_dir(warehouse).resolve()
    # cache_result_in_memory=False: Prefect 3.8.8 also keeps every persisted result in an
    # in-memory LRU of 1,000 records (prefect/results.py default_cache), and a task's result store
    # is a shallow model_copy of the flow run's, so that one LRU is shared by the whole run: every
    # extract and enrich batch of the run (articles with their text) stayed in the process until
    # it ended, memory growing with the run's length (issue 11). The batch's own state still
    # carries its result to the flow; only that run-long copy is dropped.
    return task.with_options(cache_policy=CacheKeyFnPolicy(cache_key_fn=key_fn), persist_result=True, result_storage=storage,
                             cache_expiration=CACHE_EXPIRATION, refresh_cache=False, cache_result_in_memory=False)


def restamp(articles: list[Any], fetched: list[Any]) -> list[Any]:
    """Give articles the fetch times of this run: a cached extract batch carries the times of
    the run that first extracted it, and ``last_seen_at`` must say when a page was last fetched."""
    when = {f.item.url: f.fetched_at for f in fetched}
    for article in articles:
        article.fetched_at = when.get(article.url, article.fetched_at)
    return articles


def in_deployment() -> bool:
    """Whether this flow run was started from a deployment (a worker or `kabar serve`): such runs
    take their default warehouse from the user data folder, not the working directory."""
    from prefect.context import FlowRunContext

    # The flow run in hand says it: prefect.runtime.deployment.get_id (3.8.8) looks for
    # deployment_id on the FlowRunContext itself, not on its flow_run, finds none and reads the
    # flow run back from the API, one round trip per run (issue 11: a run's fixed cost).
    context = FlowRunContext.get()
    if context is not None and context.flow_run is not None:
        return context.flow_run.deployment_id is not None
    from prefect.runtime import deployment

    return deployment.id is not None
@dataclass
class RunRecord:
    """The run in progress: its id, its counts so far, and the final state the flow decided."""

    warehouse: Warehouse
    run_id: str
    counts: Counts = field(default_factory=Counts)
    state: str = "completed"
    message: str | None = None
    #: where the process's signal ledger stood when the run began (kabar/signals.py Ledger)
    signals_from: int = 0

    def stop_if_signalled(self) -> None:
        """Raise again a signal that reached this run's handlers and that something swallowed
        (kabar/signals.py Ledger): the flows call it between batches, recorded_run at the end."""
        LEDGER.raise_unsettled(self.signals_from)

    def summary(self, **extra: Any) -> dict[str, Any]:
        return {"run_id": self.run_id, "warehouse": str(self.warehouse), "state": self.state,
                "by_source": self.counts.by_source, **extra}


@dataclass(frozen=True)
class RunBudget:
    """A run's time budget: ``minutes`` from ``started`` (time.monotonic()); 0 is no budget."""

    minutes: float
    started: float = field(default_factory=time.monotonic)

    @property
    def spent(self) -> bool:
        return self.minutes > 0 and time.monotonic() - self.started >= self.minutes * 60

    def not_attempted(self, items: list[Item]) -> list[StageError]:
        """One record per item the run scheduled but did not attempt once the budget was spent
        (counted as skipped; the items are not in the frontier, so the next run takes them up)."""
        why = f"not attempted: run time budget of {self.minutes:g} min used up (left for the next run)"
        return [StageError(item.url, item.source, NOT_ATTEMPTED_STAGE, why) for item in items]

    def message(self, left: int, total: int) -> str:
        return (f"run time budget of {self.minutes:g} min used up: {left} of {total} items "
                f"not attempted (left for the next run)")


def retry_unless_stopped(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn`` of the network stages: retry, except a batch whose run was
    stopped (a retry would wait out its backoff before the process could exit)."""
    return not isinstance(getattr(state, "data", None), RunStopped)


def interruption(exc: BaseException) -> str | None:
    """The signal an exception stands for ('SIGTERM', 'SIGINT (Ctrl-C)'), None for other errors.
    Prefect turns a SIGTERM during a flow into its TerminationSignal, Python a SIGINT into
    KeyboardInterrupt; they may come wrapped (kabar/signals.py): as ``ValueError: Task run is not
    set`` when the signal lands while Prefect starts a task run (prefect/task_engine.py
    initialize_run calls handle_crash before the task run exists), or as DuckDB's
    ``RuntimeError: Query interrupted``."""
    from prefect.exceptions import TerminationSignal

    exc = signal_in(exc)
    if isinstance(exc, TerminationSignal):
        return signal.Signals(exc.signal).name
    if isinstance(exc, KeyboardInterrupt):  # the CLI's own handlers (SIGHUP) name their signal
        return getattr(exc, "signal_name", None) or "SIGINT (Ctrl-C)"
    return None


def wrapped_signal(exc: BaseException) -> BaseException | None:
    """The signal's exception ``exc`` is or wraps (kabar/signals.py ``signal_in``); for a library
    that names it without chaining it (pydantic-core), a new one of the named kind: Prefect
    raises TerminationSignal for SIGTERM only. None for other errors."""
    if (found := signal_in(exc)) is not None:
        return found
    named = signal_named(exc)
    if named == "TerminationSignal":
        from prefect.exceptions import TerminationSignal

        return TerminationSignal(signal=signal.SIGTERM)
    return KeyboardInterrupt() if named == "KeyboardInterrupt" else None


def stop_work(run_id: str) -> None:
    """Stop a run's work in this process now: cancel its fetches in progress (each batch
    waiting on them ends with an error per item; a later batch raises RunStopped, not retried)
    and kill the extraction workers (their chunks would otherwise run to the end)."""
    close_run_fetcher(run_id, cancel=True)
    extract_pool.stop()


@contextmanager
def recorded_run(warehouse: Warehouse, flow: str, params: dict[str, Any], lock_wait: float | None = None,
                 on_failure: Callable[[Warehouse, dict[str, Any]], Any] | None = None) -> Iterator[RunRecord]:
    """The run's bookkeeping, in one place: record the run as running (taking the run lock),
    let the flow fill ``counts``/``state``/``message``, and record the final state: 'failed'
    with the exception (then ``on_failure(warehouse, summary)``, e.g. a report) when the block raises.
    A run stopped by a signal (SIGTERM, Ctrl-C) stops its fetches and extraction workers first
    and is recorded 'interrupted', with its counts so far and the signal in the message; a
    signal that landed in a finaliser, where Python drops it, is sent again
    (kabar/signals.py ``resend_lost_signals``), in the CLI or in a deployment's flow process.
    The run's fetcher (tasks/fetch.py), if one was opened, is closed either way."""
    with ledgered_signals() as mark, resend_lost_signals(), \
            _recorded(warehouse, flow, params, lock_wait, on_failure, mark) as run:
        yield run


@contextmanager
def ledgered_signals() -> Iterator[int]:
    """While a run goes on, its signal handlers count what they raise in kabar/signals.py's
    LEDGER; yields where the ledger stood. A SIGTERM sent to a Dask-runner ingest once went
    nowhere (fresh-clone CI: the run took its 600 pages to the end and exited 0) and no try since
    reproduced it; a handler's exception dropped in a finaliser is one way (resend_lost_signals),
    a library catching what a callback raised inside it (pydantic-core turns it into an Exception
    without a cause, which Prefect's and distributed's ``except Exception`` then log and drop) is
    another. With the ledger the run does not need to know where: ``RunRecord.stop_if_signalled``.

    SIGTERM's handler during a flow is Prefect's (prefect.utilities.engine capture_sigterm), which
    a nested task run reuses only while the installed handler *is* the module's
    ``_prefect_sigterm_handler``: a wrapper installed over it made every task run install its
    own and re-send the signal, and a CI run hung (kabar/signals.py signal_named). So the
    module's function itself is replaced by the ledgered one (Prefect 3.8.8, pinned;
    tests/flows/test_signal_ledger.py fails if a task run stops finding it there), and the one
    installed now too. SIGINT's and SIGHUP's handlers are wrapped for the run and put back. Main
    thread only: Python runs handlers there."""
    if threading.current_thread() is not threading.main_thread():
        yield LEDGER.mark()
        return
    from prefect.utilities import engine

    with engine._prefect_sigterm_bridge_lock:
        prefect_handler = engine._prefect_sigterm_handler
        engine._prefect_sigterm_handler = LEDGER.wrap(prefect_handler)
        if signal.getsignal(signal.SIGTERM) is prefect_handler:
            signal.signal(signal.SIGTERM, engine._prefect_sigterm_handler)
    replaced = {}
    for number in (signal.SIGINT, signal.SIGHUP):
        current = signal.getsignal(number)
        if callable(current) and getattr(current, "kabar_ledger", None) is not LEDGER:
            replaced[number] = (current, LEDGER.wrap(current))
            signal.signal(number, replaced[number][1])
    try:
        yield LEDGER.mark()
    finally:
        for number, (previous, wrapped) in replaced.items():
            if signal.getsignal(number) is wrapped:
                signal.signal(number, previous)


@contextmanager
def _recorded(warehouse: Warehouse, flow: str, params: dict[str, Any], lock_wait: float | None,
              on_failure: Callable[[Warehouse, dict[str, Any]], Any] | None, signals_from: int) -> Iterator[RunRecord]:
    extract_pool.resume()  # a run stopped earlier in this process left extraction refusing work
    try:
        run = RunRecord(warehouse, start_run_task(warehouse, flow, params, lock_wait), signals_from=signals_from)
    except BaseException as exc:
        if (caught := wrapped_signal(exc)) is not None and caught is not exc:
            raise caught from None  # stopped before the run was recorded: the signal, not its wrapper
        raise
    try:
        yield run
        run.stop_if_signalled()  # a signal swallowed after the flow's last check still stops the run
    except BaseException as exc:
        caught = wrapped_signal(exc)
        if (stopped_by := interruption(caught) if caught is not None else None) is not None:
            LEDGER.settle(LEDGER.count)  # taken up: a re-send still due would land while the run records itself
            stop_work(run.run_id)
            run.state, run.message = "interrupted", f"stopped by {stopped_by}; the next run takes up what this one left"
        else:
            run.state, run.message = "failed", f"{type(exc).__name__}: {exc}"[:500]
        # The frames the exception left hold what they referenced, DuckDB results among them; one
        # still streaming keeps a closed reader's database alive, and the closing write's open of
        # the same file would wait on it (issue 11, the Ctrl-C hang: warehouse/connection.py
        # ``_open_database``). Their lines stay for the traceback; their locals go.
        drop_traceback_hold(exc)
        finish_run_task(warehouse, run.run_id, run.counts, run.state, run.message)
        if on_failure is not None:
            on_failure(warehouse, run.summary())
        if stopped_by is not None and caught is not exc:
            # the signal's own exception, not Prefect's ValueError (or DuckDB's, pydantic's)
            # around it: Prefect's SIGTERM capture then hands the signal on to the CLI (exit 143)
            raise caught from None
        raise
    finally:
        close_run_fetcher(run.run_id)  # the run's HTTP clients and WARC file end with it
    finish_run_task(warehouse, run.run_id, run.counts, run.state, run.message)

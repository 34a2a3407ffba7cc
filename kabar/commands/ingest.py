"""`kabar ingest`: run the ingest flow over configured or ad-hoc sources."""

from __future__ import annotations

import argparse
import faulthandler
import os
import signal
import socket
import sys
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kabar import settings
from kabar.cli import UserError, add_warehouse_option
from kabar.signals import resend_lost_signals

if TYPE_CHECKING:
    from kabar.config import Warehouse


def parse_day(text: str) -> datetime:
    """A --since/--until value: a date (midnight Asia/Jakarta) or an ISO timestamp."""
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD) or ISO timestamp") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=ZoneInfo(settings.TIMEZONE))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="fetch, clean, deduplicate, enrich and load articles",
        description=(
            "Run the ingest flow. Sources come from --config (a sources.toml) and/or positional "
            "PATH_OR_URL arguments: local .html/.htm/.txt files, directories or globs, WARC files, "
            "or feed/sitemap URLs. Prints a per-source summary at the end. Exits 1 when the run "
            "ended `failed` (nothing could be fetched or extracted) or `completed_with_errors` (too many "
            "failed items or silent sources; thresholds in the sources file's [run] table; or its time "
            "budget ran out). SIGTERM, SIGHUP or Ctrl-C stop it within seconds: fetches are cancelled, the "
            "extraction workers killed and the run recorded `interrupted` (exit 143, 129 or 130). "
            "SIGUSR1 prints every thread's stack to stderr and the run goes on (where a run that "
            "seems stuck is waiting)."
        ),
    )
    parser.add_argument("targets", nargs="*", metavar="PATH_OR_URL", help="ad-hoc sources (no config file needed); with --config and no --source, only these run "
                             "(the config supplies settings)")
    parser.add_argument("--config", metavar="FILE", help="a sources file (see samples/sources.toml)")
    parser.add_argument("--source", action="append", metavar="NAME", dest="sources",
                        help="only this source from the config (repeatable)")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N articles per source")
    parser.add_argument("--since", type=parse_day, metavar="DATE",
                        help="only articles published on or after DATE (YYYY-MM-DD or ISO timestamp)")
    parser.add_argument("--until", type=parse_day, metavar="DATE",
                        help="only articles published before DATE (YYYY-MM-DD or ISO timestamp)")
    parser.add_argument("--new-only", action="store_true",
                        help="without --since: only items published after the last completed run started")
    parser.add_argument("--allow-host", action="append", metavar="HOST[:PORT]", dest="allow_hosts",
                        help="permit this private/loopback host (repeatable; for tests and intranets)")
    parser.add_argument("--wait", type=float, metavar="SECONDS", dest="lock_wait",
                        help="when another ingest is running on the same warehouse file, wait up to SECONDS "
                             "for it (default: $KABAR_LOCK_WAIT, else 0: exit at once with 'warehouse busy')")
    parser.add_argument("--max-minutes", type=float, metavar="MINUTES", dest="max_run_minutes",
                        help="time budget of this run (overrides [run] max_run_minutes; 0: none): once spent, no "
                             "new batch starts, the batches in flight are loaded, the items not attempted are "
                             "recorded and left for the next run, and the run ends completed_with_errors (exit 1)")
    parser.add_argument("--reextract", action="store_true",
                        help="extract every fetched page again, also one whose body is the same bytes its stored "
                             "article was extracted from (by default those count as unchanged and are skipped)")
    add_warehouse_option(parser)
    parser.set_defaults(handler=run)


def _wait_for_warehouse(path: Warehouse, lock_wait: float | None) -> None:
    """A warehouse another live run holds is reported in one line before Prefect starts (the flow
    takes the lock itself; this only spares the user a failed flow's tracebacks)."""
    import os

    from kabar import settings
    from warehouse import runlock

    if path.is_lake:
        return
    wait = lock_wait if lock_wait is not None else float(
        os.environ.get("KABAR_LOCK_WAIT") or settings.RUN_LOCK_WAIT_S)
    runlock.wait_until_free(path.path, wait_s=wait)


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP on `kabar ingest`: raised in the main thread, like Ctrl-C's KeyboardInterrupt."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


class _StopSignals:
    """The SIGTERM/SIGHUP handler of one `kabar ingest`: remembers the signal, then raises Stopped.

    While the flow runs, Prefect's own SIGTERM handler is installed instead (it raises its
    TerminationSignal: flows/runner.py stops the work and records the run); when the flow has
    ended it re-sends the signal to the handler it replaced (prefect.utilities.engine
    capture_sigterm), this one. Without it that is SIG_DFL: the process died at once, atexit
    never ran and the temporary Prefect server it started was left running.

    The exception can surface as another one: a signal landing while pydantic-core serialises
    Prefect's settings to start the temporary server (a Rust routine calling back into Python)
    comes out as PydanticSerializationError("... Stopped: SIGTERM"), and the run then exited 1
    with that traceback instead of 143 (seen in CI). So ``received`` is what decides."""

    def __init__(self) -> None:
        self.received: str | None = None

    def __call__(self, signum: int, frame: object) -> None:
        self.received = self.received or signal.Signals(signum).name
        raise Stopped(signal.Signals(signum).name)


def _temporary_server_in_own_session() -> None:
    """Start Prefect's temporary API server (when no PREFECT_API_URL is set) in a session of its
    own. prefect.server.api.server.SubprocessASGIServer starts it in kabar's process group, so a
    terminal's Ctrl-C (SIGINT to the whole foreground group) stopped the server with kabar, and
    the interrupted run then spent minutes retrying the dead API to record its end. kabar still
    stops it when it exits (the server's atexit stop()); SIGHUP is handled like SIGTERM for that."""
    import functools
    import subprocess
    import types

    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return
    from prefect.server.api import server

    if getattr(server.subprocess, "kabar_own_session", False):
        return
    shim = types.ModuleType("subprocess")
    shim.__dict__.update(subprocess.__dict__)
    shim.Popen = functools.partial(subprocess.Popen, start_new_session=True)
    shim.kabar_own_session = True
    server.subprocess = shim


def _what_was_recorded(warehouse: Warehouse, began: datetime) -> str:
    """How a stopped ingest left its run: recorded interrupted (the usual case), or never started
    (a signal while Prefect's temporary server was starting), read back from the warehouse."""
    from warehouse.run_report import run_of_process

    try:
        recorded = run_of_process(warehouse, os.getpid(), socket.gethostname(), began)
    except Exception as exc:  # a busy or unreadable warehouse: say so, the exit code stands
        return f"(its run record could not be read: {type(exc).__name__}: {exc})"[:300]
    if recorded is None:
        return "before its run started (nothing was recorded)"
    run_id, state = recorded
    return f"(run {run_id} is recorded as {state})"


def _unhealthy_without_summary(exc: BaseException) -> bool:
    """Whether ``exc`` is Prefect's stand-in for the flow's own Failed state whose data (the
    RunUnhealthy with the summary) it did not keep: ``prefect.exceptions.FailedRun``."""
    return type(exc).__name__ == "FailedRun" and type(exc).__module__ == "prefect.exceptions"


def run(args: argparse.Namespace) -> int:
    from kabar.config import resolve_warehouse
    from kabar.sources import resolve_sources

    if args.limit is not None and args.limit < 1:
        raise UserError(f"--limit must be at least 1 (got {args.limit})")
    budget = args.max_run_minutes
    if budget is not None and not 0 <= budget <= settings.MAX_RUN_MINUTES_LIMIT:
        raise UserError(f"--max-minutes must be between 0 (no budget) and {settings.MAX_RUN_MINUTES_LIMIT:g} (got {budget:g})")
    # validate before Prefect starts and pick the task runner; the flow resolves the file again in
    # plan_task, since deployments call it without the CLI (see flows/ingest.py plan_task)
    plan = resolve_sources(args.config, args.sources, args.targets, args.allow_hosts)
    warehouse = resolve_warehouse(args.warehouse, plan.warehouse)
    _wait_for_warehouse(warehouse, args.lock_wait)
    from flows.ingest import ingest
    from flows.parameters import without_fastapi
    from flows.runner import task_runner_for
    from kabar.progress import show_progress
    from kabar.summary import print_summary  # rich: imported by the run, not by every `kabar` command

    # [run] task_runner of the config; parameters sent without importing FastAPI (flows/parameters.py)
    flow = without_fastapi(ingest.with_options(task_runner=task_runner_for(plan.run)))
    from kabar.health import RunUnhealthy

    _temporary_server_in_own_session()
    began = datetime.now(timezone.utc)
    stop = _StopSignals()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    # `kill -USR1 <pid>` prints every thread's stack to stderr and the run goes on: how to see
    # where a run that seems stuck is waiting (benchmarks/interrupt.py asks for it before it
    # kills an ingest that ignored its signal, so a CI failure shows where it hung)
    if sys.__stderr__ is not None:  # the process's own stderr: faulthandler writes to its descriptor
        faulthandler.register(signal.SIGUSR1, file=sys.__stderr__, all_threads=True, chain=False)
    try:
        # a signal landing in a finaliser is dropped by Python: sent again (kabar/signals.py)
        with show_progress(("discover", "fetch", "extract", "load")), resend_lost_signals():
            summary = flow(
                config=args.config, sources=args.sources, paths=args.targets, limit=args.limit,
                since=args.since, until=args.until, allow_hosts=args.allow_hosts, warehouse=str(warehouse),
                new_only=args.new_only, lock_wait=args.lock_wait, max_run_minutes=args.max_run_minutes,
                reextract=args.reextract,
            )
    except RunUnhealthy as unhealthy:  # failed / completed_with_errors: recorded, reported, exit 1
        print_summary(unhealthy.summary)
        return 1
    except BaseException as exc:
        if stop.received is None and _unhealthy_without_summary(exc):
            # Prefect handed back the flow's Failed state without its data (seen once in CI:
            # `FailedRun` carrying only the state's message; the cause, a retried set_state
            # answered with the API's data-less copy, is fixed in flows/outcome.py; this stays
            # for when that record cannot be written or read): say how the recorded run ended
            recorded = _what_was_recorded(warehouse, began)
            print(f"kabar: the run ended unhealthy {recorded}: {exc}")
            return 1
        if stop.received is None:  # Ctrl-C's KeyboardInterrupt and real errors go on up
            raise
        # Stopped, or Stopped wrapped by the library it interrupted (see _StopSignals)
        print(f"kabar: stopped by {stop.received} {_what_was_recorded(warehouse, began)}", file=sys.stderr)
        return 128 + signal.Signals[stop.received]
    print_summary(summary)
    return 0

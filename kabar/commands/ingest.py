"""`kabar ingest`: run the ingest flow over configured or ad-hoc sources."""

from __future__ import annotations

import argparse
from datetime import datetime
from zoneinfo import ZoneInfo

from kabar import settings
from kabar.cli import UserError, add_warehouse_option
from kabar.summary import print_summary


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
            "failed items or silent sources; thresholds in the sources file's [run] table)."
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
    parser.add_argument("--reextract", action="store_true",
                        help="extract every fetched page again, also one whose body is the same bytes its stored "
                             "article was extracted from (by default those count as unchanged and are skipped)")
    add_warehouse_option(parser)
    parser.set_defaults(handler=run)


def _wait_for_warehouse(path: str, lock_wait: float | None) -> None:
    """A warehouse another live run holds is reported in one line before Prefect starts (the flow
    takes the lock itself; this only spares the user a failed flow's tracebacks)."""
    import os

    from kabar import settings
    from warehouse import runlock
    from warehouse.backend import is_lake

    if is_lake(path):
        return
    wait = lock_wait if lock_wait is not None else float(
        os.environ.get("KABAR_LOCK_WAIT") or settings.RUN_LOCK_WAIT_S)
    runlock.wait_until_free(path, wait_s=wait)


def run(args: argparse.Namespace) -> int:
    from kabar.config import resolve_warehouse
    from kabar.sources import resolve_sources

    if args.limit is not None and args.limit < 1:
        raise UserError(f"--limit must be at least 1 (got {args.limit})")
    plan = resolve_sources(args.config, args.sources, args.targets, args.allow_hosts)  # validate before Prefect starts
    warehouse = resolve_warehouse(args.warehouse, plan.warehouse)
    _wait_for_warehouse(warehouse, args.lock_wait)
    from flows.ingest import ingest
    from flows.runner import task_runner_for
    from kabar.progress import show_progress

    flow = ingest.with_options(task_runner=task_runner_for(plan.run))  # [run] task_runner of the config
    from kabar.health import RunUnhealthy

    try:
        with show_progress(("discover", "fetch", "extract", "load")):
            summary = flow(
                config=args.config, sources=args.sources, paths=args.targets, limit=args.limit,
                since=args.since, until=args.until, allow_hosts=args.allow_hosts, warehouse=warehouse,
                new_only=args.new_only, lock_wait=args.lock_wait, reextract=args.reextract,
            )
    except RunUnhealthy as unhealthy:  # failed / completed_with_errors: recorded, reported, exit 1
        print_summary(unhealthy.summary)
        return 1
    print_summary(summary)
    return 0

"""`kabar sources`: the health of every source (bare command); sub-commands extend it.

Bare `kabar sources` prints the ``source_health`` view (``show_health``). Sub-commands are added
with ``add_subcommand(sub, name, ...)`` below (e.g. `discover`, `check`), each with its handler.
"""

from __future__ import annotations

import argparse
import sys

from kabar.cli import UserError, add_warehouse_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sources",
        help="show each source's health (last success, failing/silent runs, output vs its median)",
        description=(
            "Without a sub-command: print the source_health view of the warehouse, sources needing "
            "attention first: status (ok, failing, started_failing, silent, low_output), last run and "
            "last success, consecutive failing and silent runs, new items on the last run day against "
            "the source's 30-day median, and the last failure reason. Exits 1 when a source needs "
            "attention (for scripts and cron). See warehouse/README.md (source_health)."
        ),
    )
    add_warehouse_option(parser)
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="table (default), csv, or json")
    parser.set_defaults(handler=show_health)
    parser.add_subparsers(dest="sources_command", metavar="SUBCOMMAND", required=False,
                          help="optional; without one, print the health of every source")


def add_subcommand(parser: argparse.ArgumentParser, name: str, **kwargs) -> argparse.ArgumentParser:
    """A sub-command of `kabar sources` (the caller sets its ``handler`` default)."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.add_parser(name, **kwargs)


def show_health(args: argparse.Namespace) -> int:
    """Print the source_health view; 1 when a source needs attention, 0 otherwise."""
    from kabar.commands.sql import format_rows
    from warehouse.backend import exists, open_reader_for, resolve
    from warehouse.source_health import SHOWN, has_view, source_health

    if not exists(resolve(args.warehouse)):
        raise UserError(f"no warehouse at {resolve(args.warehouse)}: run `kabar ingest` first (or pass --warehouse)")
    with open_reader_for(args.warehouse) as con:
        if not has_view(con):
            raise UserError("this warehouse has no source_health view yet: run `kabar ingest` once with this version")
        rows = source_health(con)
    if not rows:
        print("no runs recorded yet: source health appears after the first `kabar ingest`")
        return 0
    print(format_rows(list(SHOWN), [tuple(r[c] for c in SHOWN) for r in rows], args.format), file=sys.stdout)
    flagged = [r["source"] for r in rows if r["status"] != "ok"]
    if flagged and args.format == "table":
        print(f"{len(flagged)} source(s) need attention: {', '.join(flagged)}")
    return 1 if flagged else 0

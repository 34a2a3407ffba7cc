"""`kabar serve`: one long-running process serving every deployment with its schedule."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kabar.cli import UserError, add_warehouse_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the nightly, manual, backfill and reenrich deployments in one process",
        description=(
            "Serve every deployment of deployments/prefect.yaml from this one process (no work pool "
            "or worker to set up): `nightly` runs on its schedule (02:00 Asia/Jakarta), the others "
            "when triggered from the Prefect UI or `prefect deployment run ingest/manual --param ...`. "
            "Needs a Prefect API: set PREFECT_API_URL to a server (`prefect server start`). Prints "
            "each deployment's schedule and next run, then serves until interrupted (Ctrl-C or one SIGTERM)."
        ),
    )
    parser.add_argument("--config", metavar="FILE",
                        help="the sources file the deployments use (default: ./sources.toml when the current "
                             "directory has one, else the sources.toml shipped beside deployments/prefect.yaml)")
    add_warehouse_option(parser)
    parser.add_argument("--limit", type=int, default=4, metavar="N",
                        help="at most N flow runs at once in this process (default: 4)")
    parser.add_argument("--show", action="store_true",
                        help="only print the deployments and their next runs, then exit")
    parser.set_defaults(handler=run)


def default_config(explicit: str | None) -> Path:
    """The sources file to serve: --config, else ./sources.toml, else the project's own (the one
    the shipped deployment file names), so `kabar serve --show` works from any directory."""
    from flows.deployments import PROJECT_DIR

    if explicit:
        return Path(explicit).expanduser().resolve()
    here = Path("sources.toml")
    return here.resolve() if here.is_file() else PROJECT_DIR / "sources.toml"


def run(args: argparse.Namespace) -> int:
    from flows.deployments import read_specs, runner_deployments, schedule_lines
    from kabar.config import Warehouse, load_sources

    config = default_config(args.config)
    load_sources(config)  # a bad sources file fails now, not at 02:00
    specs = read_specs()
    print("kabar deployments:")
    for line in schedule_lines(specs):
        print("  " + line)
    if args.show:
        return 0
    if args.limit < 1:
        raise UserError(f"--limit must be at least 1 (got {args.limit})")
    import signal

    from prefect import serve

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt
    # Prefect's runner installs its own SIGTERM handler (stop, exit 0) only once it starts; until
    # then (registering deployments takes seconds) a SIGTERM would kill the process outright.
    signal.signal(signal.SIGTERM, stop)
    overrides = {"config": str(config),
                 "warehouse": str(Warehouse.parse(args.warehouse).absolute()) if args.warehouse else args.warehouse}
    try:
        deployments = runner_deployments(specs, overrides)
        print(f"serving {len(deployments)} deployments (Ctrl-C or SIGTERM stops)", flush=True)
        serve(*deployments, limit=args.limit, print_starting_message=False)
    except KeyboardInterrupt:
        pass
    print("kabar serve stopped", flush=True)
    sys.stderr.flush()
    # End here, not through interpreter finalization: that stops the daemon threads Prefect's
    # runner leaves behind with pthread_exit, and one caught inside C++ code turns it into glibc's
    # "FATAL: exception not rethrown" and an abort (exit -6 after a clean stop). Nothing is left
    # to write: the runner has stopped and the lines above are flushed.
    os._exit(0)

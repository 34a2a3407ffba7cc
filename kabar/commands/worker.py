"""`kabar worker`: a Prefect process worker for the kabar pool that stops cleanly on SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from kabar.cli import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "worker",
        help="start a Prefect process worker for the kabar pool (stops cleanly on SIGTERM)",
        description=(
            "Run `prefect worker start --pool POOL` in this process, with SIGINT at its default so "
            "that one SIGTERM (systemd, docker stop, kill PID) stops the worker cleanly: it stops "
            "taking new runs and exits. Started in the background from a script, a plain `prefect "
            "worker start` inherits an ignored SIGINT and then ignores SIGTERM too. Needs "
            "PREFECT_API_URL; see `kabar deploy`."
        ),
    )
    parser.add_argument("--pool", default="kabar", metavar="NAME", help="the work pool (default: kabar)")
    parser.add_argument("--name", metavar="NAME", help="the worker's name (default: Prefect's)")
    parser.set_defaults(handler=run)


def worker_command(pool: str, name: str | None = None) -> list[str]:
    command = [str(Path(sys.executable).parent / "prefect"), "worker", "start", "--pool", pool]
    return command + (["--name", name] if name else [])


def run(args: argparse.Namespace) -> int:
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise UserError("no Prefect server: set PREFECT_API_URL, e.g. export PREFECT_API_URL=http://127.0.0.1:4200/api")
    # Prefect's worker turns the first SIGTERM into a SIGINT to itself and, for that SIGINT, falls
    # back to the handler it found at start-up (prefect/utilities/processutils forward_signal_handler).
    # A background job of a non-interactive shell starts with SIGINT ignored (SIG_IGN), so that
    # SIGINT, and with it the SIGTERM, did nothing. With SIGINT at its default before exec, Python in
    # the new process installs KeyboardInterrupt for it and the worker shuts down on one SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    command = worker_command(args.pool, args.name)
    sys.stdout.flush()
    os.execv(command[0], command)
    return 0  # not reached

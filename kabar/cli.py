"""The `kabar` command line. Each subcommand lives in ``kabar/commands/<name>.py`` and
defines ``register(subparsers)``; this module finds them, parses, and turns user errors into
one-line messages (exit status 2 for bad input, 1 for a failed operation) instead of tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import TYPE_CHECKING

from kabar import __version__

if TYPE_CHECKING:
    from kabar.warehouse_spec import Warehouse

#: Quiet defaults for Prefect's local mode (no network here; see ../shared/ENVIRONMENT.md).
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_UI_ENABLED": "false",
    # The temporary local API gets 20 s to start by default; a busy 2-core machine needs more.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


class UserError(Exception):
    """Raised by commands for a problem the user can fix; printed as one line, exit 2."""


def add_warehouse_option(parser: argparse.ArgumentParser, *, config: bool = False) -> None:
    """--warehouse (and, with ``config``, --config for commands that take no sources file
    otherwise): the warehouse is resolved once from them by ``warehouse_from``."""
    parser.add_argument(
        "--warehouse", metavar="PATH",
        help="the DuckDB warehouse file or a ducklake:CATALOG#DATA_PATH spec (default: $KABAR_WAREHOUSE, "
             "else the [warehouse] section of --config, else ./data/kabar.duckdb)",
    )
    if config:
        parser.add_argument("--config", metavar="FILE",
                            help="a sources file whose [warehouse] section names the warehouse")


def warehouse_from(args: argparse.Namespace) -> Warehouse:
    """The command's warehouse, resolved once: --warehouse, $KABAR_WAREHOUSE, --config's
    [warehouse] section, the default file (kabar.warehouse_spec.resolve_warehouse). A malformed spec is
    a ConfigError (one line, exit 2)."""
    from kabar.warehouse_spec import resolve_warehouse, sources_file_decides

    config = getattr(args, "config", None)
    if not sources_file_decides(args.warehouse, config):  # read commands mostly: no schema to load
        return resolve_warehouse(args.warehouse)
    from kabar.config import warehouse_of

    return warehouse_of(args.warehouse, config)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kabar",
        description="Ingest news articles into a DuckDB warehouse and query them.",
        epilog="Run `kabar COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"kabar {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    import kabar.commands as commands

    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if module_info.ispkg:  # a command's helpers (e.g. explorer/ for `kabar browse`), not a command
            continue
        module = importlib.import_module(f"kabar.commands.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except Exception as exc:
        # The error classes are looked up only if their modules were imported: importing them
        # here would load pydantic and duckdb for `kabar --help` (read commands stay light).
        # ConfigError is defined in kabar.warehouse_spec (kabar.config re-exports it and imports it)
        config_error = getattr(sys.modules.get("kabar.warehouse_spec"), "ConfigError", ())
        warehouse_error = getattr(sys.modules.get("warehouse.connection"), "WarehouseError", ())
        if isinstance(exc, (UserError, config_error)):
            print(f"kabar: error: {exc}", file=sys.stderr)
            return 2
        if isinstance(exc, warehouse_error):
            print(f"kabar: {exc}", file=sys.stderr)
            return 1
        if isinstance(exc, OSError):
            # An output path the user named that cannot be written (read-only folder, a folder
            # given as a file, a pseudo file system): one line naming it, never a traceback.
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            print(f"kabar: error: {exc.strerror or exc}{where}", file=sys.stderr)
            return 2
        raise
    except KeyboardInterrupt:
        print("kabar: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""`kabar browse`: a local, read-only web explorer over the warehouse (kabar/commands/explorer/)."""

from __future__ import annotations

import argparse

from kabar.cli import UserError, add_warehouse_option, warehouse_from


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "browse",
        help="read the warehouse in a local web explorer",
        description=(
            "Serve a read-only web explorer over the warehouse on http://HOST:PORT/: search with "
            "filters (dates, outlet, entity, theme, language), ranked hits with snippets and counts over "
            "time; stories (articles across outlets on a timeline, first report, copies, shared entities, "
            "quotes); people, organisations and places (mentions over time, stories, co-occurring names, "
            "quotes, a map); articles (clean text with names, quotes, amounts and dates highlighted, what "
            "cleaning removed and why, versions with a diff, fetch record); runs and sources. Every list "
            "pages and downloads as CSV or Parquet; every page has a stable URL. Pages are rendered on "
            "the server (no JavaScript needed). Each request opens the warehouse read-only and closes it, "
            "so an ingest can write meanwhile (pages say 'busy' while it holds the file). Stop with Ctrl-C."
        ),
    )
    parser.add_argument("--port", type=int, default=8765, metavar="N", help="port to listen on (default 8765)")
    parser.add_argument("--host", default="127.0.0.1", metavar="ADDR",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    add_warehouse_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from kabar.commands.explorer.app import create_app
    from warehouse.backend import open_reader_for

    if not 0 < args.port < 65536:
        raise UserError(f"--port must be between 1 and 65535 (got {args.port})")
    spec = warehouse_from(args)
    if not spec.exists():
        raise UserError(f"no warehouse at {spec}: run `kabar ingest` (or `make demo`) first")
    with open_reader_for(spec):  # fail now, in one line, if it cannot be opened at all
        pass
    import socket

    # uvicorn logs a bind failure and exits; check first to say it in one line.
    try:
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as exc:
        raise UserError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    app = create_app(spec)
    print(f"kabar browse: serving {spec} read-only on http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0

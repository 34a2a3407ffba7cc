"""`kabar reextract`: rebuild articles from the captured WARC files, without the network."""

from __future__ import annotations

import argparse

from kabar.cli import UserError, add_warehouse_option, warehouse_from
from kabar.commands.ingest import parse_day
from kabar.summary import print_summary


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reextract",
        help="rebuild articles from captured WARC files (no network)",
        description=(
            "Every HTTP response an ingest run fetches is captured in <data dir>/warc/<run id>.warc.gz. "
            "reextract reads the newest capture of each article URL (with the pages of multi-page "
            "articles), runs the current extract, normalise, dedupe and enrich code over it and loads "
            "the result: articles whose text changed get a new version, the rest count as unchanged. "
            "Nothing is fetched. Captures older than [fetch] warc_retention_days are deleted by ingest."
        ),
    )
    parser.add_argument("--since", type=parse_day, metavar="DATE",
                        help="only responses captured on or after DATE (YYYY-MM-DD or ISO timestamp)")
    add_warehouse_option(parser, config=True)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tasks.capture import warc_dir

    warehouse = warehouse_from(args)
    directory = warc_dir(warehouse)
    if not directory.is_dir() or not any(directory.glob("*.warc.gz")):
        raise UserError(f"no captured WARC files in {directory}: run `kabar ingest` on feeds or URLs first")
    from flows.reextract import reextract

    print_summary(reextract(warehouse=warehouse, since=args.since))
    return 0

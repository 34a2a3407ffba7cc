"""`kabar reextract`: rebuild articles from the captured WARC files, without the network."""

from __future__ import annotations

import argparse

from kabar.cli import add_warehouse_option, warehouse_from
from kabar.commands.ingest import parse_day


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
    from kabar.summary import print_summary  # rich: imported by the run, not by every `kabar` command
    from tasks.capture import capture_files, warc_dir
    from warehouse.run_report import run_ids

    warehouse = warehouse_from(args)
    if not capture_files(warehouse, run_ids(warehouse)):
        # Nothing to do is not an error: local files and WARC sources are not captured (they are
        # already on disk), so a files-only warehouse (`make demo`) has no captures.
        print(f"nothing captured for {warehouse} (no WARC files in {warc_dir(warehouse)}): only responses "
              "fetched over HTTP (feeds, sitemaps, URLs) are captured; re-run `kabar ingest` to re-read local files")
        return 0
    from flows.reextract import reextract

    print_summary(reextract(warehouse=str(warehouse), since=args.since))
    return 0

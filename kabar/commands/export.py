"""`kabar export`: write every public view to Parquet or CSV files."""

from __future__ import annotations

import argparse

from kabar.cli import UserError, add_warehouse_option, warehouse_from
from kabar.commands.ingest import parse_day


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export every public view to Parquet or CSV",
        description=(
            "Write every public view (articles, fetches, runs, quality_checks, the analyst views, ...) "
            "to DIR: DIR/VIEW.parquet or DIR/VIEW.csv. In Parquet, articles is partitioned by month of "
            "publication (DIR/articles/month=YYYY-MM/). DIR/manifest.json lists the rows of each view. "
            "--since keeps rows from DATE on in views with a time column (published_at, day, ...)."
        ),
    )
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                        help="parquet (default) or csv")
    parser.add_argument("--to", required=True, metavar="DIR", help="the directory to write (created if missing)")
    parser.add_argument("--since", type=parse_day, metavar="DATE",
                        help="only rows from DATE on (YYYY-MM-DD or ISO timestamp)")
    add_warehouse_option(parser, config=True)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from warehouse.backend import open_reader_for
    from warehouse.export import export_views

    target = Path(args.to)
    if target.exists() and not target.is_dir():
        raise UserError(f"--to {args.to}: exists and is not a directory")
    with open_reader_for(warehouse_from(args)) as con:
        manifest = export_views(con, target, args.format, args.since)
    width = max((len(v) for v in manifest), default=4)
    for view, entry in manifest.items():
        print(f"{view.ljust(width)}  {entry['rows']:>8} rows  {target / entry['path']}")
    return 0

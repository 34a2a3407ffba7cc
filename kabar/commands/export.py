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
            "--since keeps rows from DATE on in views with a time column (published_at, day, ...). "
            "A non-empty DIR is refused unless --overwrite; then only the files named in the "
            "manifest.json of the previous kabar export there are replaced, never anything else. "
            "Files are written to a temporary folder inside DIR and moved in place at the end: a "
            "failed export leaves the previous one whole."
        ),
    )
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                        help="parquet (default) or csv")
    parser.add_argument("--to", required=True, metavar="DIR", help="the directory to write (created if missing)")
    parser.add_argument("--since", type=parse_day, metavar="DATE",
                        help="only rows from DATE on (YYYY-MM-DD or ISO timestamp)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace a previous kabar export in DIR (only the files its manifest names)")
    add_warehouse_option(parser, config=True)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from warehouse.backend import open_reader_for
    from warehouse.export import ExportTargetError, check_target, export_views

    target = Path(args.to)
    try:
        check_target(target, args.overwrite)  # before opening the warehouse: fail fast
        # kabar's own COPY statements write the files: the only reader keeping file access.
        with open_reader_for(warehouse_from(args), external_access=True) as con:
            manifest = export_views(con, target, args.format, args.since, overwrite=args.overwrite)
    except ExportTargetError as exc:
        raise UserError(f"--to {exc}") from None
    width = max((len(v) for v in manifest), default=4)
    for view, entry in manifest.items():
        print(f"{view.ljust(width)}  {entry['rows']:>8} rows  {target / entry['path']}")
    return 0

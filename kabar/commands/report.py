"""`kabar report`: write one self-contained HTML report with charts."""

from __future__ import annotations

import argparse

from kabar.cli import add_warehouse_option, warehouse_from
from kabar.commands.ingest import parse_day


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write an HTML report with charts",
        description=(
            "Write one self-contained HTML file (plotly.js embedded, works offline): articles per day "
            "per outlet, top entities over time, stories and their outlets on a timeline, a map of "
            "places mentioned, and the top stories with links. Charts whose data this warehouse does "
            "not hold yet are replaced by a note."
        ),
    )
    parser.add_argument("--since", type=parse_day, metavar="DATE", help="only from DATE on (YYYY-MM-DD)")
    parser.add_argument("--out", default="report.html", metavar="FILE", help="where to write (default report.html)")
    add_warehouse_option(parser, config=True)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from warehouse.backend import open_reader_for
    from warehouse.report import render_report

    with open_reader_for(warehouse_from(args)) as con:
        page = render_report(con, args.since)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    print(f"wrote {out} ({len(page) // 1024} KiB)")
    return 0

"""`kabar report`: write one self-contained HTML report with charts."""

from __future__ import annotations

import argparse

from kabar.cli import UserError, add_warehouse_option, warehouse_from
from kabar.commands.ingest import parse_day


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write an HTML report with charts",
        description=(
            "Write one self-contained HTML file (plotly.js and the map outlines embedded, works offline): "
            "articles per outlet and the top entities' mentions over time, binned by day, week or month to "
            "fit the span (periods without articles stay empty), the top stories and the outlets that "
            "reported them on a timeline, a map of the places mentioned over coastlines, borders and "
            "Indonesian province lines, and a table of the top stories with their outlets. Only dated "
            "articles with a title and a body are charted (undated ones are counted, never put on today); "
            "stories are named by their title or their first report's, never by an id. Charts whose data "
            "this warehouse does not hold yet are replaced by a note."
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

    out = Path(args.out)
    if out.is_dir():
        raise UserError(f"--out {args.out}: is a folder; name the file to write, e.g. {out / 'report.html'}")
    with open_reader_for(warehouse_from(args)) as con:
        page = render_report(con, args.since)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"--out {args.out}: cannot write it ({exc.strerror or exc})") from None
    print(f"wrote {out} ({len(page) // 1024} KiB)")
    return 0

"""`kabar sql`: run a read-only SQL query against the warehouse."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from kabar.cli import UserError, add_warehouse_option, warehouse_from


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sql",
        help="run a read-only SQL query",
        description=(
            "Run a read-only SQL query against the warehouse's views (see warehouse/README.md). "
            "The query cannot change the warehouse, write or read files outside it (COPY TO, "
            "EXPORT DATABASE, read_csv, read_text, glob, ATTACH), install or load extensions or "
            "change settings: such statements are refused with exit status 2 (docs/security.md)."
        ),
    )
    parser.add_argument("query", metavar="QUERY", help='e.g. "select count(*) from articles"')
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="table (default), csv, or json (one JSON array of objects)")
    parser.add_argument("--allow-files", action="store_true",
                        help="let the query read and write files on this machine (read_csv, COPY TO, ...): "
                             "for analysts joining their own files; off by default")
    add_warehouse_option(parser, config=True)
    parser.set_defaults(handler=run)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value


def format_rows(columns: list[str], rows: list[tuple], fmt: str) -> str:
    """Render a result as an aligned table, CSV, or a JSON array of objects."""
    if fmt == "json":
        return json.dumps([{c: _jsonable(v) for c, v in zip(columns, row)} for row in rows], ensure_ascii=False, default=str)
    if fmt == "csv":
        from io import StringIO

        out = StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_jsonable(v) for v in row] for row in rows])
        return out.getvalue().rstrip("\n")
    cells = [[("NULL" if v is None else str(_jsonable(v))).replace("\n", " ")[:80] for v in row] for row in rows]
    from kabar.tables import text_table

    return text_table(columns, cells) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})"


def _needs_fts(exc: BaseException) -> bool:
    """Whether DuckDB refused the query for a function of the fts extension (``stem``, which the
    search macros call) that the reader was opened without."""
    return "fts extension" in str(exc).split("\n", 1)[0]


def _query(warehouse, args: argparse.Namespace, fts: bool) -> tuple[list[str], list[tuple]]:
    import duckdb

    from warehouse.backend import open_reader_for
    from warehouse.connection import refusal

    with open_reader_for(warehouse, external_access=args.allow_files, fts=fts) as con:
        try:
            result = con.execute(args.query)
        except duckdb.Error as exc:
            if not fts and _needs_fts(exc):
                raise
            reason = refusal(exc)
            if reason:
                raise UserError(reason) from None
            raise UserError(f"query failed: {str(exc).splitlines()[0]}") from None
        columns = [d[0] for d in result.description or []]
        return columns, (result.fetchall() if columns else [])


def run(args: argparse.Namespace) -> int:
    import duckdb

    warehouse = warehouse_from(args)
    # The reader opens without the fts extension: loading it checks the signature of an 11 MB
    # binary, about 70 ms of CPU, a third of a bare DuckDB query's whole process (issue 11), and
    # only the search macros need it (stem). A query that calls them is refused at binding, before
    # it reads anything, and runs again on a reader with fts loaded (a locked reader cannot load an
    # extension later: connection.lock_down).
    try:
        columns, rows = _query(warehouse, args, fts=False)
    except duckdb.Error as exc:
        if not _needs_fts(exc):
            raise
        columns, rows = _query(warehouse, args, fts=True)
    print(format_rows(columns, rows, args.format), file=sys.stdout)
    return 0

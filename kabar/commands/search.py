"""`kabar search`: ranked full-text search over article titles and texts (Indonesian stemming)."""

from __future__ import annotations

import argparse
import json

from kabar.cli import UserError, add_warehouse_option, warehouse_from
from kabar.commands.ingest import parse_day


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search",
        help="full-text search of articles (Indonesian stemming)",
        description=(
            "Search article titles and texts. Words match by their Indonesian stem, so "
            "'persenjataan' finds 'senjata'; an article matching more of the words ranks higher (BM25). "
            "Only originals are searched (copies carry duplicate_of). The index is updated (new and changed "
            "articles) at the end of every `kabar ingest`. Prints article_id, title, outlet, published_at, score and a "
            "snippet with the matched words in [brackets]. Inside SQL use the table macro "
            "search_articles('query') (see docs/warehouse.md)."
        ),
    )
    parser.add_argument("query", metavar="QUERY", help='words to look for, e.g. "persenjataan produksi"')
    parser.add_argument("--since", type=parse_day, metavar="DATE",
                        help="only articles published on or after DATE (YYYY-MM-DD or ISO timestamp)")
    parser.add_argument("--outlet", metavar="NAME", help="only articles of this outlet (case-insensitive)")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="at most N hits (default 20)")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table (default) or json (one JSON array of objects)")
    add_warehouse_option(parser, config=True)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kabar.commands.sql import _jsonable, format_rows
    from warehouse.backend import open_reader_for
    from warehouse.search import search

    if args.limit < 1:
        raise UserError(f"--limit must be at least 1 (got {args.limit})")
    if not args.query.strip():
        raise UserError("the query is empty")
    with open_reader_for(warehouse_from(args)) as con:
        try:
            hits = search(con, args.query, since=args.since, outlet=args.outlet, limit=args.limit)
        except LookupError as exc:
            raise UserError(str(exc)) from None
    if args.format == "json":
        print(json.dumps([{k: _jsonable(v) for k, v in h.as_dict().items()} for h in hits], ensure_ascii=False))
        return 0
    columns = ["article_id", "title", "outlet", "published_at", "score"]
    rows = [(h.article_id, h.title, h.outlet, h.published_at, round(h.score, 3)) for h in hits]
    lines = format_rows(columns, rows, "table").split("\n")
    # The snippet goes on its own indented line under each hit: it is too long for a column.
    out = lines[:2]
    for line, hit in zip(lines[2:], hits):
        out += [line, f"    {hit.snippet}"]
    out.append(lines[-1])
    print("\n".join(out))
    return 0

"""`kabar extract`: show what the pipeline would store for one page (no warehouse involved)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kabar.cli import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="extract one page and print what would be stored",
        description=(
            "Run fetch, extract, normalise, identity and enrichment on one page, exactly as ingest "
            "does, and print the result. For debugging how a site is read."
        ),
    )
    parser.add_argument("target", metavar="FILE_OR_URL", help="a local .html/.txt file or an http(s) URL")
    parser.add_argument("--url", help="the page's original URL, when FILE_OR_URL is a local file")
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kabar.config import FetchSettings
    from kabar.models import Item
    from tasks.dedupe import identify
    from tasks.enrich import enrich_article, selected
    from tasks.extract import ExtractionError, article_json, extract_article
    from tasks.fetch import fetch_batch
    from tasks.normalise import normalise_article

    target = args.target
    if target.startswith(("http://", "https://")):
        item = Item(url=target, source="extract")
    else:
        path = Path(target)
        if not path.is_file():
            raise UserError(f"{target}: no such file")
        item = Item(url=args.url or path.resolve().as_uri(), source="extract", kind="file", path=str(path.resolve()))
    fetched = fetch_batch([item], FetchSettings())[0]
    if item.kind == "file" and args.url:
        fetched.final_url = args.url
    if not fetched.ok:
        raise UserError(f"{target}: {fetched.error}")
    try:
        article = extract_article(fetched)
    except ExtractionError as exc:
        raise UserError(f"{target}: {exc}") from None
    normalise_article(article)
    identify(article)
    enrich_article(article, selected())
    print(article_json(article))
    return 0

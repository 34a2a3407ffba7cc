"""`kabar enrich`: re-run enrichers over stored articles whose enrichment is stale."""

from __future__ import annotations

import argparse
from pathlib import Path

from kabar.cli import UserError, add_warehouse_option, warehouse_from
from kabar.commands.ingest import parse_day


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "enrich",
        help="re-run enrichers over stored articles (no refetching)",
        description=(
            "Re-run enrichers over the articles already in the warehouse, where an article's "
            "enrichment is missing, failed, or was made by another version of the enricher (a "
            "changed knowledge base, themes file or tone lexicon counts as a new version). "
            "Known enrichers: entities, themes, tone, summary, language, and those of "
            "tasks/enrichers/. See docs/enrichment.md."
        ),
    )
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="only this enricher (repeatable), e.g. --only entities")
    parser.add_argument("--since", type=parse_day, metavar="DATE",
                        help="only articles published (undated: first seen) on or after DATE")
    parser.add_argument("--force", action="store_true", help="re-run even where the enrichment is up to date")
    parser.add_argument("--config", metavar="FILE",
                        help="a sources file whose [enrich] table names knowledge-base and themes files "
                             "and whose [warehouse] section names the warehouse")
    parser.add_argument("--knowledge-base", action="append", metavar="FILE", dest="knowledge_base",
                        help="an extra knowledge-base file (.csv or .toml; repeatable; added to the config's)")
    parser.add_argument("--themes", metavar="FILE", help="a themes taxonomy (.toml) replacing the shipped one")
    add_warehouse_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kabar.summary import print_summary  # rich: imported by the run, not by every `kabar` command
    from pydantic import ValidationError

    from kabar.config import EnrichSettings, load_sources
    from tasks.enrich import versions
    from warehouse.connection import WarehouseError

    knowledge_base, themes = [], None
    if args.config:
        enrich_settings = load_sources(args.config).enrich
        knowledge_base, themes = list(enrich_settings.knowledge_base), enrich_settings.themes
    from kabar.commands.kb import wikidata_file

    warehouse = warehouse_from(args)
    own = wikidata_file(warehouse)  # written by `kabar kb update`; the user's files override it
    if own.exists():
        knowledge_base.insert(0, str(own.resolve()))
    knowledge_base += [str(Path(p).resolve()) for p in args.knowledge_base or []]
    themes = str(Path(args.themes).resolve()) if args.themes else themes
    try:
        enrichment = EnrichSettings(knowledge_base=tuple(knowledge_base), themes=themes)
    except ValidationError as exc:  # a file of the wrong kind: one line, no traceback
        raise UserError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
    try:  # validate names and files before Prefect starts
        versions(args.only, enrichment)
    except ValueError as exc:  # unknown enricher; ConfigError (a ValueError) passes through as is
        if type(exc) is not ValueError:
            raise
        raise UserError(str(exc)) from None
    if not warehouse.exists():
        raise WarehouseError(f"no warehouse at {warehouse}: run `kabar ingest` first")
    from flows.enrich import enrich
    from kabar.progress import show_progress

    with show_progress(("enrich",)):  # a bar on a terminal; quiet in pipes and under CI
        summary = enrich(only=args.only, since=args.since, force=args.force,
                         knowledge_base=knowledge_base or None, themes=themes, warehouse=str(warehouse))
    print_summary(summary)
    for name, n in summary["by_enricher"].items():
        print(f"{name} ({summary['versions'][name]}): {n} article(s) re-enriched")
    return 0

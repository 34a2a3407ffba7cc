"""Enrichment on real articles nobody on this project wrote (benchmarks/realset, see its README).

    .venv/bin/python benchmarks/enrichment_real.py [--show]

Runs the entities, quotes and themes enrichers over the `content` of 18 article pages of
../shared/corpus/indonesian-news (read in place), cleaned as the pipeline cleans a page before
enriching it (``tasks.normalise.normalise_article``: the opening dateline "Mataram, NTB (ANTARA
News) - " and the trailing desk tag "(fyk/ash)" go), and prints, for the held-out split (annotated
before any tuning: `heldout2`, and the older `heldout`, whose failures have since been read) and
the dev split separately:
- entity recall and precision (a gold name is found when a mention of the same type has its name,
  one of its alternatives, or links to an entity that has it; a predicted name is right when it
  matches a gold name that way);
- places found with coordinates (recall over gold places);
- quote speakers (share of gold quotes found with the right speaker; an unnamed source's quote
  is right when the enricher names nobody: no speaker, or a lower-case noun phrase);
- themes precision (none of the taxonomy's themes applies to these articles: every theme
  assigned is a false positive).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kabar.models import Article  # noqa: E402
from tasks.entities import fold, load_kb, tokens  # noqa: E402
from tasks.enrichers.entities import EntitiesEnricher, link_places  # noqa: E402
from tasks.enrichers.quotes import extract_quotes  # noqa: E402
from tasks.enrichers.themes import ThemesEnricher  # noqa: E402
from tasks.mentions import find_mentions  # noqa: E402
from tasks.normalise import normalise_article  # noqa: E402
from tasks.places import gazetteer  # noqa: E402

SET_DIR = ROOT / "benchmarks" / "realset"
# heldout2: annotated in round 9 before any rule met them (the figure that counts); heldout: the
# round-6 held-out set, whose failures have since been read; dev: the set the rules were written on
SPLITS = ("heldout2", "heldout", "dev")
GROUND_TRUTH = ROOT.parent / "shared" / "corpus" / "indonesian-news" / "pages" / "ground-truth.json"


def key(name: str) -> str:
    return " ".join(fold(t) for t, _, _ in tokens(name))


def names_of(entity) -> set[str]:
    return {key(n) for n in (entity.name, *entity.aliases)} if entity is not None else set()


def cleaned(page: dict) -> tuple[str, str, Callable[[int], int | None]]:
    """The page's text and title as the pipeline enriches them (after ``normalise_article``: the
    opening dateline and the trailing desk tag removed), and a map from offsets in ``content``
    to offsets in that text (None when the normaliser removed that place)."""
    content = page["content"]
    article = Article(url=page.get("url") or "https://example.invalid/", source="bench",
                      fetched_at=datetime.now(timezone.utc), text=content, title=page.get("title"))
    normalise_article(article)
    text = article.text

    def where(offset: int) -> int | None:
        # the annotated quote's first words, found again in the cleaned text
        probe = content[offset:offset + 40]
        at = text.find(probe)
        return at if at >= 0 and probe else None
    return text, article.title or "", where


def score_article(annotation: dict, page: dict, kb, show: bool) -> dict[str, list[int]]:
    text, title, where = cleaned(page)
    mentions, places = link_places(find_mentions(text, kb, context=title), kb)
    entity_of = lambda m: kb.entities.get(m.entity_id) or (places.get(m.entity_id) or (None,))[0]  # noqa: E731
    predicted: dict[tuple[str, str], set[str]] = {}
    coords: dict[tuple[str, str], bool] = {}
    for m in mentions:
        k = (key(m.canonical or m.surface), m.type)
        entity = entity_of(m)
        predicted.setdefault(k, set()).update({key(m.surface), k[0]} | names_of(entity))
        coords[k] = coords.get(k, False) or (entity is not None and entity.lat is not None)
    gold = [(g["type"], {key(g["name"]), *(key(a) for a in g.get("alt", []))}, g["name"]) for g in annotation["entities"]]
    found = [any(kind == gkind and names & forms for (_, kind), names in predicted.items()) for gkind, forms, _ in gold]
    right = [any(gkind == kind and names & forms for gkind, forms, _ in gold) for (_, kind), names in predicted.items()]
    places_gold = [(forms, g) for t, forms, g in gold if t == "place"]
    with_coords = [any(kind == "place" and names & forms and coords[(s, kind)] for (s, kind), names in predicted.items())
                   for forms, _ in places_gold]
    quotes = extract_quotes(text)
    speakers = []
    for q in annotation.get("quotes", []):
        at = where(q["at"])
        hit = None if at is None else next((r for r in quotes if r["char_start"] - 3 <= at <= r["char_end"]), None)
        said = (hit or {}).get("speaker_text") or ""
        if q["speaker"]:
            gold_words = set(key(q["speaker"]).split())
            ok = bool(hit) and bool(said) and set(key(said).split()) <= gold_words | {""} and bool(set(key(said).split()) & gold_words)
        else:
            # an unnamed source: right when the enricher names nobody, i.e. gives no speaker or
            # only a noun phrase in lower case ("seorang sumber", "salah satu warga"), no name
            ok = bool(hit) and (not said or "sumber" in said.casefold() or not any(w[:1].isupper() for w in said.split()))
        speakers.append(ok)
        if show and not ok:
            print(f"    quote at {q['at']}: gold {q['speaker']!r}, got {said!r}{'' if hit else ' (quote not found)'}")
    article = Article(url=annotation["file"], source="bench", fetched_at=None, text=text, title=title)  # type: ignore[arg-type]
    themes = [r["theme"] for r in ThemesEnricher().enrich(article).rows["themes"]]
    if show:
        missed = [g for (_, _, g), ok in zip(gold, found) if not ok]
        wrong = [f"{s} ({k})" for ((s, k), _), ok in zip(predicted.items(), right) if not ok]
        print(f"  {annotation['file']}: missed {missed}; not in gold {wrong}; themes {themes}")
    return {"found": found, "right": right, "coords": with_coords, "speakers": speakers,
            "themes_right": [t in annotation.get("themes", []) for t in themes]}


def ratio(values: list) -> str:
    return f"{sum(values) / len(values):.3f} ({sum(values)}/{len(values)})" if values else "n/a (0)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print each article's misses (dev split only, unless --split)")
    parser.add_argument("--split", choices=SPLITS, default="dev",
                        help="the split whose misses --show prints (look at the held-out splits only to report, never to tune)")
    args = parser.parse_args(argv)
    if not GROUND_TRUTH.exists():
        print(f"error: no {GROUND_TRUTH}", file=sys.stderr)
        return 2
    pages = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
    kb = load_kb()
    gazetteer()
    started = time.process_time()
    totals: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(SET_DIR.glob("*.toml")):
        annotation = tomllib.loads(path.read_text(encoding="utf-8"))
        result = score_article(annotation, pages[annotation["file"]], kb, args.show and annotation["split"] == args.split)
        for name, values in result.items():
            totals[annotation["split"]][name] += values
    for split in SPLITS:
        t = totals[split]
        print(f"{split}: entity recall {ratio(t['found'])}, precision {ratio(t['right'])}; "
              f"places with coordinates {ratio(t['coords'])}; quote speakers {ratio(t['speakers'])}; "
              f"themes precision {ratio(t['themes_right'])} (themes assigned: {len(t['themes_right'])})")
    print(f"({time.process_time() - started:.1f} CPU s; NER model {EntitiesEnricher().version})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

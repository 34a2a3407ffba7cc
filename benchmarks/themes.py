"""Themes, per theme: precision and recall on the subject's articles, false themes off the subject.

    .venv/bin/python benchmarks/themes.py

Two kinds of text, each as the themes enricher reads it (title and text):
- on the subject: the 24 articles of benchmarks/enrichment_data (written by the project on North
  Korea's weapons and its ties with Russia), whose `themes` (what the article is about) and
  `themes_also` (touched on: neither needed nor counted wrong) were annotated in round 14 by the
  taxonomy's descriptions before the enricher ran on them. The rules were written while these
  articles existed, so read these figures as the rules' own, not as a held-out test;
- off the subject, read in place from ../shared/corpus: the 73 real Indonesian articles and feed
  summaries of benchmarks/realset (benchmarks/enrichment_real.py reads them) and the article bodies
  of the English extraction benchmark's ground truth (181 news and blog pages of 2015-2020): none
  is about North Korea, so every theme given to them is wrong by the taxonomy, whose themes are the
  subject's ("diplomacy" is North Korea's diplomacy).

Printed for the shipped taxonomy (tasks/kb/themes.toml, with its `[subject]` table) and for the same
taxonomy without the subject condition (the rules before round 14), so the condition's cost in
recall and its gain in precision are measured in the same run.
"""

from __future__ import annotations

import json
import sys
import time
import tomllib
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from kabar.models import Article  # noqa: E402
from tasks.enrichers.themes import TAXONOMY, Taxonomy, _load, assign_themes  # noqa: E402

DATA = ROOT / "benchmarks" / "enrichment_data"
EXTRACTION_TRUTH = ROOT.parent / "shared" / "corpus" / "extraction-benchmark" / "ground-truth.json"


def _article(text: str, title: str | None, url: str = "https://example.invalid/") -> Article:
    return Article(url=url, source="bench", fetched_at=datetime.now(timezone.utc), text=text, title=title)


def subject_articles() -> list[tuple[str, Article, set[str], set[str]]]:
    """(name, article, themes, themes_also) of every enrichment_data file with a ``themes`` key."""
    out = []
    for path in sorted(DATA.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if "themes" in data:
            out.append((path.stem, _article(data["text"].strip(), data.get("title")), set(data["themes"]),
                        set(data.get("themes_also", []))))
    return out


def off_subject_articles() -> dict[str, list[Article]]:
    """The off-subject sets that can be read here, by name (a set whose files are missing is left out)."""
    sets: dict[str, list[Article]] = {}
    try:
        import enrichment_real

        scored, _ = enrichment_real.load_set()
        if scored:
            sets["realset (Indonesian)"] = [article for _, article, _ in scored]
    except Exception as exc:  # the corpus may be absent: say so, measure the rest
        print(f"note: realset not read ({type(exc).__name__}: {exc})", file=sys.stderr)
    if EXTRACTION_TRUTH.exists():
        truth = json.loads(EXTRACTION_TRUTH.read_text(encoding="utf-8"))
        bodies = [_article(v["articleBody"], v.get("title")) for v in truth.values() if v.get("articleBody")]
        if bodies:
            sets["extraction benchmark (mostly English)"] = bodies
    return sets


def score(tax: Taxonomy, subject: list, off: dict[str, list[Article]]) -> None:
    right, given, gold, found = Counter(), Counter(), Counter(), Counter()
    for _, article, themes, also in subject:
        predicted = {row["theme"] for row in assign_themes(article, tax)}
        for theme in predicted - also:
            given[theme] += 1
            right[theme] += theme in themes
        gold.update(themes)
        found.update(themes & predicted)
    total_right, total_given, total_gold = sum(right.values()), sum(given.values()), sum(gold.values())
    print(f"  on the subject ({len(subject)} articles): precision {_ratio(total_right, total_given)}, "
          f"recall {_ratio(sum(found.values()), total_gold)}")
    for theme in tax.min_hits:
        print(f"    {theme:28s} precision {_ratio(right[theme], given[theme])}, recall {_ratio(found[theme], gold[theme])}")
    for name, articles in off.items():
        wrong = Counter(row["theme"] for article in articles for row in assign_themes(article, tax))
        listed = ", ".join(f"{t} {n}" for t, n in wrong.most_common()) or "none"
        print(f"  off the subject, {name} ({len(articles)} articles): {sum(wrong.values())} themes given, "
              f"all wrong ({listed})")


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f} ({a}/{b})" if b else "n/a (0/0)"


def main() -> int:
    tax = _load(str(TAXONOMY), TAXONOMY.stat().st_mtime_ns)
    subject = subject_articles()
    if not subject:
        print(f"error: no article of {DATA} has a `themes` annotation", file=sys.stderr)
        return 2
    off = off_subject_articles()
    started = time.process_time()
    print(f"shipped taxonomy ({TAXONOMY.relative_to(ROOT)}, subject condition: {len(tax.subject)} names)")
    score(tax, subject, off)
    print("the same taxonomy without its subject condition")
    score(replace(tax, subject=()), subject, off)
    print(f"({time.process_time() - started:.1f} CPU s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

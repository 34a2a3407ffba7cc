"""Enrichment benchmark: quality against a hand-annotated set, and speed over many articles.

Quality: the annotated Indonesian articles in ``benchmarks/enrichment_data/*.toml`` (our own
writing; see its README) go through every registered enricher (``tasks.enrich.selected()``);
printed are precision and recall of
- entity linking against the gold Wikidata QIDs (and against the gold knowledge-base ids),
  when ``tasks.entities`` is present (else it says so and skips them);
- quote detection, and quote speaker attribution accuracy (over all gold quotes);
- amounts (value, unit and qualifier must all match);
- event dates (text, resolved date and granularity must all match).
Speed: milliseconds per article per enricher over N articles (default 10,000) made by
recombining the annotated articles' paragraphs, with ``str.split`` over the same texts as the
reference measured in the same run.

    .venv/bin/python benchmarks/enrichment.py [--articles N] [--verbose]
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import re
import sys
import time
import tomllib
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kabar.models import Article  # noqa: E402
from tasks.enrich import Enrichment, selected  # noqa: E402

DATA = Path(__file__).resolve().parent / "enrichment_data"
TARGETS = {"entities": 0.9, "quotes": 0.85, "amounts": 0.9}


def load_gold(directory: Path = DATA) -> list[tuple[Article, dict[str, Any]]]:
    """(article, gold annotations) for each ``*.toml`` file of ``directory``."""
    items = []
    for path in sorted(directory.glob("*.toml")):
        gold = tomllib.loads(path.read_text(encoding="utf-8"))
        published = datetime.fromisoformat(gold["published"])
        article = Article(
            url=f"file:///bench/{path.stem}", source="bench", fetched_at=published,
            text=gold["text"].strip(), title=gold.get("title"), published_at=published, language_hint="id",
        )
        article.article_id = path.stem
        items.append((article, gold))
    return items


def run_enrichers(articles: list[Article], enrichers: list) -> dict[str, list[Enrichment]]:
    """Each enricher over each article: name -> one Enrichment per article (errors kept)."""
    results: dict[str, list[Enrichment]] = {}
    for enricher in enrichers:
        out = []
        for article in articles:
            try:
                out.append(enricher.enrich(article))
            except Exception as exc:  # scored as an empty result, and counted
                out.append(Enrichment(error=f"{type(exc).__name__}: {exc}"))
        results[enricher.name] = out
    return results


def rows_of(results: dict[str, list[Enrichment]], table: str, index: int) -> list[dict[str, Any]] | None:
    """Rows of ``table`` for article ``index`` from whichever enricher writes that table."""
    for per_article in results.values():
        if table in per_article[index].rows:
            return per_article[index].rows[table]
    return None


def prf(hit_pred: int, pred: int, hit_gold: int, gold: int) -> tuple[float, float]:
    return (hit_pred / pred if pred else 0.0, hit_gold / gold if gold else 0.0)


def print_score(label: str, right: int, found: int, gold: int, found_as: str = "found", tail: str = "") -> None:
    """One score line: precision and recall of ``right`` hits among ``found`` predictions and
    ``gold`` annotations, the counts, then ``tail`` (a target, a source)."""
    p, r = prf(right, found, right, gold)
    print(f"{label:<33}P={p:.3f} R={r:.3f}  ({right} right of {found} {found_as}, {gold} gold){tail}")


def _norm(name: str | None) -> str:
    return " ".join((name or "").replace("-", " ").casefold().split())


def speaker_matches(predicted: str | None, gold: str | list[str]) -> bool:
    """The predicted speaker names the gold one: equal, or containing it ("Presiden Rusia Vladimir
    Putin" names "Vladimir Putin"); a bare "Kim" does not name "Kim Dong-yup"."""
    want = [gold] if isinstance(gold, str) else gold
    got = f" {_norm(predicted)} "
    return bool(_norm(predicted)) and any(f" {_norm(w)} " in got for w in want)


def score_entities(items, results, verbose: bool) -> None:
    if importlib.util.find_spec("tasks.entities") is None:
        print("entity linking: tasks.entities is absent (the entities work is not merged): not scored")
        return
    from tasks.entities import load_kb
    from tasks.mentions import find_mentions

    kb = load_kb()
    source = "the mentions table of the registered enrichers"
    if all(rows_of(results, "mentions", i) is None for i in range(len(items))):
        source = "tasks.mentions.find_mentions (no registered enricher writes `mentions` yet)"
    tp_q = pred_q = gold_q = tp_id = pred_id = gold_id = 0
    for i, (article, gold) in enumerate(items):
        rows = rows_of(results, "mentions", i)
        if rows is None:
            rows = [{"entity_id": m.entity_id} for m in find_mentions(article.text, kb)]
        ids = {r["entity_id"] for r in rows if r.get("entity_id")}
        qids = {kb.get(e).wikidata_id for e in ids if kb.get(e) and kb.get(e).wikidata_id}
        gold_ids = {e["id"] for e in gold.get("entities", [])}
        gold_qids = {e["qid"] for e in gold.get("entities", []) if e.get("qid")}
        tp_q += len(qids & gold_qids); pred_q += len(qids); gold_q += len(gold_qids)
        tp_id += len(ids & gold_ids); pred_id += len(ids); gold_id += len(gold_ids)
        if verbose and (qids ^ gold_qids or ids ^ gold_ids):
            print(f"  {article.article_id}: extra {sorted(ids - gold_ids)} missing {sorted(gold_ids - ids)}")
    print_score("entity linking (Wikidata QIDs)", tp_q, pred_q, gold_q, "linked",
                f"   target P,R >= {TARGETS['entities']}   [from {source}]")
    print_score("entity linking (KB ids, all)", tp_id, pred_id, gold_id, "linked")


def score_quotes(items, results, verbose: bool) -> None:
    tp_pred = n_pred = tp_gold = n_gold = right = 0
    for i, (article, gold) in enumerate(items):
        rows = rows_of(results, "quotes", i)
        if rows is None:
            print("quotes: no registered enricher writes `quotes`: not scored")
            return
        golds = gold.get("quotes", [])
        found = [next((r for r in rows if _norm(r["quote"]).startswith(_norm(g["starts"]))), None) for g in golds]
        n_pred += len(rows)
        tp_pred += sum(any(_norm(r["quote"]).startswith(_norm(g["starts"])) for g in golds) for r in rows)
        n_gold += len(golds)
        tp_gold += sum(f is not None for f in found)
        for g, f in zip(golds, found):
            ok = f is not None and speaker_matches(f["speaker_text"], g["speaker"])
            right += ok
            if verbose and not ok:
                print(f"  {article.article_id}: {g['starts']!r}: want {g['speaker']!r}, got {f and f['speaker_text']!r}")
        if verbose:
            for r in rows:
                if not any(_norm(r["quote"]).startswith(_norm(g["starts"])) for g in golds):
                    print(f"  {article.article_id}: extra quote {r['quote'][:50]!r} ({r['speaker_text']!r})")
    _score_speaker_links(items, results)
    p, r = prf(tp_pred, n_pred, tp_gold, n_gold)
    print(f"quote detection                  P={p:.3f} R={r:.3f}  ({tp_gold} of {n_gold} gold quotes found, {n_pred} found)")
    print(f"quote speaker attribution        accuracy={right / n_gold if n_gold else 0:.3f}  ({right} of {n_gold} gold quotes"
          f" with the right speaker)   target >= {TARGETS['quotes']}")


def _score_speaker_links(items, results) -> None:
    """Of the gold quotes whose speaker is a knowledge-base entity, how many got that entity."""
    if importlib.util.find_spec("tasks.entities") is None:
        return
    from tasks.entities import load_kb

    kb = load_kb()
    right = total = 0
    for i, (_, gold) in enumerate(items):
        rows = rows_of(results, "quotes", i) or []
        for g in gold.get("quotes", []):
            names = [g["speaker"]] if isinstance(g["speaker"], str) else g["speaker"]
            entity = next((e for e in map(kb.link, names) if e is not None and e.type != "place"), None)
            if entity is None:
                continue
            total += 1
            found = next((r for r in rows if _norm(r["quote"]).startswith(_norm(g["starts"]))), None)
            right += found is not None and found["speaker_entity_id"] == entity.entity_id
    if total:
        print(f"quote speaker entity links       accuracy={right / total:.3f}  ({right} of {total} gold quotes whose speaker is in the KB)")


def _multiset_hits(pred: list[tuple], gold: list[tuple]) -> int:
    return sum((Counter(pred) & Counter(gold)).values())


def _print_difference(article_id: str, pred: list[tuple], gold: list[tuple]) -> None:
    """For --verbose: what one article found beyond its gold, and what it missed (multisets)."""
    extra, missing = Counter(pred) - Counter(gold), Counter(gold) - Counter(pred)
    if extra or missing:
        print(f"  {article_id}: extra {sorted(extra, key=str)} missing {sorted(missing, key=str)}")


def score_amounts(items, results, verbose: bool) -> None:
    tp = n_pred = n_gold = tp_value = 0
    for i, (article, gold) in enumerate(items):
        rows = rows_of(results, "amounts", i)
        if rows is None:
            print("amounts: no registered enricher writes `amounts`: not scored")
            return
        pred = [(float(r["value"]), r["unit"], r["qualifier"]) for r in rows]
        want = [(float(g["value"]), g.get("unit"), g.get("qualifier")) for g in gold.get("amounts", [])]
        tp += _multiset_hits(pred, want)
        tp_value += _multiset_hits([(p[0],) for p in pred], [(w[0],) for w in want])
        n_pred += len(pred); n_gold += len(want)
        if verbose:
            _print_difference(article.article_id, pred, want)
    print_score("amounts (value, unit, qualifier)", tp, n_pred, n_gold, tail=f"   target >= {TARGETS['amounts']}")
    p, r = prf(tp_value, n_pred, tp_value, n_gold)
    print(f"amounts (value only)             P={p:.3f} R={r:.3f}")


def score_dates(items, results, verbose: bool) -> None:
    tp = n_pred = n_gold = 0
    for i, (article, gold) in enumerate(items):
        rows = rows_of(results, "event_dates", i)
        if rows is None:
            print("event dates: no registered enricher writes `event_dates`: not scored")
            return
        pred = [(r["text"], r["resolved_date"], r["granularity"]) for r in rows]
        want = [(g["text"], date.fromisoformat(g["date"]), g["granularity"]) for g in gold.get("dates", [])]
        tp += _multiset_hits(pred, want)
        n_pred += len(pred); n_gold += len(want)
        if verbose:
            _print_difference(article.article_id, pred, want)
    print_score("event dates (text, date, grain)", tp, n_pred, n_gold)


def score_all(items, results, verbose: bool) -> None:
    score_entities(items, results, verbose)
    score_quotes(items, results, verbose)
    score_amounts(items, results, verbose)
    score_dates(items, results, verbose)


def synthetic_articles(items: list[tuple[Article, dict]], n: int, seed: int = 6) -> list[Article]:
    """``n`` articles of 4-10 paragraphs drawn from the annotated ones, each with a random
    publication date among theirs: realistic text, shapes and lengths, at any count."""
    rng = random.Random(seed)
    paragraphs = [p for article, _ in items for p in article.text.split("\n") if p.strip()]
    dates = [article.published_at for article, _ in items]
    out = []
    for k in range(n):
        text = "\n".join(rng.sample(paragraphs, rng.randint(4, 10)))
        published = rng.choice(dates)
        article = Article(url=f"file:///synthetic/{k}", source="bench", fetched_at=published, text=text,
                          published_at=published, language_hint="id")
        article.article_id = f"s{k}"
        out.append(article)
    return out


def time_enrichers(articles: list[Article], enrichers: list) -> None:
    start = time.perf_counter()
    for article in articles:
        article.text.split()
    reference = (time.perf_counter() - start) / len(articles) * 1000
    words = sum(len(a.text.split()) for a in articles) / len(articles)
    print(f"speed over {len(articles):,} articles (mean {words:.0f} words); reference str.split: {reference:.4f} ms/article")
    print(f"  {'enricher':<14} {'ms/article':>11} {'x str.split':>12} {'errors':>7}")
    for enricher in enrichers:
        enricher.enrich(articles[0])  # warm-up: lazy models and knowledge bases load once
        errors = 0
        start = time.perf_counter()
        for article in articles:
            try:
                enricher.enrich(article)
            except Exception:
                errors += 1
        ms = (time.perf_counter() - start) / len(articles) * 1000
        print(f"  {enricher.name:<14} {ms:>11.3f} {ms / reference:>12.0f} {errors:>7}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="synthetic articles for the speed part (0: skip)")
    parser.add_argument("--data", type=Path, default=DATA, help="directory of annotated *.toml articles")
    parser.add_argument("--verbose", action="store_true", help="list every disagreement with the gold annotations")
    args = parser.parse_args(argv)

    items = load_gold(args.data)
    enrichers = selected()
    words = [len(a.text.split()) for a, _ in items]
    print(f"{len(items)} annotated articles ({min(words)}-{max(words)} words) from {args.data.relative_to(ROOT) if args.data.is_relative_to(ROOT) else args.data};"
          f" enrichers: {', '.join(e.name for e in enrichers)}")
    results = run_enrichers([a for a, _ in items], enrichers)
    for name, per_article in results.items():
        failed = [items[i][0].article_id for i, e in enumerate(per_article) if e.error]
        if failed:
            print(f"  enricher {name} failed on {len(failed)} articles: {', '.join(failed[:5])}")
    score_all(items, results, args.verbose)
    held = [i for i, (_, gold) in enumerate(items) if gold.get("heldout")]
    if held:
        # articles annotated before the enrichers were tuned on them: a fairer figure
        print(f"-- held-out subset ({len(held)} articles, annotated before tuning): --")
        subset = {name: [per[i] for i in held] for name, per in results.items()}
        score_all([items[i] for i in held], subset, False)
    if args.articles > 0:
        time_enrichers(synthetic_articles(items, args.articles), enrichers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

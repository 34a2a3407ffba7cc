"""The whole mention pipeline on IndoNLU's NER sets: entity precision / recall / F1 on thousands of names.

    .venv/bin/python benchmarks/mentions_ner.py [--split test|valid] [--model PATH] [--corpus DIR]

``tasks.mentions.find_mentions`` (the KB pass, the CRF, the span rules, the acronyms, the type
decisions) runs over the sentences of NERGrit and NERP joined into pseudo-articles of 15
sentences (tasks/ner_articles.py keeps each gold name's offsets), and beside it, on the same texts
in the same run, the CRF alone (``tasks.ner.recognise``). Scored on person / organisation / place
(NERGrit's three labels, NERP's PPL / PLC / IND; the sets' other labels are out of the gold and
the pipeline gives none): exact span and type (P / R / F1), and the predictions that are wrong
by kind: span right but type wrong, overlapping a gold name of any type, or touching none.
Then the CPU each costs per article (best of three interleaved rounds).

Which model: the shipped one (``tasks/kb/ner-news.crfsuite``) learned from the train and valid
splits, so its ``test`` figures are the honest ones; for ``--split valid`` give a model trained
on ``train`` only (``python -m tasks.ner_train --splits train --out /tmp/ner-train.crfsuite``).
Both are given the model file (``find_mentions(..., model=PATH)``); the enricher always uses
the shipped one.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tasks import ner  # noqa: E402
from tasks.entities import load_kb  # noqa: E402
from tasks.mentions import find_mentions  # noqa: E402
from tasks.ner_articles import NerArticle, split_articles, trim  # noqa: E402
from tasks.ner_train import DEFAULT_CORPUS, SETS  # noqa: E402

TYPES = ("person", "organization", "place")
Spans = set[tuple[int, int, str]]


def spans_of(text: str, found: Iterable) -> Spans:
    """(start, end, type) of predicted names (Mentions or ner.Spans), edges trimmed as the gold's."""
    out = set()
    for m in found:
        if m.type in TYPES:
            start, end = trim(text, m.char_start, m.char_end)
            if start < end:
                out.add((start, end, m.type))
    return out


class Score:
    """Counts for entity-level scoring: exact (span, type) matches, and the wrong predictions by kind."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()

    def add(self, predicted: Spans, gold: Iterable[tuple[int, int, str]]) -> None:
        gold = set(gold)
        c = self.counts
        c["gold"] += len(gold)
        c["predicted"] += len(predicted)
        gold_spans = {(a, b) for a, b, _ in gold}
        for a, b, kind in predicted:
            if (a, b, kind) in gold:
                c["right"] += 1
            elif (a, b) in gold_spans:
                c["type wrong"] += 1
            elif any(a < gb and ga < b for ga, gb, _ in gold):
                c["overlapping"] += 1
            else:
                c["spurious"] += 1
            c["predicted " + kind] += 1
            c["right " + kind] += (a, b, kind) in gold
        for _, _, kind in gold:
            c["gold " + kind] += 1

    def prf(self, kind: str = "") -> tuple[float, float, float]:
        c, suffix = self.counts, (" " + kind if kind else "")
        right, predicted, gold = c["right" + suffix], c["predicted" + suffix], c["gold" + suffix]
        p, r = (right / predicted if predicted else 0.0), (right / gold if gold else 0.0)
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def line(self) -> str:
        c = self.counts
        p, r, f = self.prf()
        per_type = ", ".join(f"{k[:3]} {self.prf(k)[0]:.3f}/{self.prf(k)[1]:.3f}" for k in TYPES)
        return (f"P {p:.3f} R {r:.3f} F1 {f:.3f} ({c['right']} right of {c['predicted']} predicted, {c['gold']} gold); "
                f"wrong: type {c['type wrong']}, overlapping {c['overlapping']}, spurious {c['spurious']}; P/R {per_type}")


def cpu_ms(work: Callable[[NerArticle], object], docs: list[NerArticle]) -> float:
    started = time.process_time()
    for doc in docs:
        work(doc)
    return (time.process_time() - started) * 1000 / len(docs)


def run(docs: list[NerArticle], kb, model: Path) -> dict[str, Score]:
    """Scores of the CRF alone and of the whole pipeline on the same texts."""
    scores = {"crf": Score(), "pipeline": Score()}
    for doc in docs:
        scores["crf"].add(spans_of(doc.text, ner.recognise(doc.text, model)), doc.gold)
        scores["pipeline"].add(spans_of(doc.text, find_mentions(doc.text, kb, model=model)), doc.gold)
    return scores


def timings(docs: list[NerArticle], kb, model: Path, rounds: int = 3) -> dict[str, float]:
    """CPU ms per article, the best of ``rounds`` interleaved rounds: the CRF alone, and
    ``find_mentions`` with its CRF call (the cache of recognised texts cleared before each)."""
    def crf(doc: NerArticle) -> None:
        ner._recognised.cache_clear()
        ner.recognise(doc.text, model)

    def pipeline(doc: NerArticle) -> None:
        ner._recognised.cache_clear()
        find_mentions(doc.text, kb, model=model)
    out = {"crf": float("inf"), "pipeline": float("inf")}
    for _ in range(rounds):
        out["crf"] = min(out["crf"], cpu_ms(crf, docs))
        out["pipeline"] = min(out["pipeline"], cpu_ms(pipeline, docs))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--model", type=Path, default=ner.NEWS_MODEL)
    parser.add_argument("--split", default="test", choices=["test", "valid"])
    args = parser.parse_args(argv)
    problem = ner.model_status(args.model)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    if args.split == "valid" and args.model == ner.NEWS_MODEL:
        print("note: the shipped model learned from the valid splits; these figures flatter it", file=sys.stderr)
    kb = load_kb()
    print(f"model: {args.model}; split: {args.split}; articles of 15 sentences")
    every = {}
    for name in SETS:
        docs = split_articles(args.corpus, name, args.split)
        every[name] = docs
        scores = run(docs, kb, args.model)
        print(f"{name} {args.split} ({len(docs)} articles)")
        print(f"  CRF alone  {scores['crf'].line()}")
        print(f"  pipeline   {scores['pipeline'].line()}")
    ms = timings(every["nergrit"], kb, args.model)
    print(f"CPU per article (nergrit, best of 3 interleaved rounds): CRF alone {ms['crf']:.2f} ms, "
          f"find_mentions {ms['pipeline']:.2f} ms ({ms['pipeline'] / ms['crf']:.2f}x the CRF)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

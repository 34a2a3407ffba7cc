"""NER benchmark: the learned model (tasks/ner.py) on IndoNLU's NERGrit and NERP test splits.

    .venv/bin/python benchmarks/ner.py [--corpus ../shared/corpus/indonesian-ner] [--split test|valid]

Prints entity-level micro F1 with exact spans and types (seqeval's default reading of BIO), per
set and per label, beside the IndoNLU paper's fine-tuned baselines, and the CPU time to tag a
500-word article on one core (feature extraction included). Build the model first: ``make ner-model``.
The shipped model learns from the train and valid splits, so only ``test`` figures are honest for
it; ``--split valid`` is for a model trained with ``python -m tasks.ner_train --splits train``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tasks.ner import NEWS_MODEL, bio_spans, model_status, recognise, tag_words  # noqa: E402
from tasks.ner_train import DEFAULT_CORPUS, NERP_TO_SHARED, SETS, read_conll  # noqa: E402

#: Test-set entity F1 of IndoNLU's best fine-tuned models (Wilie et al., 2020, "IndoNLU", Table 4:
#: IndoBERT-large / XLM-R large). Quoted for scale; re-check against the paper before citing.
PUBLISHED = {"nergrit": "about 0.83-0.84 (IndoBERT-large)", "nerp": "about 0.90-0.91 (IndoBERT-large)"}
SHARED_TO_NERP = {v: k for k, v in NERP_TO_SHARED.items()}


def evaluate(name: str, sentences: list[tuple[list[str], list[str]]], model: Path = NEWS_MODEL) -> tuple[float, dict[str, tuple[float, float, float]]]:
    """Micro F1 and per-label (P, R, F1) over exact (start, end, label) spans."""
    tp, gold_n, pred_n = Counter(), Counter(), Counter()
    for words, gold_tags in sentences:
        pred_tags = tag_words(words, model)
        if name == "nerp":  # the model speaks NERGrit's labels; read them back as NERP's
            pred_tags = [t if t == "O" else t[:2] + SHARED_TO_NERP.get(t[2:], t[2:]) for t in pred_tags]
        gold, pred = set(bio_spans(gold_tags)), set(bio_spans(pred_tags))
        for span in gold:
            gold_n[span[2]] += 1
        for span in pred:
            pred_n[span[2]] += 1
            if span in gold:
                tp[span[2]] += 1

    def prf(t: int, p: int, g: int) -> tuple[float, float, float]:
        precision, recall = (t / p if p else 0.0), (t / g if g else 0.0)
        return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)

    per_label = {label: prf(tp[label], pred_n[label], gold_n[label]) for label in sorted(gold_n)}
    return prf(sum(tp.values()), sum(pred_n.values()), sum(gold_n.values()))[2], per_label


def ms_per_500_words(sentences: list[tuple[list[str], list[str]]], rounds: int = 5) -> float:
    """CPU ms to run ``recognise`` over 500-word articles built from test sentences."""
    words = [w for s, _ in sentences for w in s]
    articles = []
    for i in range(0, len(words) - 500, 500):
        chunk = words[i:i + 500]
        articles.append(" ".join(chunk))
    articles = articles[:40]
    recognise(articles[0])  # load the model outside the timing
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for text in articles:
            recognise(text)
        best = min(best, (time.process_time() - started) * 1000 / len(articles))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--model", type=Path, default=NEWS_MODEL)
    parser.add_argument("--split", default="test", choices=["test", "valid"],
                        help="test (default: the figures to report) or valid (to tune a model trained with --splits train)")
    args = parser.parse_args(argv)
    problem = model_status(args.model)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f"model: {args.model.name}")
    test_sets = {}
    for name, folder in SETS.items():
        test_sets[name] = read_conll(args.corpus / folder / f"{args.split}.txt")
        f1, per_label = evaluate(name, test_sets[name], args.model)
        print(f"{name:8s} {args.split} entity F1 {f1:.3f}   published (test): {PUBLISHED[name]}")
        for label, (p, r, f) in per_label.items():
            print(f"    {label:13s} P {p:.3f} R {r:.3f} F1 {f:.3f}")
    ms = ms_per_500_words(test_sets["nergrit"])
    print(f"speed: {ms:.2f} CPU ms per 500-word article (one core, features + tagging)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

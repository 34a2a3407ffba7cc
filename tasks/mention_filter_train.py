"""Fit the mention acceptance filter (``tasks/kb/mention-filter.json``) on the NER sets' valid splits.

    python -m tasks.mention_filter_train [--model /tmp/ner-train.crfsuite] [--corpus ../shared/corpus/indonesian-ner]
                                         [--out tasks/kb/mention-filter.json]

The pipeline (``tasks.mentions.find_mentions``) runs over NERGrit's and NERP's valid sentences
joined into articles (tasks/ner_articles.py), with a CRF that never saw them: one trained on the
``train`` splits only (``--model``; without it one is trained first into a temporary folder,
about 100 CPU s). Each mention it returns is an example (right: the gold has its exact span and
type), described by tasks/mention_filter.py ``features``. A logistic regression (Newton's
method, L2, numpy only) is fitted on all of them, and its threshold is the probability that
maximises F1 over the pipeline's own names once filtered (``choose_threshold``), pooled over
both sets. Deterministic; a few CPU seconds once the CRF exists. The test splits are never read.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from tasks import ner
from tasks.entities import KnowledgeBase, load_kb
from tasks.mention_filter import MODEL_PATH, FilterModel, features
from tasks.mentions import find_mentions
from tasks.ner_articles import NerArticle, split_articles, trim
from tasks.ner_train import DEFAULT_CORPUS, SETS, train

L2 = 1.0
SPLIT = "valid"


@contextlib.contextmanager
def crf_model(path: Path) -> Iterator[None]:
    """``tasks.ner.recognise`` reading the model at ``path`` in this process while inside.
    ``find_mentions`` has no model parameter (its NER pass calls ``recognise`` with the shipped
    model's path, importing it by name when it runs, so it sees this binding); only this build
    script and benchmarks/mentions_ner.py use it, never the enricher."""
    original = ner.recognise
    if path != ner.NEWS_MODEL:
        ner.recognise = functools.partial(original, path=path)  # type: ignore[assignment]
    try:
        yield
    finally:
        ner.recognise = original  # type: ignore[assignment]


def examples(docs: list[NerArticle], kb: KnowledgeBase) -> tuple[np.ndarray, np.ndarray, int]:
    """Features and labels (1: exact span and type in the gold) of every mention the pipeline
    finds in ``docs`` (``tasks.ner.recognise`` as bound by the caller), and the gold names' count."""
    rows, labels, gold_n = [], [], 0
    for doc in docs:
        mentions = [m for m in find_mentions(doc.text, kb) if m.type in ("person", "organization", "place")]
        gold_n += len(doc.gold)
        rows.append(features(doc.text, mentions, ner.recognise(doc.text)))
        labels += [(*trim(doc.text, m.char_start, m.char_end), m.type) in doc.gold for m in mentions]
    return (np.vstack(rows) if rows else np.zeros((0, 0))), np.asarray(labels, dtype=float), gold_n


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method, L2 on the weights (not the intercept): (weights, intercept)."""
    a = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(a.shape[1])
    penalty = np.full(a.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) + penalty * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(penalty) + 1e-9 * np.eye(a.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w[1:], float(w[0])


def choose_threshold(p: np.ndarray, y: np.ndarray, gold_n: int) -> float:
    """The probability (one of ``p``'s values, or 0: keep all) whose filtered mentions have the
    best F1 against ``gold_n`` gold names; the lowest such on ties."""
    best, best_f1 = 0.0, -1.0
    for t in np.unique(np.r_[0.0, p]):
        keep = p >= t
        right, kept = float(y[keep].sum()), int(keep.sum())
        precision, recall = (right / kept if kept else 0.0), right / gold_n
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best


def build(x: np.ndarray, y: np.ndarray, gold_n: int, l2: float = L2) -> FilterModel:
    weights, intercept = fit(x, y, l2)
    model = FilterModel(weights, intercept, 0.0)
    return FilterModel(weights, intercept, choose_threshold(model.probabilities(x), y, gold_n))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--model", type=Path, help="a CRF trained on the train splits only (default: train one now)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    if not (args.corpus / SETS["nergrit"] / f"{SPLIT}.txt").exists():
        print(f"error: no IndoNLU NER sets under {args.corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model
        if model is None:
            model = Path(tmp) / "ner-train.crfsuite"
            train(args.corpus, model, splits=("train",))
        kb = load_kb()
        parts = []
        with crf_model(model):
            for name in SETS:
                parts.append(examples(split_articles(args.corpus, name, SPLIT), kb))
    x = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    gold_n = sum(p[2] for p in parts)
    fitted = build(x, y, gold_n)
    args.out.write_text(json.dumps(fitted.to_json(), indent=1) + "\n", encoding="utf-8")
    p = fitted.probabilities(x)
    for name, (xs, ys, gs) in zip(SETS, parts):
        ps, keep = fitted.probabilities(xs), None
        keep = ps >= fitted.threshold
        print(f"{name} {SPLIT}: pipeline P {ys.mean():.3f} R {ys.sum() / gs:.3f}; filtered P {ys[keep].mean():.3f} "
              f"R {ys[keep].sum() / gs:.3f} ({int(keep.sum())} of {len(ys)} kept)")
    print(f"wrote {args.out}: {len(fitted.weights)} weights, threshold {fitted.threshold:.3f} "
          f"(kept {int((p >= fitted.threshold).sum())} of {len(p)} mentions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

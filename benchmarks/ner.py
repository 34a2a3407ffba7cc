"""NER benchmark: the learned model (tasks/ner.py) on IndoNLU's NERGrit and NERP test splits.

    .venv/bin/python benchmarks/ner.py [--corpus ../shared/corpus/indonesian-ner] [--split test|valid]

Prints entity-level micro F1 with exact spans and types (seqeval's default reading of BIO), per
set and per label, and the per-type average that IndoNLU reports, beside the published fine-tuned
baselines; then the CPU time to tag a 500-word article on one core (tokenising and features
included), with two references measured in the same run: tokenising alone, and crfsuite's own
tagger on the same model and features. Build the model first: ``make ner-model``.
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

from tasks.ner import NEWS_MODEL, WORD, bio_spans, model_status, recognise, sentence_features, tag_sentences, tag_words, word_clusters  # noqa: E402
from tasks.ner import _SENTENCE_END as _SENTENCES, _tagger, _word_features  # noqa: E402
from tasks.ner_train import DEFAULT_CORPUS, NERP_TO_SHARED, SETS, read_conll  # noqa: E402

#: Published test F1 of fine-tuned pre-trained models on these two sets, in per cent as the sources
#: print them. Source: the IndoNLU baselines (Wilie et al., AACL-IJCNLP 2020, Table 5) as listed in
#: the NusaBERT README (github.com/LazarusNLP/NusaBERT, "IndoNLU (Sequence Labeling)"), which adds
#: its own NusaBERT-large (2024); the paper's table itself could not be read here, so the figures are
#: quoted from that listing. Their metric is not our micro F1: IndoNLU's utils/metrics.py
#: (ner_metrics_fn) reports conlleval's per-type F1 averaged over the types, printed here as
#: "macro over types". The paper's non-pretrained baselines (a transformer trained from scratch,
#: fastText embeddings + transformer) score below every pre-trained model (its section 5.1); their
#: figures were not in any source found, so they are not quoted.
PUBLISHED = {
    "nergrit": "mBERT 75.02, XLM-R base 79.09, XLM-R large 78.26, IndoBERT-base p1 69.87, "
               "IndoBERT-large p1 77.60 (best IndoNLU baseline: XLM-R base); NusaBERT-large 79.86",
    "nerp": "mBERT 69.27, XLM-R base 75.03, XLM-R large 78.52, IndoBERT-base p1 75.52, "
            "IndoBERT-large p1 79.25 (best IndoNLU baseline); NusaBERT-large 85.12",
}
SHARED_TO_NERP = {v: k for k, v in NERP_TO_SHARED.items()}


def evaluate(name: str, sentences: list[tuple[list[str], list[str]]], model: Path = NEWS_MODEL) -> tuple[float, dict[str, tuple[float, float, float]]]:
    """Micro F1 and per-label (P, R, F1) over exact (start, end, label) spans."""
    tp, gold_n, pred_n = Counter(), Counter(), Counter()
    predicted = tag_sentences([words for words, _ in sentences], model)
    for (words, gold_tags), pred_tags in zip(sentences, predicted):
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


def articles_of(sentences: list[tuple[list[str], list[str]]], size: int = 500, most: int = 40) -> list[str]:
    """Texts of ``size`` words made from consecutive sentences (at most ``most`` of them)."""
    words = [w for s, _ in sentences for w in s]
    return [" ".join(words[i:i + size]) for i in range(0, len(words) - size, size)][:most]


def cpu_ms(work, articles: list[str], rounds: int = 5) -> float:
    """Best-of-``rounds`` CPU ms per article for ``work(article)`` over all the articles."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for text in articles:
            work(text)
        best = min(best, (time.process_time() - started) * 1000 / len(articles))
    return best


def speed(sentences: list[tuple[list[str], list[str]]], model: Path = NEWS_MODEL) -> dict[str, float]:
    """CPU ms per 500-word article: ``recognise`` on its first pass over the articles (word caches
    cold) and at its best (warm), and two references measured in the same run: tokenising alone
    (the floor any tagger pays) and crfsuite's own tagger on the same model and features (the
    way tasks/ner.py tagged before tasks/ner_tagger.py)."""
    import pycrfsuite

    articles = articles_of(sentences)
    _tagger.cache_clear()  # a fresh model: no word seen yet (evaluate() tagged these words)
    _word_features.cache_clear()
    tag_words(["Jakarta"], model)  # load the model outside the timing
    started = time.process_time()
    for text in articles:
        recognise(text, model)
    cold = (time.process_time() - started) * 1000 / len(articles)
    warm = cpu_ms(lambda text: recognise(text, model), articles)
    tokenise = cpu_ms(lambda text: [m.group() for m in WORD.finditer(text)], articles)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    clusters = word_clusters(model)

    def crfsuite(text: str) -> None:
        for piece in _SENTENCES.split(text):
            words = [m.group() for m in WORD.finditer(piece)]
            if words:
                tagger.tag(sentence_features(words, clusters))

    return {"cold": cold, "warm": warm, "tokenise": tokenise, "crfsuite": cpu_ms(crfsuite, articles, rounds=3)}


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
        macro = sum(f for _, _, f in per_label.values()) / len(per_label)
        print(f"{name:8s} {args.split} entity F1 micro {f1:.3f}, macro over types {macro:.3f}")
        print(f"    published (test, macro over types): {PUBLISHED[name]}")
        for label, (p, r, f) in per_label.items():
            print(f"    {label:13s} P {p:.3f} R {r:.3f} F1 {f:.3f}")
    ms = speed(test_sets["nergrit"], args.model)
    print(f"speed: {ms['warm']:.2f} CPU ms per 500-word article (one core, tokenising + features + tagging; "
          f"{ms['cold']:.2f} on the first pass, word caches cold)")
    print(f"  same run: tokenising alone {ms['tokenise']:.2f} ms (NER = {ms['warm'] / ms['tokenise']:.1f}x that); "
          f"crfsuite's own tagger on the same features {ms['crfsuite']:.2f} ms ({ms['crfsuite'] / ms['warm']:.1f}x slower)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

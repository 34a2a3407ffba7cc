"""Train the NER model (``tasks/kb/ner-news.crfsuite``) from IndoNLU's NER sets; run by ``make ner-model``.

    python -m tasks.ner_train [--corpus ../shared/corpus/indonesian-ner] [--out tasks/kb/ner-news.crfsuite]

One CRF learns from NERGrit (cased news and wiki text: PERSON, PLACE, ORGANISATION) and NERP
(lower-cased news: PPL, PLC, IND, EVT, FNB) together; NERP's people, places and organisations are
mapped onto NERGrit's labels so both teach the same three types, EVT and FNB are kept as their own
labels (the enricher ignores them). Only the ``train.txt`` splits are read: ``valid``/``test`` stay
for ``benchmarks/ner.py``. Deterministic (L-BFGS from zero), about a minute on one core.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tasks.ner import NEWS_MODEL, sentence_features

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "indonesian-ner"
SETS = {"nergrit": "nergrit_ner-grit", "nerp": "nerp_ner-prosa"}
#: NERP label -> the shared label the model learns
NERP_TO_SHARED = {"PPL": "PERSON", "PLC": "PLACE", "IND": "ORGANISATION"}


def read_conll(path: Path) -> list[tuple[list[str], list[str]]]:
    """Sentences of an IndoNLU NER file: (words, BIO tags)."""
    sentences, words, tags = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if words:
                sentences.append((words, tags))
            words, tags = [], []
            continue
        word, _, tag = line.rstrip("\n").partition("\t")
        words.append(word)
        tags.append(tag.strip() or "O")
    if words:
        sentences.append((words, tags))
    return sentences


def to_shared(tag: str) -> str:
    prefix, _, label = tag.partition("-")
    return f"{prefix}-{NERP_TO_SHARED.get(label, label)}" if label else tag


def training_sentences(corpus: Path, sets: tuple[str, ...] = tuple(SETS)) -> list[tuple[list[str], list[str]]]:
    out = []
    if "nergrit" in sets:
        out += read_conll(corpus / SETS["nergrit"] / "train.txt")
    if "nerp" in sets:
        out += [(w, [to_shared(t) for t in tags]) for w, tags in read_conll(corpus / SETS["nerp"] / "train.txt")]
    return out


def train(corpus: Path, out: Path, iterations: int = 120, sets: tuple[str, ...] = tuple(SETS),
          c1: float = 0.05, c2: float = 0.02) -> int:
    import pycrfsuite

    sentences = training_sentences(corpus, sets)
    trainer = pycrfsuite.Trainer(verbose=False)
    for words, tags in sentences:
        trainer.append(sentence_features(words), tags)
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": iterations,
                        "feature.possible_transitions": True})
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    trainer.train(str(tmp))
    tmp.replace(out)  # never leave a half-written model where the enricher looks
    return len(sentences)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=NEWS_MODEL)
    parser.add_argument("--iterations", type=int, default=120)
    parser.add_argument("--c1", type=float, default=0.05, help="L1 regularisation")
    parser.add_argument("--c2", type=float, default=0.02, help="L2 regularisation")
    parser.add_argument("--sets", default=",".join(SETS), help="training sets, comma-separated (default: both)")
    args = parser.parse_args(argv)
    if not (args.corpus / SETS["nergrit"] / "train.txt").exists():
        print(f"error: no IndoNLU NER sets under {args.corpus}", file=sys.stderr)
        return 2
    from tasks.places import PLACES_FILE, write

    if not PLACES_FILE.exists():  # the gazetteer features need it
        write()
    started = time.process_time()
    n = train(args.corpus, args.out, args.iterations, tuple(args.sets.split(",")), args.c1, args.c2)
    print(f"trained {args.out} on {n} sentences in {time.process_time() - started:.0f} CPU s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

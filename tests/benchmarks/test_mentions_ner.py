"""benchmarks/mentions_ner.py and tasks/ner_articles.py: NER sentences joined into articles keep
each gold name's offsets, and the scorer counts exact matches and the wrong kinds apart."""

from __future__ import annotations

import sys
from pathlib import Path

from tasks.entities import Mention
from tasks.ner_articles import articles, join_words, split_articles

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from mentions_ner import Score, spans_of  # noqa: E402

# invented sentences in the sets' format: NERGrit's labels and NERP's (EVT is not scored)
SENTENCES = [
    ("Presiden Joko Widodo tiba di Bandung , Jawa Barat .".split(),
     "O B-PERSON I-PERSON O O B-PLACE O B-PLACE I-PLACE O".split()),
    ('Kantor " Bank Nusantara " ( BNU ) dibuka .'.split(),
     "O O B-ORGANISATION I-ORGANISATION O O B-ORGANISATION O O O".split()),
    ("warga kota medan menonton festival danau toba bersama rina susanti .".split(),
     "O O B-PLC O B-EVT I-EVT I-EVT O B-PPL I-PPL O".split()),
]


def _names(doc) -> set[tuple[str, str]]:
    return {(doc.text[a:b], kind) for a, b, kind in doc.gold}


def test_joined_words_keep_offsets_and_the_gold_maps_back() -> None:
    text, offsets = join_words(["Di", "Bandung", ",", "(", "kata", ")", "ia", "."])
    assert text == "Di Bandung, (kata) ia."
    assert [text[a:b] for a, b in offsets] == ["Di", "Bandung", ",", "(", "kata", ")", "ia", "."]
    doc, = articles(SENTENCES, per=3)
    assert doc.text.count("\n") == 2
    assert _names(doc) == {("Joko Widodo", "person"), ("Bandung", "place"), ("Jawa Barat", "place"),
                           ("Bank Nusantara", "organization"), ("BNU", "organization"),
                           ("medan", "place"), ("rina susanti", "person")}  # the event is not scored
    # two sentences an article: the second article's offsets start again at 0
    first, second = articles(SENTENCES, per=2)
    assert _names(first) | _names(second) == _names(doc) and second.text.startswith("warga")


def test_predictions_equal_to_the_gold_score_one_and_wrong_ones_are_told_apart() -> None:
    doc, = articles(SENTENCES, per=3)
    as_mentions = [Mention(None, doc.text[a:b], a, b, kind) for a, b, kind in doc.gold]  # type: ignore[arg-type]
    score = Score()
    score.add(spans_of(doc.text, as_mentions), doc.gold)
    assert score.prf() == (1.0, 1.0, 1.0)
    at = doc.text.index("Joko")
    wrong = [Mention(None, "Joko Widodo", at, at + 11, "place"),  # span right, type wrong
             Mention(None, "Presiden Joko Widodo", at - 9, at + 11, "person"),  # overlapping
             Mention(None, "Kantor", 0, 0, "person"),  # empty once trimmed: not a prediction
             Mention(None, "festival", doc.text.index("festival"), doc.text.index("festival") + 8, "organization")]
    score = Score()
    score.add(spans_of(doc.text, wrong), doc.gold)
    c = score.counts
    assert (c["right"], c["type wrong"], c["overlapping"], c["spurious"], c["predicted"]) == (0, 1, 1, 1, 3)


def test_a_split_of_the_real_sets_reads_into_articles() -> None:
    from tasks.ner_train import DEFAULT_CORPUS

    if not (DEFAULT_CORPUS / "nergrit_ner-grit" / "valid.txt").exists():
        import pytest
        pytest.skip("needs ../shared/corpus/indonesian-ner")
    docs = split_articles(DEFAULT_CORPUS, "nergrit", "valid")
    assert len(docs) == 14  # 209 sentences, 15 an article
    # every gold name is words of the text, whole (no punctuation at its edges)
    for doc in docs:
        for a, b, _ in doc.gold:
            assert doc.text[a].isalnum() and doc.text[b - 1].isalnum()
            assert (a == 0 or not doc.text[a - 1].isalnum()) and (b == len(doc.text) or not doc.text[b].isalnum())

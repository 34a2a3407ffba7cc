"""benchmarks/places_ner.py: each gold place of an NER article is counted as found with
coordinates, recognised, or known to the gazetteer and knowledge base, apart; an unknown name is
listed, and the names are shown only for the split meant for looking."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from tasks.entities import load_kb
from tasks.ner import NEWS_MODEL, model_status
from tasks.ner_articles import articles

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import places_ner  # noqa: E402

needs_model = pytest.mark.skipif(model_status() is not None, reason="NER model not built (make ner-model)")

# invented sentences in NERGrit's format: a city, a village no package lists, a continent, a
# province's short form and a person
SENTENCES = [
    ("Banjir melanda Bandung dan Desa Sukamundur sejak Senin .".split(),
     "O O B-PLACE O B-PLACE I-PLACE O O O".split()),
    ("Rombongan dari Eropa tiba di Kaltim bersama Budi Santoso .".split(),
     "O O B-PLACE O O B-PLACE O B-PERSON I-PERSON O".split()),
]


def test_known_is_the_whole_name_with_a_point() -> None:
    kb = load_kb()
    assert places_ner.known("Bandung", kb) and places_ner.known("Kota Bandung", kb)
    assert places_ner.known("Korut", kb)  # a knowledge-base place with coordinates
    assert places_ner.known("eropa", kb)  # NERP is lower-cased
    assert not places_ner.known("Desa Sukamundur", kb)
    # a name that only ends in a known one ("SMA Negeri 6 Jakarta") is not known
    assert not places_ner.known("SMA Negeri 6 Jakarta", kb)


@needs_model
def test_each_gold_place_is_counted_once_per_figure() -> None:
    kb = load_kb()
    doc, = articles(SENTENCES, per=2)
    counts, missing, unfound = Counter(), Counter(), Counter()
    places_ner.score(doc, kb, NEWS_MODEL, counts, missing, unfound)
    assert counts["gold"] == 4  # the person is not a place
    assert counts["known"] == 3 and missing == Counter({"desa sukamundur": 1})
    assert counts["with coordinates"] <= counts["recognised"] and counts["with coordinates"] <= counts["known"]
    assert counts["with coordinates"] + sum(unfound.values()) == counts["known"]


def test_names_are_shown_for_the_valid_split_only(capsys: pytest.CaptureFixture) -> None:
    assert places_ner.main(["--split", "test", "--show", "5"]) == 2
    assert "--show is for the valid split" in capsys.readouterr().err

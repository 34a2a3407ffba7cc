"""tasks/story_model.py and tasks/story_model_train.py: the learned same-story decision."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kabar.config import DedupeSettings
from kabar.models import Article
from kabar.records import StoryContext
from tasks import story_model_train
from tasks.stories import assign_stories
from tasks.story_model import FEATURES, MODEL_PATH, StoryModel, char_grams, headline, load_model

WHEN = datetime(2024, 3, 1, tzinfo=timezone.utc)
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "news-similarity"


def _article(n: int, title: str, text: str) -> Article:
    article = Article(url=f"https://o{n}.id/{n}", source="s", fetched_at=WHEN, text=text, title=title,
                      published_at=WHEN, article_id=f"a{n}")
    article.meta["status"] = "new"
    return article


def test_one_subject_in_other_words_is_not_one_story() -> None:
    """Rice prices and a fertiliser shortage share 15 specific words (cosine 0.54): the old test
    (cosine >= 0.13 and >= 6 specific terms) joined them; the headlines differ and no name or number
    is shared, and the model says another story."""
    rice = _article(1, "Harga beras naik menjelang panen raya", "pedagang beras di pasar tradisional mengeluhkan "
                    "harga gabah yang naik. stok beras menipis, distribusi tersendat dan konsumen mengurangi belanja. "
                    "petani menunda panen karena pupuk bersubsidi langka.")
    fertiliser = _article(2, "Kelompok tani berharap kuota pupuk ditambah", "petani mengeluhkan pupuk bersubsidi langka "
                          "menjelang musim tanam. harga gabah di tingkat petani turun, distribusi pupuk tersendat, "
                          "pedagang pasar tradisional menunggu stok beras dari gudang.")
    assign_stories([rice, fertiliser], StoryContext(documents=1000), DedupeSettings())
    assert rice.meta["story_id"] == "a1"
    assert fertiliser.meta["story_id"] == "a2"


def test_one_event_in_other_words_is_one_story_with_its_probability() -> None:
    first = _article(1, "Banjir rendam Dayeuhkolot, 300 rumah terendam", "Sungai Citarum meluap dan merendam 300 rumah "
                     "warga di Dayeuhkolot dan Baleendah. BPBD Kabupaten Bandung mengevakuasi warga dengan perahu karet.")
    second = _article(2, "Citarum meluap, 300 rumah di Dayeuhkolot terendam", "Ribuan warga Baleendah dan Dayeuhkolot "
                      "mengungsi setelah Citarum meluap dan merendam 300 rumah. Petugas BPBD Bandung menyiapkan perahu "
                      "karet dan dapur umum.")
    assign_stories([first, second], StoryContext(documents=1000), DedupeSettings())
    assert second.meta["story_id"] == "a1"
    assert load_model().threshold <= second.meta["story_probability"] <= 1.0


def test_an_unknown_feature_counts_as_its_training_mean() -> None:
    model = StoryModel(means=(0.1, 0.2, 1.0, 1.0, 0.5), scales=(0.1, 0.1, 1.0, 1.0, 0.5),
                       weights=(-1.0, 1.0, 2.0, 0.5, 0.5, 0.2), threshold=0.5)
    known = {"word_cosine": 0.3, "title_cosine": 0.2, "shared_specific": 2.0, "shared_names": 1.0, "shared_numbers": 0.0}
    assert model.probability({**known, "title_cosine": None}) == pytest.approx(model.probability(known))
    assert model.probability({**known, "title_cosine": 0.6}) > model.probability(known)


def test_headline_and_character_grams() -> None:
    assert headline(None, "Judul di baris pertama\nIsi berita.") == "Judul di baris pertama"
    assert headline("  Judul  ", "isi") == "Judul"
    grams = char_grams("Jokowi")
    assert set(grams) == {" jok", "joko", "okow", "kowi", "owi "}
    assert sum(w * w for w in grams.values()) == pytest.approx(1.0)
    # Inflected forms of one name share most of their grams (German "Moskaus" / "Moskau").
    a, b = char_grams("Moskaus"), char_grams("Moskau")
    assert sum(w * b.get(g, 0.0) for g, w in a.items()) > 0.6


def test_folds_keep_pairs_that_share_an_article_together() -> None:
    rows = [{"pair_id": f"{n}_{n + 1000}"} for n in range(60)]  # independent pairs
    rows += [{"pair_id": "x1_x2"}, {"pair_id": "x2_x3"}, {"pair_id": "x4_x3"}, {"pair_id": "x5_x1"}]  # one group
    folds = story_model_train.grouped_folds(rows)
    assert len(set(folds[-4:])) == 1
    assert len(set(folds[:60])) == story_model_train.FOLDS  # independent pairs do spread over the folds


def test_a_shipped_model_for_other_features_is_refused(tmp_path: Path) -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = list(FEATURES[:-1])
    stale = tmp_path / "story-model.json"
    stale.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="story_model_train"):
        load_model.__wrapped__(stale)


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus/news-similarity is not beside the clone")
def test_the_shipped_coefficients_are_what_the_training_command_fits(tmp_path: Path) -> None:
    out = tmp_path / "story-model.json"
    assert story_model_train.main(["--corpus", str(CORPUS), "--out", str(out)]) == 0
    fitted, shipped = json.loads(out.read_text()), json.loads(MODEL_PATH.read_text())
    assert fitted["features"] == shipped["features"]
    assert fitted["threshold"] == pytest.approx(shipped["threshold"], abs=1e-4)
    for key in ("means", "scales", "weights"):
        assert fitted[key] == pytest.approx(shipped[key], rel=1e-6)

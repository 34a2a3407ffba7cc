"""tasks/ner_lexicon.py: Indonesian vocabulary (Sastrawi's root words) as a NER feature."""

from __future__ import annotations

from tasks.ner import sentence_features
from tasks.ner_lexicon import root_words, word_class


def test_the_root_word_list_is_read_from_the_installed_package() -> None:
    roots = root_words()
    assert len(roots) > 25_000
    assert {"makan", "kata", "tulis", "sampai"} <= roots


def test_words_are_roots_derived_unknown_or_not_words() -> None:
    assert word_class("makan") == "r"
    assert word_class("dimakan") == "d"  # prefix
    assert word_class("kebijakannya") == "d"  # two suffixes and a prefix: ke-bijak-an-nya
    assert word_class("menulis") == "d"  # a nasal prefix that replaced the root's t
    assert word_class("menyampaikan") == "d"  # meny- for s, then -kan
    assert word_class("telkomsel") == "u"
    assert word_class("lhokseumawe") == "u"
    assert word_class("2024") == "p" and word_class(",") == "p"


def test_the_class_is_a_feature_of_the_word_and_of_its_neighbours() -> None:
    feats = sentence_features(["warga", "lhokseumawe", "menulis"])
    assert "kd=u" in feats[1] and "-kd=r" in feats[1] and "+kd=d" in feats[1]
    assert "kd=r" in feats[0] and "+kd=u" in feats[0] and "-kd=u" in feats[2]
    # the same in cased text: the class does not depend on capital letters
    assert "kd=u" in sentence_features(["Warga", "Lhokseumawe", "menulis"])[1]

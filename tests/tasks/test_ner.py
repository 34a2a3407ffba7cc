"""tasks/ner.py (learned NER), the acronym and gazetteer rules around it in tasks/mentions*.py and
tasks/enrichers/entities.py, and themes that can say no. Fixture texts are the project's own."""

from __future__ import annotations

import pytest

from kabar.models import Article
from tasks.entities import load_kb
from tasks.enrichers.entities import link_places
from tasks.enrichers.themes import ThemesEnricher
from tasks.mentions import find_mentions
from tasks.ner import NEWS_MODEL, WORD, _common_opener, bio_spans, model_status, recognise

needs_model = pytest.mark.skipif(model_status() is not None, reason="NER model not built (make ner-model)")


def test_bio_spans_read_like_seqeval() -> None:
    assert bio_spans(["B-PER", "I-PER", "O", "B-LOC"]) == [(0, 2, "PER"), (3, 4, "LOC")]
    assert bio_spans(["I-ORG", "I-ORG", "B-ORG"]) == [(0, 2, "ORG"), (2, 3, "ORG")]  # a stray I- starts a span
    assert bio_spans(["B-PER", "I-LOC"]) == [(0, 1, "PER"), (1, 2, "LOC")]


def test_a_sentence_opener_the_text_uses_lower_cased_is_not_part_of_a_name() -> None:
    text = "Kunjungan Menteri Budi Santoso berlangsung singkat. Warga menunggu kunjungan berikutnya."
    lower = {m.group() for m in WORD.finditer(text) if m.group().islower()}
    words = list(WORD.finditer(text))
    assert _common_opener(words, 0, lower)  # "Kunjungan": the text also says "kunjungan"
    assert not _common_opener(words, 1, lower)  # not the sentence's first word
    quoted = list(WORD.finditer("“Kunjungan itu penting”"))
    assert _common_opener(quoted, 1, lower)  # only punctuation before it
    assert not _common_opener(list(WORD.finditer("Budi datang.")), 0, lower)  # "budi" is never lower-cased
    assert not _common_opener(list(WORD.finditer("PBB datang.")), 0, lower | {"pbb"})  # an acronym stays


@needs_model
def test_recognise_gives_typed_spans_with_offsets() -> None:
    text = "Gubernur Jawa Barat Ridwan Sudarsono meninjau banjir di Kabupaten Bandung bersama Basarnas."
    spans = recognise(text, NEWS_MODEL)
    assert spans and all(text[s.char_start:s.char_end] == s.surface for s in spans)
    assert any(s.type == "person" and "Ridwan" in s.surface for s in spans)
    assert any(s.type == "place" and "Bandung" in s.surface for s in spans)


@needs_model
def test_recognise_serves_a_repeated_text_from_its_cache_and_a_rebuilt_model_afresh(tmp_path) -> None:
    import os
    import shutil

    from tasks import ner

    text = "Menteri Retno Marsudi bertemu Presiden Joko Widodo di Istana Bogor, Jawa Barat."
    model = tmp_path / NEWS_MODEL.name
    shutil.copy2(NEWS_MODEL, model)
    ner._recognised.cache_clear()
    first = recognise(text, model)
    first.clear()  # a caller's list is its own: the cached names stay whole
    again = recognise(text, model)
    assert again and again == recognise(text, NEWS_MODEL)
    assert ner._recognised.cache_info().hits == 1  # the second call on the same text and model file
    stat = model.stat()
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # the model file rebuilt
    assert recognise(text, model) == again
    assert ner._recognised.cache_info().misses == 3  # the new file version is tagged again


@needs_model
def test_spelled_out_acronym_wins_over_the_kb_and_unlinked_names_are_kept() -> None:
    kb = load_kb()
    assert kb.link("KPA") is not None  # the shipped KB reads KPA as the Korean People's Army
    text = ("Mantan anggota Komite Peralihan Aceh (KPA) Wilayah Pase, Tarmizi Hasan, ditangkap di Lhokseumawe. "
            "Juru bicara KPA membantah keterlibatan organisasinya.")
    mentions = find_mentions(text, kb)
    kpa = [m for m in mentions if m.surface == "KPA"]
    assert kpa and all(m.entity_id is None and m.type == "organization" for m in kpa)
    assert all(m.canonical == "Komite Peralihan Aceh" for m in kpa)
    assert any(m.type == "person" and "Tarmizi" in m.surface for m in mentions)
    linked, places = link_places(mentions, kb)
    lhok = [m for m in linked if m.surface == "Lhokseumawe"]
    assert lhok and lhok[0].entity_id in places
    entity, note = places[lhok[0].entity_id]
    assert entity.country == "ID" and entity.lat is not None and "GeoNames" in note


def test_a_network_launch_is_not_a_missile_test() -> None:
    text = ("Operator seluler itu meluncurkan layanan 4G di lima kota. Peluncuran jaringan baru diuji coba "
            "sejak bulan lalu; uji coba berjalan lancar dan peluncuran resmi dilakukan hari ini. "
            "Peluncuran berikutnya menyusul setelah menguji kapasitas jaringan.")
    article = Article(url="https://x.id/1", source="t", fetched_at=None, text=text, title="Peluncuran 4G")  # type: ignore[arg-type]
    assert [r["theme"] for r in ThemesEnricher().enrich(article).rows["themes"]] == []
    missile = Article(url="https://x.id/2", source="t", fetched_at=None,  # type: ignore[arg-type]
                      text=text.replace("layanan 4G", "rudal balistik").replace("Operator seluler itu", "Korea Utara"),
                      title="Peluncuran rudal")  # the shipped taxonomy's themes are its subject's (North Korea's)
    assert "missile_tests" in [r["theme"] for r in ThemesEnricher().enrich(missile).rows["themes"]]


def test_word_clusters_group_words_that_share_neighbours(tmp_path) -> None:
    from tasks import ner_clusters
    from tasks.ner import clusters_file, sentence_features, word_clusters

    towns = ["medan", "manado", "bogor", "depok"]
    foods = ["nasi", "sate", "bakso", "soto"]
    sentences = []
    for i in range(40):
        sentences.append(["warga", "kota", towns[i % 4], "berkumpul", "di", "alun", "-", "alun", "."])
        sentences.append(["mereka", "makan", foods[i % 4], "hangat", "setiap", "pagi", "."])
    clusters = ner_clusters.learn(sentences, contexts=50, dim=4, granularities=(2, 3), iterations=10)
    assert clusters == ner_clusters.learn(sentences, contexts=50, dim=4, granularities=(2, 3), iterations=10)
    assert len({clusters[w][0] for w in towns}) == 1 and len({clusters[w][0] for w in foods}) == 1
    assert clusters["medan"][0] != clusters["nasi"][0]
    model = tmp_path / "m.crfsuite"
    ner_clusters.write(clusters, clusters_file(model))
    assert word_clusters(model) == clusters
    feats = sentence_features(["Warga", "Medan", "datang"], clusters)[1]
    assert f"c0={clusters['medan'][0]}" in feats and f"-c0={clusters['warga'][0]}" in feats
    assert "Cw=medan" in feats and "midTitle" in feats
    assert "Lw=medan" in sentence_features(["warga", "medan", "datang"], clusters)[1]


def test_training_never_reads_the_test_split(tmp_path) -> None:
    from tasks.ner_train import main, training_sentences

    with pytest.raises(ValueError):
        training_sentences(tmp_path, splits=("train", "test"))
    (tmp_path / "nergrit_ner-grit").mkdir()
    (tmp_path / "nergrit_ner-grit" / "train.txt").write_text("Budi\tB-PERSON\n", encoding="utf-8")
    assert main(["--corpus", str(tmp_path), "--out", str(tmp_path / "m.crfsuite"), "--splits", "train,test"]) == 2
    assert not (tmp_path / "m.crfsuite").exists()

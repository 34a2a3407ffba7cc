"""The places an article names outside its sentences (tasks/place_mentions.py): its dateline's
places, cut from the text by the normaliser, and streets. Invented Indonesian articles, cleaned by
the real normaliser and enriched by the real entities enricher."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kabar.models import Article
from tasks.datelines import find_dateline, place_of
from tasks.entities import Mention, load_kb
from tasks.enrichers.entities import EntitiesEnricher, article_mentions
from tasks.ner import model_status
from tasks.normalise import normalise_article, site_words
from tasks.place_mentions import dateline_mentions, with_streets

needs_model = pytest.mark.skipif(model_status() is not None, reason="NER model not built (make ner-model)")

BODY = ("Sebanyak dua ratus warga mengungsi ke balai desa setelah hujan deras sejak Minggu malam membuat "
        "sungai meluap, kata seorang petugas yang ditemui di lokasi.")


def _enriched(text: str, url: str = "https://berita.example/a", title: str = "Warga mengungsi") -> tuple[Article, dict]:
    article = Article(url=url, source="t", fetched_at=datetime.now(timezone.utc), text=text, title=title)
    normalise_article(article)
    return article, EntitiesEnricher().enrich(article).rows


def _dateline_rows(rows: dict) -> list[dict]:
    return [m for m in rows["mentions"] if m["found_in"] == "dateline"]


@needs_model
def test_a_wire_datelines_places_are_mentions_without_offsets_linked_with_coordinates() -> None:
    article, rows = _enriched("Mataram, NTB (ANTARA News) - " + BODY)
    assert not article.text.startswith("Mataram")  # the normaliser cut the dateline from the text
    dateline = _dateline_rows(rows)
    assert [m["surface"] for m in dateline] == ["Mataram", "NTB"]
    assert all(m["char_start"] is None and m["char_end"] is None and m["type"] == "place" for m in dateline)
    entities = {e["entity_id"]: e for e in rows["article_entities"]}
    mataram, ntb = (entities[m["entity_id"]] for m in dateline)
    assert ntb["name"] == "Nusa Tenggara Barat" and ntb["in_dateline"]
    # the city on Lombok (not one of the villages called Mataram elsewhere), with its point
    assert mataram["in_dateline"] and -9.0 < mataram["lat"] < -8.0 and 115.8 < mataram["lon"] < 116.5
    # the text's mentions keep their offsets into the cleaned text
    for m in rows["mentions"]:
        if m["found_in"] == "text":
            assert article.text[m["char_start"]:m["char_end"]] == m["surface"]


@needs_model
def test_an_upper_case_dateline_links_to_the_city_and_the_province() -> None:
    _, rows = _enriched("JAKARTA, KOMPAS.com - " + BODY, url="https://nasional.kompas.com/read/a")
    assert [(m["surface"], m["entity_id"]) for m in _dateline_rows(rows)] == [("JAKARTA", "jakarta")]
    # four capitals are not read as an acronym ("BALI" is Bali, not nothing)
    _, rows = _enriched("BALI, KOMPAS.com - " + BODY, url="https://regional.kompas.com/read/a")
    [bali] = _dateline_rows(rows)
    entity = next(e for e in rows["article_entities"] if e["entity_id"] == bali["entity_id"])
    assert entity["name"] == "Bali" and entity["lat"] is not None


@needs_model
def test_a_dateline_that_names_only_the_outlet_gives_no_place() -> None:
    article, rows = _enriched("Suara.com - " + BODY, url="https://www.suara.com/news/a")
    assert article.meta["dateline_outlet"] == "Suara.com" and article.meta["dateline_place"] is None
    assert _dateline_rows(rows) == []
    assert not any(e["in_dateline"] for e in rows["article_entities"])
    # a part that names no known place is as likely the outlet as a place: dropped, not kept unlinked
    article, rows = _enriched("Redaksi, Jakarta - " + BODY)
    assert article.meta["dateline_place"] == "Redaksi, Jakarta"
    assert [m["surface"] for m in _dateline_rows(rows)] == ["Jakarta"]


@needs_model
def test_the_dateline_and_the_text_pick_each_others_namesakes() -> None:
    kb = load_kb()
    # "Seuneubok Aceh" is a village of seven kecamatan: the dateline's kabupaten says which
    text = "Lhoksukon, Aceh Utara (ANTARA) - Banjir merendam puluhan rumah di Desa Seuneubok Aceh sejak Minggu malam, kata petugas."
    article, _ = _enriched(text)
    by_surface = {m.surface: m.entity_id for m in article_mentions(article, kb)[0]}
    assert by_surface["Aceh Utara"] == "wilayah:11.08"
    assert by_surface["Desa Seuneubok Aceh"] == "wilayah:11.08.20.2008"
    without, _ = _enriched(text.split(" - ", 1)[1])
    assert {m.surface: m.entity_id for m in article_mentions(without, kb)[0]}.get("Desa Seuneubok Aceh") is None
    # "Paya Bakong" is a kecamatan of Aceh Utara and a village elsewhere: the text's kabupaten says which
    article, _ = _enriched("Paya Bakong (ANTARA) - Pemerintah Kabupaten Aceh Utara membangun jembatan baru bagi "
                           "warga yang selama ini menyeberang sungai dengan rakit, kata camat.")
    dateline = [m for m in article_mentions(article, kb)[0] if m.found_in == "dateline"]
    assert [(m.surface, m.entity_id) for m in dateline] == [("Paya Bakong", "wilayah:11.08.20")]


def test_dateline_parts_link_by_exact_alias_only_and_never_to_a_body() -> None:
    kb = load_kb()
    # "ANTARA" is a news agency in the KB, not a place; a suffix alias ("Indonesia" of "CNN
    # Indonesia") is not the part
    found = dateline_mentions("Jakarta, ANTARA, CNN Indonesia, jakarta", kb)
    assert [(m.surface, m.entity_id) for m in found] == [("Jakarta", "jakarta"), ("CNN Indonesia", None)]
    assert dateline_mentions(None, kb) == [] and dateline_mentions("", kb) == []


def test_the_dateline_place_is_read_back_from_the_removed_text() -> None:
    for paragraph, url in (("Mataram, NTB (ANTARA News) - " + BODY, "https://www.antaranews.com/a"),
                           ("JAKARTA, KOMPAS.com - " + BODY, "https://www.kompas.com/a"),
                           ("Jakarta, CNN Indonesia -- " + BODY, "https://www.cnnindonesia.com/a"),
                           ("ISTANBUL, 23 Februari 2016 (Antara) - " + BODY, "https://www.antaranews.com/a"),
                           ("Suara.com - " + BODY, "https://www.suara.com/a")):
        words = site_words(url, None)
        dateline = find_dateline(paragraph, words)
        assert dateline is not None
        assert place_of(dateline.text, words) == dateline.place, paragraph


@needs_model
@pytest.mark.parametrize("sentence, street", [
    ("Polisi menutup Jalan MH Thamrin Jakarta Pusat karena unjuk rasa buruh pada Senin pagi.", "Jalan MH Thamrin"),
    ("Kantor itu pindah ke Jl. Jend. Sudirman No. 5, Jakarta Selatan, sejak tahun lalu.", "Jl. Jend. Sudirman"),
    ("Warga memblokade Jln. Gatot Subroto kemarin sore.", "Jln. Gatot Subroto"),
    ("Massa berkumpul di Jalan Medan Merdeka Barat sejak pukul 08.00 WIB.", "Jalan Medan Merdeka Barat"),
    ("Kecelakaan terjadi di Jalan Raya Bogor Selasa (3/5) malam.", "Jalan Raya Bogor"),
    # a street named like a village of the gazetteer (one "Jalan Tengah", in Aceh) is a street, not the village
    ("Truk itu terguling di Jalan Tengah dekat pasar.", "Jalan Tengah"),
])
def test_streets_are_places_without_coordinates_and_replace_names_inside_them(sentence: str, street: str) -> None:
    article, rows = _enriched(sentence + " " + BODY)
    places = [m for m in rows["mentions"] if m["type"] == "place"]
    found = [m for m in places if m["surface"] == street]
    assert len(found) == 1 and found[0]["entity_id"] is None
    start = found[0]["char_start"]
    assert article.text[start:found[0]["char_end"]] == street
    # nothing else starts inside the street's name ("Sudirman No" as a person, "Medan" the city)
    assert not any(start < m["char_start"] < found[0]["char_end"] for m in rows["mentions"] if m["char_start"] is not None)
    # a place named after the street is still its own mention
    if "Jakarta Pusat" in sentence:
        assert any(m["surface"] == "Jakarta Pusat" and m["entity_id"] for m in places)


def test_a_street_cue_without_a_name_or_inside_a_longer_name_gives_no_street() -> None:
    assert with_streets("Mereka berjalan kaki di jalan desa. Jalan itu rusak.", []) == []
    assert with_streets("Jl. 5 rusak.", []) == []
    text = "Hotel Jalan Baru Indah menambah kamar."
    hotel = Mention(None, "Hotel Jalan Baru Indah", 0, 22, "organization")
    assert with_streets(text, [hotel]) == [hotel]

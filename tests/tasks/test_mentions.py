"""tasks/mentions.py ``TextMentions``: the mentions of one text analysed once and finished for each
context (the headline), as the entities and quotes enrichers share them, and the article text's
tokens, which the themes enricher reads too (tasks/enrich.py ``ArticleWork``, issue 11)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from kabar.models import Article
from tasks.enrich import ArticleWork, enrich_article, selected
from tasks.enrichers.entities import EntitiesEnricher
from tasks.enrichers.quotes import QuotesEnricher
from tasks.enrichers.themes import ThemesEnricher
import tasks.entities as entities_module
from tasks.entities import load_kb
from tasks.mentions import TextMentions, find_mentions

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "enrichment"


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def _pairs(mentions) -> list[tuple[str | None, str]]:
    return [(m.entity_id, m.surface) for m in mentions]


@pytest.mark.parametrize("headline_first", [True, False])
def test_a_headline_changes_only_its_own_result(kb, headline_first: bool) -> None:
    # the headline's "Kim Jong Un" relinks the text's lone "Kim" in place (tasks/mentions.py
    # _follow_full_name): finishing one context must not leak into the other's result
    text = "Menurut Belousov, pasukan Rusia siap. Kim memeriksa pabrik."
    headline = "Kim Jong Un Kunjungi Pabrik"
    shared = TextMentions(text, kb)
    if headline_first:
        with_headline, without = shared.mentions(headline), shared.mentions()
    else:
        without, with_headline = shared.mentions(), shared.mentions(headline)
    assert _pairs(with_headline) == [("andrei-belousov", "Belousov"), ("russia", "Rusia"), ("kim-jong-un", "Kim")]
    assert _pairs(without) == [("andrei-belousov", "Belousov"), ("russia", "Rusia"), (None, "Kim")]
    assert with_headline == find_mentions(text, kb, context=headline)
    assert without == find_mentions(text, kb)


@pytest.mark.parametrize("name", ["kunjungan.txt", "tenang.txt"])
def test_shared_analysis_equals_separate_calls_on_articles(kb, name: str) -> None:
    headline, _, text = (FIXTURES / name).read_text(encoding="utf-8").partition("\n\n")
    shared = TextMentions(text, kb)
    assert shared.mentions(headline) == find_mentions(text, kb, context=headline)
    assert shared.mentions() == find_mentions(text, kb)
    assert shared.mentions(headline) == find_mentions(text, kb, context=headline)  # asked again


def test_entities_quotes_and_themes_analyse_an_article_once(monkeypatch) -> None:
    headline, _, text = (FIXTURES / "kunjungan.txt").read_text(encoding="utf-8").partition("\n\n")
    article = Article(url="file:///kunjungan.txt", source="t", fetched_at=datetime.now(timezone.utc),
                      text=text, title=headline)
    alone = {"entities": EntitiesEnricher().enrich(article).rows, "quotes": QuotesEnricher().enrich(article).rows,
             "themes": ThemesEnricher().enrich(article).rows}
    analysed: list[str] = []
    tokenised: list[str] = []
    real_init, real_tokens = TextMentions.__init__, entities_module.tokens

    def counted(self, text, kb, work=None):
        analysed.append(text)
        real_init(self, text, kb, work)

    def counted_tokens(text):
        tokenised.append(text)
        return real_tokens(text)

    monkeypatch.setattr(TextMentions, "__init__", counted)
    monkeypatch.setattr(entities_module, "tokens", counted_tokens)  # what folded_tokens calls
    enrich_article(article, selected(["entities", "quotes", "themes"]))
    assert analysed == [text] and tokenised.count(text) == 1
    assert {name: article.enrichments[name].rows for name in alone} == alone
    assert alone["entities"]["mentions"] and alone["quotes"]["quotes"] and alone["themes"]["themes"]


def test_article_work_computes_each_key_once() -> None:
    work, calls = ArticleWork(), []
    assert work.get("a", lambda: calls.append("a") or 1) == 1
    assert work.get("a", lambda: calls.append("a again") or 2) == 1
    assert work.get("b", lambda: calls.append("b") or 3) == 3
    assert calls == ["a", "b"] and len(work) == 2


# --- spans of names (issue 14, round 11): the sentences are the project's own ----------------------

needs_model = pytest.mark.skipif(__import__("tasks.ner", fromlist=["model_status"]).model_status() is not None,
                                 reason="NER model not built (make ner-model)")


def _typed(text: str, kb) -> set[tuple[str, str]]:
    return {(m.surface, m.type) for m in find_mentions(text, kb)}


@needs_model
def test_a_name_with_an_initial_is_one_name_and_kab_is_not_a_place(kb) -> None:
    found = _typed("Sidang menghadirkan saksi Wicky V. Olindo dan Budi S. Santoso di Jakarta. "
                   "Bupati meresmikan pasar di Kab. Aceh Utara pada Senin.", kb)
    assert ("Wicky V. Olindo", "person") in found and ("Olindo", "person") not in found
    assert ("Budi S. Santoso", "person") in found
    assert not any(surface == "Kab" for surface, _ in found)
    # a sentence that ends in a longer word still ends there
    assert ("Aceh Utara", "place") in found or ("Kab. Aceh Utara", "place") in found


@needs_model
def test_a_capitalised_function_word_inside_a_sentence_is_part_of_the_name(kb) -> None:
    found = _typed("Pelari muda Lalu Muhammad Zohri meraih emas di Finlandia. "
                   "Ketua DPRD Lalu Wirajaya mengatakan rapat ditunda.", kb)
    assert ("Lalu Muhammad Zohri", "person") in found and ("Lalu Wirajaya", "person") in found
    # at a sentence's start "Lalu" is the word "then", not a name's
    assert ("Lalu Zohri", "person") not in _typed("Pelari Lalu Muhammad Zohri menang. Lalu Zohri pulang ke rumah.", kb)


def test_a_place_named_after_a_person_is_the_place_not_the_person(kb) -> None:
    assert kb.link("Kim Il Sung") is not None and kb.link("Kim Il Sung").type == "person"
    found = _typed("Ribuan warga berkumpul di Lapangan Kim Il Sung, lalu berbaris ke Kim Il Sung Square.", kb)
    assert ("Lapangan Kim Il Sung", "place") in found and ("Kim Il Sung Square", "place") in found
    assert ("Kim Il Sung", "person") not in found
    assert ("Kim Il Sung", "person") in _typed("Patung Kim Il Sung berdiri di sana, kata pemandu.", kb)


@needs_model
def test_a_companys_legal_form_ends_its_name_and_the_person_after_it_is_a_person(kb) -> None:
    found = _typed("Presiden Direktur PT Astra Otoparts Tbk Yusak Kristian mengatakan penjualan naik tahun ini.", kb)
    assert ("PT Astra Otoparts Tbk", "organization") in found and ("Yusak Kristian", "person") in found
    assert not any("Yusak" in surface and "Astra" in surface for surface, _ in found)


@needs_model
def test_a_place_the_model_reads_as_a_body_is_a_place_after_a_place_cue(kb) -> None:
    text = "Gubernur NTB menyambut atlet itu di Mataram. Kantor Google di Jakarta ramai; pabrik dibangun di Google."
    found = _typed(text, kb)
    assert ("NTB", "place") in found
    # GeoNames lists "Google" as an alternate name of Topeka: only own names (or Indonesian
    # places' aliases) turn a body into a place
    assert ("Google", "place") not in found


@needs_model
def test_a_city_at_the_start_of_a_known_districts_name_is_not_named_there(kb) -> None:
    found = _typed("Rapat digelar di kantor kementerian di Senayan, Jakarta Selatan, pada Selasa pagi.", kb)
    assert ("Jakarta Selatan", "place") in found and ("Jakarta", "place") not in found
    # a longer name the gazetteer does not know keeps the KB place inside it
    found = _typed("Pemerintah Amerika Serikat serikat pun menuduh Korea Utara menyediakan senjata.", kb)
    assert ("Amerika Serikat", "place") in found


@needs_model
def test_a_lower_cased_text_keeps_the_names_the_model_reads_in_it(kb) -> None:
    # the model is trained on lower-cased sentences too (NERP; tasks/ner.py's "L" features): a
    # text with no capital letter keeps the names it finds, which a cased text's capital check
    # used to drop, every one
    text = "menteri luar negeri retno marsudi bertemu wakil presiden jusuf kalla di jakarta pada senin."
    found = _typed(text, kb)
    assert ("retno marsudi", "person") in found and ("jusuf kalla", "person") in found
    # in a cased text a name still starts with a capital: the lower-case words are not taken
    cased = _typed("Menteri luar negeri retno marsudi bertemu Jusuf Kalla di Jakarta pada Senin.", kb)
    assert not any(surface.startswith("retno") for surface, _ in cased)
    # and the names the model finds there are linked to the knowledge base's capitalised aliases
    linked = {(m.surface, m.entity_id) for m in find_mentions(
        "presiden rusia vladimir putin bertemu pemimpin korea utara di moskow pada rabu.", kb)}
    assert {("rusia", "russia"), ("vladimir putin", "vladimir-putin"), ("korea utara", "north-korea"),
            ("moskow", "moscow")} <= linked
    # an all-caps alias still needs capitals: "as" is not the United States
    assert not any(m.entity_id == "united-states" for m in find_mentions("as roda truk itu patah di jalan.", kb))


@needs_model
def test_a_prose_line_of_many_names_is_not_a_headline(kb) -> None:
    # a sentence that lists names is mostly capitalised words, like a Title Case headline, but
    # it ends in a full stop: its names are kept (NERGrit's sentences lost every one)
    line = ("Pada tahun 2013, Budi Santoso bersama 11 orang lainnya; Rudi Hartono, Agus Salim Wijaya, "
            "Dewi Kartika Sari dan Bambang Suryadi mengikuti Konvensi Partai Demokrat.")
    found = _typed(line, kb)
    assert {("Rudi Hartono", "person"), ("Dewi Kartika Sari", "person"), ("Bambang Suryadi", "person")} <= found
    # a headline (no full stop) still gives no unlinked names
    assert _typed("Budi Santoso Bersama Rudi Hartono Hadiri Konvensi Partai Demokrat\nRapat digelar Senin.", kb) == set()


def test_a_short_form_followed_by_a_capitalised_word_starts_another_name() -> None:
    from tasks.mentions_short import _local_aliases, _short_pass
    from tasks.mentions_text import _Span, _Text

    doc = _Text("Piala Bang Yos IV direbut tim itu. Di ajang Piala FA ia mencetak gol. Piala itu dibawa pulang.")
    full = _Span(0, 4, None, "organization", name="Piala Bang Yos IV")
    doc.cover(full)
    found = [(doc.toks[s.i][1], s.canonical) for s in _short_pass(doc, _local_aliases(doc, [full]))]
    # "Piala FA" is another cup, not a later reference to the first; "Piala itu" refers to it
    assert found == [(doc.text.index("Piala itu"), "Piala Bang Yos IV")]


@needs_model
def test_a_place_named_after_someone_keeps_the_rank_in_its_name(kb) -> None:
    # a rank inside a body's name ends it ("Polres X AKP Y": a body, then a person), but a
    # street, a stadium, a peak or a village named after someone carries the rank as its own
    found = _typed("Laga digelar di Stadion Kapten I Wayan Dipta, Gianyar, pada Minggu malam. Pendaki bermalam "
                   "di Puncak Datuk Panglima Husin sebelum turun ke Desa Bandar Ratu, Kabupaten Mukomuko.", kb)
    assert {("Stadion Kapten I Wayan Dipta", "place"), ("Puncak Datuk Panglima Husin", "place"),
            ("Desa Bandar Ratu", "place")} <= found
    assert not {("Stadion", "place"), ("I Wayan Dipta", "person"), ("Husin", "person")} & found
    assert ("Yasir Rahman", "person") in _typed("Kapolres Lhokseumawe AKBP Yasir Rahman mengatakan pelaku ditangkap.", kb)


@needs_model
def test_a_lower_case_administrative_word_before_a_place_is_left_out_not_the_place(kb) -> None:
    # the model reads "desa Sukamaju Jaya" as one place; a name starts at a capital, so the
    # lower-case unit is left out, and the place is kept (the whole span used to be dropped)
    found = _typed("Warga desa Sukamaju Jaya mengungsi ke kota Pati setelah banjir merendam rumah mereka. "
                   "Perahu wisata tenggelam dekat distrik Wamena dan kecamatan Gabus.", kb)
    assert {("Sukamaju Jaya", "place"), ("Pati", "place"), ("Wamena", "place"), ("Gabus", "place")} <= found
    assert not any(surface[:1].islower() for surface, _ in found)


@needs_model
def test_a_capitalised_unit_opening_a_sentence_is_part_of_the_places_name(kb) -> None:
    # the model leaves a sentence's first word out of a place it opens ("Kedungbulus" of "Desa
    # Kedungbulus"), and "Bandar" out of "Bandar Udara ..."; inside a sentence it takes the unit
    found = _typed("Banjir surut pada Selasa pagi. Desa Kedungbulus adalah desa kecil di Kecamatan Gembong, "
                   "Kabupaten Pati. Pulau Kabaena terletak di Kabupaten Bombana. Bandar Udara Lunyuk "
                   "melayani penerbangan perintis.", kb)
    assert {("Desa Kedungbulus", "place"), ("Pulau Kabaena", "place"), ("Bandar Udara Lunyuk", "place"),
            ("Kecamatan Gembong", "place")} <= found
    assert not {("Kedungbulus", "place"), ("Kabaena", "place"), ("Udara Lunyuk", "place")} & found


@needs_model
def test_a_short_form_between_a_body_and_a_place_names_the_body_of_that_place(kb) -> None:
    text = ("Tiga hakim Pengadilan Negeri (PN) Sleman diperiksa Komisi Yudisial. Berkas perkara lalu "
            "dikirim ke PN Semarang, sementara Badan Penanggulangan Bencana Daerah (BPBD) Kabupaten Garut "
            "mencatat longsor. Sidang digelar di Pengadilan Tindak Pidana Korupsi (Tipikor) pada Senin.")
    found = {(m.surface, m.type, m.canonical) for m in find_mentions(text, kb)}
    assert ("Pengadilan Negeri (PN) Sleman", "organization", "Pengadilan Negeri Sleman") in found
    assert ("PN Semarang", "organization", "Pengadilan Negeri Semarang") in found
    assert {"Sleman", "Semarang"} <= {s for s, t, _ in found if t == "place"}  # the places stay named
    # no body called just "Pengadilan Negeri", nor a "PN" of its own
    assert not {s for s, t, _ in found if s in ("Pengadilan Negeri", "PN")}
    # a body's name runs over its capitalised words to the short form bracketed after it
    assert any(s == "Pengadilan Tindak Pidana Korupsi" and t == "organization" for s, t, _ in found)
    # said once, a short form between a body and a place leaves them apart (a school and its town)
    once = _typed("Mahasiswa Sekolah Tinggi Ilmu Pelayaran (STIP) Makassar berunjuk rasa pada Kamis.", kb)
    assert ("Sekolah Tinggi Ilmu Pelayaran", "organization") in once and ("Makassar", "place") in once
    # a place people go to after the short form is a unit of the body, not the body's area
    unit = _typed("Badan Meteorologi, Klimatologi dan Geofisika (BMKG) Stasiun Geofisika Kupang mencatat gempa. "
                  "BMKG Stasiun Geofisika Kupang lalu mencabut peringatan.", kb)
    assert not any(s.startswith("Badan Meteorologi") and s.endswith("Kupang") for s, _ in unit)


@needs_model
def test_religious_titles_and_honorifics_are_not_part_of_a_persons_name(kb) -> None:
    found = _typed("Warga memperingati Maulid Nabi Muhammad SAW di masjid desa pada Kamis malam. Khalifah Umar "
                   "bin Khattab ra dikenal tegas, kata Ustaz Hanif Maulana. Ali radhiyallahu anhu lalu berkata "
                   "kepada sahabatnya. Sesudah itu Utsman radiallohu anhu pulang.", kb)
    people = {s for s, t in found if t == "person"}
    assert {"Muhammad", "Umar bin Khattab", "Hanif Maulana", "Ali"} <= people
    assert not any(w in p.split() for p in people for w in ("SAW", "ra", "Maulid", "Ustaz", "radhiyallahu", "radiallohu"))


@needs_model
def test_a_known_place_with_a_part_after_it_and_an_airports_two_head_words(kb) -> None:
    # "Jakarta" is in the knowledge base; "Jakarta Selatan" is a city of the gazetteer, not Jakarta
    found = {(m.surface, m.type, m.entity_id) for m in find_mentions(
        "Polisi berjaga di Jakarta Selatan sejak Senin, sementara warga Jakarta mengungsi. Bandara "
        "Internasional Jawa Barat Kertajati ramai. Warga Kampung Cibeureum RT 03 RW 05 mengungsi.", kb)}
    assert ("Jakarta Selatan", "place", None) in found and ("Jakarta", "place", "jakarta") in found
    assert ("Bandara Internasional Jawa Barat Kertajati", "place", None) in found
    # a neighbourhood's number is its address
    assert ("Kampung Cibeureum", "place", None) in found
    assert not any("RT" in s.split() for s, _, _ in found)


@needs_model
def test_an_office_holder_named_right_after_the_body_is_a_person(kb) -> None:
    # "Ketua <body> <person>": the model runs the body and the name together; asked again about
    # the words from the name on, it reads a person, and the body keeps the rest
    found = _typed("Ketua DPRD Sumbar Rahmat Saleh belum tampak di kantornya. Presiden Asosiasi Pengemudi "
                   "Daring Nusantara Bima Prakoso menolak usulan itu. Direktur Jenderal Penguatan Riset "
                   "Kementerian Pendidikan Tinggi Sains dan Teknologi Hendra Gunawan mengungkapkan hal itu.", kb)
    assert {("Rahmat Saleh", "person"), ("Bima Prakoso", "person"), ("Hendra Gunawan", "person")} <= found
    assert {("DPRD Sumbar", "organization"), ("Asosiasi Pengemudi Daring Nusantara", "organization")} <= found
    assert not any(s.endswith(("Saleh", "Prakoso")) and t == "organization" for s, t in found)
    # where the body's name goes on ("... Sains dan Teknologi"), no person is cut out of it
    assert ("Tinggi Sains", "person") not in found
    # with no office before it, what the model read as one body is left whole
    assert ("DPRD Sumbar Rahmat Saleh", "organization") in _typed("Acara itu didukung DPRD Sumbar Rahmat Saleh pada Senin.", kb)


@needs_model
def test_a_provinces_name_read_as_a_body_is_the_province_and_so_is_its_acronym(kb) -> None:
    found = _typed("Daerah Istimewa Yogyakarta (DIY) menjadi daerah dengan angka kasus demam berdarah tertinggi "
                   "tahun ini. Warga DIY diminta waspada.", kb)
    assert ("Daerah Istimewa Yogyakarta", "place") in found and ("DIY", "place") in found
    assert not any(t == "organization" and s in ("Daerah Istimewa Yogyakarta", "DIY") for s, t in found)


@needs_model
def test_a_list_makes_a_person_a_place_only_when_the_gazetteer_knows_the_place(kb) -> None:
    # "Dalam hemat X, A dan B": the list's first "item" is the clause's subject, a person
    for text in ("Dalam hemat Suryadharma, Malaysia dan Filipina telah bersepakat menjaga perbatasan.",
                 "dalam hemat suryadharma, malaysia dan filipina telah bersepakat menjaga perbatasan."):
        found = _typed(text, kb)
        assert any(kind == "person" and surface.casefold() == "suryadharma" for surface, kind in found), found
    # the rule itself, on spans: a place the model took for a person in a list of places is still a place
    from tasks.mentions_text import _Span, _Text
    from tasks.mentions_types import _retype_by_context

    doc = _Text("Bantuan dikirim ke Bandung, Garut dan Ciamis. Menurut Suryadharma, Malaysia dan Filipina sepakat.")
    at = {tok: k for k, (tok, _, _) in enumerate(doc.toks)}
    spans = [_Span(at["Bandung"], at["Bandung"] + 1, None, "place"), _Span(at["Garut"], at["Garut"] + 1, None, "person"),
             _Span(at["Ciamis"], at["Ciamis"] + 1, None, "place"),
             _Span(at["Suryadharma"], at["Suryadharma"] + 1, None, "person"),
             _Span(at["Malaysia"], at["Malaysia"] + 1, None, "place"), _Span(at["Filipina"], at["Filipina"] + 1, None, "place")]
    _retype_by_context(doc, spans)
    assert [s.type for s in spans] == ["place", "place", "place", "person", "place", "place"]


@needs_model
def test_a_term_spelled_out_before_its_acronym_is_no_name_without_a_body_head(kb) -> None:
    # capitalised words that spell an acronym are a name only when a pass read one in them or a
    # body's head word starts them: a curriculum or a category is a term
    found = _typed("Siswa belajar dengan Kurikulum Berbasis Kompetensi (KBK) sejak 2004. Guru menilai KBK terlalu "
                   "berat. Kampus itu satu dari 120 Perguruan Tinggi Swasta (PTS) di Jawa Barat.", kb)
    assert not {surface for surface, _ in found} & {"Kurikulum Berbasis Kompetensi", "KBK", "Perguruan Tinggi Swasta", "PTS"}
    found = _typed("Lulusan Sekolah Tinggi Kesejahteraan Sosial (STKS) Bandung bekerja di dinas sosial. Alumni STKS "
                   "berkumpul. Komite Peralihan Aceh (KPA) menggelar rapat.", kb)
    assert {("Sekolah Tinggi Kesejahteraan Sosial", "organization"), ("STKS", "organization"),
            ("Komite Peralihan Aceh", "organization"), ("KPA", "organization")} <= found


@needs_model
def test_a_name_before_an_initial_does_not_reach_back_over_a_numeral(kb) -> None:
    # "Wicky V. Olindo" reaches back over the initial to the given name; a rank with a numeral
    # in capitals ("Opsir Udara II") before "H." is no given name
    found = _typed("Pada Juni 1946 Opsir Udara II H. Sujono memimpin latihan terbang di Maguwo.", kb)
    assert ("Sujono", "person") in found
    assert not any("Opsir" in surface or "II" in surface.split() for surface, _ in found)


def test_a_head_word_keeps_its_type_against_a_list_and_a_station_is_a_place() -> None:
    from tasks.mentions_text import _Span, _Text
    from tasks.mentions_types import _retype_by_context

    doc = _Text("Penyidik menggeledah rumah Taufik Hidayat, Kantor Sekda Jombang, dan Rina Wulandari. "
                "Kereta berhenti di Stasiun MRT Bukit Batok; tim Project Zero menemukan celah itu.")
    at = {tok: k for k, (tok, _, _) in enumerate(doc.toks)}
    spans = [_Span(at["Taufik"], at["Taufik"] + 2, None, "person"),
             _Span(at["Kantor"], at["Kantor"] + 3, None, "organization"),
             _Span(at["Rina"], at["Rina"] + 2, None, "person"),
             _Span(at["MRT"], at["MRT"] + 3, None, "place"),
             _Span(at["Project"], at["Project"] + 2, None, "person")]
    _retype_by_context(doc, spans)
    # the office is a body whatever the persons around it; "stasiun" before a place is a station,
    # not a broadcaster; "tim" still makes a body of the name after it
    assert [s.type for s in spans] == ["person", "organization", "person", "place", "organization"]


@needs_model
def test_a_bodys_name_found_by_its_head_word_runs_over_a_place_in_it(kb) -> None:
    # "Polda Lampung", "Kodim Aceh Utara": a body's name goes on over the place it names, and
    # the place stays a mention of its own (as inside "Kementerian Pertahanan Korea Selatan")
    found = _typed("Bantuan itu diserahkan Yayasan Sejahtera Bersama Jakarta kepada warga. "
                   "Ia pernah bertugas di Angkatan Laut Inggris sebelum pulang.", kb)
    assert {("Yayasan Sejahtera Bersama Jakarta", "organization"), ("Jakarta", "place"),
            ("Angkatan Laut Inggris", "organization"), ("Inggris", "place")} <= found
    assert ("Yayasan Sejahtera Bersama", "organization") not in found


@needs_model
def test_a_street_or_a_numbered_school_named_after_places_is_not_split_at_them(kb) -> None:
    # a place run into another the text names is split there ("Kecamatan Nisam Antara Aceh
    # Utara"), but a road between two towns or a town's numbered school is one name
    found = _typed("Macet panjang terjadi di Jalan Raya Bogor Sukabumi. Polisi Sukabumi mengatur lalu lintas. "
                   "Gedung SMA Negeri 3 Bandung direnovasi tahun ini. Sekolah itu terletak di Bandung.", kb)
    assert {("Jalan Raya Bogor Sukabumi", "place"), ("SMA Negeri 3 Bandung", "place")} <= found
    assert not {("Jalan Raya Bogor", "place"), ("SMA Negeri 3", "place")} & found
    found = _typed("Warga Kecamatan Nisam Antara Aceh Utara mengungsi ke Aceh Utara bagian timur.", kb)
    assert {("Kecamatan Nisam Antara", "place"), ("Aceh Utara", "place")} <= found


@needs_model
def test_a_rank_right_after_a_head_word_names_the_office_and_a_head_word_alone_is_no_name(kb) -> None:
    # "Kantor Presiden" is the president's office: the rank does not start a person there, and
    # the head word left alone ("Kantor", a place) was no name
    found = _typed("Menteri itu tiba di Kantor Presiden, Jakarta, pada Senin pagi.", kb)
    assert ("Kantor Presiden", "organization") in found and not any(s == "Kantor" for s, _ in found)
    found = _typed("\"kami siap bekerja keras,\" katanya di kantor presiden jakarta, senin.", kb)
    assert not any(s == "kantor" for s, _ in found)

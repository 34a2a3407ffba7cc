"""The knowledge base and mention finding (tasks/entities.py, tasks/mentions*.py) on the project's
own Indonesian fixture text (tests/fixtures/enrichment/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tasks.entities import KnowledgeBaseError, fold, load_kb, read_kb_file
from tasks.mentions import find_mentions

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "enrichment"


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def _ids(text: str, kb) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for m in find_mentions(text, kb):
        found.setdefault(m.entity_id or f"?{m.type}", set()).add(m.surface)
    return found


def test_shipped_kb_is_a_few_hundred_valid_entities(kb) -> None:
    assert 250 <= len(kb.entities) <= 1000
    types = {e.type for e in kb.entities.values()}
    assert types == {"person", "organization", "place"}
    for entity in kb.entities.values():
        assert entity.wikidata_id is None or re.fullmatch(r"Q[1-9]\d*", entity.wikidata_id)
        if entity.type == "place":
            assert entity.lat is not None and -90 <= entity.lat <= 90 and -180 <= entity.lon <= 180
    qids = {e.entity_id: e.wikidata_id for e in kb.entities.values()}
    assert qids["north-korea"] == "Q423" and qids["russia"] == "Q159" and qids["united-states"] == "Q30"
    assert qids["moscow"] == "Q649" and qids["pyongyang"] == "Q18808" and qids["seoul"] == "Q8684"
    assert qids["kim-jong-un"] == "Q56226" and qids["vladimir-putin"] == "Q7747"
    assert qids["un-security-council"] == "Q37470" and qids["united-nations"] == "Q1065"


@pytest.mark.parametrize("surface, entity_id", [
    ("Korea Utara", "north-korea"), ("Korut", "north-korea"), ("Korea Selatan", "south-korea"),
    ("Korsel", "south-korea"), ("AS", "united-states"), ("Amerika Serikat", "united-states"),
    ("Moskow", "moscow"), ("Tiongkok", "china"), ("PBB", "united-nations"),
    ("Dewan Keamanan PBB", "un-security-council"), ("KCNA", "kcna"), ("Kantor Berita Pusat Korea", "kcna"),
    ("KPA", "kpa"), ("Tentara Rakyat Korea", "kpa"), ("Institut Sejong", "sejong-institute"),
    ("Kim Jong-un", "kim-jong-un"), ("Kim Jong Un", "kim-jong-un"), ("KIM JONG-UN", "kim-jong-un"),
    ("Sergei Shoigu", "sergey-shoigu"), ("Sergey Shoigu", "sergey-shoigu"), ("Sergei Shoygu", "sergey-shoigu"),
    ("Volodymyr Zelensky", "volodymyr-zelenskyy"), ("Zelenskyy", "volodymyr-zelenskyy"), ("Kursk", "kursk-region"),
])
def test_link_aliases_exonyms_and_spelling_variants(kb, surface: str, entity_id: str) -> None:
    entity = kb.link(surface)
    assert entity is not None and entity.entity_id == entity_id


def test_short_all_caps_aliases_match_only_themselves(kb) -> None:
    assert kb.link("as") is None and kb.link("As") is None
    text = "Harga emas naik. Dia datang bersama kelas AS-nya? Kasus itu selesai, kata pejabat AS."
    mentions = [m for m in find_mentions(text, kb) if m.entity_id == "united-states"]
    assert [text[m.char_start:m.char_end] for m in mentions] == ["AS", "AS"]
    assert all(text[m.char_start - 1] in " -" for m in mentions)  # never inside a word (emas, kelas)
    # "antara" (between) is not the ANTARA news agency
    assert not [m for m in find_mentions("Antara kedua negara ada jurang.", kb) if m.entity_id]


def test_fixture_article_entities_short_references_and_unlinked_names(kb) -> None:
    text = (FIXTURES / "kunjungan.txt").read_text(encoding="utf-8")
    mentions = find_mentions(text, kb)
    for m in mentions:
        assert text[m.char_start:m.char_end] == m.surface
    found = _ids(text, kb)
    for entity_id in ("north-korea", "moscow", "sergey-lavrov", "choe-son-hui", "kcna", "kim-jong-un",
                      "vladimir-putin", "kr-ministry-unification", "un-security-council", "pyongyang",
                      "cn-ministry-foreign", "lin-jian", "beijing", "united-states", "sergey-shoigu",
                      "ru-security-council", "vladivostok", "kursk-region"):
        assert entity_id in found, entity_id
    assert found["kim-jong-un"] >= {"Kim Jong-un", "Kim", "Kim Jong Un"}  # "Kim" alone resolved
    assert "Choe" in found["choe-son-hui"]
    assert found["?person"] == {"Park Min-jae", "Park"}  # an analyst not in the KB, then his surname
    assert found["?organization"] == {"Institut Kajian Pertahanan Asia"}
    surfaces = {m.surface for m in mentions}
    for word in ("Namun", "Dia", "Menurut", "Bulan", "Foto", "Juru", "Para"):
        assert not any(s == word or s.startswith(word + " ") for s in surfaces), word


def test_sentence_initial_function_words_are_never_entities(kb) -> None:
    text = "Dia Datang. Namun Mereka Pergi. Menurut Laporan Itu, Bulan Depan Foto Baru Terbit."
    assert find_mentions(text, kb) == []


def test_short_reference_uses_headline_context(kb) -> None:
    mentions = find_mentions("Kim memeriksa pabrik.", kb, context="Kim Jong Un Kunjungi Pabrik")
    assert [(m.entity_id, m.surface) for m in mentions] == [("kim-jong-un", "Kim")]


def test_spelling_fold() -> None:
    assert fold("Sergey") == fold("Sergei") and fold("Zelenskyy") == fold("Zelensky") and fold("Erdoğan") == "erdogan"


def test_user_kb_adds_and_replaces_entities(tmp_path: Path) -> None:
    user = tmp_path / "my.toml"
    user.write_text(
        '[[entity]]\nentity_id = "park-min-jae"\nname = "Park Min-jae"\ntype = "person"\ncountry = "KR"\n\n'
        '[[entity]]\nentity_id = "kcna"\nname = "KCNA"\ntype = "organization"\nwikidata_id = "Q1234"\n'
        'aliases = ["Kantor Berita Pusat Korea"]\n', encoding="utf-8")
    kb = load_kb([user])
    assert kb.fingerprint != load_kb().fingerprint
    assert kb.link("Park Min Jae").entity_id == "park-min-jae"
    assert kb.link("KCNA").wikidata_id == "Q1234"
    text = (FIXTURES / "kunjungan.txt").read_text(encoding="utf-8")
    assert "park-min-jae" in _ids(text, kb) and "Park" in _ids(text, kb)["park-min-jae"]
    csv_file = tmp_path / "more.csv"
    csv_file.write_text("entity_id,name,type,wikidata_id,country,lat,lon,aliases\n"
                        "sinpo-x,Sinpo Shipyard,place,,KP,40.0,128.2,Galangan Sinpo\n", encoding="utf-8")
    assert load_kb([user, csv_file]).link("Galangan Sinpo").lat == 40.0


@pytest.mark.parametrize("body, problem", [
    ('[[entity]]\nentity_id = "x"\nname = "X"\ntype = "city"\n', "type 'city'"),
    ('[[entity]]\nentity_id = "x"\nname = "X"\ntype = "place"\nwikidata_id = "423"\n', "not a Wikidata QID"),
    ('[[entity]]\nentity_id = "x"\nname = "X"\ntype = "place"\ncolour = "red"\n', "unknown key 'colour'"),
    ('[[entity]]\nname = "X"\ntype = "place"\n', "entity_id and name are required"),
])
def test_bad_kb_file_is_one_clear_error(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=re.escape(problem)):
        read_kb_file(path)
    with pytest.raises(KnowledgeBaseError, match="cannot read"):
        load_kb([tmp_path / "missing.toml"])


def test_currency_namesakes_and_places_inside_state_bodies(kb) -> None:
    text = ("Nilai ekspor mencapai 20 miliar dolar AS. Yuriy Belousov, kepala departemen di kementerian itu, "
            "membantah. Menurut Belousov, data itu keliru. Kementerian Pertahanan Korea Selatan dan "
            "Dewan Keamanan Nasional menolak berkomentar.")
    found = _ids(text, kb)
    assert "united-states" not in found  # "dolar AS" is a currency
    assert "andrei-belousov" not in found and found["?person"] == {"Yuriy Belousov", "Belousov"}
    assert {"kr-ministry-defence", "south-korea", "us-nsc"} <= set(found)
    assert "un-security-council" not in found


def test_a_period_joins_abbreviations_and_web_names_not_run_together_sentences(kb) -> None:
    from tasks.entities import name_gap_ok

    text = "AS atau U.S. Army, kantor Liputan6.com dan ungkap Dani.Tri tidak"
    assert name_gap_ok(text, text.index("U.") + 1, text.index("S. Army"))  # "U.S."
    assert name_gap_ok(text, text.index(".com"), text.index("com"))  # "Liputan6.com"
    assert not name_gap_ok(text, text.index(".Tri"), text.index("Tri"))  # "Dani.Tri": two sentences
    names = {m.surface for m in find_mentions("Kata analis Budi Santoso.Pemerintah belum menjawab.", kb)}
    assert not any("." in name for name in names)


def test_abbreviations_of_common_words_and_model_codes_are_not_names(kb) -> None:
    from tasks.mentions_acronyms import _common_acronyms
    from tasks.mentions_ner import _ner_span
    from tasks.mentions_text import _Text

    doc = _Text("Operator menyiapkan layanan over the top (OTT) bersama Komite Pemilihan Umum (KPU) dan "
                "base transceiver station (BTS) baru.")
    assert _common_acronyms(doc) == {"OTT", "BTS"}
    doc = _Text("Ponsel Galaxy S6 Edge dirakit oleh Hutchison 3 Indonesia di Batam.")
    words = [t for t, _, _ in doc.toks]
    galaxy, hutchison = words.index("Galaxy"), words.index("Hutchison")
    assert _ner_span(doc, kb, galaxy, galaxy + 3, "organization", {}) is None  # a product's model code
    assert _ner_span(doc, kb, hutchison, hutchison + 3, "organization", {}) is not None


def test_an_airport_spelled_out_with_its_acronym_is_a_place(kb) -> None:
    text = ("Penerbangan dari Bandara Internasional Kualanamu (BIK) ditunda. Penumpang menunggu di BIK "
            "hingga sore, kata petugas.")
    kinds = {m.surface: m.type for m in find_mentions(text, kb)}
    assert kinds.get("Bandara Internasional Kualanamu") == "place"


def test_names_run_together_with_a_place_the_text_names_are_cut_there(kb) -> None:
    from tasks.mentions_text import _Span, _Text
    from tasks.mentions_types import _split_at_text_places

    doc = _Text("Kajari Sigli Cut Nyak Meutia hadir. Berkas dikirim ke Rutan Sigli di Desa Blang Kecamatan "
                "Mutiara Pidie Jaya, lalu ke Pidie Jaya.")
    words = [t for t, _, _ in doc.toks]
    at = lambda word, n=0: [k for k, w in enumerate(words) if w == word][n]  # noqa: E731
    spans = [
        _Span(at("Sigli"), at("Meutia") + 1, None, "person"),          # "Sigli Cut Nyak Meutia"
        _Span(at("Sigli", 1), at("Sigli", 1) + 1, None, "place"),      # "Sigli" on its own
        _Span(at("Kecamatan"), at("Jaya") + 1, None, "place"),         # "Kecamatan Mutiara Pidie Jaya"
        _Span(at("Pidie", 1), at("Jaya", 1) + 1, None, "place"),       # "Pidie Jaya" on its own
    ]
    added = _split_at_text_places(doc, spans)
    text = lambda s: doc.text[doc.toks[s.i][1]:doc.toks[s.j - 1][2]]  # noqa: E731
    assert text(spans[0]) == "Cut Nyak Meutia"
    assert text(spans[2]) == "Kecamatan Mutiara" and [text(s) for s in added] == ["Pidie Jaya"]
    assert text(spans[1]) == "Sigli" and text(spans[3]) == "Pidie Jaya"


def test_lines_of_a_paragraph_wrapped_by_hand_are_prose_not_headlines() -> None:
    """A press release wrapped at a fixed width breaks its sentences across lines: a line with
    mostly capitalised words is still prose when it ends in a comma or a lower-case word, starts
    with one, or the next line goes on in lower case. Title Case lines stay headlines."""
    from tasks.mentions_text import _Text

    text = ("Pemerintah kota Sukamaju, Medan, Sumatera Utara,\n"
            "meresmikan lomba film pendek bertema keadilan dan\n"
            "persahabatan. Dewan juri: Andi Wijaya, Budi Hartono, dan Citra Lestari dari\n"
            "Medan; Dedi Kurnia dari Bandung. Juri seleksi meliputi\n"
            "Eko Prasetyo, Fajar Nugroho, Gita Permata, dan\n"
            "Hadi Susanto.\n"
            "Baca Juga Lomba Film Pendek Dibuka Hari Ini Di Medan\n"
            "Panitia menerima karya sampai April.")
    doc = _Text(text)
    on_headline = {t for (t, _, _), flag in zip(doc.toks, doc.headline) if flag}
    assert on_headline == {"Baca", "Juga", "Lomba", "Film", "Pendek", "Dibuka", "Hari", "Ini", "Di", "Medan"}


def test_a_place_word_opening_a_persons_name_is_the_given_name(kb) -> None:
    """A person's name that starts with a word the text also uses as a place, with no office run
    into it, keeps that word ("Rowan Adi Pratama, putra ..."), and the word alone is the person
    unless a place cue comes before it ("di Rowan")."""
    from tasks.mentions_text import _Span, _Text
    from tasks.mentions_types import _split_at_text_places

    doc = _Text("Rowan Adi Pratama, putra sulung aktor itu, kini bermain film. Film kedua Rowan laris. "
                "Ia lahir di Rowan, kota kecil di Kanada. Kajari Sigli Cut Nyak Meutia hadir di Sigli.")
    words = [t for t, _, _ in doc.toks]
    at = lambda word, n=0: [k for k, w in enumerate(words) if w == word][n]  # noqa: E731
    spans = [
        _Span(at("Rowan"), at("Pratama") + 1, None, "person"),
        _Span(at("Rowan", 1), at("Rowan", 1) + 1, None, "place"),     # "Film kedua Rowan": the person
        _Span(at("Rowan", 2), at("Rowan", 2) + 1, None, "place"),     # "di Rowan": the town
        _Span(at("Sigli"), at("Meutia") + 1, None, "person"),         # an office runs into it: cut
        _Span(at("Sigli", 1), at("Sigli", 1) + 1, None, "place"),
    ]
    _split_at_text_places(doc, spans)
    text = lambda s: doc.text[doc.toks[s.i][1]:doc.toks[s.j - 1][2]]  # noqa: E731
    assert text(spans[0]) == "Rowan Adi Pratama"
    assert (spans[1].type, spans[1].canonical) == ("person", "Rowan Adi Pratama")
    assert (spans[2].type, spans[2].canonical) == ("place", None)
    assert text(spans[3]) == "Cut Nyak Meutia" and spans[4].type == "place"


def test_a_short_form_in_parentheses_after_a_body_is_that_body(kb) -> None:
    from tasks.mentions_acronyms import _short_forms_of_bodies
    from tasks.mentions_text import _Span, _Text

    doc = _Text("Direktur PT Sinar Nusantara Telekomunikasi (Sinar) hadir. Tahun ini Sinar menambah menara.")
    words = [t for t, _, _ in doc.toks]
    at = lambda word, n=0: [k for k, w in enumerate(words) if w == word][n]  # noqa: E731
    body = _Span(at("PT"), at("Telekomunikasi") + 1, None, "organization")
    later = _Span(at("Sinar", 2), at("Sinar", 2) + 1, None, "person")  # a first name, the model guessed
    _short_forms_of_bodies(doc, [body, later])
    assert (later.type, later.canonical) == ("organization", "PT Sinar Nusantara Telekomunikasi")
    # without the parenthesised short form, the word keeps the model's reading
    doc = _Text("Direktur PT Sinar Nusantara Telekomunikasi hadir. Tahun ini Sinar menambah menara.")
    words = [t for t, _, _ in doc.toks]
    later = _Span(words.index("Sinar", words.index("ini")), words.index("Sinar", words.index("ini")) + 1, None, "person")
    _short_forms_of_bodies(doc, [_Span(1, 5, None, "organization"), later])
    assert later.type == "person" and later.canonical is None


def test_unlinked_names_take_the_type_their_context_gives(kb) -> None:
    """Issue 14's wrong-type false positives: a name after an organisation descriptor ("tim",
    "operator") is an organisation, and a list of names agreeing on a type types its odd item."""
    from tasks.mentions_text import _Span, _Text
    from tasks.mentions_types import _retype_by_context

    doc = _Text("Peneliti tim Sinar Biru menguji ponsel itu. Layanan baru dijual Telkara, Nusa Seluler, "
                "Indo Jaring, dan Kabarfon. Warga Sinar Biru di Medan mendukung.")
    words = [t for t, _, _ in doc.toks]
    at = lambda word, n=0: [k for k, w in enumerate(words) if w == word][n]  # noqa: E731
    spans = [
        _Span(at("Sinar"), at("Sinar") + 2, None, "person"),            # after "tim"
        _Span(at("Telkara"), at("Telkara") + 1, None, "place"),         # the odd item of a list
        _Span(at("Nusa"), at("Nusa") + 2, None, "organization"),
        _Span(at("Indo"), at("Indo") + 2, None, "organization"),
        _Span(at("Kabarfon"), at("Kabarfon") + 1, None, "organization"),
        _Span(at("Sinar", 1), at("Sinar", 1) + 2, None, "person"),      # the same name elsewhere
        _Span(at("Medan"), at("Medan") + 1, "medan", "place"),           # linked: never retyped
    ]
    _retype_by_context(doc, spans)
    assert [s.type for s in spans] == ["organization"] * 6 + ["place"]
    # a two-item list says nothing; no descriptor, no change
    doc = _Text("Ia bertemu Budi Santoso dan Telkara di Medan.")
    words = [t for t, _, _ in doc.toks]
    spans = [_Span(words.index("Budi"), words.index("Budi") + 2, None, "person"),
             _Span(words.index("Telkara"), words.index("Telkara") + 1, None, "place")]
    _retype_by_context(doc, spans)
    assert [s.type for s in spans] == ["person", "place"]


def test_a_place_run_together_with_a_person_who_has_an_alias_is_cut_there(kb) -> None:
    from tasks.mentions_text import _Span, _Text
    from tasks.mentions_types import _split_at_text_places

    doc = _Text("Warga Pidie Jaya menolak. Komandan wilayah Pidie Jaya Saifullah alias Abu Bakar ditangkap.")
    words = [t for t, _, _ in doc.toks]
    at = lambda word, n=0: [k for k, w in enumerate(words) if w == word][n]  # noqa: E731
    spans = [_Span(at("Pidie"), at("Jaya") + 1, None, "place"),                 # "Pidie Jaya" on its own
             _Span(at("Pidie", 1), at("Saifullah") + 1, None, "place")]         # "Pidie Jaya Saifullah"
    added = _split_at_text_places(doc, spans)
    text = lambda s: doc.text[doc.toks[s.i][1]:doc.toks[s.j - 1][2]]  # noqa: E731
    assert text(spans[1]) == "Pidie Jaya"
    assert [(text(s), s.type) for s in added] == [("Saifullah", "person")]


def test_an_acronym_the_text_counts_is_equipment_not_a_body(kb) -> None:
    text = ("Operator itu kini memiliki total BTS mencapai 12.500 unit BTS di Jawa, kata Direktur Utama "
            "PT Nusa Seluler Andi Wibowo. Komisi Pemilihan Umum (KPU) belum berkomentar.")
    surfaces = {m.surface for m in find_mentions(text, kb)}
    assert "BTS" not in surfaces
    assert "KPU" in surfaces or "Komisi Pemilihan Umum" in surfaces  # other acronyms stay names


def test_indonesias_state_bodies_link_by_their_own_forms_not_by_generic_ones(kb) -> None:
    """The shipped base knows Indonesia's state bodies and parties by the forms only they use
    (acronyms, Indonesian short forms, names with "RI"); a generic name another country's body
    shares ("Mahkamah Konstitusi" in a story on Seoul) is no link to Indonesia's."""
    text = ("KPK menetapkan dua pejabat Kemenpora sebagai tersangka. Penyidik Mabes Polri membantu, "
            "kata juru bicara Partai Gerindra. Jaksa dari Kejaksaan Agung menuntut lima tahun penjara. "
            "Di Seoul, aktivis mengutip putusan Mahkamah Konstitusi tahun lalu.")
    linked = {m.surface: m.entity_id for m in find_mentions(text, kb)}
    assert linked["KPK"] == "id-kpk" and linked["Kemenpora"] == "id-kemenpora"
    assert linked["Mabes Polri"] == "id-polri" and linked["Partai Gerindra"] == "id-gerindra"
    assert linked.get("Mahkamah Konstitusi") is None and linked.get("Kejaksaan Agung") is None
    kinds = {m.surface: m.type for m in find_mentions(text, kb)}
    # a name after a body's head noun is the body's ("Kejaksaan Agung"), not a person named Agung
    assert kinds.get("Kejaksaan Agung") == "organization" and "Agung" not in kinds
    every = [e for e in kb.entities.values() if e.entity_id.startswith("id-")]
    assert len(every) >= 70 and all(e.type == "organization" and e.country == "ID" for e in every)

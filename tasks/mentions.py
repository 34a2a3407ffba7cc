"""Finding entity mentions in Indonesian news text: ``find_mentions`` over a ``tasks.entities`` knowledge base.

Three passes over the word tokens of a text:

1. knowledge-base aliases through the KB's token trie (longest match wins);
2. names not in the KB, kept as unlinked mentions: persons introduced by a role or a reporting
   cue ("analis ...", "Menteri ...", "kata ...", "X, seorang pakar", "X mengatakan") and
   organisations named by their head word ("Institut ...", "Kementerian ...", "... University");
3. short references to persons named in full elsewhere in the article (after "Kim Jong Un",
   "Kim" is him; after "Cheong Seong Chang", "Cheong"): the nearest full mention before it wins.

Capitalised function words (Dia, Namun, Bulan, Menurut, Foto ...) never start or join a name,
so sentence-initial words do not become entities.
"""

from __future__ import annotations

import re
from collections import Counter
from copy import copy
from dataclasses import dataclass, replace
from typing import Any

from tasks.entities import KnowledgeBase, Mention, fold, folded_tokens, name_gap_ok

_words = lambda text: frozenset(text.split())  # noqa: E731 - a compact way to write word lists

#: Capitalised words that begin sentences, headlines and captions but are never names.
FUNCTION_WORDS = _words("""
    dia ia beliau mereka kami kita saya aku anda kamu namun tetapi tapi akan bahkan sebelumnya
    selain sementara seperti menurut foto bulan tahun pekan minggu hari lihat baca juga simak
    berdasarkan diketahui gambar laporan kunjungan kehadiran pertemuan langkah konferensi pidato
    sistem negara rezim hubungan komentar perhentian peningkatan pada dalam di ke dari untuk oleh
    dengan saat ketika setelah sebelum sejak hingga sampai jika bila karena sebab agar supaya
    meski meskipun walaupun walau sedangkan lalu kemudian maka jadi bagi tentang terhadap atas
    antara ini itu tersebut para sang sebuah seorang semua setiap banyak beberapa sejumlah
    pihak kedua ketiga pertama satu dua tiga empat lima enam tujuh delapan sembilan sepuluh
    ada tidak bukan belum sudah telah masih sedang harus dapat bisa boleh mungkin perlu ya
    apa siapa mengapa kenapa bagaimana kapan mana adapun yakni yaitu sebagai selaku adalah
    merupakan the a an in on at of for and or but with by from to this that it he she they we
    senin selasa rabu kamis jumat sabtu januari februari maret april mei juni juli agustus
    september oktober november desember perang rudal senjata militer tentara pasukan pemimpin
    pemerintah media kantor berita video scroll continue with content loading sumber editor
    penulis reporter baca selengkapnya halaman berikutnya sebelumnya artikel terkait copyright
    di tengah sisi lain lebih kurang hampir sekitar sekarang kini kemarin besok nanti dulu
    photographer fotografer by oleh
""")
#: Words introducing a person's name: roles (Presiden, analis ...) and reporting verbs (kata ...).
ROLE_CUES = _words("""
    presiden wapres wakil menteri menlu menhan mendagri analis pakar peneliti juru bicara
    jubir direktur kepala ketua sekretaris sekjen jenderal jendral laksamana marsekal kolonel
    letnan mayor kapten duta dubes profesor prof dr gubernur senator anggota pejabat komandan
    panglima pemimpin diplomat utusan wartawan koresponden ilmuwan dosen pengamat ekonom kanselir
    raja ratu perwira asisten penasihat deputi mantan pendiri ceo spokesperson analyst minister
    president professor researcher fellow director chairman adik kakak putri putra istri suami
    kata ujar ucap tegas sebut jelas tambah imbuh lanjut tutur terang ungkap menurut
    akp akbp kompol iptu ipda aiptu bripka brigadir brigjen irjen komjen kapolri kapolda kapolres
    kapolsek kasat kajari kajati kadis kabag kasubdit kadiv kabid kasi kasatreskrim wakapolda
""")
#: Portfolio and qualifier words that sit between a role and a name ("Menteri Pertahanan ...").
PORTFOLIO = _words("""
    pertahanan luar negeri dalam keuangan sumber daya ekologi unifikasi perdagangan energi
    kesehatan pendidikan informasi komunikasi hukum keamanan urusan strategi politik militer
    pertama besar umum senior utama nasional federal negara eksekutif tinggi agung darat laut
    udara staf gabungan bidang studi kajian riset dan urusan sekretariat kabinet pelaksana
""")
#: Lower-case words allowed between a role cue and the name it introduces.
_BRIDGE = _words("dan luar negeri dalam urusan bidang untuk sumber daya seorang yang senior di dari")
#: Words that head an organisation's name, and English words that end one.
ORG_HEADS = _words("""
    institut kementerian badan universitas lembaga komisi partai pusat departemen akademi yayasan
    organisasi asosiasi komite dinas biro korps divisi angkatan komando markas bank perusahaan
    institute university ministry center centre council agency foundation kantor dewan
    kepolisian kejaksaan pengadilan mahkamah majelis kedutaan konsulat direktorat sekretariat
    polri polda polres polsek polresta polrestabes kejari kejati kejagung kodim korem kodam
    rutan lapas pemkot pemkab pemprov dprd dpr mpr kpu bawaslu kemenpan kemenkeu kemenhan
""")
#: Words that start a new administrative unit inside a run of place names ("Desa Alue Papeun
#: Kecamatan Nisam Antara Aceh Utara" is three places).
ADMIN_UNITS = _words("desa kelurahan kecamatan kabupaten kota provinsi propinsi dusun kampung")
ORG_TAILS = _words("institute university center centre council agency foundation corporation group endowment ministry")
_ORG_JOINERS = _words("dan untuk for of the and on bagi")
#: Verbs after a name that make it a speaking person ("X mengatakan ...").
SPEECH_AFTER = _words("mengatakan menyatakan berkata menegaskan menjelaskan menuturkan mengungkapkan menambahkan said told")
_SENTENCE_BREAK = re.compile(r"[.!?\n:;\"“”]")
# Indonesian derived nouns (pe-/ke-/per- ... -an: pendayagunaan, kebudayaan) are not name words.
_STOP_GAP = re.compile(r"[.!?]")
#: A model code: one to three capitals and digits ("S6", "A52", "G1"), maybe a letter after.
_MODEL_CODE = re.compile(r"[A-Z]{1,3}\d{1,4}[a-zA-Z]?")
_LOWER_WORD = re.compile(r"[^\W\d_]+")
#: Words that head the name of a place people go to, not of a body: an airport, a port, a mountain.
PLACE_HEADS = _words("bandara bandar stadion pelabuhan terminal stasiun gunung pantai pulau danau sungai selat teluk "
                     "jalan jl lapangan alun-alun taman")
#: Words before a name that make it a place when the model read it as a body: a locative
#: preposition ("di Bandung") or the head of a region ("Gubernur NTB", "Bupati Gianyar").
_PLACE_CUES = _words("di ke dari menuju gubernur bupati walikota camat provinsi kabupaten")
#: Legal forms that end a company's name ("PT Astra Otoparts Tbk", "Samsung Electronics Co Ltd"),
#: unlike "PT", which starts one (_LEGAL_FORMS below has both).
_LEGAL_ENDINGS = _words("tbk persero ltd inc corp llc plc gmbh")
#: English words that end a place's name ("Kim Il Sung Square").
_PLACE_TAILS = _words("square stadium airport street avenue bridge park station")
_DERIVED_NOUN = re.compile(r"^(?:pe|ke|per)\w{4,}an$")


@dataclass
class _Span:
    i: int
    j: int  # token end (exclusive)
    entity_id: str | None
    type: str
    canonical: str | None = None  # a short reference's full name
    name: str = ""  # the span's own text (set before short references are resolved)


class _Text:
    """One text's tokens with the folds, case and coverage the passes share."""

    def __init__(self, text: str, work: Any = None) -> None:
        self.text = text
        # shared with the themes enricher through the article's work: read, never changed
        self.toks, self.folded = folded_tokens(text, work)
        self.lower = [t.casefold() for t, _, _ in self.toks]
        self.covered = [False] * len(self.toks)
        self.headline = self._headline_tokens()

    def _headline_tokens(self) -> list[bool]:
        """Tokens on Title Case lines (headlines, related-article links), where capitals say
        nothing about names: no unlinked names are taken from them."""
        flags = [False] * len(self.toks)
        line_start, k = 0, 0
        for line in self.text.split("\n"):
            line_end = line_start + len(line)
            first = k
            while k < len(self.toks) and self.toks[k][1] < line_end:
                k += 1
            words = [t for t, _, _ in self.toks[first:k] if t.isalpha()]
            # a line that ends in a full stop is prose, however many names it lists ("X, Y, Z dan W
            # mengikuti konvensi."): headlines and links to related articles end without one
            if len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.7 * len(words) \
                    and not line.rstrip().endswith("."):
                for i in range(first, k):
                    flags[i] = True
            line_start = line_end + 1
        return flags

    def cover(self, span: _Span) -> None:
        for k in range(span.i, span.j):
            self.covered[k] = True

    def joined(self, k: int) -> bool:
        """Whether token k continues token k-1 as part of one name."""
        return k > 0 and name_gap_ok(self.text, self.toks[k - 1][2], self.toks[k][1])

    def hyphen_joined(self, k: int) -> bool:
        return k > 0 and "-" in self.text[self.toks[k - 1][2]:self.toks[k][1]]

    def break_between(self, a: int, b: int) -> bool:
        """Whether a sentence break (or quote mark) separates tokens a < b."""
        return bool(_SENTENCE_BREAK.search(self.text, self.toks[a][2], self.toks[b][1]))

    def capitalised(self, k: int) -> bool:
        tok = self.toks[k][0]
        return tok[:1].isupper() and tok.isalpha()


#: Heads of a state body's name, whose country is named in it ("Kementerian Pertahanan Korea Selatan").
_STATE_BODIES = frozenset("kementerian departemen dinas badan dewan angkatan kantor kedutaan kemlu kemhan kemenlu".split())
#: Words before "AS"/"Amerika" that make it a currency, not a mention of the country.
_CURRENCY = frozenset({"dolar", "dollar", "usd"})


def _kb_pass(doc: _Text, kb: KnowledgeBase) -> list[_Span]:
    """KB aliases, longest first; places named inside an organisation's name ("Kementerian
    Pertahanan Korea Selatan") are also kept, overlapping it."""
    spans = []
    i = 0
    while i < len(doc.toks):
        hit = kb.match_at(doc.toks, doc.folded, i, doc.text)
        if hit and not _skip_kb_hit(doc, i, hit[0], kb.entities[hit[1]].type):
            span = _Span(i, i + hit[0], hit[1], kb.entities[hit[1]].type)
            if span.type == "person":
                span = _place_named_after(doc, span.i, span.j) or span
            spans.append(span)
            doc.cover(span)
            if span.type == "organization" and doc.lower[i] in _STATE_BODIES:
                spans += _places_inside(doc, kb, span)
            i = span.j
        else:
            i += 1
    return spans


def _name_start(doc: _Text, i: int) -> int:
    """Where a person's name the model found from token ``i`` really starts: before a function
    word the text capitalises inside a sentence, which is a name there ("atlet Lalu Muhammad
    Zohri" when it gave "Muhammad Zohri"), and before an initial ("Wicky V. Olindo" when it gave
    "Olindo": the period after the initial read as a sentence end)."""
    while i > 0 and doc.lower[i - 1] in FUNCTION_WORDS and doc.capitalised(i - 1) and doc.joined(i) \
            and not doc.covered[i - 1] and not _opens_sentence(doc, i - 1):
        i -= 1
    k = i
    if k >= 2 and len(doc.toks[k - 1][0]) == 1 and doc.toks[k - 1][0].isupper() and doc.joined(k) and not doc.covered[k - 1]:
        first = k - 1
        while first > 0 and first > k - 4 and doc.joined(first) and doc.capitalised(first - 1) \
                and not doc.covered[first - 1] and doc.lower[first - 1] not in ROLE_CUES \
                and not (doc.lower[first - 1] in FUNCTION_WORDS and _opens_sentence(doc, first - 1)):
            first -= 1
        if first < k - 1:
            return first
    return i


def _opens_sentence(doc: _Text, k: int) -> bool:
    """Whether token k may be capitalised only for its place: a sentence's, a quote's or a Title
    Case line's first word."""
    return k == 0 or doc.headline[k] or doc.break_between(k - 1, k)


def _place_named_after(doc: _Text, i: int, j: int) -> _Span | None:
    """A place named after the person the KB matched at i..j ("Lapangan Kim Il Sung", "Kim Il
    Sung Square"): the place, unlinked, and no mention of the person."""
    if i > 0 and doc.lower[i - 1] in PLACE_HEADS and doc.capitalised(i - 1) and doc.joined(i):
        return _Span(i - 1, j, None, "place")
    if j < len(doc.toks) and doc.lower[j] in _PLACE_TAILS and doc.capitalised(j) and doc.joined(j):
        return _Span(i, j + 1, None, "place")
    return None


def _skip_kb_hit(doc: _Text, i: int, width: int, kind: str) -> bool:
    """A currency ("dolar AS") is not the country; a KB surname right after an unknown given
    name ("Yuriy Belousov") is another person, left to the unlinked pass."""
    if i == 0:
        return False
    if kind == "place" and doc.lower[i - 1] in _CURRENCY:
        return True
    return kind == "person" and width == 1 and doc.joined(i) and _person_token(doc, i - 1)


def _places_inside(doc: _Text, kb: KnowledgeBase, outer: _Span) -> list[_Span]:
    found = []
    for k in range(outer.i + 1, outer.j):
        hit = kb.match_at(doc.toks[:outer.j], doc.folded[:outer.j], k, doc.text)
        if hit and kb.entities[hit[1]].type == "place":
            found.append(_Span(k, k + hit[0], hit[1], "place"))
    return found


def _person_token(doc: _Text, k: int) -> bool:
    low = doc.lower[k]
    if doc.covered[k] or low in FUNCTION_WORDS or low in ROLE_CUES or low in PORTFOLIO or low in ORG_HEADS:
        return False
    tok = doc.toks[k][0]
    if not tok.isalpha() or tok.isupper() or doc.headline[k] or _DERIVED_NOUN.match(low):
        return False
    return tok[:1].isupper() or doc.hyphen_joined(k)


def _cued_before(doc: _Text, i: int) -> bool:
    """A role or reporting cue shortly before token i, in the same sentence."""
    k = i - 1
    steps = 0
    while k >= 0 and steps < 7 and not doc.break_between(k, i):
        low = doc.lower[k]
        if low in ROLE_CUES:
            return True
        # only KB names (countries, agencies) and portfolio words may sit between the cue and the
        # name: skipping any capitalised word would take "Menteri Pemuda dan Olahraga X" as a name
        if not (doc.covered[k] or low in PORTFOLIO or low in _BRIDGE):
            return False
        k -= 1
        steps += 1
    return False


def _cued_after(doc: _Text, j: int) -> bool:
    """A role in apposition ("X, seorang analis") or a speech verb ("X mengatakan") after a name."""
    if j >= len(doc.toks):
        return False
    gap = doc.text[doc.toks[j - 1][2]:doc.toks[j][1]].strip()
    if gap == "":
        return doc.lower[j] in SPEECH_AFTER
    if gap == ",":
        ahead = doc.lower[j:j + 2]
        return any(w in ROLE_CUES or w in ("seorang", "salah", "sebagai", "selaku") for w in ahead)
    return False


def _unlinked_pass(doc: _Text) -> list[_Span]:
    spans: list[_Span] = []
    n = len(doc.toks)
    i = 0
    while i < n:
        # organisations: a head word ("Institut", "Kementerian") then capitalised words
        if not doc.covered[i] and not doc.headline[i] and doc.lower[i] in ORG_HEADS and doc.capitalised(i):
            j = i + 1
            while j < n and not doc.covered[j] and doc.joined(j) and doc.lower[j] not in ROLE_CUES and (
                (doc.capitalised(j) and doc.lower[j] not in FUNCTION_WORDS) or
                (doc.lower[j] in _ORG_JOINERS and j + 1 < n and doc.capitalised(j + 1))
            ):
                j += 1
            if j - i >= 2 and doc.lower[j - 1] not in _ORG_JOINERS:
                spans.append(_Span(i, j, None, "organization"))
                i = j
                continue
        if _person_token(doc, i) and doc.toks[i][0][:1].isupper():
            j = i + 1
            while j < n and j - i < 4 and doc.joined(j) and _person_token(doc, j):
                j += 1
            if doc.lower[j - 1] in ORG_TAILS and j - i >= 2:
                spans.append(_Span(i, j, None, "organization"))
            elif j - i >= 2 and (_cued_before(doc, i) or _cued_after(doc, j)):
                spans.append(_Span(i, j, None, "person"))
            i = j
            continue
        i += 1
    for span in spans:
        doc.cover(span)
    return spans


def _local_aliases(doc: _Text, spans: list[_Span], position: int | None = None) -> dict[tuple[str, ...], list[tuple[int, _Span]]]:
    """Short forms of each person named in full: its first or last one or two words."""
    found: dict[tuple[str, ...], list[tuple[int, _Span]]] = {}
    for span in spans:
        if span.type == "organization" and span.j - span.i >= 2:
            _org_short_forms(doc, span, found, position)
            continue
        if span.type != "person" or span.j - span.i < 2:
            continue
        words = doc.folded[span.i:span.j]
        raw = [t for t, _, _ in doc.toks[span.i:span.j]]
        short = {tuple(words[:1]), tuple(words[-1:]), tuple(words[:2]), tuple(words[-2:])} - {tuple(words)}
        for key in short:
            if len(key) == 1 and (len(raw[words.index(key[0])]) < 3 or key[0] in FUNCTION_WORDS):
                continue
            found.setdefault(key, []).append((span.i if position is None else position, span))
    return found


#: Legal-form words around a company's name ("PT Astra Otoparts Tbk" -> "Astra Otoparts").
_LEGAL_FORMS = frozenset("pt tbk cv persero inc ltd corp co llc".split())


def _org_short_forms(doc: _Text, span: _Span, found: dict, position: int | None) -> None:
    """Later references to an organisation: its name without legal forms, and its first word
    when that is a distinctive name ("Persib" after "Persib Bandung"), never a head word."""
    words = doc.folded[span.i:span.j]
    raw = [t for t, _, _ in doc.toks[span.i:span.j]]
    core = [w for w in words if w not in _LEGAL_FORMS]
    keys = set()
    if 0 < len(core) < len(words):
        keys.add(tuple(core[:2]))
    first = raw[0] if words[0] not in _LEGAL_FORMS else (raw[1] if len(raw) > 1 else "")
    if len(first) >= 4 and fold(first) not in ORG_HEADS and fold(first) not in FUNCTION_WORDS and first[:1].isupper():
        keys.add((fold(first),))
    for key in keys - {tuple(words)}:
        found.setdefault(key, []).append((span.i if position is None else position, span))


def _short_pass(doc: _Text, local: dict[tuple[str, ...], list[tuple[int, _Span]]]) -> list[_Span]:
    spans = []
    for i in range(len(doc.toks)):
        if doc.covered[i] or not doc.capitalised(i) or doc.lower[i] in FUNCTION_WORDS:
            continue
        for width in (2, 1):
            key = tuple(doc.folded[i:i + width])
            if len(key) < width or key not in local or any(doc.covered[i:i + width]):
                continue
            if width == 2 and not (doc.joined(i + 1) and doc.capitalised(i + 1)):
                continue
            k = i + width  # a capitalised word run on after it: the start of another name ("Piala FA"), not a reference
            if k < len(doc.toks) and doc.joined(k) and doc.capitalised(k) and doc.lower[k] not in FUNCTION_WORDS:
                continue
            before = [c for c in local[key] if c[0] < i]
            _, full = max(before, key=lambda c: c[0]) if before else min(local[key], key=lambda c: c[0])
            span = _Span(i, i + width, full.entity_id, full.type, full.name or None)
            spans.append(span)
            doc.cover(span)
            break
    return spans


def _follow_full_name(span: _Span, doc: _Text, local: dict[tuple[str, ...], list[tuple[int, _Span]]]) -> None:
    """A surname alone that the KB links ("Belousov" -> Andrei Belousov) follows the nearest
    full name before it in the article instead ("Yuriy Belousov ... Menurut Belousov")."""
    if span.type != "person" or span.j - span.i != 1:
        return
    before = [c for c in local.get((doc.folded[span.i],), []) if c[0] < span.i]
    if before:
        _, full = max(before, key=lambda c: c[0])
        span.entity_id = full.entity_id
        span.canonical = full.name or span.canonical


# "Komite Peralihan Aceh (KPA)": a name, then its acronym in brackets.
_ACRONYM = re.compile(r"\(\s*([A-Z][A-Za-z]{1,7})\s*\)")


def _acronym_definitions(doc: _Text) -> dict[str, tuple[int, int]]:
    """Acronyms the text spells out: acronym -> token span (i, j) of the full name before it.
    The full name's capitalised words' initials must spell the acronym (some letters may come
    from one word: "Kemenpan" -> KP), so "(KPA)" after "Komite Peralihan Aceh" counts."""
    found: dict[str, tuple[int, int]] = {}
    for match in _ACRONYM.finditer(doc.text):
        acronym = match.group(1)
        if not acronym[:2].isupper():
            continue
        end = next((k for k, t in enumerate(doc.toks) if t[1] >= match.start()), len(doc.toks))
        initials, i = "", end
        while i > 0 and end - i < 8 and len(initials) < len(acronym):
            i -= 1
            tok = doc.toks[i][0]
            if doc.lower[i] in _ORG_JOINERS and i > 0:
                continue
            if not tok[:1].isupper():
                break
            initials = tok[0] + initials
        if initials.upper() == acronym.upper() and end - i >= 2:
            found.setdefault(acronym, (i, end))
    return found


def _ner_pass(doc: _Text, kb: KnowledgeBase, spans: list[_Span], acronyms: dict[str, tuple[int, int]]) -> list[_Span]:
    """Names the learned model recognises (tasks/ner.py) that the KB pass did not already take:
    linked to the KB by alias and type when it knows them, else kept as typed unlinked names.
    A name around a KB name ("Polres Lhokseumawe" around the place Lhokseumawe) is kept too."""
    from tasks.ner import recognise

    starts = {t[1]: k for k, t in enumerate(doc.toks)}
    ends = {t[2]: k for k, t in enumerate(doc.toks)}
    common_acronyms = _common_acronyms(doc)
    lowered = doc.text == doc.text.lower()
    added: list[_Span] = []
    for found in recognise(doc.text):
        i, last = starts.get(found.char_start), ends.get(found.char_end)
        if i is None or last is None:
            continue
        j = last + 1
        # a sentence break that lost its space ("ungkap Dani.Tri tidak ...") ends the name
        j = next((k for k in range(i + 1, j) if not doc.joined(k) and _STOP_GAP.search(doc.text, doc.toks[k - 1][2], doc.toks[k][1])), j)
        # roles and function words the model took with the name ("Presiden Joko Widodo"); a function
        # word capitalised inside a sentence is the name's own ("atlet Lalu Muhammad Zohri")
        while i < j and found.type == "person" and (doc.lower[i] in ROLE_CUES or (
                doc.lower[i] in FUNCTION_WORDS and (_opens_sentence(doc, i) or not doc.capitalised(i)))):
            i += 1
        # a name starts with a capital or a digit, unless the text has no capitals at all (a
        # lower-cased text, which the model reads as such: tasks/ner.py's "L" features)
        if i >= j or not (doc.toks[i][0][:1].isupper() or doc.toks[i][0][:1].isdigit() or lowered):
            continue
        if found.type == "person":
            i = _name_start(doc, i)
        covered = [doc.covered[k] for k in range(i, j)]
        if all(covered):
            continue
        if any(covered):
            inner = [s for s in spans if s.i >= i and s.j <= j]
            if not inner or any(doc.covered[k] and not any(s.i <= k < s.j for s in inner) for k in range(i, j)):
                continue  # overlaps a KB name without containing it: the KB's reading wins
            if found.type == "person" and any(s.j == j and s.type == "place" for s in inner):
                continue  # "Kim Korea Utara": no person's name ends in a known place; the KB has the place
        kind = found.type
        cut = next((k for k in range(i + 1, j) if doc.lower[k] in ROLE_CUES), None)
        if cut is not None:  # "Polres Lhokseumawe AKP Yasir": an organisation, a rank, a person
            rest = cut + 1
            while rest < j and doc.lower[rest] in ROLE_CUES:
                rest += 1
            if rest < j and doc.toks[rest][0][:1].isupper():
                person = _ner_span(doc, kb, rest, j, "person", acronyms)
                if person is not None:
                    added.append(person)
            j = cut
        legal = next((k for k in range(i + 1, j - 2) if doc.lower[k] in _LEGAL_ENDINGS), None) if kind == "organization" else None
        if legal is not None and doc.lower[legal + 1] not in ORG_HEADS | PLACE_HEADS | ROLE_CUES \
                and all(doc.capitalised(k) for k in range(legal + 1, j)):
            # "PT Astra Otoparts Tbk Yusak Kristian": a company's legal form ends its name; the
            # capitalised words after it (two or more) are the person the text goes on to name
            person = _ner_span(doc, kb, legal + 1, j, "person", acronyms)
            if person is not None:
                added.append(person)
            j = legal + 1
        if kind == "place" and doc.lower[i] in ORG_HEADS:
            kind = "organization"  # "Polres Lhokseumawe" is the police of a place
        elif kind == "organization" and doc.lower[i] in PLACE_HEADS:
            kind = "place"  # "Bandara Internasional Lombok" is where planes land, not a company
        if j - i == 1 and doc.toks[i][0] in common_acronyms:
            continue  # "layanan over the top (OTT)": an abbreviation of common words, not a name
        if j - i == 1 and any(c.isdigit() for c in doc.toks[i][0]):
            continue  # "4G", "SS1": models and codes, not names
        for a, b in _admin_parts(doc, i, j) if kind == "place" else [(i, j)]:
            span = _ner_span(doc, kb, a, b, kind, acronyms)
            if span is not None:
                added.append(span)
    _consolidate_types(doc, added)
    # a place whose name a longer place's begins ("Jakarta" of "Jakarta Selatan", "Aceh" of
    # "Kabupaten Aceh Utara") is not named there when the gazetteer knows the longer place (not
    # "Amerika Serikat serikat", a typo the model took whole)
    places = [s for s in added if s.type == "place" and any(
        t.type == "place" and s.i <= t.i and t.j <= s.j for t in spans) and _gazetteer_name(_surface(doc, s))]
    spans[:] = [s for s in spans if not (s.type == "place" and any(
        o.i <= s.i and s.j <= o.j and o.j - o.i > s.j - s.i and (o.i == s.i or doc.lower[o.i] in ADMIN_UNITS)
        for o in places))]
    return added


def _common_acronyms(doc: _Text) -> set[str]:
    """Acronyms the text spells out in lower-case words ("layanan over the top (OTT)", "base
    transceiver station (BTS)"): abbreviations of common nouns, never names."""
    found = set()
    for match in _ACRONYM.finditer(doc.text):
        acronym = match.group(1)
        words = _LOWER_WORD.findall(doc.text, max(0, match.start() - 12 * len(acronym)), match.start())
        tail = words[-len(acronym):] if len(words) >= len(acronym) else []
        if tail and all(w.islower() for w in tail) and "".join(w[0] for w in tail) == acronym.casefold():
            found.add(acronym)
    return found


def _short_forms_of_bodies(doc: _Text, spans: list[_Span]) -> None:
    """A one-word name in parentheses right after an organisation's name is its short form ("PT
    Hutchison 3 Indonesia (Tri)"): that word elsewhere in the text is the organisation, whatever
    type the model guessed for it ("Tri" read as a first name)."""
    orgs = {s.j: s for s in spans if s.type == "organization"}
    starts = {t[1]: k for k, t in enumerate(doc.toks)}
    for match in _ACRONYM.finditer(doc.text):
        k = starts.get(match.start(1))
        owner = orgs.get(k) if k is not None else None
        if owner is None or doc.text[doc.toks[k - 1][2]:match.start(1)].strip() != "(":
            continue
        short = match.group(1)
        for span in spans:
            if span is not owner and span.j - span.i == 1 and doc.toks[span.i][0] == short and span.entity_id is None:
                span.type, span.entity_id, span.canonical = "organization", owner.entity_id, _surface(doc, owner)


def _split_at_text_places(doc: _Text, spans: list[_Span]) -> list[_Span]:
    """Names the model ran together with a place the same text names on its own: "Kajari
    Lhoksukon Teuku Rahmatsyah" is an office of Lhoksukon and a person (the place is cut off the
    person's name); "Kecamatan Nisam Antara Aceh Utara" is two places (split)."""
    places = {tuple(doc.folded[s.i:s.j]) for s in spans if s.type == "place"}
    added: list[_Span] = []
    for span in spans:
        if span.entity_id is not None or span.j - span.i < 3 or span.canonical:
            continue
        if span.type == "person":
            cut = next((p for p in range(span.j - span.i - 2, 0, -1)
                        if tuple(doc.folded[span.i:span.i + p]) in places), 0)
            span.i += cut
        elif span.type == "place" and span.j < len(doc.lower) and doc.lower[span.j] == "alias":
            # "Daerah II Aceh Utara Mahmudsyah alias Ayah Mud": a place the text names, then the
            # person the alias belongs to (a place has no alias)
            keep = next((p for p in range(span.j - span.i - 1, 0, -1)
                         if tuple(doc.folded[span.i:span.i + p]) in places), 0)
            if keep:
                added.append(_Span(span.i + keep, span.j, None, "person"))
                span.j = span.i + keep
        elif span.type == "place":
            cut = next((p for p in range(span.j - span.i - 1, 0, -1)
                        if tuple(doc.folded[span.j - p:span.j]) in places
                        and doc.lower[span.j - p - 1] not in ADMIN_UNITS), 0)
            if cut:
                added.append(_Span(span.j - cut, span.j, None, "place"))
                span.j -= cut
    return added


def _admin_parts(doc: _Text, i: int, j: int) -> list[tuple[int, int]]:
    cuts = [k for k in range(i + 1, j) if doc.lower[k] in ADMIN_UNITS]
    bounds = [i, *cuts, j]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def _consolidate_types(doc: _Text, spans: list[_Span]) -> None:
    """One name, one type in one text: the type the model gave it most often (first wins ties)."""
    votes: dict[str, Counter] = {}
    for span in spans:
        votes.setdefault(_surface(doc, span), Counter())[span.type] += 1
    for span in spans:
        if span.entity_id is None:
            span.type = votes[_surface(doc, span)].most_common(1)[0][0]


def _surface(doc: _Text, span: _Span) -> str:
    return doc.text[doc.toks[span.i][1]:doc.toks[span.j - 1][2]]


def _ner_span(doc: _Text, kb: KnowledgeBase, i: int, j: int, kind: str, acronyms: dict) -> _Span | None:
    """One recognised name as a span: linked when the KB knows it by that alias and type."""
    surface = doc.text[doc.toks[i][1]:doc.toks[j - 1][2]]
    if surface in acronyms:
        return None  # the acronym pass below links it to its spelled-out name
    if kind == "place" and i > 0 and doc.lower[i - 1] in _CURRENCY:
        return None  # "dolar AS" is a currency
    # linked only when the whole name is one of the entity's aliases: "Yuriy Belousov" is not
    # Andrei Belousov, however the KB's alias-suffix linking reads it
    hit = kb.match_at(doc.toks[i:j], doc.folded[i:j], 0, doc.text)
    entity = kb.entities[hit[1]] if hit and hit[0] == j - i else None
    entity_id = entity.entity_id if entity is not None and entity.type == kind else None
    if doc.headline[i] and entity_id is None:
        return None  # Title Case lines say nothing about names
    if entity_id is None and j - i >= 2 and any(_MODEL_CODE.fullmatch(doc.toks[k][0]) for k in range(i, j)):
        return None  # "Galaxy S6 Edge", "Avanza G1": a product's model code, not an organisation or a person
    span = _Span(i, j, entity_id, kind)
    for k in range(i, j):
        doc.covered[k] = True
    return span


def _acronym_pass(doc: _Text, spans: list[_Span], acronyms: dict[str, tuple[int, int]]) -> list[_Span]:
    """Every use of an acronym the text spelled out refers to the spelled-out name: its KB
    reading elsewhere ("KPA" = Korean People's Army) is replaced."""
    added: list[_Span] = []
    for acronym, (i, j) in acronyms.items():
        full = next((s for s in spans if s.i == i and s.j == j), None)
        if full is None:
            full = next((s for s in spans if s.i <= i < s.j or s.i < j <= s.j), None)
        if full is None or (full.i, full.j) != (i, j):
            kind = "place" if doc.lower[i] in PLACE_HEADS else "organization"  # "Bandara Internasional Lombok (BIL)"
            full = _Span(i, j, full.entity_id if full and (full.i, full.j) == (i, j) else None, kind)
            spans[:] = [s for s in spans if s.j <= i or s.i >= j]
            added.append(full)
            for k in range(i, j):
                doc.covered[k] = True
        for k, tok in enumerate(doc.toks):
            if tok[0] != acronym:
                continue
            for s in spans:
                if s.i == k and s.j == k + 1:
                    s.entity_id, s.type, s.canonical = full.entity_id, full.type, _surface(doc, full)
                    break
            else:
                if not doc.covered[k]:
                    added.append(_Span(k, k + 1, full.entity_id, full.type, _surface(doc, full)))
                    doc.covered[k] = True
    return added


#: Lower-case nouns that introduce a body by its name ("tim Project Zero", "operator Telkomsel",
#: "pabrikan Wuling"): the name after them is an organisation, whatever the model guessed.
ORG_DESCRIPTORS = _words("""
    tim operator perusahaan produsen pabrikan merek maskapai klub grup emiten startup vendor
    penyedia raksasa stasiun harian portal situs aplikasi platform
""")
_LIST_JOINERS = frozenset({",", "dan", "serta", "atau", "and"})


def _retype_by_context(doc: _Text, spans: list[_Span]) -> None:
    """Unlinked names typed by the words around them (issue 14's false positives of the wrong
    type): after an organisation descriptor ("tim Project Zero" was a person), and as one item
    of a list whose other items agree on a type ("Telkomsel, XL Axiata, Indosat Ooredoo, dan
    Smartfren": Telkomsel was a place). One name keeps one type in a text."""
    retyped: dict[str, str] = {}
    for span in spans:
        if span.entity_id is None and span.type == "organization" and span.i > 0 \
                and doc.lower[span.i - 1] in _PLACE_CUES and _gazetteer_name(_surface(doc, span)):
            retyped[_surface(doc, span)] = "place"  # "di Bandung", "Gubernur NTB": a place the model read as a body
    for span in spans:
        if span.entity_id is None and span.type != "organization" and span.i > 0 \
                and doc.lower[span.i - 1] in ORG_DESCRIPTORS \
                and doc.text[doc.toks[span.i - 1][2]:doc.toks[span.i][1]].isspace():
            retyped[_surface(doc, span)] = "organization"
    ordered = sorted(spans, key=lambda s: s.i)
    lists: list[list[_Span]] = []
    for span in ordered:
        if lists and _joined_by_list_words(doc, lists[-1][-1], span):
            lists[-1].append(span)
        else:
            lists.append([span])
    for items in lists:
        if len(items) < 3:
            continue
        for span in items:
            if span.entity_id is not None:
                continue
            others = Counter(s.type for s in items if s is not span)
            kind, votes = others.most_common(1)[0]
            if kind != span.type and votes == len(items) - 1:
                retyped.setdefault(_surface(doc, span), kind)
    for span in spans:
        if span.entity_id is None and _surface(doc, span) in retyped:
            span.type = retyped[_surface(doc, span)]


def _gazetteer_name(surface: str) -> bool:
    """Whether the places gazetteer (tasks/places.py) has ``surface`` itself as a place's own name,
    or as an Indonesian place's alias ("NTB"): GeoNames' alternate names elsewhere include words
    that are bodies' names too ("Google" is an alternate name of Topeka)."""
    from tasks.places import _key as gazetteer_key, gazetteer  # loaded on need (a large file)

    key, found = gazetteer().namesakes(surface)
    if len(key) != len(folded_tokens(surface)[1]):
        return False  # found only without a prefix word
    return any(p.entity.country == "ID" or gazetteer_key(p.entity.name) == key for p in found)


def _joined_by_list_words(doc: _Text, first: _Span, second: _Span) -> bool:
    """Whether only list punctuation and joiners (", ", "dan", "serta") stand between two spans."""
    gap = doc.text[doc.toks[first.j - 1][2]:doc.toks[second.i][1]]
    words = gap.replace(",", " , ").split()
    return bool(words) and all(w.casefold() in _LIST_JOINERS for w in words)


#: Words that count things: "38.900 unit BTS", "200 buah ATM" are equipment, not bodies.
_COUNTERS = _words("unit buah")


def _counted_acronyms(doc: _Text) -> set[str]:
    """All-caps words the text counts somewhere ("unit BTS"): common nouns, never names."""
    return {doc.toks[k][0] for k in range(1, len(doc.toks))
            if doc.lower[k - 1] in _COUNTERS and doc.toks[k][0].isupper() and len(doc.toks[k][0]) >= 2}


def find_mentions(text: str, kb: KnowledgeBase, context: str = "") -> list[Mention]:
    """Mentions in ``text`` by position; ``context`` (e.g. the headline) only contributes full
    names that short references in ``text`` may point to."""
    return TextMentions(text, kb).mentions(context)


def text_mentions(text: str, kb: KnowledgeBase, work: Any = None) -> "TextMentions":
    """The :class:`TextMentions` of ``text`` under ``kb``, computed once per article when the
    enrich stage's per-article ``work`` (tasks/enrich.py ``ArticleWork``) is given. The key holds
    ``id(kb)`` and the value holds ``kb`` itself, so the id cannot be reused while the entry lives:
    a value made under one knowledge base is never read under another."""
    if work is None:
        return TextMentions(text, kb)
    return work.get(("mentions", text, id(kb)), lambda: TextMentions(text, kb, work))


class TextMentions:
    """``find_mentions`` of one text, split where ``context`` comes in: everything before (the
    KB, NER, unlinked and acronym passes, the text's own short forms) is done once here, and
    ``mentions(context)`` finishes it for each context on copies of that state. Two enrichers
    ask for the mentions of the same article text (entities with the headline as context, quotes
    without): sharing one value saves the second run of every pass but the last two (issue 11).

    The headline only adds full names, at position -1, to the short forms the last two passes
    read (``_short_pass`` and ``_follow_full_name``); those passes mark tokens covered and relink
    spans in place, so each context gets its own covered flags and span copies (with ``local``
    pointing at the copies): a call with one context cannot change another's result."""

    def __init__(self, text: str, kb: KnowledgeBase, work: Any = None) -> None:
        self.text, self.kb = text, kb
        doc = _Text(text, work)
        acronyms = _acronym_definitions(doc)
        spans = _kb_pass(doc, kb)
        spans += _ner_pass(doc, kb, spans, acronyms)
        spans += _unlinked_pass(doc)
        spans += _acronym_pass(doc, spans, acronyms)
        spans += _split_at_text_places(doc, spans)
        counted = _counted_acronyms(doc)
        spans = [s for s in spans if s.entity_id is not None or s.j - s.i > 1 or doc.toks[s.i][0] not in counted]
        _retype_by_context(doc, spans)
        _short_forms_of_bodies(doc, spans)
        for span in spans:
            span.name = _surface(doc, span)
        self._doc, self._spans, self._local = doc, spans, _local_aliases(doc, spans)
        self._finished: dict[str, list[Mention]] = {}

    def mentions(self, context: str = "") -> list[Mention]:
        """The text's mentions with ``context``'s full names available to its short references
        (a new list; Mentions are frozen)."""
        if context not in self._finished:
            self._finished[context] = self._finish(context)
        return list(self._finished[context])

    def _finish(self, context: str) -> list[Mention]:
        doc = copy(self._doc)
        doc.covered = list(self._doc.covered)
        clones = {id(s): replace(s) for s in self._spans}
        spans = list(clones.values())
        local = {key: [(at, clones[id(s)]) for at, s in found] for key, found in self._local.items()}
        if context:
            ctx = _Text(context)
            ctx_spans = _kb_pass(ctx, self.kb) + _unlinked_pass(ctx)
            for span in ctx_spans:
                span.name = _surface(ctx, span)
            for key, found in _local_aliases(ctx, ctx_spans, position=-1).items():
                local.setdefault(key, []).extend(found)
        spans += _short_pass(doc, local)
        for span in spans:
            _follow_full_name(span, doc, local)
        spans.sort(key=lambda s: s.i)
        text = self.text
        return [
            Mention(s.entity_id, text[doc.toks[s.i][1]:doc.toks[s.j - 1][2]], doc.toks[s.i][1], doc.toks[s.j - 1][2], s.type,  # type: ignore[arg-type]
                    s.canonical)
            for s in spans
        ]

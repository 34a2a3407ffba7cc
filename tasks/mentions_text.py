"""A text as the mention passes (tasks/mentions.py) read it: ``_Text``, its word tokens with the
folds, case, headline lines and coverage every pass shares; ``_Span``, a name the passes found,
by token positions; and the word lists more than one pass reads (function words, role cues,
organisation and place heads).

Nothing here finds a name: the passes that do are in tasks/mentions_kb.py,
tasks/mentions_ner.py, tasks/mentions_unlinked.py, tasks/mentions_acronyms.py and
tasks/mentions_short.py, run in the order tasks/mentions.py ``TextMentions`` gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tasks.entities import folded_tokens, name_gap_ok

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
    ustaz ustadz ustad ustazah ustadzah kiai kyai kh syekh syeikh syaikh khalifah nabi sayyidina saidina
""")
#: Honorifics written after a revered person's name ("Nabi Muhammad SAW", "Umar bin Khattab ra"):
#: not the name's (compared as written: "AS" in capitals is the United States).
HONORIFICS = frozenset("SAW saw Saw SWT swt RA ra Ra as".split())
#: Words that open an honorific phrase after a name ("Umar radhiyallahu anhu", "radiallohu"):
#: the name ends there.
HONORIFIC_OPENERS = _words("""radhiyallahu radhiallahu radiyallahu radiallahu rodhiyallahu radhiyallohu radiallohu
    radiyallohu rodhiyallohu alaihissalam alaihis-salam rahimahullah rahimahulloh""")
#: Occasions named after a person ("Maulid Nabi Muhammad", "haul Gus Dur") and the vocatives that
#: call one ("Wahai Aslam"): not the name's.
PERSON_OCCASIONS = _words("maulid haul milad wahai duhai")
#: Indonesian common nouns that head an organisation's name ("Kementerian ...", "Kantor ..."):
#: none is a name alone (tasks/mentions_ner.py _COMMON_HEADS).
ORG_HEAD_NOUNS = _words("""
    institut kementerian badan universitas lembaga komisi partai pusat departemen akademi yayasan
    organisasi asosiasi komite dinas biro korps divisi angkatan komando markas bank perusahaan humas
    kantor dewan kepolisian kejaksaan pengadilan mahkamah majelis kedutaan konsulat direktorat sekretariat
""")
#: Words that head an organisation's name: those nouns, their English counterparts, and the
#: acronyms of bodies that are names by themselves ("Polri", "DPR"). The English words that end
#: one are tasks/mentions_unlinked.py ORG_TAILS.
ORG_HEADS = ORG_HEAD_NOUNS | _words("""
    institute university ministry center centre council agency foundation
    polri polda polres polsek polresta polrestabes kejari kejati kejagung kodim korem kodam
    rutan lapas pemkot pemkab pemprov dprd dpr mpr kpu bawaslu kemenpan kemenkeu kemenhan
""")
#: Words that start a new administrative unit inside a run of place names ("Desa Alue Papeun
#: Kecamatan Nisam Antara Aceh Utara" is three places).
ADMIN_UNITS = _words("desa kelurahan kecamatan kabupaten kota provinsi propinsi dusun kampung distrik")
#: Small words inside an organisation's name ("Komite Peralihan Aceh", "Institute for Defense
#: Analyses").
_ORG_JOINERS = _words("dan untuk for of the and on bagi")
#: Marks that end a name's sentence: a sentence break, a colon or semicolon, a quote mark.
_SENTENCE_BREAK = re.compile(r"[.!?\n:;\"“”]")
#: Words that head the name of a place people go to, not of a body: an airport, a port, a mountain.
PLACE_HEADS = _words("bandara bandar stadion pelabuhan terminal stasiun gunung puncak pantai pulau danau sungai selat teluk "
                     "jalan jl lapangan alun-alun taman")
#: Words before "AS"/"Amerika" that make it a currency, not a mention of the country.
_CURRENCY = frozenset({"dolar", "dollar", "usd"})


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
        #: a text with no capital letter (a lower-cased headline, NERP's news): case says nothing
        self.lowered = text == text.lower()

    def _headline_tokens(self) -> list[bool]:
        """Tokens on Title Case lines (headlines, related-article links), where capitals say
        nothing about names: no unlinked names are taken from them."""
        flags = [False] * len(self.toks)
        line_start, k = 0, 0
        lines = self.text.split("\n")
        # the first character of the next line that is not blank, for each line (one pass back)
        following, after = [""] * len(lines), ""
        for n in range(len(lines) - 1, -1, -1):
            following[n] = after
            after = lines[n].lstrip()[:1] or after
        for n, line in enumerate(lines):
            line_end = line_start + len(line)
            first = k
            while k < len(self.toks) and self.toks[k][1] < line_end:
                k += 1
            words = [t for t, _, _ in self.toks[first:k] if t.isalpha()]
            # a line that ends in a full stop is prose, however many names it lists ("X, Y, Z dan W
            # mengikuti konvensi."): headlines and links to related articles end without one. So is
            # a line of a paragraph wrapped by hand (a press release's "Pemerintah kota X, Istanbul,
            # Turki,\nmeresmikan ..."): it starts or ends in a lower-case word or ends in a comma
            # ("... Mehmet Ozgur dari Turki; Sahin Sisic dari\nBosnia"), or the next line goes on in
            # lower case
            wrapped = line.rstrip().endswith((",", ";")) or following[n].islower() or bool(words) and (
                words[-1].islower() or words[0].islower())
            if len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.7 * len(words) \
                    and not line.rstrip().endswith(".") and not wrapped:
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


def _surface(doc: _Text, span: _Span) -> str:
    return doc.text[doc.toks[span.i][1]:doc.toks[span.j - 1][2]]

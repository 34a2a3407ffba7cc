"""Person names in Indonesian news text: strip titles, resolve surnames to full names.

``clean_name("Presiden Rusia Vladimir Putin")`` -> "Vladimir Putin";
``resolve_short_name(text, "Cheong", pos)`` -> "Cheong Seong Chang" when the article introduced
him earlier. Organisation names made only of such words ("KCNA", "Kementerian Luar Negeri")
are kept as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Titles, roles, affiliations and places that precede a name in Indonesian reporting
# ("Menteri Pertahanan Rusia Sergei Shoigu", "analis Institut Sejong Cheong Seong-chang").
ROLE_WORDS = frozenset(
    """presiden wakil menteri perdana pemimpin kepala juru bicara jubir ketua sekretaris jenderal direktur
    duta besar dubes panglima kanselir analis pakar peneliti profesor prof dr letnan kolonel mayor laksamana
    marsekal senator anggota raja pangeran utusan khusus komandan pejabat mantan diplomat senior
    luar negeri pertahanan dalam unifikasi keuangan perdagangan urusan sumber daya ekologi
    korea utara selatan korut korsel rusia amerika serikat as ukraina tiongkok china jepang kremlin pbb
    dewan keamanan institut universitas kementerian badan partai pusat kantor berita gedung putih sejong
    kcna yonhap reuters afp ap tass nato uni eropa iaea pyongyang seoul moskow washington beijing kyiv tokyo
    dia ia namun menurut bulan foto pada sementara itu tetapi kata ujar sebut lapor tegas
    senin selasa rabu kamis jumat sabtu minggu januari februari maret april mei juni juli agustus
    september oktober november desember the of dari di
    wahai duhai ustaz ustadz ustad kiai kyai kh syekh syaikh khalifah nabi
    studi kebijakan kajian strategis internasional nasional forum lembaga komite komisi asosiasi organisasi
    administrasi pusat center centre institute university studies policy international national strategic
    peace endowment council foundation yayasan perdamaian kosmodrom laut semenanjung perang pelabuhan
    provinsi wilayah kota pulau selat zona stasiun pangkalan gunung sungai jembatan mahkamah konstitusi
    parlemen majelis tentara angkatan rakyat staf gabungan intelijen media departemen kedutaan direktorat
    biro markas komando pasukan kejaksaan jaksa agung dinas rezim
    akp akbp kompol kombes iptu ipda aiptu aipda bripka brigpol briptu bripda brigadir brigjen irjen komjen""".split()
)
_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)+")
# A name right after these words names a place or a thing ("alun-alun Kim Il Sung", "Universitas Kim Il Sung").
_PLACE_BEFORE = re.compile(r"(?:alun-alun|lapangan|jalan|bandara|stadion|universitas|istana|mausoleum|pelabuhan)\s+$", re.IGNORECASE)


def _tokens(name: str) -> list[str]:
    return name.replace("-", " ").casefold().split()


def clean_name(phrase: str) -> str:
    """The name inside a speaker phrase: its last capitalised run with leading titles stripped,
    cut at the first role/place word after the name ("Kim Korea Utara" -> "Kim"). A phrase made
    only of such words (an organisation, "KCNA") comes back as written."""
    words = phrase.split()
    runs: list[list[str]] = []
    current: list[str] = []
    for word in words:
        if word[:1].isupper() or word.startswith("("):
            current.append(word)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    if not runs:
        return phrase.strip()
    for run in reversed(runs):
        # Indonesian puts titles and affiliations before the name ("Kepala Dinas Intelijen
        # Pertahanan Ukraina Kyrylo Budanov"): the name is the last stretch of non-role words.
        segments: list[list[str]] = [[]]
        for word in run:
            if word.strip("()").casefold() in ROLE_WORDS or word.startswith("("):
                segments.append([])
            else:
                segments[-1].append(word)
        named = [seg for seg in segments if seg]
        if named:
            # "Kim Korea Utara": a name followed by a place keeps the name
            return " ".join(named[-1])
    return phrase.strip()


def person_name(phrase: str) -> str | None:
    """``clean_name`` when it yields a name of two or more words (a person, likely), else None."""
    name = clean_name(phrase)
    if name == phrase.strip() and all(w.strip("()").casefold() in ROLE_WORDS for w in name.split()):
        return None
    return name if len(name.replace("-", " ").split()) >= 2 else None


@lru_cache(maxsize=256)
def _full_names(text: str) -> tuple[tuple[int, str], ...]:
    """(offset, cleaned name) of every multi-word capitalised run in ``text``."""
    found = []
    for match in _RUN.finditer(text):
        if _PLACE_BEFORE.search(text, max(0, match.start() - 20), match.start()):
            continue
        name = clean_name(match.group(0))
        if len(name.split()) >= 2 or "-" in name:
            found.append((match.start(), name))
    return tuple(found)


def resolve_short_name(text: str, short: str, position: int) -> str:
    """The full name a one-word reference ``short`` ("Kim", "Cheong") stands for at ``position``:
    the nearest earlier multi-word name whose first or last part it is (East Asian names lead with
    the family name, Western ones end with it); else a later one; else ``short`` itself."""
    key = short.casefold().strip("()")
    if not key:
        return short
    nickname = nickname_of(text, short.strip("()"), position)
    if nickname is not None:
        return nickname
    best_before: str | None = None
    best_after: str | None = None
    for offset, name in _full_names(text):
        parts = _tokens(name)
        if len(parts) >= 3 and key in parts[1:-1] and key not in (parts[0], parts[-1]):
            # "Sukamaju Hendra Wijaya" (a village's head): the given name starts the person's part
            words = name.replace("-", " ").split()
            name = " ".join(words[parts.index(key):]) if len(words) == len(parts) else name
            parts = _tokens(name)
        if len(parts) < 2 or key not in (parts[0], parts[-1]):
            continue
        if offset < position:
            best_before = name
        elif best_after is None:
            best_after = name
    return best_before or best_after or short


#: How Indonesian reporting gives a person's nickname after the full name: "Muhammad Buldansyah
#: ... Pria yang akrab disapa Dani ini", "Nurdin Ismail alias Din Minimi", "biasa dipanggil Ucok".
_SENTENCE_BREAK = re.compile(r"[.!?](?=\s)")
_NICKNAME_CUE = r"(?:(?:akrab|biasa|kerap|sering)\s+)?(?:disapa|dipanggil|disebut|alias)\s+"


def nickname_of(text: str, short: str, position: int) -> str | None:
    """The full name whose nickname ``short`` is, when the text gives it before ``position``
    ("X ... yang akrab disapa Dani"): the nearest multi-word person's name before the cue, in the
    same or the previous sentence. Names with an all-capitals word ("PT Hutchison", "SCTV Tower")
    are organisations and places, not the person."""
    cue = re.compile(_NICKNAME_CUE + re.escape(short) + r"\b", re.IGNORECASE)
    match = next((m for m in cue.finditer(text) if m.start() < position), None)
    if match is None:
        return None
    sentences = [m.end() for m in _SENTENCE_BREAK.finditer(text, 0, match.start())]
    floor = sentences[-2] if len(sentences) >= 2 else 0
    found = None
    for offset, name in _full_names(text):
        if floor <= offset < match.start() and not any(len(w) > 1 and w.isupper() for w in name.split()):
            found = name
    return found

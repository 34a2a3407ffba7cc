"""Outlet datelines: "JAKARTA, KOMPAS.com - ", "Suara.com - ", "Jakarta, CNN Indonesia -- ".

In: the first paragraph of an article; out: the paragraph without its dateline, and the
dateline's place and outlet (for ``Article.meta['dateline_place']`` / ``['dateline_outlet']``).
A dateline is a short run of capitalised words (a place, an outlet, a parenthesised agency,
maybe a date) followed by a dash and a space, at the very start of the text. The parts are told
apart by shape, not by outlet name: a part with a web suffix, in parentheses, or naming the
page's own site is the outlet; an all-caps word or a known Indonesian place is the place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = r"[A-Z][\w.'’&]*"
#: At most 7 capitalised words/numbers with commas, an optional (Agency), then - / -- / – / —.
_DATELINE = re.compile(
    rf"^(?P<dateline>(?:{_WORD}|\d{{1,4}})(?:[ ,]+(?:{_WORD}|\d{{1,4}}|[a-z]+\.(?:com|id|net)\b)){{0,6}}"
    rf"(?:\s*\([^()]{{2,40}}\))?)\s*(?:--?|–|—|::)\s+(?=\S)"
)
_WEB = re.compile(r"\.(?:com|co\.id|id|net|org|co)\b", re.IGNORECASE)
#: Places common enough in datelines that a one-word dateline naming them is a place.
PLACES = frozenset(
    """jakarta bandung surabaya medan semarang yogyakarta makassar palembang denpasar bali
    batam pekanbaru padang malang solo surakarta bogor depok tangerang bekasi banten serang
    pontianak banjarmasin balikpapan samarinda manado kupang mataram jayapura ambon kendari
    palu gorontalo mamuju ternate sorong merauke aceh lhokseumawe jambi bengkulu lampung
    bandarlampung pangkalpinang tanjungpinang cirebon tasikmalaya purwokerto kudus madiun
    kediri jember banyuwangi sidoarjo gresik mojokerto cianjur sukabumi karawang garut
    ntb ntt papua sumatera kalimantan sulawesi jawa madura riau kepri nusa washington
    london paris moskow beijing tokyo seoul pyongyang sydney canberra singapura singapore
    kuala lumpur bangkok manila hanoi dubai riyadh kairo cairo jenewa geneva brussel
    berlin roma istanbul ankara teheran new york""".split()
)


@dataclass(frozen=True)
class Dateline:
    """What a dateline said and how long it was (``length`` chars from the start)."""

    text: str
    length: int
    place: str | None
    outlet: str | None


def _is_place(part: str) -> bool:
    words = part.lower().replace(".", " ").split()
    return bool(words) and (part.isupper() and not _WEB.search(part) or all(w in PLACES for w in words))


def _split(dateline: str, site_words: set[str]) -> tuple[str | None, str | None]:
    outlet_parts: list[str] = []
    place_parts: list[str] = []
    agency = re.search(r"\(([^()]+)\)", dateline)
    if agency:
        outlet_parts.append(agency.group(1).strip())
        dateline = dateline[: agency.start()] + dateline[agency.end():]
    for part in (p.strip() for p in dateline.split(",")):
        if not part or re.fullmatch(r"[\d\s]+|\d{1,2}\s+\w+\s+\d{4}", part):
            continue  # a date inside the dateline ("ISTANBUL, 23 Februari 2016 (Antara)")
        key = re.sub(r"\W", "", part.lower())
        if _WEB.search(part) or (key and any(key.startswith(w) or w.startswith(key) for w in site_words)):
            outlet_parts.append(part)
        elif _is_place(part) or outlet_parts or len(place_parts) == 0 and "," in dateline:
            place_parts.append(part)
        else:
            outlet_parts.append(part)
    return (", ".join(place_parts) or None, ", ".join(outlet_parts) or None)


def find_dateline(paragraph: str, site_words: set[str] = frozenset()) -> Dateline | None:
    """The dateline opening ``paragraph``, or None. ``site_words``: lowercase names of the site
    (host labels, site name) that mark a part as the outlet."""
    match = _DATELINE.match(paragraph)
    if not match:
        return None
    dateline = match.group("dateline").strip()
    rest = paragraph[match.end():]
    # A real dateline is followed by a sentence, and is not itself the start of one.
    if len(rest) < 20 or len(dateline) > 70 or len(dateline.split()) > 7:
        return None
    words = [w for w in re.split(r"[\s,()]+", dateline) if w]
    if not all(w[0].isupper() or w[0].isdigit() or _WEB.search(w) for w in words):
        return None
    if "," not in dateline and "(" not in dateline and len(words) > 1:
        # One multi-word part must look like a name of a place or a site, not a subject
        # ("Presiden Joko Widodo - yang ..." is a sentence).
        key = re.sub(r"\W", "", dateline.lower())
        if not (_WEB.search(dateline) or _is_place(dateline) or any(key.startswith(w) for w in site_words)):
            return None
    place, outlet = _split(dateline, site_words)
    return Dateline(match.group(0), match.end(), place, outlet)


_CLOSING_DASH = re.compile(r"\s*(?:--?|–|—|::)\s*$")


def dateline_alone(line: str, next_line: str, site_words: set[str] = frozenset()) -> Dateline | None:
    """A dateline alone on the article's first line, its dash closing the line and the article
    going on on the next ("ISTANBUL, 23 Februari 2016 (Antara/PRNewswire) -", as press releases
    wrapped by hand have it): read as ``find_dateline`` reads one paragraph, and covering the
    whole first line (``length``), or None."""
    if not _CLOSING_DASH.search(line) or not next_line.strip():
        return None
    found = find_dateline(f"{line.rstrip()} {next_line.lstrip()}", site_words)
    if found is None or found.length < len(line.rstrip()):
        return None
    return Dateline(line, len(line), found.place, found.outlet)


def place_of(removed: str, site_words: set[str] = frozenset()) -> str | None:
    """The place part of a dateline as the normaliser removed it (``Dateline.text``, e.g. from
    ``removed_spans``: "Mataram, NTB (ANTARA News) - "), split as ``find_dateline`` splits it:
    what ``meta['dateline_place']`` held when the article was cleaned, for articles read back
    from the warehouse (the meta is not stored)."""
    dateline = _CLOSING_DASH.sub("", removed).strip()
    return _split(dateline, site_words)[0] if dateline else None

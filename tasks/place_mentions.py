"""Places an article names that the text passes (``tasks/mentions.py``) do not give: the places of
its dateline, and streets.

- **The dateline** ("Mataram, NTB (ANTARA News) - ", "JAKARTA, KOMPAS.com - ") is cut from the text
  by the normaliser (``tasks/datelines.py``), which keeps its place part in
  ``Article.meta['dateline_place']`` ("Mataram, NTB", "JAKARTA"). Each comma-separated part becomes
  a place mention with no offsets in the text (``char_start``/``char_end`` None, ``found_in =
  'dateline'``): linked to a knowledge-base place when it is exactly one of its aliases, else left
  to the gazetteer (``tasks/enrichers/entities.py`` ``link_places``, beside the text's places, so
  "Mataram" and "NTB" pick each other's namesakes). A part that links to no place is dropped
  (``unlinked_dateline_parts``): the dateline is split by shape, and a part that names no known
  place is as likely the outlet ("CNN Indonesia") as a place. A dateline naming only its outlet
  ("Suara.com - ") has no place part, so it gives nothing.
- **Streets** ("Jalan Thamrin", "Jl. Jend. Sudirman No. 5", "Jln. Gatot Subroto"): the realset's
  annotation rules count them as places (benchmarks/realset/README.md), and no package here has
  streets, so they are typed places without an entity (no coordinates). The name is the
  capitalised words after the cue, up to a lower-case word, a sentence's end, an address part
  ("No.", "RT", "Kav."), a day or month name, or a place the text passes found after its first
  word ("Jalan MH Thamrin Jakarta Pusat": the street, then the city). A mention the passes found
  inside the street's name ("Sudirman No" read as a person, "Medan" of "Jalan Medan Merdeka") is
  replaced by the street.
"""

from __future__ import annotations

import re

from tasks.entities import KnowledgeBase, Mention, fold, tokens

#: Where a mention was found (the ``found_in`` column of ``mentions``).
IN_TEXT, IN_DATELINE = "text", "dateline"

_STREET_CUE = re.compile(r"\b(?:Jalan|JALAN|Jl|JL|Jln|JLN)\b\.?[ \t\u00a0]+")
_NAME_WORD = re.compile(r"[A-Z0-9][\w'\u2019-]*")
_GAP = re.compile(r"[ \t\u00a0]+")
#: Capitalised words that end a street's name: the address after it, days and months.
_STREET_STOPS = frozenset(fold(w) for w in """no nomor kav kavling rt rw km blok lantai gedung
    senin selasa rabu kamis jumat sabtu minggu januari februari maret april mei juni juli agustus
    september oktober november desember""".split())
_MAX_STREET_WORDS = 6


def dateline_mentions(place: str | None, kb: KnowledgeBase) -> list[Mention]:
    """The places of a dateline's place part ("Mataram, NTB"), in order, as mentions without
    offsets: a KB place when the part is exactly one of its aliases (spelling folds, the KB's case
    rules), else unlinked for the gazetteer. A part that is exactly a KB entity of another type
    (an agency's name) is not a place and is left out."""
    found: list[Mention] = []
    seen: set[tuple[str, ...]] = set()
    for part in (p.strip() for p in (place or "").split(",")):
        toks = tokens(part)
        key = tuple(fold(t) for t, _, _ in toks)
        if not toks or key in seen:
            continue
        seen.add(key)
        hit = kb.match_at(toks, list(key), 0, part)
        entity = kb.entities[hit[1]] if hit and hit[0] == len(toks) else None
        if entity is not None and entity.type != "place":
            continue
        found.append(Mention(entity.entity_id if entity else None, part, None, None, "place",
                             found_in=IN_DATELINE))
    return found


def lookup_name(mention: Mention) -> str:
    """The name to look a place mention up by in the gazetteer: a dateline written in capitals
    ("BALI", "JAKARTA") is capitalised by house style, not an acronym, so it is also tried as
    "Bali" (the gazetteer reads short all-caps names as acronyms that must match exactly)."""
    if mention.found_in == IN_DATELINE and mention.surface.isupper():
        return mention.surface.title()
    return mention.surface


def is_street(surface: str) -> bool:
    """Whether a place's name is a street's ("Jalan Baru"): never looked up in the gazetteer,
    whose villages include "Jalan Baru" and "Jalan Dua" (a village is "Desa Jalan Baru")."""
    return _STREET_CUE.match(surface) is not None


def unlinked_dateline_parts(mentions: list[Mention]) -> list[Mention]:
    """``mentions`` without the dateline parts that linked to no place (see the module docstring)."""
    return [m for m in mentions if not (m.found_in == IN_DATELINE and m.entity_id is None)]


def _street_end(text: str, start: int, place_starts: set[int]) -> int | None:
    """The end of the street name starting at ``start`` (after the cue), or None when no name.
    A place the passes found after its first word ends it ("Jalan MH Thamrin Jakarta Pusat"); a
    person's name does not (streets are named after people: "Jl. Jend. Sudirman")."""
    end, words, at = None, 0, start
    while words < _MAX_STREET_WORDS:
        word = _NAME_WORD.match(text, at)
        if word is None or fold(word.group()) in _STREET_STOPS or (words and at in place_starts):
            break
        end, words, at = word.end(), words + 1, word.end()
        # a period continues the name only after a short abbreviation before a capital
        # ("Jl. Jend. Sudirman", "Jalan KH. Hasyim"); elsewhere it ends the sentence
        if at < len(text) and text[at] == "." and len(word.group()) <= 4:
            at += 1
        gap = _GAP.match(text, at)
        if gap is None:
            break
        at = gap.end()
    if end is None or not re.search(r"[^\W\d]{2}", text[start:end]):
        return None
    return end


def with_streets(text: str, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` of ``text`` (by position) with its streets added as place mentions without an
    entity; mentions that start inside a street's name give way to it. One that ran on past the
    street ("Jalan MH Thamrin Jakarta Pusat" read as one place) leaves its rest as a name of its
    own type ("Jakarta Pusat"), which replaces the shorter places inside it ("Jakarta")."""
    starts = {m.char_start for m in mentions if m.char_start is not None and m.type == "place"}
    streets = []
    for cue in _STREET_CUE.finditer(text):
        end = _street_end(text, cue.end(), starts)
        if end is None:
            continue
        start = cue.start()
        # inside a longer name the passes found (an office or a building named after the street)
        if any(m.char_start is not None and m.char_start < start < m.char_end for m in mentions):
            continue
        streets.append(Mention(None, text[start:end], start, end, "place"))
    if not streets:
        return mentions
    street_of = lambda m: next((s for s in streets if s.char_start <= m.char_start < s.char_end), None)  # noqa: E731
    kept, rests = [], []
    for m in mentions:
        street = None if m.char_start is None else street_of(m)
        if street is None:
            kept.append(m)
        elif m.char_end > street.char_end and (rest := _NAME_WORD.search(text, street.char_end, m.char_end)) \
                and not text[street.char_end:rest.start()].strip(" \t\u00a0,"):
            rests.append(Mention(None, text[rest.start():m.char_end], rest.start(), m.char_end, m.type))
    kept = [m for m in kept if not any(r.type == m.type == "place" and r.char_start <= m.char_start and m.char_end <= r.char_end
                                       and (m.char_start, m.char_end) != (r.char_start, r.char_end) for r in rests)]
    return sorted(kept + streets + rests, key=lambda m: (m.char_start is not None, m.char_start or 0))

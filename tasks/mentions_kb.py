"""Step 2 of tasks/mentions.py, its first pass over the names: knowledge-base aliases, through
the KB's token trie (tasks/entities.py ``KnowledgeBase.match_at``), longest match first, each
linked to its entity.

In order, at each token: a hit is skipped when it is a currency ("dolar AS") or a KB surname
right after an unknown given name ("Yuriy Belousov", left to the later passes); a person's name
inside a place's name ("Lapangan Kim Il Sung", "Kim Il Sung Square") is the place, unlinked;
places named inside a state body's name ("Kementerian Pertahanan Korea Selatan") are kept too,
overlapping it. Every token a hit spans is marked covered for the passes after.
"""

from __future__ import annotations

from tasks.entities import KnowledgeBase
from tasks.mentions_text import _CURRENCY, PLACE_HEADS, _Span, _Text, _words
from tasks.mentions_unlinked import _person_token
from tasks.mentions_types import _gazetteer_name

#: English words that end a place's name ("Kim Il Sung Square").
_PLACE_TAILS = _words("square stadium airport street avenue bridge park station")
#: Heads of a state body's name, whose country is named in it ("Kementerian Pertahanan Korea Selatan").
_STATE_BODIES = frozenset("kementerian departemen dinas badan dewan angkatan kantor kedutaan kemlu kemhan kemenlu".split())


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
            elif span.type == "place":
                span = _part_of_place(doc, span) or span
            spans.append(span)
            doc.cover(span)
            if span.type == "organization" and doc.lower[i] in _STATE_BODIES:
                spans += _places_inside(doc, kb, span)
            i = span.j
        else:
            i += 1
    return spans


def _place_named_after(doc: _Text, i: int, j: int) -> _Span | None:
    """A place named after the person the KB matched at i..j ("Lapangan Kim Il Sung", "Kim Il
    Sung Square"): the place, unlinked, and no mention of the person."""
    if i > 0 and doc.lower[i - 1] in PLACE_HEADS and doc.capitalised(i - 1) and doc.joined(i):
        return _Span(i - 1, j, None, "place")
    if j < len(doc.toks) and doc.lower[j] in _PLACE_TAILS and doc.capitalised(j) and doc.joined(j):
        return _Span(i, j + 1, None, "place")
    return None


#: Words that name a part of a place after its name ("Jakarta Selatan", "Aceh Utara").
_PARTS = _words("utara selatan timur barat tengah pusat tenggara laut daya")


def _part_of_place(doc: _Text, span: _Span) -> _Span | None:
    """A known place followed by a part of it that the gazetteer knows as a place of its own
    ("Jakarta Selatan", a city, not Jakarta with a word after it): that place, unlinked (the
    gazetteer links it), up to two words ("Nusa Tenggara Barat" is not split either)."""
    for j in (span.j + 2, span.j + 1):
        if j <= len(doc.toks) and all(doc.lower[k] in _PARTS and doc.capitalised(k) and doc.joined(k)
                                      for k in range(span.j, j)) \
                and _gazetteer_name(doc.text[doc.toks[span.i][1]:doc.toks[j - 1][2]]):
            return _Span(span.i, j, None, "place")
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

"""Step 3 of tasks/mentions.py, its second pass over the names: names the learned model
recognises (tasks/ner.py ``recognise``) that the KB pass did not take, linked to the KB when the
whole name is one of an entity's aliases of the same type, else kept as typed unlinked names.

Each recognised name, in order: cut at a sentence break that lost its space ("Dani.Tri"); roles
and sentence-opening function words trimmed off a person's name, and the name extended back
over a capitalised function word or an initial ("atlet Lalu Muhammad Zohri", "Wicky V. Olindo");
dropped where it overlaps a KB name without containing it; cut before a rank ("Polres
Lhokseumawe AKP Yasir": a body, then a person) and after a company's legal form ("PT Astra
Otoparts Tbk Yusak Kristian"), but not a place's name ("Stadion Kapten ...") nor an office's
("Kantor Presiden"); a head word left alone is no name; retyped by its head word (a place's
"Polres" is a body, a body's "Bandara" a place); dropped when it is a common-word acronym or a
one-word code ("OTT", "4G");
split at administrative units ("Desa ... Kecamatan ..."). Then one type per name
(tasks/mentions_types.py), and a KB place that only begins a longer place the gazetteer knows
("Jakarta" of "Jakarta Selatan") is no mention of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

from tasks.entities import KnowledgeBase
from tasks.mentions_acronyms import _common_acronyms
from tasks.mentions_text import (
    _CURRENCY, ADMIN_UNITS, FUNCTION_WORDS, HONORIFIC_OPENERS, HONORIFICS, ORG_HEAD_NOUNS, ORG_HEADS, PERSON_OCCASIONS,
    PLACE_HEADS, ROLE_CUES, _Span, _surface, _Text, _words,
)
from tasks.mentions_types import _consolidate_types, _gazetteer_name
from tasks.mentions_unlinked import _person_after_body

#: A sentence end inside a name the model found ("ungkap Dani.Tri tidak").
_STOP_GAP = re.compile(r"[.!?]")
#: A model code: one to three capitals and digits ("S6", "A52", "G1"), maybe a letter after.
_MODEL_CODE = re.compile(r"[A-Z]{1,3}\d{1,4}[a-zA-Z]?")
#: Legal forms that end a company's name ("PT Astra Otoparts Tbk", "Samsung Electronics Co Ltd"),
#: unlike "PT", which starts one (tasks/mentions_short.py _LEGAL_FORMS has both).
_LEGAL_ENDINGS = _words("tbk persero ltd inc corp llc plc gmbh")
#: Common nouns that head a name but are none alone ("di kantor", "di universitas", "kota"),
#: unlike the acronyms among ORG_HEADS ("Polri", "DPR"), which are names by themselves.
_COMMON_HEADS = ADMIN_UNITS | PLACE_HEADS | ORG_HEAD_NOUNS


def _name_start(doc: _Text, i: int) -> int:
    """Where a person's name the model found from token ``i`` really starts: before a function
    word the text capitalises inside a sentence, which is a name there ("atlet Lalu Muhammad
    Zohri" when it gave "Muhammad Zohri"), and before an initial ("Wicky V. Olindo" when it gave
    "Olindo": the period after the initial read as a sentence end), but not over a numeral or an
    acronym in capitals, which no given name is ("Opsir Udara II H. Sujono" is Sujono)."""
    while i > 0 and doc.lower[i - 1] in FUNCTION_WORDS and doc.capitalised(i - 1) and doc.joined(i) \
            and not doc.covered[i - 1] and not _opens_sentence(doc, i - 1):
        i -= 1
    k = i
    if k >= 2 and len(doc.toks[k - 1][0]) == 1 and doc.toks[k - 1][0].isupper() and doc.joined(k) and not doc.covered[k - 1]:
        first = k - 1
        while first > 0 and first > k - 4 and doc.joined(first) and doc.capitalised(first - 1) \
                and not doc.covered[first - 1] and doc.lower[first - 1] not in ROLE_CUES \
                and not (len(doc.toks[first - 1][0]) > 1 and doc.toks[first - 1][0].isupper()) \
                and not (doc.lower[first - 1] in FUNCTION_WORDS and _opens_sentence(doc, first - 1)):
            first -= 1
        if first < k - 1:
            return first
    return i


def _opens_sentence(doc: _Text, k: int) -> bool:
    """Whether token k may be capitalised only for its place: a sentence's, a quote's or a Title
    Case line's first word."""
    return k == 0 or doc.headline[k] or doc.break_between(k - 1, k)


def _ner_pass(doc: _Text, kb: KnowledgeBase, spans: list[_Span], acronyms: dict[str, tuple[int, int]],
              model: Path | None = None) -> list[_Span]:
    """Names the learned model recognises (tasks/ner.py; ``model``: another model file than the
    shipped one, for benchmarks) that the KB pass did not already take: linked to the KB by alias
    and type when it knows them, else kept as typed unlinked names. A name around a KB name
    ("Polres Lhokseumawe" around the place Lhokseumawe) is kept too."""
    from tasks.ner import recognise

    starts = {t[1]: k for k, t in enumerate(doc.toks)}
    ends = {t[2]: k for k, t in enumerate(doc.toks)}
    common_acronyms = _common_acronyms(doc)
    lowered = doc.lowered
    added: list[_Span] = []
    for found in (recognise(doc.text) if model is None else recognise(doc.text, model)):
        i, last = starts.get(found.char_start), ends.get(found.char_end)
        if i is None or last is None:
            continue
        j = last + 1
        # a sentence break that lost its space ("ungkap Dani.Tri tidak ...") ends the name
        j = next((k for k in range(i + 1, j) if not doc.joined(k) and _STOP_GAP.search(doc.text, doc.toks[k - 1][2], doc.toks[k][1])), j)
        # roles and function words the model took with the name ("Presiden Joko Widodo"); a function
        # word capitalised inside a sentence is the name's own ("atlet Lalu Muhammad Zohri")
        while i < j and found.type == "person" and (doc.lower[i] in ROLE_CUES | PERSON_OCCASIONS or (
                doc.lower[i] in FUNCTION_WORDS and (_opens_sentence(doc, i) or not doc.capitalised(i)))):
            i += 1
        if found.type == "person":
            # "Umar bin Khattab ra", "Nabi Muhammad SAW", "Ali radhiyallahu anhu": the honorific
            # after a revered name is not the name's
            j = next((k for k in range(i + 1, j) if doc.lower[k] in HONORIFIC_OPENERS), j)
            while j - i > 1 and doc.toks[j - 1][0] in HONORIFICS:
                j -= 1
        # a name starts with a capital or a digit, unless the text has no capitals at all (a
        # lower-cased text, which the model reads as such: tasks/ner.py's "L" features). An
        # administrative unit or a place's head word in lower case before it is not the name's
        # ("desa Kramas", "kota Pati", "danau Tondano": the place is Kramas, which dropping the
        # whole span lost); other lower-case words before a name ("hotel X") still drop it
        while i < j - 1 and not lowered and doc.toks[i][0].islower() and doc.lower[i] in ADMIN_UNITS | PLACE_HEADS:
            i += 1
        # a capitalised unit or head word the model left out before a place ("Desa Kedungbulus",
        # "Pulau Kabaena" opening a sentence, "Bandar Udara Lunyuk", "Bandara Internasional Jawa
        # Barat Kertajati") is the name's, as it is inside a sentence, where the model takes it
        # ("Kecamatan Gembong")
        if found.type == "place":
            i = next((h for h in (i - 1, i - 2) if h >= 0 and doc.lower[h] in ADMIN_UNITS | PLACE_HEADS
                      and all(doc.capitalised(k) and doc.joined(k + 1) and not doc.covered[k] for k in range(h, i))), i)
            # a neighbourhood's number is its address, not its name ("Kampung Bolenglang RT 01")
            j = next((k for k in range(i + 1, j) if doc.toks[k][0] in ("RT", "RW") and k + 1 < len(doc.toks)
                      and doc.toks[k + 1][0].isdigit()), j)
        if i >= j or not (doc.toks[i][0][:1].isupper() or doc.toks[i][0][:1].isdigit() or lowered):
            continue
        if found.type == "person":
            i = _name_start(doc, i)
            if i > 0 and doc.lower[i - 1] in ORG_HEAD_NOUNS and doc.capitalised(i - 1) and doc.joined(i) \
                    and not doc.covered[i - 1]:
                continue  # "Kejaksaan Agung", "Universitas Gadjah Mada": a body's name, not a person
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
        # a place named after someone keeps the rank in its name ("Stadion Kapten I Wayan Dipta",
        # "Jalan Jenderal Sudirman", "Desa Bandar Ratu"): a rank only cuts a body's or a person's
        cut = None if kind == "place" and doc.lower[i] in PLACE_HEADS | ADMIN_UNITS else \
            next((k for k in range(i + 1, j) if doc.lower[k] in ROLE_CUES), None)
        if cut == i + 1 and doc.lower[i] in _COMMON_HEADS:
            cut = None  # "Kantor Presiden": the rank names the office, it does not start a person
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
        elif kind == "organization" and (tail := _person_after_body(doc, i, j, model)) is not None:
            # "Ketua DPRD Sumut Ajib Shah", "Presiden Recording Academy Neil Portnow": an office
            # holder named right after the body; the model, asked about the words from the name on,
            # reads a person there
            person = _ner_span(doc, kb, tail, j, "person", acronyms)
            if person is not None:
                added.append(person)
            j = tail
        if kind == "place" and doc.lower[i] in ORG_HEADS:
            kind = "organization"  # "Polres Lhokseumawe" is the police of a place
        elif kind == "organization" and doc.lower[i] in PLACE_HEADS:
            kind = "place"  # "Bandara Internasional Lombok" is where planes land, not a company
        if j - i == 1 and doc.lower[i] in _COMMON_HEADS:
            continue  # "peneliti di universitas terkemuka": a head word alone names nothing
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


def _admin_parts(doc: _Text, i: int, j: int) -> list[tuple[int, int]]:
    cuts = [k for k in range(i + 1, j) if doc.lower[k] in ADMIN_UNITS]
    bounds = [i, *cuts, j]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def _ner_span(doc: _Text, kb: KnowledgeBase, i: int, j: int, kind: str, acronyms: dict) -> _Span | None:
    """One recognised name as a span: linked when the KB knows it by that alias and type."""
    surface = doc.text[doc.toks[i][1]:doc.toks[j - 1][2]]
    if surface in acronyms:
        return None  # the acronym pass below links it to its spelled-out name
    if kind == "place" and i > 0 and doc.lower[i - 1] in _CURRENCY:
        return None  # "dolar AS" is a currency
    # linked only when the whole name is one of the entity's aliases: "Yuriy Belousov" is not
    # Andrei Belousov, however the KB's alias-suffix linking reads it
    # in a text with no capitals the model's name is matched to capitalised aliases too ("rusia")
    hit = kb.match_at(doc.toks[i:j], doc.folded[i:j], 0, doc.text, lowered=doc.lowered)
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

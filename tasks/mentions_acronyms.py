"""Acronyms and bracketed short forms in a text (tasks/mentions.py), in the order they are used:

1. ``_acronym_definitions`` (before any pass): acronyms the text spells out, "Komite Peralihan
   Aceh (KPA)", whose full name's initials spell them;
2. ``_common_acronyms`` (in the NER pass): acronyms of lower-case words, "layanan over the top
   (OTT)", never names;
3. ``_acronym_pass`` (after the unlinked pass): every use of a spelled-out acronym is its full
   name, whatever the KB or the model read ("KPA" is not the Korean People's Army there), when
   a pass read a name in the spelled-out words or a body's head word starts them (else they are a
   term: "Bahan Bakar Minyak (BBM)");
4. ``_counted_acronyms`` (after the passes): all-caps words the text counts, "38.900 unit BTS",
   are equipment and dropped;
5. ``_short_forms_of_bodies`` (last, after retyping): a one-word name in brackets after an
   organisation's name, "PT Hutchison 3 Indonesia (Tri)", is that organisation wherever it is used;
6. ``_bodies_of_places`` (after the acronym pass): a body's name runs over capitalised words to the
   short form bracketed after it ("Pengadilan Tindak Pidana Korupsi (Tipikor)"), and a short form
   between a body's name and a place's names that body of that place: "Pengadilan Negeri (PN)
   Surabaya" is the court of Surabaya, "PN Surabaya" wherever used, and "PN Jakarta Pusat" the
   court of Jakarta Pusat.
"""

from __future__ import annotations

import re
from collections import Counter

from tasks.mentions_text import _ORG_JOINERS, ORG_HEADS, PLACE_HEADS, _SENTENCE_BREAK, _Span, _surface, _Text, _words
from tasks.mentions_types import _gazetteer_name

# "Komite Peralihan Aceh (KPA)": a name, then its acronym in brackets.
_ACRONYM = re.compile(r"\(\s*([A-Z][A-Za-z]{1,7})\s*\)")
#: Words that head a body's name spelled out before its acronym, besides tasks/mentions_text.py's
#: ORG_HEADS ("Sekolah Tinggi Kesejahteraan Sosial (STKS)", "Ikatan Dokter Indonesia (IDI)").
_BODY_HEADS = _words("""
    sekolah politeknik rumah persatuan perhimpunan ikatan himpunan gerakan serikat front forum
    koperasi perum perseroan kelompok jaringan aliansi federasi liga kesatuan paguyuban
""")
#: A word of letters only (the lower-case words an acronym may abbreviate).
_LOWER_WORD = re.compile(r"[^\W\d_]+")


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


def _acronym_pass(doc: _Text, spans: list[_Span], acronyms: dict[str, tuple[int, int]]) -> list[_Span]:
    """Every use of an acronym the text spelled out refers to the spelled-out name: its KB
    reading elsewhere ("KPA" = Korean People's Army) is replaced."""
    added: list[_Span] = []
    for acronym, (i, j) in acronyms.items():
        full = next((s for s in spans if s.i == i and s.j == j), None)
        if full is None:
            full = next((s for s in spans if s.i < j and i < s.j), None)
        if full is None and doc.lower[i] not in ORG_HEADS | PLACE_HEADS | _BODY_HEADS:
            # no pass read a name in the spelled-out words and no head word makes them a body's or
            # a place's: a term in capitals ("Kurikulum Berbasis Kompetensi (KBK)", "Bahan Bakar
            # Minyak (BBM)", "Perguruan Tinggi Swasta (PTS)"), not a name
            continue
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


#: Words that count things: "38.900 unit BTS", "200 buah ATM" are equipment, not bodies.
_COUNTERS = _words("unit buah")


def _counted_acronyms(doc: _Text) -> set[str]:
    """All-caps words the text counts somewhere ("unit BTS"): common nouns, never names."""
    return {doc.toks[k][0] for k in range(1, len(doc.toks))
            if doc.lower[k - 1] in _COUNTERS and doc.toks[k][0].isupper() and len(doc.toks[k][0]) >= 2}


#: The gaps around a bracketed short form: "Pengadilan Negeri (PN) Surabaya".
_OPENS = re.compile(r"\s*\(\s*")
_CLOSES_BEFORE_NAME = re.compile(r"\s*\) ")
#: Capitalised words a body's name runs over to its bracketed short form, at most.
_MAX_RUN = 4


def _gap(doc: _Text, k: int) -> str:
    """The text between token k-1 and token k."""
    return doc.text[doc.toks[k - 1][2]:doc.toks[k][1]]


def _area_at(doc: _Text, starts: dict[int, list[_Span]], k: int) -> _Span | None:
    """The longest place starting at token k that is an area (a city, a regency, a province), not
    a place people go to ("Stasiun Klimatologi Kupang" after "(BMKG)" is a unit of the body, not
    the body's area), run on over the words that make it a longer place the gazetteer knows
    ("Jakarta Pusat" where the knowledge base took "Jakarta")."""
    place = max((s for s in starts.get(k, ()) if s.type == "place"), key=lambda s: s.j, default=None)
    if place is None or doc.lower[place.i] in PLACE_HEADS:
        return None
    longer = next((j for j in range(min(place.j + 2, len(doc.toks)), place.j, -1)
                   if all(doc.capitalised(m) and doc.joined(m) for m in range(place.j, j))
                   and _gazetteer_name(doc.text[doc.toks[place.i][1]:doc.toks[j - 1][2]])), None)
    return place if longer is None else _Span(place.i, longer, None, "place")


def _bodies_of_places(doc: _Text, spans: list[_Span]) -> list[_Span]:
    """A body's name and its bracketed short form, and the place after them (module docstring, 6).

    A short form bracketed between a body's name and a place's names the body of that place only
    when the text uses it with a place again ("PN Surabaya" later, or "Pengadilan Negeri (PN)
    Jakarta Pusat" too): a court, a police command, a regional office, one per place. Said once,
    "Sekolah Tinggi Kesejahteraan Sosial (STKS) Bandung" is the school and where it is, and the
    names stay apart (IndoNLU's NERGrit annotates them so). Spans are changed in place (a body's
    name run on to its bracket; "PN Surabaya", which the model reads as a place, made the court);
    the names this adds ("Pengadilan Negeri (PN) Surabaya", named "Pengadilan Negeri Surabaya")
    are returned, and the names inside them that are no body of their own ("Pengadilan Negeri",
    the short form alone) are dropped."""
    n = len(doc.toks)
    starts: dict[int, list[_Span]] = {}
    for span in spans:
        starts.setdefault(span.i, []).append(span)
    for span in spans:
        # "Pengadilan Tindak [Pidana Korupsi] (Tipikor)": the model stopped short of the bracket
        if span.type != "organization" or doc.lower[span.i] not in ORG_HEADS | _BODY_HEADS:
            continue
        k = span.j
        while k < n and k - span.j < _MAX_RUN and doc.capitalised(k) and not doc.covered[k] and doc.joined(k):
            k += 1
        if span.j < k < n and _OPENS.fullmatch(_gap(doc, k)) \
                and not _SENTENCE_BREAK.search(doc.text, doc.toks[span.j - 1][2], doc.toks[k - 1][2]):
            for m in range(span.j, k):
                doc.covered[m] = True
            span.j = k
    # "Pengadilan Negeri (PN) Surabaya": the body's span, its short form's token, the place
    definitions = []
    for span in spans:
        k = span.j
        if span.type == "organization" and k + 1 < n and _OPENS.fullmatch(_gap(doc, k)) \
                and doc.toks[k][0][:1].isupper() and _CLOSES_BEFORE_NAME.fullmatch(_gap(doc, k + 1)) \
                and (place := _area_at(doc, starts, k + 1)) is not None:
            definitions.append((span, k, place))
    defined = {k for _, k, _ in definitions}
    bodies = {doc.toks[k][0]: _surface(doc, span) for span, k, _ in reversed(definitions)}
    # "PN Surabaya": the short form then a place, read as one place by the model or as two names
    uses = []
    for k in range(n - 1):
        full = bodies.get(doc.toks[k][0])
        if full is None or k in defined or _gap(doc, k + 1) != " " or not doc.capitalised(k + 1) \
                or any(s.i < k < s.j for s in spans):  # inside a longer name ("Politeknik LPP Yogyakarta")
            continue
        run = max((s for s in starts.get(k, ()) if s.j > k + 1 and s.type != "person"), key=lambda s: s.j, default=None)
        place = _area_at(doc, starts, k + 1)
        if run is not None or place is not None:
            uses.append((k, full, run, place))
    counts = Counter(doc.toks[k][0] for _, k, _ in definitions) + Counter(doc.toks[k][0] for k, _, _, _ in uses)
    said_again = {short for short, count in counts.items() if count > 1}
    added: list[_Span] = []
    dropped: set[int] = set()
    for span, k, place in definitions:
        if doc.toks[k][0] not in said_again:
            continue
        added.append(_Span(span.i, place.j, None, "organization", f"{_surface(doc, span)} {_surface(doc, place)}"))
        for m in range(span.i, place.j):
            doc.covered[m] = True
        if span.entity_id is None:
            dropped.add(id(span))
        dropped.update(id(s) for s in starts.get(k, ()) if s.j == k + 1)  # the short form in it
    for k, full, run, place in uses:
        if doc.toks[k][0] not in said_again:
            continue
        if run is not None:
            rest = doc.text[doc.toks[k + 1][1]:doc.toks[run.j - 1][2]]
            run.type, run.entity_id, run.canonical = "organization", None, f"{full} {rest}"
            if place is None and _gazetteer_name(rest):  # the place in it stays named ("Polres Lhokseumawe")
                added.append(_Span(k + 1, run.j, None, "place"))
        else:
            added.append(_Span(k, place.j, None, "organization", f"{full} {_surface(doc, place)}"))
        dropped.update(id(s) for s in starts.get(k, ()) if s.j == k + 1)  # the acronym pass's "PN" alone
        doc.covered[k] = True
    spans[:] = [s for s in spans if id(s) not in dropped]
    return added

"""What kind of name each unlinked mention is, and where it ends, decided by the rest of the
text (tasks/mentions.py): rules that revise the passes' spans, in the order they run:

1. ``_consolidate_types`` (end of the NER pass): one name, one type in one text, the type the
   model gave it most often;
2. ``_split_at_text_places`` (after the acronym pass): names the model ran together with a place
   the text names on its own are cut there ("Kajari Lhoksukon Teuku Rahmatsyah": the office's
   place off the person; "Kecamatan Nisam Antara Aceh Utara": two places, but not a road or a
   numbered school named after places; a place before "alias": the place, then the person);
3. ``_retype_by_context`` (after the counted acronyms are dropped): a body's name after a
   locative or regional cue that the gazetteer knows is a place ("di Bandung", "Gubernur NTB"),
   a name after an organisation descriptor is an organisation ("tim Project Zero"; a place after
   "stasiun" stays a station), and the odd item of a list whose other items agree takes their
   type, unless its head word gives its own ("Kantor ...", "Jalan ...") or it would make a person
   a place the gazetteer does not know.

``_gazetteer_name`` (is this exactly a place's own name in tasks/places.py?) serves the NER pass
too.
"""

from __future__ import annotations

from collections import Counter

from tasks.entities import folded_tokens
from tasks.mentions_text import ADMIN_UNITS, ORG_HEADS, PLACE_HEADS, _Span, _surface, _Text, _words

#: Words before a name that make it a place when the model read it as a body: a locative
#: preposition ("di Bandung") or the head of a region ("Gubernur NTB", "Bupati Gianyar").
_PLACE_CUES = _words("di ke dari menuju gubernur bupati walikota camat provinsi kabupaten")
#: Lower-case nouns that introduce a body by its name ("tim Project Zero", "operator Telkomsel",
#: "pabrikan Wuling"): the name after them is an organisation, whatever the model guessed.
ORG_DESCRIPTORS = _words("""
    tim operator perusahaan produsen pabrikan merek maskapai klub grup emiten startup vendor
    penyedia raksasa stasiun harian portal situs aplikasi platform
""")
#: What stands between the items of a list of names ("A, B, dan C").
_LIST_JOINERS = frozenset({",", "dan", "serta", "atau", "and"})


def _split_at_text_places(doc: _Text, spans: list[_Span]) -> list[_Span]:
    """Names the model ran together with a place the same text names on its own: "Kajari
    Lhoksukon Teuku Rahmatsyah" is an office of Lhoksukon and a person (the place is cut off the
    person's name); "Kecamatan Nisam Antara Aceh Utara" is two places (split). But a person's name
    that starts with such a word with no office run into it ("Brandon Nicholas Salim, putra ...")
    keeps it as the given name, and the word alone (unlinked, no place cue before it) is then that
    person's short form."""
    places = {tuple(doc.folded[s.i:s.j]) for s in spans if s.type == "place"}
    added: list[_Span] = []
    given: dict[str, str] = {}
    for span in spans:
        if span.type == "person" and span.entity_id is None and not span.canonical and span.j - span.i >= 2 \
                and not _run_on_from_office(doc, span.i) and (doc.folded[span.i],) in places:
            # "Brandon Nicholas Salim, putra ...", "asal Wales, Charlotte Chruch": no capitalised
            # office runs into the name, so the word a place shares with its start is the given name
            # (a place name, not a place); the same word alone is the person's short form (below)
            given.setdefault(doc.folded[span.i], _surface(doc, span))
            continue
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
        elif span.type == "place" and doc.lower[span.i] not in PLACE_HEADS:
            # (a street, a port or a stadium named after places is one place: "Jalan Raya Yogya
            # Magelang"; so is a numbered school of a town: "SMA Negeri 6 Jakarta")
            cut = next((p for p in range(span.j - span.i - 1, 0, -1)
                        if tuple(doc.folded[span.j - p:span.j]) in places
                        and doc.lower[span.j - p - 1] not in ADMIN_UNITS
                        and not doc.toks[span.j - p - 1][0].isdigit()), 0)
            if cut:
                added.append(_Span(span.j - cut, span.j, None, "place"))
                span.j -= cut
    for span in spans:
        if span.type == "place" and span.entity_id is None and span.j - span.i == 1 and doc.folded[span.i] in given \
                and not (span.i > 0 and doc.lower[span.i - 1] in _PLACE_CUES | ADMIN_UNITS | PLACE_HEADS):
            # "film kedua Brandon", "rumah Charlotte" after "Brandon Nicholas Salim": the person, not
            # a namesake town; "di Charlotte", "ke Brandon" stay places
            span.type, span.canonical = "person", given[doc.folded[span.i]]
    return added


def _run_on_from_office(doc: _Text, i: int) -> bool:
    """Whether a capitalised word runs into the name at token ``i`` within its sentence ("Kajari
    Sigli Cut Nyak Meutia": an office of Sigli, then the person)."""
    return i > 0 and doc.joined(i) and doc.capitalised(i - 1) and not doc.break_between(i - 1, i)


def _consolidate_types(doc: _Text, spans: list[_Span]) -> None:
    """One name, one type in one text: the type the model gave it most often (first wins ties)."""
    votes: dict[str, Counter] = {}
    for span in spans:
        votes.setdefault(_surface(doc, span), Counter())[span.type] += 1
    for span in spans:
        if span.entity_id is None:
            span.type = votes[_surface(doc, span)].most_common(1)[0][0]


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
        elif span.entity_id is None and span.type == "organization" and span.j - span.i >= 2 \
                and _province_name(_surface(doc, span)):
            retyped[_surface(doc, span)] = "place"  # "Daerah Istimewa Yogyakarta": a province, whatever its head word
    for span in spans:
        if span.entity_id is None and span.type != "organization" and span.i > 0 \
                and doc.lower[span.i - 1] in ORG_DESCRIPTORS \
                and not (span.type == "place" and doc.lower[span.i - 1] in PLACE_HEADS) \
                and doc.text[doc.toks[span.i - 1][2]:doc.toks[span.i][1]].isspace():
            # (a descriptor that also heads a place, "stasiun", leaves a place a place: "Stasiun MRT X")
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
            if span.entity_id is not None or _headed(doc, span):
                continue
            others = Counter(s.type for s in items if s is not span)
            kind, votes = others.most_common(1)[0]
            if kind == "place" and span.type == "person" and not _gazetteer_name(_surface(doc, span)):
                # a list's first "item" may be the clause's subject ("menurut Ryamizard, Indonesia dan
                # Filipina ...") or an address's owner ("rumah dinas Jokowi, Jalan ..., Menteng"): a
                # person becomes a place only when the gazetteer knows the name as one
                continue
            if kind != span.type and votes == len(items) - 1:
                retyped.setdefault(_surface(doc, span), kind)
    for span in spans:
        if span.entity_id is None and _surface(doc, span) in retyped:
            span.type = retyped[_surface(doc, span)]
        elif span.entity_id is None and span.canonical in retyped:
            span.type = retyped[span.canonical]  # its acronym ("DIY") with it


def _headed(doc: _Text, span: _Span) -> bool:
    """Whether the span's first word says its type: a body's head word ("Kantor Sekda X",
    "Polres X") or a place's ("Jalan X", "Desa X"), which a list's other items do not override."""
    head = doc.lower[span.i]
    return (span.type == "organization" and head in ORG_HEADS) or (span.type == "place" and head in PLACE_HEADS | ADMIN_UNITS)


def _province_name(surface: str) -> bool:
    """Whether ``surface`` is, whole, the name or an alias of one of Indonesia's provinces in the
    places gazetteer ("Daerah Istimewa Yogyakarta", "Sulawesi Selatan")."""
    from tasks.places import gazetteer  # loaded on need (a large file)

    key, found = gazetteer().namesakes(surface)
    return len(key) == len(folded_tokens(surface)[1]) and any(
        p.kind == "subdivision" and p.entity.country == "ID" for p in found)


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

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
from copy import copy
from dataclasses import replace
from typing import Any

from tasks.entities import KnowledgeBase, Mention, fold
from tasks.mentions_acronyms import (
    _acronym_definitions, _acronym_pass, _common_acronyms, _counted_acronyms, _short_forms_of_bodies,
)
from tasks.mentions_kb import _kb_pass
from tasks.mentions_text import (
    _CURRENCY, ADMIN_UNITS, FUNCTION_WORDS, ORG_HEADS, PLACE_HEADS, ROLE_CUES, _Span, _surface, _Text, _words,
)
from tasks.mentions_types import _consolidate_types, _gazetteer_name, _retype_by_context, _split_at_text_places
from tasks.mentions_unlinked import _unlinked_pass


_STOP_GAP = re.compile(r"[.!?]")
#: A model code: one to three capitals and digits ("S6", "A52", "G1"), maybe a letter after.
_MODEL_CODE = re.compile(r"[A-Z]{1,3}\d{1,4}[a-zA-Z]?")
#: Legal forms that end a company's name ("PT Astra Otoparts Tbk", "Samsung Electronics Co Ltd"),
#: unlike "PT", which starts one (_LEGAL_FORMS below has both).
_LEGAL_ENDINGS = _words("tbk persero ltd inc corp llc plc gmbh")


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


def _ner_pass(doc: _Text, kb: KnowledgeBase, spans: list[_Span], acronyms: dict[str, tuple[int, int]]) -> list[_Span]:
    """Names the learned model recognises (tasks/ner.py) that the KB pass did not already take:
    linked to the KB by alias and type when it knows them, else kept as typed unlinked names.
    A name around a KB name ("Polres Lhokseumawe" around the place Lhokseumawe) is kept too."""
    from tasks.ner import recognise

    starts = {t[1]: k for k, t in enumerate(doc.toks)}
    ends = {t[2]: k for k, t in enumerate(doc.toks)}
    common_acronyms = _common_acronyms(doc)
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
        if i >= j or not (doc.toks[i][0][:1].isupper() or doc.toks[i][0][:1].isdigit()):
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

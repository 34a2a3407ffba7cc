"""Short references (the last two steps of tasks/mentions.py, run for each context): a person's
first or last one or two words, or an organisation's name without its legal form or its first
word ("Persib" after "Persib Bandung"), used again alone, refer to the full name.

``_local_aliases`` collects those short forms from the text's spans (and from the headline's,
at position -1); ``_short_pass`` marks each unclaimed use as the nearest full name before it
(else the first after it); ``_follow_full_name`` makes a lone surname the KB linked to someone
else follow the full name the article gave before it ("Yuriy Belousov ... Menurut Belousov").
"""

from __future__ import annotations

from tasks.entities import fold
from tasks.mentions_text import FUNCTION_WORDS, ORG_HEADS, _Span, _Text


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

"""Finding entity mentions in Indonesian news text: ``find_mentions`` over a ``tasks.entities``
knowledge base, and ``TextMentions``, the same split where the headline comes in.

The public entry of the mention finder; the steps live in modules of their own and run in this
order over the word tokens of a text (tasks/mentions_text.py ``_Text``, which also keeps which
tokens the steps before have taken):

1. acronyms the text spells out, "Komite Peralihan Aceh (KPA)" (tasks/mentions_acronyms.py);
2. knowledge-base aliases through the KB's token trie, longest match first (tasks/mentions_kb.py);
3. names the learned model recognises, linked when the KB has the whole name, else unlinked,
   with the span rules around them: roles, initials, legal forms, administrative units, one
   type per name (tasks/mentions_ner.py);
4. names neither found, by rule, unlinked: persons introduced by a role or a reporting cue
   ("analis ...", "Menteri ...", "kata ...", "X, seorang pakar", "X mengatakan") and
   organisations named by their head word ("Institut ...", "Kementerian ...", "... University")
   (tasks/mentions_unlinked.py);
5. every use of a spelled-out acronym is its full name, a body's name runs to the short form
   bracketed after it, and a short form between a body and a place names that body of the place
   ("Pengadilan Negeri (PN) Surabaya", then "PN Surabaya") (tasks/mentions_acronyms.py);
6. names the model ran together with a place the text names are cut there
   (tasks/mentions_types.py);
7. all-caps words the text counts ("unit BTS") are dropped (tasks/mentions_acronyms.py);
8. unlinked names retyped by their context: a cue before them, the list they are in
   (tasks/mentions_types.py);
9. a one-word name in brackets after an organisation's is that organisation
   (tasks/mentions_acronyms.py);
10. short references to persons and organisations named in full elsewhere in the article or in
    the headline (after "Kim Jong Un", "Kim" is him; after "Persib Bandung", "Persib"): the
    nearest full mention before it wins (tasks/mentions_short.py). Only this step reads the
    context, so ``TextMentions`` does 1-9 (and collects the text's own short forms) once, and
    this step for each context.

Capitalised function words (Dia, Namun, Bulan, Menurut, Foto ...) never start or join a name,
so sentence-initial words do not become entities.
"""

from __future__ import annotations

from copy import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

from tasks.entities import KnowledgeBase, Mention
from tasks.mentions_acronyms import (_acronym_definitions, _acronym_pass, _bodies_of_places, _counted_acronyms,
                                     _short_forms_of_bodies)
from tasks.mentions_kb import _kb_pass
from tasks.mentions_ner import _ner_pass
from tasks.mentions_short import _follow_full_name, _local_aliases, _short_pass
from tasks.mentions_text import ADMIN_UNITS, FUNCTION_WORDS, ORG_HEADS, PLACE_HEADS, ROLE_CUES, _surface, _Text
from tasks.mentions_types import ORG_DESCRIPTORS, _retype_by_context, _split_at_text_places
from tasks.mentions_unlinked import ORG_TAILS, PORTFOLIO, SPEECH_AFTER, _unlinked_pass

#: What callers import from here: the finder, and the word lists the rules read (tasks/quote_speakers.py
#: reads ORG_HEADS and ROLE_CUES); the steps' own functions are imported from their modules.
__all__ = [
    "find_mentions", "text_mentions", "TextMentions", "Mention",
    "FUNCTION_WORDS", "ROLE_CUES", "PORTFOLIO", "ORG_HEADS", "ORG_TAILS", "ADMIN_UNITS", "SPEECH_AFTER",
    "PLACE_HEADS", "ORG_DESCRIPTORS",
]


def find_mentions(text: str, kb: KnowledgeBase, context: str = "", model: Path | None = None) -> list[Mention]:
    """Mentions in ``text`` by position; ``context`` (e.g. the headline) only contributes full
    names that short references in ``text`` may point to. ``model``: an NER model file other than
    the shipped one (benchmarks/mentions_ner.py scores a model trained on fewer splits)."""
    return TextMentions(text, kb, model=model).mentions(context)


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

    def __init__(self, text: str, kb: KnowledgeBase, work: Any = None, model: Path | None = None) -> None:
        self.text, self.kb = text, kb
        doc = _Text(text, work)
        acronyms = _acronym_definitions(doc)
        spans = _kb_pass(doc, kb)
        spans += _ner_pass(doc, kb, spans, acronyms, model)
        spans += _unlinked_pass(doc, spans, model)
        spans += _acronym_pass(doc, spans, acronyms)
        spans += _bodies_of_places(doc, spans)
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

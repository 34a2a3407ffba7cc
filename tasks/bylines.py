"""Bylines: the article's author, not its publisher.

In: the text beside the headline (where pages print "Reporter: ..."), the article text, the
author trafilatura read from the page's metadata, and the names the site goes by. Out: a name,
or None. Indonesian patterns: "Reporter: Nama", "Penulis: Nama", "Pewarta: Nama", "Oleh: Nama"
or "Oleh Nama" opening a line, and, when nothing else names a person, the desk initials in
parentheses that close many Indonesian articles ("(ant/fyk)"). Metadata authors that are the
publisher (its name, a URL, a social-media page) are not bylines.
"""

from __future__ import annotations

import re

# case-sensitive names (capitalised words on one line), case-insensitive labels
_NAME = r"(?P<name>[A-Z][\w.'’-]*(?:[ \t]+(?:[A-Z][\w.'’-]*|bin|binti|de|van|dan)){0,5})"
_LABELS = r"reporter|penulis|pewarta|wartawan|kontributor|author|written by"
_LABELLED = re.compile(rf"\b(?i:{_LABELS}|by)[ \t]*:[ \t]*{_NAME}")
_OLEH = re.compile(rf"(?:^|[|•·])[ \t]*(?i:oleh|by)[ \t]*:?[ \t]+{_NAME}", re.MULTILINE)
_LABEL_PREFIX = re.compile(rf"^\s*(?:{_LABELS}|oleh)\s*:?\s*", re.IGNORECASE)
_INITIALS = re.compile(r"\((?P<tag>[a-z]{2,5}(?:/[a-z]{2,5}){0,3})\)\s*$")
_NOT_NAMES = frozenset({"editor", "redaksi", "admin", "tim", "team", "staff", "foto", "reporter", "penulis"})


def _clean(name: str) -> str | None:
    words = _LABEL_PREFIX.sub("", name).split()
    while words and words[-1] in ("dan", "de", "van", "bin", "binti"):
        words.pop()
    while words and words[-1].casefold().strip(".") in _NOT_NAMES:
        words.pop()
    if not words or words[0].casefold() in _NOT_NAMES:
        return None
    return " ".join(words)


def _publisher_like(author: str, site_words: set[str]) -> bool:
    compact = re.sub(r"\W", "", author).casefold()
    return ("/" in author or "http" in author.casefold() or "@" in author
            or any(w and (w in compact or compact in w) for w in site_words))


def byline(header_text: str, text: str, meta_author: str | None, site_words: set[str]) -> str | None:
    """The author of an article (see the module docstring), or None."""
    if meta_author and not _publisher_like(meta_author, site_words) and (name := _clean(meta_author)):
        return name  # the page's own author field, once it is not the publisher
    lead, tail = text[:400], text[-400:]
    for source in (header_text, lead, tail):
        for pattern in (_LABELLED, _OLEH):
            if (match := pattern.search(source or "")) and (name := _clean(match.group("name"))):
                if not _publisher_like(name, site_words):
                    return name
    if match := _INITIALS.search(text.rstrip()):
        return match.group("tag")
    return None

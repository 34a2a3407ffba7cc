"""Normalise: Unicode NFC, whitespace, the obvious Indonesian noise lines, the outlet name,
and the sources' include/exclude keyword filters.

Deeper cleaning (learned per-site boilerplate, datelines, audit of removed spans) builds on the
``RULES`` list here: each rule has a name so what it removed can be traced.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from prefect import task
from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import Source
from kabar.models import Article, Window

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class LineRule:
    """A whole line matching ``pattern`` is noise and is dropped."""

    name: str
    pattern: re.Pattern[str]


def _rule(name: str, pattern: str) -> LineRule:
    return LineRule(name, re.compile(pattern, re.IGNORECASE))


#: Reading aids and promotions that real Indonesian news pages leave in the extracted text.
RULES: tuple[LineRule, ...] = (
    _rule("loading", r"^loading\.*$"),
    _rule("font_size_control", r"^[aA]$"),
    _rule("scroll_to_continue", r"^scroll to continue with content$"),
    _rule("advertisement", r"^(advertisement|iklan|adv)$"),
    _rule("baca_juga", r"^baca (juga|pula)\s*:.*$"),
    _rule("video_promo", r"^(lihat|simak|tonton) (juga )?video\b.*$"),
    _rule("more_on_next_page", r"^simak berita selengkapnya\b.*$"),
)

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def clean_whitespace(text: str) -> str:
    """NFC, no zero-width or odd spaces, single spaces, paragraphs separated by one newline."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\ufeff", "")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def drop_noise_lines(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Remove noise lines; returns the text and (rule, removed line) pairs."""
    kept, removed = [], []
    for line in text.split("\n"):
        rule = next((r for r in RULES if r.pattern.match(line)), None)
        if rule:
            removed.append((rule.name, line))
        else:
            kept.append(line)
    return "\n".join(kept), removed


def drop_repeated_paragraphs(text: str, min_chars: int = 40) -> tuple[str, list[str]]:
    """A paragraph seen earlier in the same article (a CMS glitch) is kept once."""
    seen: set[str] = set()
    kept, removed = [], []
    for paragraph in text.split("\n"):
        key = paragraph.casefold()
        if len(paragraph) >= min_chars and key in seen:
            removed.append(paragraph)
            continue
        seen.add(key)
        kept.append(paragraph)
    return "\n".join(kept), removed


def outlet_for(article: Article, source: Source | None) -> str | None:
    """The outlet: the source's configured name, else the site name, else the web host."""
    if source is not None and source.outlet:
        return source.outlet
    if article.sitename:
        return article.sitename
    host = urlsplit(article.url).hostname if article.url.startswith("http") else None
    return host.removeprefix("www.") if host else None


def normalise_article(article: Article, source: Source | None = None) -> Article:
    """Clean one article in place (and return it); removed lines go to ``meta['removed']``."""
    text = clean_whitespace(article.text)
    text, removed = drop_noise_lines(text)
    text, repeated = drop_repeated_paragraphs(text)
    article.text = text
    article.title = clean_whitespace(article.title).replace("\n", " ") if article.title else None
    article.author = clean_whitespace(article.author).replace("\n", " ") if article.author else None
    article.outlet = outlet_for(article, source)
    article.language_hint = source.language if source is not None else None
    article.meta["removed"] = removed + [("repeated_paragraph", p) for p in repeated]
    return article


def normalise_batch(
    articles: list[Article], sources: dict[str, Source], window: Window = Window()
) -> tuple[list[Article], list[Article]]:
    """Normalise a batch; returns (kept, skipped): skipped articles have no text left, were
    published outside the date window, or fail their source's include/exclude patterns."""
    kept, skipped = [], []
    for article in articles:
        source = sources.get(article.source)
        normalise_article(article, source)
        if not article.text or not window.contains(article.published_at):
            skipped.append(article)
        elif source is None or source.matches(f"{article.title or ''}\n{article.text}"):
            kept.append(article)
        else:
            skipped.append(article)
    return kept, skipped


@task(name="normalise", cache_policy=NO_CACHE)
def normalise_task(
    articles: list[Article], sources: dict[str, Source], window: Window = Window()
) -> tuple[list[Article], list[Article]]:
    return normalise_batch(articles, sources, window)

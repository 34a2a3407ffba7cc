"""Enrich: run a registry of enrichers over articles.

An enricher has a ``name``, a ``version`` and an ``enrich(article)`` method returning an
:class:`Enrichment`: article-level ``fields`` (columns of ``articles``, e.g. ``language``) and
``rows`` for its own tables (e.g. ``mentions``). The loader writes both and records
(article, enricher, version, content hash) so a changed version re-runs over old articles.
One article failing in one enricher is recorded for that pair; the rest goes on.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from prefect import task
from prefect.cache_policies import NONE as NO_CACHE

from kabar.models import Article

LOGGER = logging.getLogger(__name__)


@dataclass
class Enrichment:
    """What one enricher produced for one article."""

    fields: dict[str, Any] = field(default_factory=dict)
    #: table name (in the ``store`` schema) -> rows (dicts without article_id; the loader adds it)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    error: str | None = None


class Enricher(Protocol):
    name: ClassVar[str]
    version: ClassVar[str]
    #: article columns this enricher may set through ``Enrichment.fields``
    fields: ClassVar[tuple[str, ...]]
    #: store tables this enricher owns (its rows there are replaced on each run)
    tables: ClassVar[tuple[str, ...]]

    def enrich(self, article: Article) -> Enrichment: ...


REGISTRY: dict[str, Enricher] = {}


def register(enricher: Enricher) -> Enricher:
    """Add an enricher to the registry (by name; a later one with the same name replaces it)."""
    REGISTRY[enricher.name] = enricher
    return enricher


# Character n-gram models confuse Indonesian and Malay, which share most of their vocabulary;
# these spellings and words are where the two standards differ (ID "karena", MS "kerana", ...).
_INDONESIAN = frozenset(
    "karena pemerintah uang baru bisa coba mengatakan agustus kantor kota tiongkok yaitu kemarin "
    "serikat silakan".split()
)
_MALAY = frozenset(
    "kerana kerajaan wang baharu boleh cuba berkata ogos pejabat bandar iaitu ialah semasa sahaja "
    "selepas syarikat sila".split()
)


def indonesian_or_malay(text: str, guess: str) -> str:
    """Tell Indonesian from Malay by the words in which the two standards differ; on a tie,
    keep the model's guess."""
    words = re.findall(r"[a-z]+", text.casefold())
    indonesian = sum(w in _INDONESIAN for w in words)
    malay = sum(w in _MALAY for w in words)
    if indonesian == malay:
        return guess
    return "id" if indonesian > malay else "ms"


class LanguageEnricher:
    """Language identification with py3langid, over a fixed set of languages likely in the news
    this tool reads (a small set keeps Indonesian from being taken for Malay by chance)."""

    name = "language"
    version = "1"
    fields = ("language",)
    tables = ()
    LANGUAGES = ("id", "ms", "en", "jv", "nl", "fr", "de", "es", "pt", "it", "ru", "ko", "ja", "zh", "ar")

    def __init__(self) -> None:
        self._identifier = None

    def _model(self):
        if self._identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            identifier.set_languages(list(self.LANGUAGES))
            self._identifier = identifier
        return self._identifier

    def enrich(self, article: Article) -> Enrichment:
        sample = f"{article.title or ''}\n{article.text}"[:5000]
        if len(sample.split()) < 5:
            return Enrichment(fields={"language": article.language_hint})
        language, probability = self._model().classify(sample)
        if language in ("id", "ms"):
            language = indonesian_or_malay(sample, language)
        elif probability < 0.5 and article.language_hint:
            language = article.language_hint
        return Enrichment(fields={"language": language})


register(LanguageEnricher())


def selected(names: list[str] | None = None) -> list[Enricher]:
    if not names:
        return list(REGISTRY.values())
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown enricher {unknown[0]!r}; known: {', '.join(REGISTRY)}")
    return [REGISTRY[n] for n in names]


def enrich_article(article: Article, enrichers: list[Enricher]) -> Article:
    """Run each enricher; a failure is kept as that enricher's error for this article."""
    for enricher in enrichers:
        try:
            result = enricher.enrich(article)
        except Exception as exc:
            result = Enrichment(error=f"{type(exc).__name__}: {exc}"[:300])
            LOGGER.warning("enricher %s failed on %s: %s", enricher.name, article.url, result.error)
        for key, value in result.fields.items():
            if key in enricher.fields:
                setattr(article, key, value)
        article.enrichments[enricher.name] = result
    return article


def enrich_batch(articles: list[Article], names: list[str] | None = None) -> list[Article]:
    """Enrich the articles that carry new text (new, updated, duplicate); others pass through."""
    enrichers = selected(names)
    for article in articles:
        if article.meta.get("status", "new") != "unchanged":
            enrich_article(article, enrichers)
    return articles


@task(name="enrich", cache_policy=NO_CACHE)
def enrich_task(articles: list[Article], names: list[str] | None = None) -> list[Article]:
    return enrich_batch(articles, names)

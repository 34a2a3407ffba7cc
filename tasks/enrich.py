"""Enrich: run a registry of enrichers over articles.

An enricher has a ``name``, a ``version`` and an ``enrich(article)`` method returning an
:class:`Enrichment`: article-level ``fields`` (columns of ``articles``, e.g. ``language``) and
``rows`` for its own tables (e.g. ``mentions``). The loader writes both and records
(article, enricher, version, content hash) so a changed version re-runs over old articles.
One article failing in one enricher is recorded for that pair; the rest goes on.

Work several enrichers need from the same article (the mentions of its text: entities and
quotes) is computed once per article: ``enrich_article`` makes one :class:`ArticleWork` per
article and hands it to the enrichers that declare ``uses_work``; the first to ask computes.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Hashable, Iterator, Protocol, TypeVar

from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import EnrichSettings
from kabar.models import Article
from kabar.tasking import task

LOGGER = logging.getLogger(__name__)


@dataclass
class Enrichment:
    """What one enricher produced for one article."""

    fields: dict[str, Any] = field(default_factory=dict)
    #: table name (in the ``store`` schema) -> rows (dicts without article_id; the loader adds it)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    error: str | None = None
    #: the enricher's version under the settings it ran with (the loader logs it: the load
    #: runs outside those settings, where a KB or themes fingerprint would read the defaults)
    version: str | None = None


T = TypeVar("T")


class ArticleWork:
    """Intermediate results on one article that several enrichers use, each computed by the
    first enricher that asks (``get``). One per article, made by ``enrich_article`` and passed
    down as an argument: no global cache, nothing kept after the article, and a key names
    every input the value depends on (the text, the knowledge base), so a value is only ever
    reused where recomputing it would give the same."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        if key not in self._values:
            self._values[key] = compute()
        return self._values[key]

    def __len__(self) -> int:
        return len(self._values)


class Enricher(Protocol):
    name: ClassVar[str]
    version: ClassVar[str]
    #: article columns this enricher may set through ``Enrichment.fields``
    fields: ClassVar[tuple[str, ...]]
    #: store tables this enricher owns (its rows there are replaced on each run)
    tables: ClassVar[tuple[str, ...]]

    def enrich(self, article: Article) -> Enrichment: ...
    # An enricher with ``uses_work = True`` is called ``enrich(article, work)`` with the
    # article's ArticleWork (its ``enrich`` must also accept ``work=None`` for direct calls).


#: name -> enricher; filled by the modules of ``tasks/enrichers/`` (see ``selected``). Code, not
#: configuration: every process fills the same registry when it imports the enrichers.
REGISTRY: dict[str, Enricher] = {}

#: The run's enrichment settings (extra KB files, themes file) while an enrich call runs. The
#: settings travel as a task argument (a frozen, picklable EnrichSettings) and are put in effect
#: here by the task itself, in whichever process runs it: a module global set by the flow was
#: invisible to Dask workers, which silently used the shipped themes and KB.
_CURRENT: ContextVar[EnrichSettings] = ContextVar("enrich_settings", default=EnrichSettings())


def current_settings() -> EnrichSettings:
    """The enrichment settings of the enrich call in progress (defaults outside one)."""
    return _CURRENT.get()


@contextmanager
def using(settings: EnrichSettings | None) -> Iterator[EnrichSettings]:
    """Put ``settings`` in effect for the enrichers run inside the block (defaults for None)."""
    token = _CURRENT.set(settings or EnrichSettings())
    try:
        yield _CURRENT.get()
    finally:
        _CURRENT.reset(token)


def set_field(article: Article, name: str, value: Any) -> None:
    """Set an article column from an enricher: a model attribute, or (for columns the model
    lacks, such as ``summary``; Article has __slots__) kept in ``meta["fields"]``."""
    if name in Article.__slots__:
        setattr(article, name, value)
    else:
        article.meta.setdefault("fields", {})[name] = value


def get_field(article: Article, name: str) -> Any:
    """An article column set by ``set_field`` (None when unset)."""
    if name in Article.__slots__:
        return getattr(article, name, None)
    return article.meta.get("fields", {}).get(name)


def register(enricher: Enricher) -> Enricher:
    """Add an enricher to the registry (by name; a later one with the same name replaces it)."""
    REGISTRY[enricher.name] = enricher
    return enricher


def _load_enrichers() -> None:
    """Import every module of ``tasks/enrichers``: each registers its enricher on import."""
    import tasks.enrichers as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"tasks.enrichers.{info.name}")


def selected(names: list[str] | None = None) -> list[Enricher]:
    """The registered enrichers (all, or the named ones, in registry order)."""
    _load_enrichers()
    if not names:
        return list(REGISTRY.values())
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown enricher {unknown[0]!r}; known: {', '.join(REGISTRY)}")
    return [REGISTRY[n] for n in names]


def enrich_article(article: Article, enrichers: list[Enricher]) -> Article:
    """Run each enricher; a failure is kept as that enricher's error for this article."""
    work = ArticleWork()
    for enricher in enrichers:
        try:
            if getattr(enricher, "uses_work", False):
                result = enricher.enrich(article, work)  # type: ignore[call-arg]
            else:
                result = enricher.enrich(article)
        except Exception as exc:
            result = Enrichment(error=f"{type(exc).__name__}: {exc}"[:300])
            LOGGER.warning("enricher %s failed on %s: %s", enricher.name, article.url, result.error)
        try:
            result.version = enricher.version
        except Exception:  # an unreadable KB or themes file: already this enricher's error above
            result.version = None
        for key, value in result.fields.items():
            if key in enricher.fields:
                set_field(article, key, value)
        article.enrichments[enricher.name] = result
    return article


def versions(names: list[str] | None, settings: EnrichSettings | None) -> dict[str, str]:
    """{enricher: version} of the chosen enrichers under ``settings`` (versions include the
    fingerprints of the KB and themes files). Raises ValueError for an unknown enricher,
    ConfigError for a bad KB or themes file."""
    with using(settings):
        return {e.name: e.version for e in selected(names)}


def enrich_batch(articles: list[Article], names: list[str] | None = None,
                 settings: EnrichSettings | None = None) -> list[Article]:
    """Enrich the articles that carry new text (new, updated, duplicate); others pass through."""
    with using(settings):
        enrichers = selected(names)
        for article in articles:
            if article.meta.get("status", "new") != "unchanged":
                enrich_article(article, enrichers)
    return articles


@task(name="enrich", cache_policy=NO_CACHE)
def enrich_task(articles: list[Article], names: list[str] | None = None,
                settings: EnrichSettings | None = None) -> list[Article]:
    return enrich_batch(articles, names, settings)

"""Re-enrich stored articles: find the (article, enricher) pairs that are stale, read those
articles back from the warehouse (read-only) and run the stale enrichers on them.

A pair is stale when the enrichment log has no entry for it, or the entry's enricher version or
content hash differs from the current one, or it recorded an error. Enricher versions include
the fingerprints of the files they read (knowledge base, themes, tone lexicon), so editing one
re-runs that enricher. Used by the ``enrich`` flow (``kabar enrich``); writing is the loader's.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pyarrow as pa
from prefect.cache_policies import NONE as NO_CACHE

from kabar.models import Article
from kabar.config import EnrichSettings, Warehouse
from kabar.tasking import task
from tasks.datelines import place_of
from tasks.enrich import enrich_article, selected, using, versions
from tasks.normalise import site_words
from warehouse.backend import open_reader_for
from warehouse.profiles import removed_datelines

LOGGER = logging.getLogger(__name__)

_COLUMNS = ("article_id", "url", "canonical_url", "source", "outlet", "sitename", "title", "author",
            "published_at", "language", "text", "content_hash", "duplicate_of", "fetched_at")


def stale_pairs(path: Warehouse, versions: dict[str, str], since: datetime | None = None,
                force: bool = False, limit: int | None = None) -> list[tuple[str, list[str]]]:
    """(article_id, [stale enricher names]) for stored articles, by article id; ``since`` keeps
    articles published (or, undated, first seen) on or after it; ``force`` re-runs everything;
    ``limit`` keeps the first that many articles."""
    wanted = pa.table({"enricher": list(versions), "version": list(versions.values())})
    with open_reader_for(path, locked=False) as con:
        con.register("wanted", wanted)
        rows = con.execute(
            """SELECT a.article_id, list(w.enricher ORDER BY w.enricher)
               FROM store.articles a CROSS JOIN wanted w
               LEFT JOIN store.enrichment_log l ON l.article_id = a.article_id AND l.enricher = w.enricher
               WHERE (? OR l.article_id IS NULL OR l.enricher_version <> w.version
                      OR l.content_hash <> a.content_hash OR l.error IS NOT NULL)
                 AND (?::TIMESTAMPTZ IS NULL OR coalesce(a.published_at, a.first_seen_at) >= ?::TIMESTAMPTZ)
               GROUP BY a.article_id ORDER BY a.article_id
               LIMIT ?""",
            [force, since, since, limit],
        ).fetchall()
    return [(article_id, list(names)) for article_id, names in rows]


def read_articles(path: Warehouse, article_ids: list[str]) -> list[Article]:
    """The stored articles with these ids, as Articles (text, title, dates, hash, and the
    dateline's place the entities enricher reads: ``meta['dateline_place']``)."""
    with open_reader_for(path, locked=False) as con:
        con.register("wanted_ids", pa.table({"article_id": pa.array(article_ids, pa.string())}))
        rows = con.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM store.articles WHERE article_id IN (SELECT article_id FROM wanted_ids)"
        ).fetchall()
        datelines = removed_datelines(con, article_ids)
    articles = []
    for row in rows:
        data = dict(zip(_COLUMNS, row))
        fetched_at = data.pop("fetched_at") or datetime.now(timezone.utc)
        article = Article(fetched_at=fetched_at, **data)
        if article.article_id in datelines:
            # the place the normaliser kept in meta when it cut the dateline (not stored)
            article.meta["dateline_place"] = place_of(datelines[article.article_id],
                                                      site_words(article.url, article.sitename))
        articles.append(article)
    return articles


def enrich_stale(articles: list[Article], pairs: list[tuple[str, list[str]]],
                 settings: EnrichSettings | None = None) -> list[Article]:
    """Run on each article only its stale enrichers (under the run's enrichment settings);
    failures are kept per (article, enricher)."""
    with using(settings):
        by_name = {e.name: e for e in selected()}
        stale = dict(pairs)
        for article in articles:
            enrich_article(article, [by_name[n] for n in stale.get(article.article_id, []) if n in by_name])
    return articles


@task(name="enricher-versions", cache_policy=NO_CACHE)
def versions_task(names: list[str] | None, settings: EnrichSettings) -> dict[str, str]:
    return versions(names, settings)


@task(name="plan-enrich", cache_policy=NO_CACHE)
def stale_pairs_task(path: Warehouse, versions: dict[str, str], since: datetime | None, force: bool,
                     limit: int | None = None) -> list[tuple[str, list[str]]]:
    return stale_pairs(path, versions, since, force, limit)


@task(name="read-articles", cache_policy=NO_CACHE)
def read_articles_task(path: Warehouse, article_ids: list[str]) -> list[Article]:
    return read_articles(path, article_ids)


@task(name="enrich-stale", cache_policy=NO_CACHE)
def enrich_stale_task(articles: list[Article], pairs: list[tuple[str, list[str]]],
                      settings: EnrichSettings | None = None) -> list[Article]:
    return enrich_stale(articles, pairs, settings)

"""Coverage: every item a source listed, and whether it matched the run's subject.

An analyst comparing a subject's coverage over time needs the outlet's *total* output too
("normalised attention"): did the subject's share rise, or did the outlet publish more? So each
item a source lists is recorded once (``store.discovered_items``), fetched or not, with its day
and whether it matched the source's ``include``/``exclude`` patterns: first on the title the feed
or sitemap gave (``matched_on = 'title'``; ``'none'`` when there was no title to test), then, once
the article is extracted, on its title and text (``'text'``). The ``daily_coverage_share`` view
divides the two per outlet and day.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from kabar import settings
from kabar.config import Source, Warehouse
from kabar.models import Article, Item
from kabar.text import site_of

LOCAL = ZoneInfo(settings.SCHEDULE_TIMEZONE)


def _day(stamp: datetime | None, fallback: datetime) -> Any:
    """The local (Asia/Jakarta) calendar day of a publication time, else of ``fallback``."""
    stamp = stamp or fallback
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(LOCAL).date()


def outlet_of(source: Source | None, url: str) -> str:
    """The outlet of a listed item before extraction: the source's ``outlet``, else the URL's site
    (its registrable domain, ``kabar.text.site_of``)."""
    if source is not None and source.outlet:
        return source.outlet
    # the site, not the host: regional.x.id and www.x.id are one outlet, as in tasks/outlets.py
    return site_of(url) or (source.name if source is not None else "(unknown)")


def _has_subject(source: Source | None) -> bool:
    return source is not None and bool(source.include or source.exclude)


def listed_rows(items: Iterable[Item], sources: dict[str, Source], seen_at: datetime) -> list[dict[str, Any]]:
    """One row per (source, URL) listed: its day (the feed/sitemap date, else today) and the
    subject match on the listed title. Sources without include/exclude match everything."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        if (item.source, item.url) in rows:
            continue
        source = sources.get(item.source)
        if not _has_subject(source):
            matched, on = True, "all"
        elif item.title_hint:
            matched, on = source.matches(item.title_hint), "title"
        else:
            matched, on = False, "none"
        rows[(item.source, item.url)] = {
            "source": item.source, "outlet": outlet_of(source, item.url), "url": item.url, "day": _day(item.published_hint, seen_at),
            "published_at": item.published_hint, "title": item.title_hint, "matched": matched,
            "matched_on": on, "first_seen_at": seen_at,
        }
    return list(rows.values())


def extracted_rows(articles: Iterable[Article], sources: dict[str, Source]) -> list[dict[str, Any]]:
    """The subject match of extracted articles (kept or skipped), on their title and text."""
    rows = []
    for article in articles:
        if not article.text:
            continue  # nothing extracted: the listed title's verdict stands
        source = sources.get(article.source)
        matched = source.matches(f"{article.title or ''}\n{article.text}") if _has_subject(source) else True
        rows.append({"source": article.source, "outlet": article.outlet or outlet_of(source, article.url), "url": article.url, "matched": matched,
                     "matched_on": "text" if _has_subject(source) else "all", "published_at": article.published_at,
                     "day": _day(article.published_at, article.fetched_at or datetime.now(timezone.utc))})
    return rows


def record_listed(path: Warehouse, run_id: str, items: list[Item], sources: dict[str, Source]) -> int:
    """Record the items the sources listed (new (source, URL) pairs only); returns how many were new."""
    from warehouse.backend import open_writer_for
    from warehouse.coverage import insert_listed
    from warehouse.lake import retry_on_conflict

    rows = listed_rows(items, sources, datetime.now(timezone.utc))
    if not rows:
        return 0

    def attempt() -> int:
        with open_writer_for(path) as con:
            return insert_listed(con, run_id, rows)

    return retry_on_conflict(attempt)

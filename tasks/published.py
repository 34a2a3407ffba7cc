"""The publication time a page declares: <meta> tags and JSON-LD, best evidence first.

In: the parsed page. Out: an aware datetime with its time of day where the page gives one, or
None. Pages declare their time several times, not always alike: a ``<meta name="date">`` with the
day only beside a JSON-LD ``datePublished`` with the minute and offset; an ``og`` time that is the
last update of a live blog beside the blog's own ``datePublished``; a time with no offset beside
others that have one. Every declaration is read and the best one wins:

1. one with a time of day over a bare day;
2. one with an explicit offset over one without;
3. the JSON-LD node of the article itself (NewsArticle, BlogPosting...) over ``article:published_time``
   and the other ``<meta>`` names, and those over other JSON-LD nodes (a video, a related story);
4. then the page's order.

A time without an offset is read in the offset the page's other declarations use, else in
Asia/Jakarta (where the outlets this pipeline follows publish).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone

from lxml.etree import _Element

from tasks.dates import JAKARTA
from tasks.jsonld import jsonld_nodes
from tasks.page_type import article_type

LOGGER = logging.getLogger(__name__)

#: <meta> names/properties that carry the publication time, the Open Graph ones first.
META_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate",
    "publishdate", "dc.date.issued", "date",
)
_OPEN_GRAPH = frozenset(META_DATE_KEYS[:2])
#: Other times a page declares: they say which offset the page writes its times in.
_OTHER_TIME_KEYS = frozenset({"article:modified_time", "og:updated_time", "datemodified", "lastmod"})
_HAS_TIME = re.compile(r"\d[T\s]+\d{1,2}:\d{2}")
_HAS_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


def _parse(value: str) -> datetime | None:
    """An ISO-8601 value as a datetime (naive when it has no offset), or None."""
    value = re.sub(r"(\d)\s+T(\d)", r"\1T\2", value.strip())  # "2015-11-05 T10:08:58Z"
    value = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value)  # "+0200" (Python 3.11 reads both, 3.10 not)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_timestamp(value: str, zone: "timezone | None" = None) -> datetime | None:
    """One declared value as an aware datetime; one without an offset is read in ``zone``
    (default Asia/Jakarta)."""
    stamp = _parse(value)
    if stamp is None:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=zone or JAKARTA)


def _declarations(tree: _Element) -> tuple[list[tuple[int, str]], list[str]]:
    """(source rank, value) of every publication time the page declares, in page order, and the
    other times it declares (modified, updated)."""
    found: list[tuple[int, str]] = []
    others: list[str] = []
    for node in jsonld_nodes(tree):
        value = node.get("datePublished")
        if isinstance(value, str) and value.strip():
            found.append((0 if article_type(node.get("@type")) else 3, value))
        if isinstance(node.get("dateModified"), str):
            others.append(node["dateModified"])
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in META_DATE_KEYS and (meta.get("content") or "").strip():
            found.append((1 if key in _OPEN_GRAPH else 2, meta.get("content")))
        elif key in _OTHER_TIME_KEYS and meta.get("content"):
            others.append(meta.get("content"))
    return found, others


def declared_published_at(tree: _Element) -> datetime | None:
    """The publication time the page declares (see the module docstring), or None."""
    declared, others = _declarations(tree)
    ranked = []
    for order, (rank, value) in enumerate(declared):
        stamp = _parse(value)
        if stamp is None:
            continue
        ranked.append(((not _HAS_TIME.search(value), stamp.tzinfo is None, rank, order), value))
    if not ranked:
        return None
    _, value = min(ranked)
    # an offset other than UTC if the page uses one (UTC is also what sites write local time as)
    offsets = (stamp.utcoffset() for v in [*(v for _, v in declared), *others]
               if _HAS_TIME.search(v) and (stamp := _parse(v)) is not None and stamp.tzinfo is not None)
    local = next((o for o in offsets if o != timedelta(0)), None)
    return parse_timestamp(value, timezone(local) if local is not None else None)

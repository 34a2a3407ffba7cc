"""Unchanged bodies: work proportional to what changed (issue 11).

A page whose fetched bytes are exactly those its stored article was extracted from, by the same
extractor version, would give the same article again: it is not extracted, normalised,
deduplicated, enriched or merged. The load records its fetch (and WARC capture, frontier row)
as usual, counts it ``unchanged`` and moves its article's ``last_seen_at``.

- ``extractor_version()``: what "the same extractor" means: ``settings.PIPELINE_CODE_VERSION``
  (bump it when extraction or cleaning code changes meaning) and the installed versions of the
  libraries that extract. A change of either re-extracts every page on the next run.
- ``stored_bodies(path, urls, reextract)``: URL -> (body hash, article id, page type,
  reason) for the run's URLs, read once before fetching (``reextract``: none, every page is
  extracted; the ingest flow reads them on the connection of tasks/fetch_plan.py). A page
  that gave no article (a video or index page) has article id ``warehouse.bodies.NO_ARTICLE``
  and its recorded page type: it is skipped again unextracted.
- ``changed(batch, stored)`` / ``unchanged(batch, stored)``: a fetched batch split by that;
  ``to_extract(batch, stored)``: the changed ones with a body (none: no extract task at all).

Not covered by "the same body": the site profiles learned since (tasks/boilerplate.py) and the
run's sources file. An unchanged page keeps the text it was stored with, as a 304 answer does;
``kabar ingest --reextract`` (or ``kabar reextract`` from the captures) applies them.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from kabar import settings
from kabar.config import Warehouse
from kabar.models import Fetched

#: The libraries whose output is the extracted article (their version is part of the extractor's).
EXTRACTING_LIBRARIES = ("trafilatura", "htmldate", "justext", "lxml", "charset-normalizer")


@lru_cache(maxsize=None)
def _library_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in EXTRACTING_LIBRARIES:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=-")
    return ",".join(found)


def extractor_version() -> str:
    """The extraction code's version, as stored beside each extracted body."""
    return f"kabar={settings.PIPELINE_CODE_VERSION};{_library_versions()}"


def body_digest(fetched: Fetched) -> str | None:
    """sha256 (32 hex) of a fetched body and of pages 2.. of a multi-page article; None without a body."""
    if fetched.body is None:
        return None
    digest = hashlib.sha256(fetched.body)
    for page in fetched.extra_pages:
        digest.update(b"\x00page\x00")
        digest.update(page)
    return digest.hexdigest()[:32]


def unchanged(batch: list[Fetched], stored: dict[str, tuple[str, ...]] | None) -> dict[str, tuple[str, str, str]]:
    """URL -> (article id, page type, reason) of the good fetches in ``batch`` whose body is the
    stored one (article id ``NO_ARTICLE`` for a page that gave none)."""
    if not stored:
        return {}
    same = {}
    for fetched in batch:
        known = stored.get(fetched.item.url)
        if known is not None and fetched.ok and body_digest(fetched) == known[0]:
            same[fetched.item.url] = tuple(known[1:4])
    return same


def changed(batch: list[Fetched], stored: dict[str, tuple[str, ...]] | None,
            same: dict[str, tuple[str, str, str]] | None = None) -> list[Fetched]:
    """The fetches of ``batch`` that are not unchanged bodies (these are extracted); ``same``:
    ``unchanged(batch, stored)`` when the caller has it already (each body is hashed once)."""
    if not stored:
        return batch
    if same is None:
        same = unchanged(batch, stored)
    return [f for f in batch if f.item.url not in same]


def to_extract(batch: list[Fetched], stored: dict[str, tuple[str, ...]] | None,
               same: dict[str, tuple[str, str, str]] | None = None) -> list[Fetched]:
    """The fetches of ``batch`` extraction would look at: good ones whose body is not the stored
    one (a failed fetch or a 304 has no body to extract). Empty: the batch needs no extract task."""
    return [f for f in changed(batch, stored, same) if f.ok]


def stored_bodies(path: Warehouse, urls: list[str], reextract: bool = False) -> dict[str, tuple[str, str, str, str]]:
    """URL -> (body hash, article id, page type, reason) of these URLs extracted by the current
    extractor version (warehouse/bodies.py ``lookup``)."""
    if reextract:
        return {}
    from warehouse.bodies import stored_bodies as read

    return read(path, urls, extractor_version())

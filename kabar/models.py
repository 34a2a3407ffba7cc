"""The records that travel between pipeline stages, in batches (lists of these).

discover -> Item; fetch -> Fetched (an Item plus what came back); extract/normalise -> Article;
dedupe fills the Article's identity and duplicate fields; enrich adds enrichment outputs; load
writes everything. Plain dataclasses: cheap to build, pickle and hash, no live objects inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Literal, TypeVar

T = TypeVar("T")

ItemKind = Literal["http", "file", "warc"]


@dataclass(slots=True)
class Item:
    """One thing to fetch: a URL, a local file, or a record inside a WARC file."""

    url: str
    source: str
    kind: ItemKind = "http"
    path: str | None = None  # local file, or the WARC file holding the record
    offset: int | None = None  # byte offset of the record inside the WARC file
    title_hint: str | None = None  # title from the feed or sitemap, when one was given
    published_hint: datetime | None = None
    etag: str | None = None  # validators from the frontier, sent as a conditional GET
    last_modified: str | None = None
    page_of: str | None = None  # set on page 2.. of a multi-page article: the first page's URL


@dataclass(slots=True)
class Fetched:
    """The outcome of fetching an Item. `error` is None when a usable body came back."""

    item: Item
    fetched_at: datetime
    status_code: int | None = None
    error: str | None = None
    body: bytes | None = None
    content_type: str | None = None
    final_url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    warc_record_id: str | None = None  # the captured response's WARC-Record-ID
    extra_pages: list[bytes] = field(default_factory=list)  # pages 2.. of a multi-page article

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None

    @property
    def not_modified(self) -> bool:
        """A conditional GET answered 304: nothing to extract, the stored article stands."""
        return self.status_code == 304 and self.error is None

    def release_body(self) -> None:
        """Drop the page's bytes once its batch is loaded (nothing reads them afterwards).

        Issue 11, bounded memory: the batch's fetched list outlives the batch in reference
        cycles the run does not own (Prefect's task-run engines of the fetch and extract tasks,
        with their parameters and result records), which only a full garbage collection frees,
        rare in a process of a million long-lived objects: a 1,000-page run's main process held
        600 ``Fetched`` (three batches of real pages' bytes, about 80 MB) while two batches were
        in flight, and ``gc.collect()`` then freed 400 of them. What a loaded batch leaves
        behind now holds no page bytes (tests/flows/test_ingest_memory.py)."""
        self.body = None
        self.extra_pages = []


@dataclass(slots=True)
class Article:
    """An extracted, normalised article on its way to the warehouse."""

    url: str
    source: str
    fetched_at: datetime
    text: str
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    sitename: str | None = None
    outlet: str | None = None
    language: str | None = None
    language_hint: str | None = None
    canonical_url: str | None = None
    content_hash: str | None = None
    article_id: str | None = None
    duplicate_of: str | None = None
    #: Where ``published_at`` came from: ``metadata`` (the page's or feed's own), ``text`` (a
    #: date line on the page), ``estimate`` (a full date the text states: dateline, lead); None
    #: when undated (``published_at`` is then None too, never the ingest day).
    published_at_source: str | None = None
    #: The summary the page declares in its metadata (og:description, <meta name=description>);
    #: a standfirst that repeats it is kept here, not in ``text``. None when it declares none.
    description: str | None = None
    #: Outputs of enrichers: {enricher name: Enrichment}; filled by the enrich stage.
    enrichments: dict[str, Any] = field(default_factory=dict)
    #: Free-form metadata stages attach for later ones (dateline, removed spans, ...).
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class Window:
    """A publication-date window; an undated item or article is always inside it."""

    since: datetime | None = None
    until: datetime | None = None

    def contains(self, stamp: datetime | None) -> bool:
        if stamp is None:
            return True
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=timezone.utc)
        return (self.since is None or stamp >= self.since) and (self.until is None or stamp < self.until)


@dataclass(slots=True)
class StageError:
    """A per-item failure in a stage after fetching (extract, enrich, ...): recorded, never raised."""

    url: str
    source: str
    stage: str
    error: str


class RunStopped(RuntimeError):
    """Raised by a stage asked for work after its run was stopped (SIGTERM, Ctrl-C): the run is
    ending, nothing more is fetched or extracted, and the task must not be retried."""


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items (itertools.batched is Python 3.12+)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch

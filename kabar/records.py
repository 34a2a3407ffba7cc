"""Records two floors share (tasks decide them, the warehouse layer stores or reads them back):
site profiles, dedupe keys and candidates, story state, and the run's count names. Plain data,
no I/O: they live in the core so that neither floor imports the other's modules for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from kabar.text import line_key

if TYPE_CHECKING:
    # numpy is imported where a signature is stored or read, not at import: every command's
    # module imports this one (kabar.summary), and numpy was about a third of `kabar --help`.
    import numpy as np

#: What a run counts per source (columns of ``store.runs`` and the CLI summary).
COUNTS = ("discovered", "fetched", "failed", "new", "duplicate", "updated", "unchanged", "skipped")

#: The ``stage_errors`` stage of an item a run scheduled but never attempted (its time budget ran
#: out, or it was stopped by a signal): counted as skipped, not failed; the next run takes it up.
NOT_ATTEMPTED_STAGE = "not_attempted"

#: A line seen on at least this many pages of a site, and on at least this share of them, is boilerplate.
MIN_PAGES = 3
MIN_SHARE = 0.05


@dataclass
class SiteProfile:
    """What is known of one site: pages seen, and the keys of its boilerplate lines and title affixes."""

    site: str
    pages: int = 0
    lines: set[str] = field(default_factory=set)
    title_affixes: set[str] = field(default_factory=set)

    def is_boilerplate(self, line: str) -> bool:
        return line_key(line) in self.lines


@dataclass
class KnownKeys:
    """What the warehouse already holds for a batch's keys."""

    #: canonical_url -> (article_id, content_hash)
    by_url: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: content_hash -> article_id of the original holding that text
    by_hash: dict[str, str] = field(default_factory=dict)


@dataclass
class Candidate:
    """A stored article whose signature shares an LSH band with a batch article."""

    article_id: str
    original_id: str
    signature: np.ndarray


@dataclass
class StoryState:
    """A story as the matcher sees it: its dates, size and centroid (term -> summed weight)."""

    story_id: str
    title: str | None
    first_date: datetime | None
    last_date: datetime | None
    members: int
    terms: dict[str, float]
    norm: float


@dataclass
class StoryContext:
    """The warehouse's story state a batch needs (see ``warehouse.lookup.story_context``)."""

    df: dict[str, int] = field(default_factory=dict)
    documents: int = 0
    stories: dict[str, StoryState] = field(default_factory=dict)
    #: article_id of an original -> its story
    story_of: dict[str, str] = field(default_factory=dict)


#: MinHash signatures are stored as little-endian uint32 blobs.
def to_blob(sig: np.ndarray) -> bytes:
    import numpy as np

    return np.ascontiguousarray(sig, dtype="<u4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    import numpy as np

    return np.frombuffer(blob, dtype="<u4")

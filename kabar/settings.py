"""Defaults in one place. Every other module reads its defaults from here.

Environment variables override the defaults where noted; the sources file overrides them per run.
"""

from __future__ import annotations

import os
from pathlib import Path

from kabar import __version__

#: Where the warehouse lives when neither --warehouse nor KABAR_WAREHOUSE is given.
DEFAULT_WAREHOUSE = Path("data") / "kabar.duckdb"

USER_AGENT = f"kabar/{__version__} (+https://github.com/kabar-news/kabar; news research crawler)"

#: Fetch defaults (per request and per host); the sources file may override them.
REQUEST_TIMEOUT_S = 20.0
MAX_RETRIES = 3
BACKOFF_BASE_S = 0.5
PER_HOST_CONCURRENCY = 2
GLOBAL_CONCURRENCY = 32
MAX_BODY_BYTES = 8 * 1024 * 1024

#: Dedupe and stories defaults (the sources file's [dedupe] section overrides them).
NEAR_DUPLICATE_THRESHOLD = 0.7  # estimated Jaccard similarity of word 3-gram sets
NEAR_DUPLICATE_WINDOW_DAYS = 30  # how far back (by first-seen time) the signature index is searched; 0 = all
SHINGLE_SIZE = 3
STORY_THRESHOLD = 0.13  # cosine similarity of salient-term vectors to join a story
STORY_WINDOW_DAYS = 3  # an article joins a story whose dates are within this many days

#: How many articles travel together between tasks.
BATCH_SIZE = 200


def warehouse_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the warehouse path: explicit argument, then $KABAR_WAREHOUSE, then the default."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("KABAR_WAREHOUSE")
    if env:
        return Path(env)
    return DEFAULT_WAREHOUSE


def data_dir(warehouse: Path) -> Path:
    """The directory beside the warehouse file for raw captures, locks and profiles."""
    return warehouse.parent

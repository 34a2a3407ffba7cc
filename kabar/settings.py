"""Defaults in one place. Every other module reads its defaults from here.

Environment variables override the defaults where noted; the sources file overrides them per run.
"""

from __future__ import annotations

import os
from pathlib import Path

from kabar import __version__

#: Where the warehouse lives when neither --warehouse, $KABAR_WAREHOUSE nor a sources file's
#: [warehouse] section says (kabar.config.resolve_warehouse).
DEFAULT_WAREHOUSE = Path("data") / "kabar.duckdb"

USER_AGENT = f"kabar/{__version__} (+https://github.com/kabar-news/kabar; news research crawler)"

#: Fetch defaults (per request and per host); the sources file may override them.
REQUEST_TIMEOUT_S = 20.0
MAX_RETRIES = 3
BACKOFF_BASE_S = 0.5
PER_HOST_CONCURRENCY = 2
GLOBAL_CONCURRENCY = 32
MAX_BODY_BYTES = 8 * 1024 * 1024
#: Politeness and resilience defaults (docs/fetching.md explains each).
MAX_BODY_BYTES_LIMIT = 256 * 1024 * 1024  # the most max_body_bytes may be set to
MAX_ROBOTS_BYTES = 512 * 1024  # a longer robots.txt is not read (Google reads 500 KiB)
URL_BUDGET_S = 150.0  # one URL, retries included
HOST_BUDGET_S = 300.0  # time lost to timeouts on one host in one fetch call before it is skipped
TOTAL_TIMEOUT_S = 60.0  # a whole request, body included: stops slow-drip bodies
MIN_HOST_DELAY_S = 0.0  # spacing between request starts per host (Crawl-delay raises it)
MAX_REDIRECTS = 10
MAX_RETRY_AFTER_S = 120.0  # a longer Retry-After gives up for this run (retried next run)
MAX_ARTICLE_PAGES = 10  # pages of one multi-page article followed
MAX_LISTING_PAGES = 5  # pages of a listing source followed when the source does not say
REVISIT_HOURS = 0.0  # a fetched article is re-checked (conditional GET) only after this long
RETRY_BASE_MINUTES = 60.0  # a failed URL is retried after 1 h, 2 h, 4 h ... on later runs
MAX_FAILURES = 5  # after this many failed runs a URL is given up (frontier status 'gave_up')
WARC_RETENTION_DAYS = 30  # captured WARC files older than this are deleted; 0 keeps them all

#: Dedupe and stories defaults (the sources file's [dedupe] section overrides them).
NEAR_DUPLICATE_THRESHOLD = 0.7  # estimated Jaccard similarity of word 3-gram sets
NEAR_DUPLICATE_WINDOW_DAYS = 30  # how far back (by first-seen time) the signature index is searched; 0 = all
SHINGLE_SIZE = 3
STORY_THRESHOLD = 0.08  # the cosine of salient-term vectors below which no story is joined (the model decides above)
STORY_WINDOW_DAYS = 3  # an article joins a story whose dates are within this many days

#: How many articles travel together between tasks.
BATCH_SIZE = int(os.environ.get("KABAR_BATCH_SIZE", "200"))  # env: for tests and tuning

#: Orchestration defaults: the task runner ("default" | "dask", $KABAR_TASK_RUNNER),
#: how many batches are in flight at once, and the failure webhook ($KABAR_WEBHOOK_URL).
TASK_RUNNER = os.environ.get("KABAR_TASK_RUNNER", "default")
BATCHES_IN_FLIGHT = 2
#: A run's time budget in minutes (`[run] max_run_minutes`, `kabar ingest --max-minutes`): once
#: spent, no new batch starts; the batches in flight are finished and loaded and the items not
#: attempted are left for the next run. 0 means no budget; at most MAX_RUN_MINUTES_LIMIT (a week).
MAX_RUN_MINUTES = 0.0
MAX_RUN_MINUTES_LIMIT = 7 * 24 * 60.0
#: Extraction runs in worker processes (tasks/extract_pool.py says why): how many
#: ($KABAR_EXTRACT_PROCESSES; 0 extracts in the calling thread), pages per chunk sent to one,
#: the address-space cap of each (MB; a runaway page gets a MemoryError) and how many chunks a
#: worker does before it is replaced.
EXTRACT_PROCESSES = int(os.environ.get("KABAR_EXTRACT_PROCESSES", str(min(2, os.cpu_count() or 1))))
EXTRACT_CHUNK = 25
EXTRACT_WORKER_MEMORY_MB = 3072
EXTRACT_CHUNKS_PER_WORKER = 40
WEBHOOK_TIMEOUT_S = 10.0
#: Run health (issue 16; [run] max_failed_share / max_silent_share): a run whose share of failed
#: items (failed / (fetched + failed)) or of silent-or-failing sources passes these ends
#: `completed_with_errors` (non-zero exit, Failed in Prefect, webhook called).
MAX_FAILED_SHARE = 0.2
MAX_SILENT_SHARE = 0.25
#: Bump when extraction or enrichment code changes meaning: cached batch results are keyed on it,
#: and an unchanged page is re-extracted only when it differs from the stored body's version.
#: 2: bodies trimmed to the page's main paragraph containers and script-carried articles
#: (tasks/main_blocks.py, issue 13, round 6). 3: front/index pages and saved feeds are listings,
#: not articles; header labels, the opening headline and other pages' headline links leave bodies
#: (tasks/page_type.py, tasks/candidates.py, issue 13, round 7). 4: the main containers of a
#: CMS that wraps each paragraph alone count as one group, and article paragraphs trafilatura's
#: precision run dropped or cut short go back (tasks/main_blocks.py, issue 13, round 8). 5: a
#: standfirst the page declares as its <meta> description and a key-points list printed above
#: the article's containers leave bodies; ruby annotations with <rp> brackets are written in line
#: (tasks/main_blocks.py, tasks/boilerplate.py, issue 13, round 9). 6: a dateline alone on the
#: first line ("ISTANBUL, 23 Februari 2016 (Antara/PRNewswire) -") leaves the text for the meta
#: (tasks/datelines.py ``dateline_alone``, issue 14, round 14).
PIPELINE_CODE_VERSION = "6"
#: The Prefect schedule of the nightly deployment.
NIGHTLY_CRON = "0 2 * * *"
#: The newsroom time zone: dates without a zone (pages, --since, deployment parameters) are
#: read in it, and the nightly schedule runs in it.
TIMEZONE = "Asia/Jakarta"
SCHEDULE_TIMEZONE = TIMEZONE


def user_data_dir() -> Path:
    """kabar's per-user data folder: $KABAR_DATA_DIR, else $XDG_DATA_HOME/kabar, else
    ~/.local/share/kabar (outside any checkout of the code)."""
    explicit = os.environ.get("KABAR_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share") / "kabar"


def deployed_warehouse_path() -> Path:
    """Where a deployed run (Prefect worker or `kabar serve`) loads when neither the run's
    `warehouse` parameter, $KABAR_WAREHOUSE nor the sources file's [warehouse] names one: the
    user data folder, never the checkout the worker starts in (the deployment's pull step makes
    the working directory the project clone, where ./data/kabar.duckdb would land)."""
    return user_data_dir() / "kabar.duckdb"


#: Data-quality checks: how far in the future a publication date may lie (clock skew, time zones).
FUTURE_TOLERANCE_HOURS = 24.0

#: A second `kabar ingest` on the same DuckDB file waits this long for the running one to
#: finish before exiting with "warehouse busy" ($KABAR_LOCK_WAIT or `kabar ingest --wait`).
RUN_LOCK_WAIT_S = 0.0

#: The warehouse backend when the sources file has no [warehouse] section: "duckdb" (one file)
#: or "ducklake" (a PostgreSQL catalog and a data path; see docs/warehouse.md).
WAREHOUSE_BACKEND = "duckdb"

#: `kabar sources discover` / `check`: a feed or news sitemap whose newest item is at most this
#: many days old is "fresh"; how many child sitemaps of an index are read (the newest); how many
#: section pages of the home page are tried as listing pages when no feed or sitemap works.
DISCOVERY_FRESH_DAYS = 7
DISCOVERY_SITEMAP_CHILDREN = 3
DISCOVERY_MAX_LISTINGS = 5

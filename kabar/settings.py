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

#: How many articles travel together between tasks.
BATCH_SIZE = int(os.environ.get("KABAR_BATCH_SIZE", "200"))  # env: for tests and tuning

#: Orchestration defaults (issue 8): the task runner ("default" | "dask", $KABAR_TASK_RUNNER),
#: how many batches are in flight at once, and the failure webhook ($KABAR_WEBHOOK_URL).
TASK_RUNNER = os.environ.get("KABAR_TASK_RUNNER", "default")
BATCHES_IN_FLIGHT = 2
WEBHOOK_TIMEOUT_S = 10.0
#: Bump when extraction or enrichment code changes meaning: cached batch results are keyed on it.
PIPELINE_CODE_VERSION = "1"
#: The Prefect schedule of the nightly deployment.
NIGHTLY_CRON = "0 2 * * *"
SCHEDULE_TIMEZONE = "Asia/Jakarta"


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

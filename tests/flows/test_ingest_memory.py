"""A long run's memory follows its batches in flight, not its length (issue 11): what a loaded
batch leaves behind in the ingest process holds no page bytes."""

from __future__ import annotations

import gc
from pathlib import Path

from benchmarks.corpus import write_files
from flows.ingest import ingest
from kabar.models import Fetched


def test_loaded_batches_leave_no_page_bytes_behind(tmp_path: Path) -> None:
    """Prefect's task-run engines keep each batch's fetched list in reference cycles that only a
    full garbage collection frees (rare in a process of a million long-lived objects: a 1,000-page
    run held a third batch of pages beside the two in flight). With the collector off, as between
    its full passes, every Fetched the run made is still in memory at its end: none may still
    hold its page's bytes (Fetched.release_body after the load)."""
    pages = tmp_path / "halaman"
    write_files(pages, 4)
    gc.collect()
    gc.disable()
    try:
        summary = ingest(paths=[str(pages)], warehouse=str(tmp_path / "wh" / "kabar.duckdb"), batch_size=1)
        fetched = [o for o in gc.get_objects() if isinstance(o, Fetched)]
        with_bytes = [f.item.url for f in fetched if f.body is not None or f.extra_pages]
    finally:
        gc.enable()
    assert summary["by_source"]["halaman"]["new"] == 4
    assert len(fetched) >= 4  # the run's fetches are still there, uncollected ...
    assert with_bytes == []  # ... without their pages

"""A long run's memory follows its batches in flight, not its length (issue 11): what a loaded
batch leaves behind in the ingest process holds no page bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.corpus import write_files
from flows.ingest import ingest
from kabar.models import Fetched


def test_loaded_batches_leave_no_page_bytes_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Prefect's task-run engines keep each batch's fetched list in reference cycles that only a
    full garbage collection frees (rare in a process of a million long-lived objects: a 1,000-page
    run held a third batch of pages beside the two in flight). So whoever still holds a Fetched
    after its batch is loaded must find no page bytes in it (Fetched.release_body after the load).

    Every Fetched the run makes is kept here, as such a cycle would keep it. (This test first
    looked for them with the collector off; which of them a cycle still held varied from run to
    run, 3 of 4 in one CI run in about six, so its check that all 4 were there failed by chance.)"""
    made: list[Fetched] = []
    init = Fetched.__init__

    def kept(self: Fetched, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(Fetched, "__init__", kept)
    pages = tmp_path / "halaman"
    write_files(pages, 4)
    summary = ingest(paths=[str(pages)], warehouse=str(tmp_path / "wh" / "kabar.duckdb"), batch_size=1)
    assert summary["by_source"]["halaman"]["new"] == 4
    fetched_pages = [f for f in made if f.item.url.endswith(".html")]
    assert len(fetched_pages) >= 4  # every page's fetch ...
    assert [f.item.url for f in made if f.body is not None or f.extra_pages] == []  # ... without its bytes

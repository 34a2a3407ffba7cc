"""The reextract flow: rebuild articles from captured WARC files with the current extraction
code, no network: captured records -> extract -> normalise -> dedupe -> enrich -> load."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, task
from prefect.cache_policies import NONE as NO_CACHE

from kabar import settings
from kabar.models import Fetched, Window, batched
from tasks.capture import capture_files, captured_items, read_pages
from tasks.dedupe import dedupe_task
from tasks.enrich import enrich_task
from tasks.extract import extract_task
from tasks.fetch import fetch_batch
from tasks.load import Counts, finish_run_task, load_task, start_run_task
from tasks.normalise import normalise_task
from warehouse.run_report import run_ids


@task(name="read-captures", cache_policy=NO_CACHE)
def read_captures_task(items: list, pages: dict[str, list[tuple[str, int]]]) -> list[Fetched]:
    """The captured responses of a batch, with pages 2.. of multi-page articles attached."""
    fetched = fetch_batch(items, settings_for_reading())
    for outcome in fetched:
        if outcome.ok and outcome.item.url in pages:
            outcome.extra_pages = read_pages(pages[outcome.item.url])
    return fetched


def settings_for_reading():
    from kabar.config import FetchSettings

    return FetchSettings(capture=False)


@flow(name="reextract", flow_run_name="reextract", log_prints=False, validate_parameters=True)
def reextract(warehouse: str | None = None, since: datetime | None = None,
              batch_size: int = settings.BATCH_SIZE) -> dict:
    """Re-extract every captured article (the newest capture per URL, captured at or after
    ``since``) into the warehouse; returns the run summary."""
    path = str(settings.warehouse_path(warehouse))
    files = capture_files(path, run_ids(path))  # before this run is recorded
    run_id = start_run_task(path, "reextract", {"since": since})
    counts = Counts()
    try:
        captured = captured_items(None, since, files)
        for item in captured.items:
            counts.add(item.source, "discovered")
        for batch in batched(captured.items, batch_size):
            fetched = read_captures_task(batch, captured.pages)
            extracted, errors = extract_task(fetched)
            kept, skipped = normalise_task(extracted, {}, Window())
            for article in skipped:
                counts.add(article.source, "skipped")
            enriched = enrich_task(dedupe_task(kept, path))
            counts.merge(load_task(path, run_id, [], enriched, errors))
    except BaseException as exc:
        finish_run_task(path, run_id, counts, "failed", f"{type(exc).__name__}: {exc}"[:500])
        raise
    finish_run_task(path, run_id, counts)
    return {"run_id": run_id, "warehouse": path, "state": "completed", "by_source": counts.by_source}

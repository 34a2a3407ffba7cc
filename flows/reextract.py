"""The reextract flow: rebuild articles from captured WARC files with the current extraction
code, no network: captured records -> extract -> normalise -> dedupe -> enrich -> load."""

from __future__ import annotations

from datetime import datetime

from prefect import flow
from prefect.cache_policies import NONE as NO_CACHE

from flows.runner import recorded_run
from kabar import settings
from kabar.config import FetchSettings, resolve_warehouse
from kabar.models import Fetched, Window, batched
from kabar.tasking import task
from tasks.boilerplate import site_profiles_task
from tasks.capture import capture_files, captured_items, read_pages
from tasks.dedupe import dedupe_task
from tasks.enrich import enrich_task
from tasks.extract import extract_task
from tasks.fetch import fetch_batch
from tasks.index import index_task
from tasks.load import load_task
from tasks.normalise import normalise_task
from warehouse.run_report import run_ids


@task(name="read-captures", cache_policy=NO_CACHE)
def read_captures_task(items: list, pages: dict[str, list[tuple[str, int]]]) -> list[Fetched]:
    """The captured responses of a batch, with pages 2.. of multi-page articles attached."""
    fetched = fetch_batch(items, FetchSettings(capture=False))
    for outcome in fetched:
        if outcome.ok and outcome.item.url in pages:
            outcome.extra_pages = read_pages(pages[outcome.item.url])
    return fetched


@flow(name="reextract", flow_run_name="reextract", log_prints=False, validate_parameters=True)
def reextract(warehouse: str | None = None, since: datetime | None = None,
              batch_size: int = settings.BATCH_SIZE) -> dict:
    """Re-extract every captured article (the newest capture per URL, captured at or after
    ``since``) into the warehouse (resolved by the caller, else $KABAR_WAREHOUSE, else the default
    file); returns the run summary."""
    path = resolve_warehouse(warehouse)
    files = capture_files(path, run_ids(path))  # before this run is recorded
    with recorded_run(path, "reextract", {"since": since}) as run:
        captured = captured_items(None, since, files)
        for item in captured.items:
            run.counts.add(item.source, "discovered")
        for batch in batched(captured.items, batch_size):
            run.stop_if_signalled()  # a signal some library swallowed (flows/runner.py ledgered_signals)
            fetched = read_captures_task(batch, captured.pages)
            extracted, errors = extract_task(fetched)
            # the same learned boilerplate as ingest applies, so unchanged captures give unchanged text
            kept, skipped = normalise_task(extracted, {}, Window(), site_profiles_task(path, extracted))
            for article in skipped:
                run.counts.add(article.source, "skipped")
            enriched = enrich_task(dedupe_task(kept, path))
            run.counts.merge(load_task(path, run.run_id, [], enriched, errors))
        # as ingest's last step: the new texts in the search index, the explorer's copies current
        index_task(path)
    return run.summary()

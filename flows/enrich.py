"""The enrich flow: re-run enrichers whose version changed over stored articles (no refetching).

plan (stale article/enricher pairs) -> for each batch: read articles -> enrich -> load enrichments.
"""

from __future__ import annotations

from datetime import datetime

from prefect import flow

from flows.runner import recorded_run
from kabar import progress, settings
from kabar.config import EnrichSettings, resolve_warehouse
from kabar.models import batched
from tasks.index import summaries_task
from tasks.load import load_enrichments_task
from tasks.reenrich import enrich_stale_task, read_articles_task, stale_pairs_task, versions_task


def _run_name() -> str:
    from prefect.runtime import flow_run

    only = flow_run.parameters.get("only") or []
    return f"enrich[{','.join(only)[:60] or 'all'}]"


@flow(name="enrich", flow_run_name=_run_name, log_prints=False, validate_parameters=True)
def enrich(
    only: list[str] | None = None,
    since: datetime | None = None,
    force: bool = False,
    knowledge_base: list[str] | None = None,
    themes: str | None = None,
    warehouse: str | None = None,
    batch_size: int = settings.BATCH_SIZE,
    limit: int | None = None,
) -> dict:
    """Re-run the chosen enrichers (all by default) where stale; returns the run summary.

    ``since`` limits to articles published on or after it; ``force`` re-runs even fresh pairs;
    ``knowledge_base`` adds KB files; ``themes`` replaces the themes taxonomy; ``limit`` re-enriches
    at most that many articles (the first by id); ``warehouse`` is resolved by the caller (else
    $KABAR_WAREHOUSE, else the default file)."""
    path = resolve_warehouse(warehouse)
    enrichment = EnrichSettings(knowledge_base=tuple(knowledge_base or ()), themes=themes)
    versions = versions_task(only, enrichment)
    params = {"only": only, "since": since, "force": force, "knowledge_base": knowledge_base, "themes": themes,
              "versions": versions}
    by_enricher: dict[str, int] = dict.fromkeys(versions, 0)
    with recorded_run(path, "enrich", params) as run:
        pairs = stale_pairs_task(path, versions, since, force, limit)
        progress.total("enrich", len(pairs))
        for batch in batched(pairs, batch_size):
            run.stop_if_signalled()  # a signal some library swallowed (flows/runner.py ledgered_signals)
            articles = read_articles_task(path, [article_id for article_id, _ in batch])
            run.counts.merge(load_enrichments_task(path, run.run_id, enrich_stale_task(articles, batch, enrichment)))
            progress.advance("enrich", len(batch))
            for _, names in batch:
                for name in names:
                    by_enricher[name] += 1
        summaries_task(path)  # the explorer's copies show the new entities, not the live views' slow answer
        failed = run.counts.total()["failed"]
        if failed:
            run.state, run.message = "completed_with_warnings", f"{failed} article(s) had an enricher error"
    return run.summary(by_enricher=by_enricher, versions=versions)

"""The enrich flow: re-run enrichers whose version changed over stored articles (no refetching).

plan (stale article/enricher pairs) -> for each batch: read articles -> enrich -> load enrichments.
"""

from __future__ import annotations

from datetime import datetime

from prefect import flow

from kabar import progress, settings
from kabar.models import batched
from tasks.load import Counts, finish_run_task, load_enrichments_task, start_run_task
from tasks.reenrich import enrich_stale_task, prepare_task, read_articles_task, stale_pairs_task


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
) -> dict:
    """Re-run the chosen enrichers (all by default) where stale; returns the run summary.

    ``since`` limits to articles published on or after it; ``force`` re-runs even fresh pairs;
    ``knowledge_base`` adds KB files; ``themes`` replaces the themes taxonomy."""
    path = str(settings.warehouse_path(warehouse))
    versions = prepare_task(only, knowledge_base, themes)
    run_id = start_run_task(path, "enrich", {"only": only, "since": since, "force": force,
                                             "knowledge_base": knowledge_base, "themes": themes,
                                             "versions": versions})
    counts = Counts()
    by_enricher: dict[str, int] = dict.fromkeys(versions, 0)
    try:
        pairs = stale_pairs_task(path, versions, since, force)
        progress.total("enrich", len(pairs))
        for batch in batched(pairs, batch_size):
            articles = read_articles_task(path, [article_id for article_id, _ in batch])
            enriched = enrich_stale_task(articles, batch)
            counts.merge(load_enrichments_task(path, run_id, enriched))
            progress.advance("enrich", len(batch))
            for _, names in batch:
                for name in names:
                    by_enricher[name] += 1
    except BaseException as exc:
        finish_run_task(path, run_id, counts, "failed", f"{type(exc).__name__}: {exc}"[:500])
        raise
    failed = counts.total()["failed"]
    state = "completed_with_warnings" if failed else "completed"
    finish_run_task(path, run_id, counts, state, f"{failed} article(s) had an enricher error" if failed else None)
    return {"run_id": run_id, "warehouse": path, "state": state, "by_source": counts.by_source,
            "by_enricher": by_enricher, "versions": versions}

"""The ``reenrich`` deployment's entry point: re-run enrichers over stored articles.

The enrich flow itself lives in ``flows/enrich.py`` (``kabar enrich``); this wrapper imports it
lazily so deployments register even where that module is not installed yet, and passes on only
the parameters the enrich flow takes.
"""

from __future__ import annotations

import inspect

from prefect import flow

from kabar.notify import on_run_failure


@flow(name="reenrich", flow_run_name="reenrich[{enrichers}]", validate_parameters=True,
      on_failure=[on_run_failure], on_crashed=[on_run_failure])
def reenrich(
    warehouse: str | None = None,
    enrichers: list[str] | None = None,
    force: bool = False,
    limit: int | None = None,
) -> dict:
    """Run the enrich flow over the warehouse's articles whose enrichment is missing or stale
    (``force``: all of them); returns the enrich flow's result."""
    from flows.runner import in_deployment
    from warehouse.backend import resolve_for_run

    if warehouse is None and in_deployment():  # never the checkout the worker starts in
        warehouse = resolve_for_run(None, None, deployed=True)
    try:
        from flows.enrich import enrich
    except ImportError as exc:
        raise RuntimeError(f"the enrich flow (flows/enrich.py) is not available: {exc}") from None
    offered = {"warehouse": warehouse, "enrichers": enrichers, "names": enrichers, "force": force, "limit": limit}
    accepted = inspect.signature(enrich.fn).parameters
    return enrich(**{k: v for k, v in offered.items() if k in accepted and v is not None})

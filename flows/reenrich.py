"""The ``reenrich`` deployment's entry point: re-run enrichers over stored articles.

A thin flow over the enrich flow (``flows/enrich.py``, ``kabar enrich``) under the deployment's
own name and parameter names: ``enrichers`` is the enrich flow's ``only``.
"""

from __future__ import annotations

from prefect import flow

from flows.enrich import enrich
from flows.runner import in_deployment
from kabar.config import resolve_warehouse
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
    (``force``: all of them; ``enrichers``: only these; ``limit``: at most that many articles);
    returns the enrich flow's result. Started from a deployment with no ``warehouse``, it uses the
    deployed default (the user data folder), never the checkout the worker starts in."""
    if warehouse is None and in_deployment():
        warehouse = str(resolve_warehouse(None, deployed=True))  # a flow parameter: the spec
    return enrich(only=enrichers, force=force, limit=limit, warehouse=warehouse)

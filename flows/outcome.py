"""The Failed state a flow returns for a run it recorded as unhealthy, with data that survives
Prefect's round trip through its API.

Why (a flake seen in fresh-clone CI, ``tests/flows/test_run_budget.py``): Prefect 3.8.8's flow
engine proposes the returned state to its API (``propose_state_sync`` in
prefect/utilities/engine) and, if the API *rejects* the proposal, goes on with the API's copy of
the state instead of its own (``return response.state``); the caller's result then comes from
that copy (``FlowRunEngine.result`` falls through to ``self.state.result()`` whenever the flow
returned a State). The API's copy carries data only when the result was persisted: an
unpersisted result is dropped before the state is sent (``to_state_create``). A rejection of our
own state happens when the client sends the same transition twice: its HTTP layer retries the
``set_state`` POST (a 503 from a busy SQLite API, a read timeout, a dropped connection:
prefect/client/base.py) after the API had committed the first one, and the API's
``PreventDuplicateTransitions`` rule rejects the repeat (same ``transition_id``), answering
with the state it already holds. The caller then got Prefect's ``FailedRun`` with the state's
message instead of the RunUnhealthy carrying the run summary.

So the RunUnhealthy is written to Prefect's default result storage before the state is
returned (one small file per unhealthy run, ``$PREFECT_HOME/storage`` unless configured): the
state sent to the API then carries the record's address, and even the API's copy reads back to
the same exception. A healthy run returns a plain value, which the engine keeps itself.
"""

from __future__ import annotations

import logging
from typing import Any

LOGGER = logging.getLogger(__name__)


def unhealthy_state(name: str, message: str | None, error: BaseException) -> Any:
    """A Failed state named ``name`` with ``message`` whose data is ``error``, persisted in
    Prefect's default result storage so the API's copy of the state still reads back to it.
    When it cannot be written (a read-only storage, say) the state carries ``error`` in memory
    only, as before: the run's outcome never depends on this file."""
    from prefect.results import ResultStore, get_default_result_storage
    from prefect.states import Failed

    data: Any = error
    try:
        # A store of our own, not the flow run's: the flow run's keeps metadata apart
        # (metadata_storage=NullFileSystem) and writes the bare result, which a store built from
        # the state's metadata (prefect.states.get_state_exception) cannot read back.
        store = ResultStore(result_storage=get_default_result_storage())
        record = store.create_result_record(error)
        store.persist_result_record(record)
        data = record
    except Exception as exc:  # noqa: BLE001 - the in-memory data is the fallback
        LOGGER.warning("the unhealthy run's outcome was not persisted (%s); it is kept in memory only", exc)
    return Failed(name=name, message=message, data=data)

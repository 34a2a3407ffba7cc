"""A flow run's parameters sent to the API without importing FastAPI (issue 11: fixed costs).

Prefect 3.8.8's ``Flow.serialize_parameters`` (prefect/flows.py) imports
``fastapi.encoders.jsonable_encoder`` to turn the parameters into JSON for the flow run it
creates: the first call imports FastAPI, Starlette and their pydantic models, about 0.5 CPU s
of every `kabar ingest` against a configured server ($PREFECT_API_URL), where nothing else in
the process needs FastAPI. The CLI's flows take plain values only (strings, numbers, booleans,
dates, lists of strings); ``without_fastapi(flow)`` gives the flow a serializer that encodes those
the way ``jsonable_encoder`` does (a datetime as its ISO string) and hands anything else to
Prefect's own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

_SCALARS = (str, int, float, bool, type(None))


def plain_json(value: Any) -> Any:
    """``value`` as ``jsonable_encoder`` would give it, for scalars, dates and lists or tuples of
    them; TypeError for anything else."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    raise TypeError(f"not a plain parameter: {type(value).__name__}")


def without_fastapi(flow: Any) -> Any:
    """``flow`` (a prefect Flow, changed in place and returned) serialising its plain parameters
    itself; a parameter of another kind goes to Prefect's serializer, as before."""
    prefect_serializer = getattr(flow, "serialize_parameters", None)
    if prefect_serializer is None:  # not a Prefect flow (a test's stand-in): nothing to replace
        return flow

    def serialize_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
        try:
            return {key: plain_json(value) for key, value in parameters.items()}
        except TypeError:
            return prefect_serializer(parameters)

    flow.serialize_parameters = serialize_parameters
    return flow

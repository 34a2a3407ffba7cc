"""Which warehouse a command talks to: the local DuckDB file, or a DuckLake (see warehouse/lake.py).

Commands and tasks pass the warehouse around as a string (a path, or a ``ducklake:`` spec), so it
survives Prefect's task-argument serialisation; these helpers open the right kind for it.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import duckdb

from kabar import settings
from warehouse.connection import open_reader, open_writer


def is_lake(spec: str | None) -> bool:
    """Whether ``spec`` names a DuckLake (``ducklake:...``) rather than a DuckDB file."""
    return bool(spec) and str(spec).startswith("ducklake:")


def resolve(explicit: str | None) -> str:
    """The warehouse string: explicit, else $KABAR_WAREHOUSE, else the default file."""
    if is_lake(explicit):
        return str(explicit)
    return str(settings.warehouse_path(explicit))


@contextmanager
def open_reader_for(explicit: str | None, *, wait_s: float = 10.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read connection on the chosen warehouse, views in ``main``; closed on exit."""
    spec = resolve(explicit)
    if is_lake(spec):
        from warehouse.lake import open_lake

        with open_lake(spec, read_only=True) as con:
            yield con
        return
    with open_reader(spec, wait_s=wait_s) as con:
        yield con


@contextmanager
def open_writer_for(spec: str, *, wait_s: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """The write connection on the chosen warehouse (migrated, views current); closed on exit."""
    if is_lake(spec):
        from warehouse.lake import open_lake

        with open_lake(spec, read_only=False) as con:
            yield con
        return
    with open_writer(spec, wait_s=wait_s) as con:
        yield con

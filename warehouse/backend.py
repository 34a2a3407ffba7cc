"""Which warehouse a command talks to: the local DuckDB file, or a DuckLake (see warehouse/lake.py).

The warehouse is resolved once, at the entry point (kabar.config.resolve_warehouse), and passed
down as a frozen ``kabar.config.Warehouse`` value (picklable, so it survives Prefect's
task-argument serialisation); these helpers open the right kind for it.
"""

from __future__ import annotations

from typing import ContextManager

import duckdb

from kabar.warehouse_spec import Warehouse
from warehouse.connection import open_reader, open_writer


def _open(warehouse: Warehouse, read_only: bool, wait_s: float, external_access: bool = False,
          locked: bool = True, fts: bool | None = None) -> ContextManager[duckdb.DuckDBPyConnection]:
    if warehouse.is_lake:
        from warehouse.lake import open_lake

        if read_only:
            return open_lake(warehouse, read_only=True, external_access=external_access, locked=locked)
        return open_lake(warehouse, read_only=False)
    if read_only:
        return open_reader(warehouse.path, wait_s=wait_s, external_access=external_access, locked=locked, fts=fts)
    return open_writer(warehouse.path, wait_s=wait_s)


def open_reader_for(warehouse: Warehouse, *, wait_s: float = 10.0, external_access: bool = False,
                    locked: bool = True, fts: bool | None = None) -> ContextManager[duckdb.DuckDBPyConnection]:
    """A read connection on the warehouse (resolved by the entry point with
    kabar.config.resolve_warehouse), views in ``main``, locked down (no file
    access outside it unless ``external_access``, no extensions, no settings; ``locked=False``
    only for the pipeline's own readers, see ``connection.open_reader``); closed on exit.
    ``fts=False``: a file's reader without the fts extension (``connection.open_reader``)."""
    return _open(warehouse, True, wait_s, external_access, locked, fts)


def open_writer_for(warehouse: Warehouse, *, wait_s: float = 60.0) -> ContextManager[duckdb.DuckDBPyConnection]:
    """The write connection on the warehouse (migrated, views current); closed on exit."""
    return _open(warehouse, False, wait_s)


def update_search_index(warehouse: Warehouse, con: duckdb.DuckDBPyConnection | None = None) -> dict[str, int]:
    """Bring the full-text index of the warehouse up to date: a file's postings for its new and
    changed articles only (warehouse/search.py), a lake's local index file rebuilt; returns
    ``documents`` (in all) and, for a file, ``indexed`` and ``removed`` by this update. The
    explorer summaries (warehouse/summaries.py) are refreshed too when anything changed.
    ``con``: the run's writer on a file, already open (tasks/wrapup.py), instead of opening one."""
    from warehouse.search import CHANGES_TABLE, update_index
    from warehouse.summaries import refresh

    if warehouse.is_lake:
        from warehouse.lake import build_lake_index

        counts = {"documents": build_lake_index(warehouse)}
        refresh_summaries(warehouse)
        return counts
    from warehouse.search import nothing_logged

    if con is None:
        with open_writer_for(warehouse) as con:
            return update_search_index(warehouse, con)
    unchanged = nothing_logged(con, CHANGES_TABLE)  # before the update empties the log
    counts = update_index(con, changes=CHANGES_TABLE, unchanged=unchanged)  # the change log: this run's articles only
    refresh(con, nothing_logged=unchanged)
    return counts


def refresh_summaries(warehouse: Warehouse) -> bool:
    """Bring the explorer's pre-aggregated copies (warehouse/summaries.py) up to date: in the
    file, or as tables of the lake (its readers read them as a file's do); returns whether they
    were rewritten. Used on its own after a flow that changed what they show without changing
    the search index (``kabar enrich``)."""
    from warehouse.summaries import refresh

    if warehouse.is_lake:
        from warehouse.lake import retry_on_conflict

        def once() -> bool:
            # Two workers ending at once both refresh: the later commit conflicts and is re-run
            # on the newer snapshot, where the copies are current (nothing to do) or rebuilt.
            with open_writer_for(warehouse) as con:
                return refresh(con)

        return retry_on_conflict(once)
    with open_writer_for(warehouse) as con:
        return refresh(con)

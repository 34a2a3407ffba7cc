"""Which warehouse a command talks to: the local DuckDB file, or a DuckLake (see warehouse/lake.py).

Commands and tasks pass the warehouse around as a string (a path, or a ``ducklake:`` spec), so it
survives Prefect's task-argument serialisation; these helpers open the right kind for it.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from kabar import settings
from warehouse.connection import open_reader, open_writer


def is_lake(spec: str | None) -> bool:
    """Whether ``spec`` names a DuckLake (``ducklake:...``) rather than a DuckDB file."""
    return bool(spec) and str(spec).startswith("ducklake:")


def exists(spec: str | Path) -> bool:
    """Whether there is a warehouse to read: a DuckLake spec always, a DuckDB file if present."""
    return is_lake(str(spec)) or Path(spec).exists()


def resolve(explicit: str | None) -> str:
    """The warehouse string: explicit, else $KABAR_WAREHOUSE, else the default file."""
    import os

    for candidate in (explicit, os.environ.get("KABAR_WAREHOUSE")):
        if candidate:
            return str(candidate) if is_lake(candidate) else str(settings.warehouse_path(candidate))
    return str(settings.warehouse_path(None))


def resolve_for_run(config: str | None, explicit: str | None, deployed: bool = False) -> str:
    """The warehouse a run loads to: --warehouse/$KABAR_WAREHOUSE when given, else the sources
    file's ``[warehouse]`` section, else the default file: ``./data/kabar.duckdb`` for the CLI,
    ``settings.deployed_warehouse_path()`` (the user data folder) for a ``deployed`` run.
    Relative paths in the section resolve against the sources file's directory."""
    import os
    from pathlib import Path

    if explicit or os.environ.get("KABAR_WAREHOUSE"):
        return resolve(explicit)
    if not config:
        return str(settings.deployed_warehouse_path()) if deployed else resolve(None)
    from kabar.config import load_sources

    section = load_sources(config).warehouse
    base = Path(config).resolve().parent
    if section.backend == "ducklake":
        from warehouse.lake import lake_spec

        data_path = section.data_path if Path(section.data_path).is_absolute() else str(base / section.data_path)
        catalog = section.catalog
        if catalog.endswith(".ducklake") and not Path(catalog).is_absolute():
            catalog = str(base / catalog)
        return lake_spec(catalog, data_path.rstrip("/") + "/")
    if section.path:
        return str(Path(section.path) if Path(section.path).is_absolute() else base / section.path)
    return str(settings.deployed_warehouse_path()) if deployed else resolve(None)


@contextmanager
def open_reader_for(
    explicit: str | None, *, wait_s: float = 10.0, external_access: bool = False, locked: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read connection on the chosen warehouse, views in ``main``, locked down (no file
    access outside it unless ``external_access``, no extensions, no settings; ``locked=False``
    only for the pipeline's own readers, see ``connection.open_reader``); closed on exit."""
    spec = resolve(explicit)
    if is_lake(spec):
        from warehouse.lake import open_lake

        with open_lake(spec, read_only=True, external_access=external_access, locked=locked) as con:
            yield con
        return
    with open_reader(spec, wait_s=wait_s, external_access=external_access, locked=locked) as con:
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

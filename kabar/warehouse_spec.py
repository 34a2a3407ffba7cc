"""The warehouse a command or flow works on: the :class:`Warehouse` value and its one resolver.

Kept apart from the sources file's schema (kabar/config.py, which re-exports all of this) so that
read commands (`kabar sql`, `kabar search`, `kabar browse`) resolve their warehouse without
building the sources file's pydantic models: about 0.15 CPU s of every such command.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from kabar import settings


class WarehouseSection(Protocol):
    """A sources file's ``[warehouse]`` section (``kabar.config.WarehouseSettings``), as read here."""

    backend: str
    path: str | None
    catalog: str | None
    data_path: str | None


class ConfigError(ValueError):
    """A user-caused configuration problem; ``str(err)`` is the one-line message to show."""


LAKE_PREFIX = "ducklake:"


@dataclass(frozen=True)
class Warehouse:
    """The run's warehouse, resolved once at the entry point (``resolve_warehouse``) and passed
    down to tasks and ``warehouse/``: a DuckDB file (``path``) or a DuckLake (``catalog``, what
    follows ``ducklake:`` in DuckDB's ATTACH, and ``data_path``, the directory of its Parquet
    files). Frozen and picklable, so it crosses Prefect task arguments and Dask workers as is;
    ``str(w)`` is the spec a user writes (a file path or ``ducklake:CATALOG#DATA_PATH``), and
    ``Warehouse.parse`` is the one parser of it."""

    kind: Literal["duckdb", "ducklake"]
    path: str | None = None
    catalog: str | None = None
    data_path: str | None = None

    @classmethod
    def parse(cls, text: str | os.PathLike[str]) -> "Warehouse":
        """The warehouse a spec names: ``ducklake:CATALOG#DATA_PATH`` (the last ``#`` splits them)
        or a DuckDB file path. Raises ConfigError (one line) for an empty or malformed spec."""
        text = os.fspath(text)
        if not text.strip():
            raise ConfigError("empty warehouse: give a DuckDB file path or ducklake:CATALOG#DATA_PATH")
        if not text.startswith(LAKE_PREFIX):
            return cls(kind="duckdb", path=text)
        catalog, sep, data_path = text[len(LAKE_PREFIX):].rpartition("#")
        if not sep or not catalog or not data_path:
            raise ConfigError(f"bad DuckLake spec {text!r}: expected ducklake:CATALOG#DATA_PATH")
        return cls.lake(catalog, data_path)

    @classmethod
    def file(cls, path: str | os.PathLike[str]) -> "Warehouse":
        """A DuckDB file warehouse (the path is kept as given)."""
        return cls(kind="duckdb", path=os.fspath(path))

    @classmethod
    def lake(cls, catalog: str, data_path: str) -> "Warehouse":
        """A DuckLake warehouse; ATTACH takes the parts inside quotes, so none may hold one."""
        if "'" in catalog or "'" in data_path:
            raise ConfigError(f"bad DuckLake spec: quotes are not allowed in {catalog!r} or {data_path!r}")
        return cls(kind="ducklake", catalog=catalog, data_path=data_path)

    def __str__(self) -> str:
        return f"{LAKE_PREFIX}{self.catalog}#{self.data_path}" if self.is_lake else str(self.path)

    @property
    def is_lake(self) -> bool:
        """Whether this is a DuckLake rather than a DuckDB file."""
        return self.kind == "ducklake"

    @property
    def label(self) -> str:
        """A short name for folders of this warehouse's own files: the file name, or ``lake``."""
        return "lake" if self.is_lake else Path(self.path).name

    @property
    def data_dir(self) -> Path:
        """The directory for raw captures and cached results: beside a warehouse file, or, for a
        DuckLake, beside the lake's data path (``<data_path>.kabar``; taking a lake spec's parent
        as a path put these files in the working directory)."""
        if self.is_lake:
            return Path((self.data_path.rstrip("/") or ".") + ".kabar")
        return Path(self.path).parent

    def absolute(self) -> "Warehouse":
        """The same warehouse with a file's path made absolute (for a process started elsewhere)."""
        return self if self.is_lake else Warehouse.file(Path(self.path).resolve())

    def exists(self) -> bool:
        """Whether there is a warehouse to read: a DuckLake always, a DuckDB file if present."""
        return self.is_lake or Path(self.path).exists()


def resolve_warehouse(explicit: str | os.PathLike[str] | None = None,
                      section: WarehouseSection | None = None, deployed: bool = False) -> Warehouse:
    """The one warehouse resolver, called once at an entry point (a command, or a flow started
    by a deployment with no warehouse given): ``explicit`` (--warehouse, a flow parameter), else
    $KABAR_WAREHOUSE, else the sources file's ``[warehouse]`` section, else the default file.
    The result is the run's :class:`Warehouse`, passed down as is. The default file is
    ``./data/kabar.duckdb`` for the CLI and, for a ``deployed`` run (whose working directory is the
    repository clone), ``settings.deployed_warehouse_path()`` in the user's data folder.
    Raises ConfigError for a malformed spec."""
    for candidate in (explicit, os.environ.get("KABAR_WAREHOUSE")):
        if candidate:
            return Warehouse.parse(candidate)
    if section is not None and section.backend == "ducklake":
        return Warehouse.lake(section.catalog, f"{section.data_path.rstrip('/')}/")
    if section is not None and section.path:
        return Warehouse.file(section.path)
    return Warehouse.file(settings.deployed_warehouse_path() if deployed else settings.DEFAULT_WAREHOUSE)


def sources_file_decides(explicit: str | None, config: str | Path | None) -> bool:
    """Whether the warehouse comes from the sources file ``config`` names: no --warehouse, no
    $KABAR_WAREHOUSE, and a file named. When not, ``resolve_warehouse(explicit)`` is the answer and
    the sources file's schema (kabar.config, pydantic) need not be loaded."""
    return not (explicit or os.environ.get("KABAR_WAREHOUSE") or not config)

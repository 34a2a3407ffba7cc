"""A small migrator: numbered SQL files applied in order, each once, each in a transaction.

``warehouse/migrations/NNN_name.sql`` are applied by number and recorded in
``store.schema_migrations``; a failing file is rolled back whole and the error names it.
Views (``warehouse/views/*.sql``) are not migrations: they hold no data, so they are re-created
whenever the SQL files change, which keeps them in step with the code: ``ensure_schema`` stores a
fingerprint of the files in ``store.schema_state`` and does nothing while it matches.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb

from warehouse.transaction import transaction

LOGGER = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VIEWS_DIR = Path(__file__).parent / "views"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """All migration files, by version. Two files with one number is a programming error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise RuntimeError(f"migration file name {path.name!r} is not NNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"two migrations numbered {version:03d}: {found[version].path.name}, {path.name}")
        found[version] = Migration(version, match.group(2), path)
    return [found[v] for v in sorted(found)]


def _same(sql: str) -> str:
    return sql


def _ensure_ledger(con: duckdb.DuckDBPyConnection, transform: Callable[[str], str] = _same) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS store")
    con.execute(transform(
        """CREATE TABLE IF NOT EXISTS store.schema_migrations (
               version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,
               applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"""
    ))


class MigrationFailed(RuntimeError):
    """A migration file whose SQL failed; ``version`` is its number."""

    def __init__(self, message: str, version: int) -> None:
        super().__init__(message)
        self.version = version


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    """The versions the ledger records as applied (empty when there is no ledger yet)."""
    if schema_version(con) == 0:
        return set()
    return {row[0] for row in con.execute("SELECT version FROM store.schema_migrations").fetchall()}


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest applied migration number (0 for an empty warehouse)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema='store' AND table_name='schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM store.schema_migrations").fetchone()[0]


def apply_migrations(
    con: duckdb.DuckDBPyConnection, *, upto: int | None = None, directory: Path = MIGRATIONS_DIR,
    transform: Callable[[str], str] = _same,
) -> list[int]:
    """Apply every pending migration (up to ``upto``); returns the versions applied.

    ``transform`` rewrites each file's SQL first (DuckLake drops PRIMARY KEY/UNIQUE: warehouse/lake.py)."""
    _ensure_ledger(con, transform)
    done = applied_versions(con)
    known = migrations(directory)
    newest_known = known[-1].version if known else 0
    if done and max(done) > newest_known:
        raise RuntimeError(
            f"the warehouse has schema version {max(done)}, newer than this kabar knows ({newest_known}): upgrade kabar"
        )
    applied = []
    for migration in known:
        if migration.version in done or (upto is not None and migration.version > upto):
            continue
        try:
            with transaction(con):
                con.execute(transform(migration.sql))
                con.execute(
                    "INSERT INTO store.schema_migrations (version, name) VALUES (?, ?)",
                    [migration.version, migration.name],
                )
        except Exception as exc:
            raise MigrationFailed(f"migration {migration.path.name} failed: {exc}", migration.version) from exc
        LOGGER.info("applied migration %s", migration.path.name)
        applied.append(migration.version)
    return applied


def view_files(directory: Path = VIEWS_DIR) -> list[Path]:
    return sorted(directory.glob("*.sql"))


def apply_views(
    con: duckdb.DuckDBPyConnection, directory: Path = VIEWS_DIR, transform: Callable[[str], str] = _same
) -> list[str]:
    """(Re)create every public view. Views may use each other: retry until all stand. (Every
    migration ships with the views, so the tables a view reads always exist after migrating.)"""
    pending = view_files(directory)
    created: list[str] = []
    while pending:
        failed: list[tuple[Path, Exception]] = []
        for path in pending:
            sql = transform(path.read_text(encoding="utf-8"))
            try:
                con.execute(sql)
                created.append(path.stem)
            except duckdb.CatalogException as exc:  # depends on a view not created yet
                failed.append((path, exc))
        if len(failed) == len(pending):
            path, exc = failed[0]
            raise RuntimeError(f"view {path.name} cannot be created: {exc}")
        pending = [path for path, _ in failed]
    return created


def schema_fingerprint(migrations_dir: Path = MIGRATIONS_DIR, views_dir: Path = VIEWS_DIR) -> str:
    """A hash of every migration and view file (names and SQL) and the DuckDB version: when it
    matches the one stored in the warehouse, there is nothing to migrate and no view to re-create."""
    import hashlib

    digest = hashlib.sha256(f"duckdb {duckdb.__version__}".encode())
    for path in [*sorted(migrations_dir.glob("*.sql")), *view_files(views_dir)]:
        digest.update(f"\x1f{path.parent.name}/{path.name}\x1f".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def stored_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The schema fingerprint recorded by the last writer that migrated this warehouse."""
    try:
        row = con.execute("SELECT value FROM store.schema_state WHERE key = 'fingerprint'").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def ensure_schema(con: duckdb.DuckDBPyConnection) -> bool:
    """Apply pending migrations and re-create the views only when the SQL files (or DuckDB)
    changed since the last writer did; returns whether anything was applied.

    Re-creating the 20-odd views on every writer open cost more than a small batch's load, and
    the writer opens several times a run (it is closed between steps so readers can get in)."""
    fingerprint = schema_fingerprint()
    if stored_fingerprint(con) == fingerprint:
        return False
    apply_migrations(con)
    apply_views(con)
    con.execute("CREATE TABLE IF NOT EXISTS store.schema_state (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    con.execute("INSERT OR REPLACE INTO store.schema_state VALUES ('fingerprint', ?)", [fingerprint])
    return True

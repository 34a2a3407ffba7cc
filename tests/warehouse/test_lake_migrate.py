"""DuckLake migrations raced by another writer (warehouse/lake.py ``_migrate``): a file the other
writer applied meanwhile is skipped, whatever error the loser's copy of it raised; a file that
fails on its own still fails. A real DuckLake (local catalog file), two cursors of one instance as
two writers, and the real migration files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.connection import load_extension
from warehouse.lake import _migrate, strip_constraints
from warehouse.migrate import MigrationFailed, applied_versions, apply_migrations, migrations


@pytest.fixture(scope="module", autouse=True)
def prefect_harness():
    """Replaces the session's Prefect API (tests/conftest.py): nothing here runs a flow or task."""
    yield


class _Racing:
    """A writer's connection; just before it runs the SQL of ``version``, the other writer
    applies that file and commits (the interleaving of two ingests opening the lake at once)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, other: duckdb.DuckDBPyConnection, marker: str, version: int) -> None:
        self.con, self.other, self.marker, self.version = con, other, marker, version
        self.raced = False

    def execute(self, sql: str, *args: object) -> duckdb.DuckDBPyConnection:
        if not self.raced and self.marker in sql:
            self.raced = True
            apply_migrations(self.other, upto=self.version, transform=strip_constraints)
        return self.con.execute(sql, *args)


def _lake(tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    load_extension(con, "ducklake")
    con.execute(f"ATTACH 'ducklake:{tmp_path / 'catalog.ducklake'}' AS lake (DATA_PATH '{tmp_path / 'files'}/')")
    writers = []
    for _ in range(2):
        cursor = con.cursor()
        cursor.execute("USE lake")
        writers.append(cursor)
    return con, writers[0], writers[1]


def test_the_loser_of_the_race_meets_the_winner_s_alter(tmp_path: Path) -> None:
    """Migration 075 drops NOT NULL from mentions.char_start: the loser's copy fails with
    'Cannot DROP NULL ... no NOT NULL constraint' (fresh-clone CI, two ingests on one lake),
    which is neither a commit conflict nor "already exists"."""
    con, mine, other = _lake(tmp_path)
    try:
        apply_migrations(mine, upto=74, transform=strip_constraints)
        with pytest.raises(MigrationFailed, match="075.*NOT NULL") as failed:
            apply_migrations(_Racing(mine, other, "DROP NOT NULL", 75), upto=75, transform=strip_constraints)
        assert failed.value.version == 75 and 75 in applied_versions(mine)
    finally:
        con.close()


def test_a_migration_another_writer_applied_meanwhile_is_skipped(tmp_path: Path) -> None:
    con, mine, other = _lake(tmp_path)
    try:
        racing = _Racing(mine, other, "DROP NOT NULL", 75)
        _migrate(racing)
        assert racing.raced
        assert applied_versions(mine) == {m.version for m in migrations()}
    finally:
        con.close()


def test_a_migration_that_fails_on_its_own_still_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    con, mine, _other = _lake(tmp_path)
    try:
        apply_migrations(mine, upto=74, transform=strip_constraints)
        # 075 as written for a table that lost its column: an error no other writer explains
        mine.execute("ALTER TABLE store.mentions DROP COLUMN char_end")
        with pytest.raises(MigrationFailed, match="075"):
            _migrate(mine, attempts=3)
        assert 75 not in applied_versions(mine)
    finally:
        con.close()

"""The migrator: ordered, once each, atomic, and refusing a schema newer than the code."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.migrate import apply_migrations, apply_views, migrations, schema_version


def test_applies_all_in_order_once(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    applied = apply_migrations(con)
    assert applied == [m.version for m in migrations()]
    assert applied == sorted(applied)
    assert apply_migrations(con) == []
    assert schema_version(con) == applied[-1]
    views = apply_views(con)
    assert {"articles", "fetches", "runs"} <= set(views)


def test_failing_migration_rolls_back_whole(tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "001_ok.sql").write_text("CREATE SCHEMA IF NOT EXISTS store; CREATE TABLE store.a (x INT);")
    (directory / "002_bad.sql").write_text("CREATE TABLE store.b (x INT); SELECT * FROM nowhere;")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(RuntimeError, match="002_bad.sql"):
        apply_migrations(con, directory=directory)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema='store'").fetchall()}
    assert "a" in tables and "b" not in tables
    assert schema_version(con) == 1


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    apply_migrations(con)
    con.execute("INSERT INTO store.schema_migrations (version, name) VALUES (999, 'future')")
    with pytest.raises(RuntimeError, match="newer than this kabar knows"):
        apply_migrations(con)


def test_duplicate_numbers_are_a_programming_error(tmp_path: Path) -> None:
    (tmp_path / "001_a.sql").write_text("")
    (tmp_path / "001_b.sql").write_text("")
    with pytest.raises(RuntimeError, match="two migrations numbered 001"):
        migrations(tmp_path)

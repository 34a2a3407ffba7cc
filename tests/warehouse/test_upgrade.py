"""Schema upgrades: a warehouse of the first released schema is migrated in place on open."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb

from flows.ingest import ingest
from tests.conftest import FIXTURES
from warehouse.migrate import apply_migrations, apply_views, migrations, schema_version

#: The views the first release shipped (its later views need tables of later migrations).
FIRST_VIEWS = ("articles", "article_versions", "fetches", "runs", "stage_errors")


def _first_release(path: Path) -> None:
    """A warehouse as kabar's first release wrote it: migration 001 and its views, with rows."""
    views = path.parent / "first-views"
    views.mkdir()
    # The first release's views selected its tables' columns (today's view files name columns
    # that later migrations add, so they cannot stand on the first schema).
    for name in FIRST_VIEWS:
        (views / f"{name}.sql").write_text(f"CREATE OR REPLACE VIEW main.{name} AS SELECT * FROM store.{name};")
    con = duckdb.connect(str(path))
    assert apply_migrations(con, upto=1) == [1]
    apply_views(con, views)
    now = datetime(2024, 5, 1, tzinfo=timezone.utc)
    con.execute("INSERT INTO store.runs (run_id, flow, started_at, finished_at, state, new) "
                "VALUES ('old-run', 'ingest', ?, ?, 'completed', 1)", [now, now])
    con.execute(
        "INSERT INTO store.articles (article_id, url, canonical_url, source, outlet, title, published_at, text, "
        "word_count, content_hash, fetched_at, first_seen_at, last_seen_at, run_id) VALUES ('old1', "
        "'https://lama.example/a', 'https://lama.example/a', 'lama', 'Lama', 'Persenjataan lama', ?, "
        "'Cerita lama tentang senjata.', 4, 'h-old', ?, ?, ?, 'old-run')", [now, now, now, now])
    con.execute("INSERT INTO store.fetches VALUES ('https://lama.example/a', 'lama', 200, NULL, 10, "
                "'text/html', NULL, ?, 'old-run')", [now])
    con.close()


def test_old_warehouse_is_upgraded_in_place_by_an_ingest(tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    _first_release(path)
    summary = ingest(paths=[str(FIXTURES / "warehouse")], warehouse=str(path))
    assert summary["state"] == "completed"
    con = duckdb.connect(str(path), read_only=True)
    assert schema_version(con) == migrations()[-1].version > 1
    # Data of the old schema kept, beside the new run's.
    assert con.execute("SELECT title, run_id FROM articles WHERE article_id = 'old1'").fetchone() == (
        "Persenjataan lama", "old-run")
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
    assert con.execute("SELECT count(*) FROM fetches WHERE run_id = 'old-run'").fetchone()[0] == 1
    # New tables and views present, and filled by the new run.
    assert con.execute('SELECT count(*) FROM quality_checks WHERE "check" = \'article_has_text\'').fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM search_articles('senjata') WHERE article_id = 'old1'").fetchone()[0] == 1
    con.close()


def test_every_migration_applies_on_top_of_a_filled_first_release(tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    _first_release(path)
    from warehouse.connection import open_writer

    with open_writer(path) as con:
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        assert {"articles", "runs", "quality_checks"} <= views
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        assert [r[0] for r in con.execute("SELECT version FROM store.schema_migrations ORDER BY 1").fetchall()] == [
            m.version for m in migrations()]

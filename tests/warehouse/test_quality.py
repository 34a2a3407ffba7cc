"""Data-quality checks: recorded per run, shown in the summary, failures -> completed_with_warnings."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tests.conftest import FIXTURES, run_cli
from tasks.quality import check_quality
from warehouse.connection import open_writer
from warehouse.quality import run_checks


def test_seeded_runs_recorded_passing_checks(seeded: Path) -> None:
    con = duckdb.connect(str(seeded), read_only=True)
    rows = con.execute('SELECT run_id, "check", passed, failing_rows FROM quality_checks').fetchall()
    runs = {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()}
    assert {r[0] for r in rows} == runs
    assert {r[1] for r in rows} == {"article_has_text", "published_not_in_future", "duplicate_of_exists"}
    assert all(r[2] and r[3] == 0 for r in rows)


def test_broken_rows_fail_checks_and_the_run_ends_with_warnings(seeded: Path, tmp_path: Path, cli_env: dict) -> None:
    path = tmp_path / "kabar.duckdb"
    shutil.copy(seeded, path)
    with open_writer(path) as con:
        con.execute("UPDATE store.articles SET duplicate_of = 'no-such-article' WHERE title LIKE 'Harga Beras%'")
        con.execute("UPDATE store.articles SET published_at = now() + INTERVAL 3 DAY WHERE title LIKE 'Pabrik%'")
        con.execute("UPDATE store.articles SET text = '  ' WHERE title LIKE 'Rusia%'")
    result = run_cli("ingest", str(FIXTURES / "warehouse"), "--warehouse", str(path), env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "completed_with_warnings" in result.stdout
    assert "FAIL  duplicate_of_exists  (1 failing)" in result.stdout
    con = duckdb.connect(str(path), read_only=True)
    state, run_id = con.execute("SELECT state, run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
    assert state == "completed_with_warnings"
    failed = dict(con.execute('SELECT "check", failing_rows FROM quality_checks WHERE run_id = ? AND NOT passed',
                              [run_id]).fetchall())
    # The re-ingest restored the fixture texts/dates it fetched again, but not duplicate_of of an original.
    assert failed.get("duplicate_of_exists") == 1


def test_future_date_and_empty_text_fail(seeded: Path, tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    shutil.copy(seeded, path)
    with open_writer(path) as con:
        con.execute("UPDATE store.articles SET published_at = now() + INTERVAL 3 DAY WHERE title LIKE 'Pabrik%'")
        con.execute("UPDATE store.articles SET published_at = now() + INTERVAL 2 HOUR WHERE title LIKE 'Harga%'")
        con.execute("UPDATE store.articles SET text = '  ' WHERE title LIKE 'Rusia%'")
        results = {r.check: r for r in run_checks(con)}
    assert results["published_not_in_future"].failing_rows == 1  # 2 hours is within the tolerance
    assert results["article_has_text"].failing_rows == 1 and not results["article_has_text"].passed
    assert results["duplicate_of_exists"].passed


def test_story_and_mention_checks_run_when_their_relations_exist(seeded: Path, tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    shutil.copy(seeded, path)
    with open_writer(path) as con:
        assert "mention_within_text" not in {r.check for r in run_checks(con)}
        art, length = con.execute("SELECT article_id, length(text) FROM articles WHERE title LIKE 'Rusia%'").fetchone()
        # Stand-ins for the views of other features (stories, mentions), as they document them.
        con.execute("CREATE TABLE main.stories (story_id VARCHAR, title VARCHAR, first_published_at TIMESTAMPTZ, "
                    "last_published_at TIMESTAMPTZ, article_count BIGINT, outlet_count BIGINT, first_outlet VARCHAR)")
        con.execute("INSERT INTO main.stories (story_id, title) VALUES ('s1', 'Rusia')")
        con.execute("UPDATE store.articles SET story_id = 's1' WHERE article_id = ?", [art])
        con.execute("UPDATE store.articles SET story_id = 'gone' WHERE title LIKE 'Harga%'")
        con.execute("CREATE TABLE main.mentions (article_id VARCHAR, entity_id VARCHAR, surface VARCHAR, "
                    "char_start INTEGER, char_end INTEGER)")
        con.execute("INSERT INTO main.mentions VALUES (?, 'e1', 'Rusia', 0, 5), (?, 'e1', 'x', ?, ?)",
                    [art, art, length - 1, length + 10])
    checks = {c["check"]: c for c in check_quality(str(path), "run-x")}
    assert checks["story_id_exists"]["failing_rows"] == 1
    assert checks["mention_within_text"]["failing_rows"] == 1
    assert not checks["mention_within_text"]["passed"]

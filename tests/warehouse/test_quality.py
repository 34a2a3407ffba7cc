"""Data-quality checks: recorded per run, shown in the summary, failures -> completed_with_warnings."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from kabar.config import Warehouse
from tests.conftest import FIXTURES, run_main
from warehouse.connection import open_reader, open_writer
from warehouse.quality import check_and_record, run_checks


def test_seeded_runs_recorded_passing_checks(seeded: Path) -> None:
    # open_reader closes its handle: a stray one on the session's file, kept alive by a failing
    # test's traceback, would make later readers of the file fail ("different configuration").
    with open_reader(seeded) as con:
        rows = con.execute('SELECT run_id, "check", passed, failing_rows FROM quality_checks').fetchall()
        runs = {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()}
    assert {r[0] for r in rows} == runs
    # the stories and mentions tables come with the migrations, so their checks run too
    assert {r[1] for r in rows} == {"article_has_text", "published_not_in_future", "duplicate_of_exists",
                                    "story_id_exists", "mention_within_text"}
    assert all(r[2] and r[3] == 0 for r in rows), rows


def _broken_copy(seeded: Path, tmp_path: Path, *extra: str) -> Path:
    """A copy of the seeded warehouse with a future date and an empty text (and ``extra`` updates)."""
    path = tmp_path / "kabar.duckdb"
    shutil.copy(seeded, path)
    with open_writer(path) as con:
        for sql in extra:
            con.execute(sql)
        con.execute("UPDATE store.articles SET published_at = now() + INTERVAL 3 DAY WHERE title LIKE 'Pabrik%'")
        con.execute("UPDATE store.articles SET text = '  ' WHERE title LIKE 'Rusia%'")
    return path


def test_broken_rows_fail_checks_and_the_run_ends_with_warnings(seeded: Path, tmp_path: Path) -> None:
    path = _broken_copy(seeded, tmp_path,
                        "UPDATE store.articles SET duplicate_of = 'no-such-article' WHERE title LIKE 'Harga Beras%'")
    # `kabar ingest` in process (tests/conftest.py run_main): what it prints and records is the
    # point, not its process; a subprocess paid the imports and the enrichment models again
    result = run_main("ingest", str(FIXTURES / "warehouse"), "--warehouse", str(path))
    assert result.returncode == 0, result.stderr
    assert "completed_with_warnings" in result.stdout
    assert "FAIL  duplicate_of_exists  (1 failing)" in result.stdout
    with duckdb.connect(str(path), read_only=True) as con:
        state, run_id = con.execute("SELECT state, run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        failed = dict(con.execute('SELECT "check", failing_rows FROM quality_checks WHERE run_id = ? AND NOT passed',
                                  [run_id]).fetchall())
    assert state == "completed_with_warnings"
    # The re-ingest restored the fixture texts/dates it fetched again, but not duplicate_of of an original.
    assert failed.get("duplicate_of_exists") == 1


def test_future_date_and_empty_text_fail(seeded: Path, tmp_path: Path) -> None:
    path = _broken_copy(seeded, tmp_path,
                        "UPDATE store.articles SET published_at = now() + INTERVAL 2 HOUR WHERE title LIKE 'Harga%'")
    with open_writer(path) as con:
        results = {r.check: r for r in run_checks(con)}
    assert results["published_not_in_future"].failing_rows == 1  # 2 hours is within the tolerance
    assert results["article_has_text"].failing_rows == 1 and not results["article_has_text"].passed
    assert results["duplicate_of_exists"].passed


def test_story_and_mention_checks_pass_on_clean_data_and_catch_broken_rows(seeded: Path, tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    shutil.copy(seeded, path)
    with open_writer(path) as con:
        clean = {r.check: r for r in run_checks(con)}
        # the migrations create store.stories and store.mentions: both checks always run
        assert clean["story_id_exists"].passed and clean["story_id_exists"].failing_rows == 0
        assert clean["mention_within_text"].passed and clean["mention_within_text"].failing_rows == 0
        art, length = con.execute("SELECT article_id, length(text) FROM articles WHERE title LIKE 'Rusia%'").fetchone()
        con.execute("INSERT INTO store.stories (story_id, title, first_article_id, members, norm, created_at, "
                    "updated_at, run_id) VALUES ('s-test', 'Rusia', ?, 1, 1.0, now(), now(), 'r')", [art])
        con.execute("UPDATE store.articles SET story_id = 's-test' WHERE article_id = ?", [art])
        con.execute("UPDATE store.articles SET story_id = 'gone' WHERE title LIKE 'Harga%'")
        con.execute("INSERT INTO store.mentions (article_id, entity_id, surface, char_start, char_end, type) "
                    "VALUES (?, 'e1', 'Rusia', 0, 5, 'place'), (?, 'e1', 'x', ?, ?, 'place')",
                    [art, art, length - 1, length + 10])
        # a dateline's place has no offsets (fine); a text mention without them, or a dateline
        # place with them, is broken
        con.execute("INSERT INTO store.mentions (article_id, entity_id, surface, char_start, char_end, type, found_in) "
                    "VALUES (?, 'e2', 'JAKARTA', NULL, NULL, 'place', 'dateline'), "
                    "(?, 'e2', 'Jakarta', NULL, NULL, 'place', 'text'), (?, 'e2', 'Jakarta', 0, 7, 'place', 'dateline')",
                    [art, art, art])
        # a run's checks look at the rows it wrote: these two, as if run-x had written them
        con.execute("UPDATE store.articles SET run_id = 'run-x' WHERE title LIKE 'Rusia%' OR title LIKE 'Harga%'")
    checks = {c["check"]: c for c in (r.as_dict() for r in check_and_record(Warehouse.file(path), "run-x"))}
    assert checks["story_id_exists"]["failing_rows"] == 1 and not checks["story_id_exists"]["passed"]
    assert checks["mention_within_text"]["failing_rows"] == 3
    assert not checks["mention_within_text"]["passed"]
    assert checks["article_has_text"]["passed"]


def test_checks_of_a_run_look_at_the_rows_it_wrote(seeded: Path, tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    shutil.copy(seeded, path)
    with open_writer(path) as con:
        con.execute("UPDATE store.articles SET text = '  ' WHERE title LIKE 'Rusia%'")
        writer = con.execute("SELECT run_id FROM store.articles WHERE title LIKE 'Rusia%'").fetchone()[0]
        own = {r.check: r for r in run_checks(con, run_id=writer)}
        other = {r.check: r for r in run_checks(con, run_id="ingest-another-run")}
    assert own["article_has_text"].failing_rows == 1
    assert other["article_has_text"].passed and other["article_has_text"].failing_rows == 0

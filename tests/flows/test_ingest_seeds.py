"""The seeds (../shared/seeds/*.txt, read in place) ingested as ad-hoc files."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.ingest import ingest


def test_seeds_become_five_indonesian_articles(shared: Path, warehouse: Path) -> None:
    summary = ingest(paths=[str(shared / "seeds")], warehouse=str(warehouse))
    assert summary["state"] == "completed"
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("SELECT language, url, word_count, title FROM articles ORDER BY url").fetchall()
    assert len(rows) == 5
    assert {r[0] for r in rows} == {"id"}
    assert all(r[1].startswith("file:///") and r[1].endswith(".txt") for r in rows)
    assert all(r[2] > 150 for r in rows)
    # 000 and 001 open with a headline line; the others start straight with the body.
    titled = {Path(r[1]).name[:3]: r[3] for r in rows}
    assert titled["000"].startswith("Kim Jong-un") and titled["001"].startswith("Kim Jong-un")
    assert titled["003"] is None


def test_rerun_adds_nothing_and_records_a_second_run(shared: Path, warehouse: Path) -> None:
    ingest(paths=[str(shared / "seeds")], warehouse=str(warehouse))
    second = ingest(paths=[str(shared / "seeds")], warehouse=str(warehouse))
    assert second["by_source"]["seeds"]["new"] == 0
    assert second["by_source"]["seeds"]["unchanged"] == 5
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    assert con.execute("SELECT count(*), count(DISTINCT run_id) FROM runs WHERE state = 'completed'").fetchone() == (2, 2)

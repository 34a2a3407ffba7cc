"""The backfill flow: one child ingest run per day over a WARC archive."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from benchmarks.corpus import articles, write_warc
from flows.backfill import backfill, day_window, days_between

JAKARTA = ZoneInfo("Asia/Jakarta")


def test_days_and_windows() -> None:
    assert days_between(date(2024, 2, 28), date(2024, 3, 1)) == [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]
    since, until = day_window(date(2024, 5, 1))
    assert since == datetime(2024, 5, 1, tzinfo=JAKARTA) and until == datetime(2024, 5, 2, tzinfo=JAKARTA)
    with pytest.raises(ValueError, match="before start"):
        days_between(date(2024, 5, 2), date(2024, 5, 1))
    with pytest.raises(ValueError, match="split the backfill"):
        days_between(date(2023, 1, 1), date(2024, 12, 31))


def test_backfill_runs_one_child_per_day(tmp_path: Path) -> None:
    archive = write_warc(tmp_path / "arsip.warc.gz", 90, paragraphs=(2, 3))  # 06:00 on 1 May, every 37 minutes
    expected = {d.date() for _, _, d in articles(90, paragraphs=(2, 3))}
    assert len(expected) == 3  # 1, 2 and 3 May
    warehouse = tmp_path / "wh" / "kabar.duckdb"
    state = backfill(start=date(2024, 5, 1), end=date(2024, 5, 2), paths=[str(archive)], warehouse=str(warehouse),
                     return_state=True)
    assert state.is_completed()
    assert state.result() == {"2024-05-01": "Completed", "2024-05-02": "Completed"}
    con = duckdb.connect(str(warehouse), read_only=True)
    days = con.execute("SELECT DISTINCT (published_at AT TIME ZONE 'Asia/Jakarta')::date FROM articles ORDER BY 1").fetchall()
    wanted = sum(1 for _, _, d in articles(90, paragraphs=(2, 3)) if d.date() <= date(2024, 5, 2))
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == wanted
    runs = con.execute("SELECT state, new, skipped FROM runs ORDER BY started_at").fetchall()
    con.close()
    assert [d[0] for d in days] == [date(2024, 5, 1), date(2024, 5, 2)]
    assert [r[0] for r in runs] == ["completed", "completed"]
    assert sum(r[1] for r in runs) == wanted and runs[0][2] == 90 - runs[0][1]

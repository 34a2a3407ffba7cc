"""The three enrichers through the real flow: seeds ingested into a DuckDB file, read from the views."""

from __future__ import annotations

from pathlib import Path

import duckdb



def test_seeds_fill_quotes_amounts_and_event_dates_views(seeds_warehouse: Path) -> None:
    # the seeds ingested through the real flow once per test worker (tests/conftest.py)
    con = duckdb.connect(str(seeds_warehouse), read_only=True)
    troops = con.execute(
        "SELECT value, unit, qualifier FROM amounts WHERE text = 'lebih dari 10.000 tentara'"
    ).fetchall()
    assert troops == [(10000.0, "tentara", "more than")]
    speakers = {r[0] for r in con.execute("SELECT speaker_text FROM quotes").fetchall()}
    assert {"Cheong Seong Chang", "KCNA", "Kim Jong Un", "Volodymyr Zelenskyy"} <= speakers
    # offsets point into articles.text
    bad = con.execute(
        """SELECT count(*) FROM quotes q JOIN articles a USING (article_id)
           WHERE substr(a.text, q.char_start + 1, q.char_end - q.char_start) <> q.quote"""
    ).fetchone()[0]
    assert bad == 0
    dated = con.execute(
        "SELECT resolved_date::VARCHAR, granularity, relative FROM event_dates WHERE text = 'Minggu (6/8/2023)'"
    ).fetchall()
    assert dated == [("2023-08-06", "day", False)]
    logged = {r[0] for r in con.execute("SELECT DISTINCT enricher FROM store.enrichment_log WHERE error IS NULL").fetchall()}
    assert {"quotes", "amounts", "event_dates"} <= logged

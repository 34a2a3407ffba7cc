"""warehouse/explorer.py details the page tests (tests/kabar/test_browse.py) do not reach."""

from __future__ import annotations

import duckdb

from warehouse.explorer import jakarta_day


def test_jakarta_day_arithmetic_equals_the_time_zone_lookup() -> None:
    """The explorer's fast day (epoch arithmetic from 1970) is ICU's Asia/Jakarta day, every
    13 hours or so from 1900 to the far future, midnights either side included."""
    con = duckdb.connect()
    try:
        con.execute("""CREATE TABLE t AS
                       SELECT TIMESTAMPTZ '1900-01-01 00:00:00+00' + to_minutes(i * 797) AS ts FROM range(200000) r(i)
                       UNION ALL SELECT TIMESTAMPTZ '2024-05-14 16:59:59+00' UNION ALL SELECT TIMESTAMPTZ '2024-05-14 17:00:00+00'
                       UNION ALL SELECT NULL""")
        wrong = con.execute(f"SELECT count(*) FROM t WHERE {jakarta_day('ts')} IS DISTINCT FROM "
                            "CAST(timezone('Asia/Jakarta', ts) AS DATE)").fetchone()[0]
        assert wrong == 0
        days = con.execute(f"SELECT {jakarta_day('ts')} FROM t WHERE ts BETWEEN TIMESTAMPTZ '2024-05-14 16:59:59+00' "
                           "AND TIMESTAMPTZ '2024-05-14 17:00:00+00' ORDER BY ts").fetchall()
        assert [str(d[0]) for d in days] == ["2024-05-14", "2024-05-15"]
    finally:
        con.close()

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


def test_narrowed_page_queries_answer_as_the_views_do(tmp_path) -> None:
    """The story, article and search queries narrowed for speed give what the whole-warehouse
    views and macros give; the search form's choices read from the copies equal the live ones."""
    from tests.kabar.test_browse import build
    from warehouse import explorer as ex
    from kabar.config import Warehouse
    from warehouse.backend import update_search_index
    from warehouse.connection import open_reader

    path = tmp_path / "w.duckdb"
    build(path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE store.fetches SET final_url = 'https://x/a1-moved' WHERE url = 'https://x/gone'")
    con.close()
    with open_reader(path) as con:
        assert not ex.catalog(con).summaries
        live_choices = ex.choices(con)
        for story_id in ("s1",):
            view = con.execute("SELECT outlet, article_id, title, reported_at, articles, outlet_rank, hours_after_first "
                               "FROM story_timeline WHERE story_id = ? ORDER BY outlet_rank, outlet", [story_id]).fetchall()
            assert view and ex.story_outlets(con, story_id).rows == view
        copies = {a: [r[0] for r in ex.article_copies(con, a).rows] for a in ("a1", "a4")}
        assert copies == {"a1": ["a4"], "a4": ["a1"]}
        assert ex.article_copies(con, "none").rows == []
        fetched = ex.article_fetches(con, ["https://x/a1-moved", "https://x/a1"])
        assert sorted(r[1] for r in fetched.rows) == ["https://x/a1", "https://x/gone"]
        assert ex.article_fetches(con, []).rows == []
        row = ex.article(con, "a1")
        assert row["story_title"] == "Judul a1" and row["text"].startswith("Rusia Korut")
        ranked = [r[0] for r in con.execute("SELECT article_id FROM search_articles('rusia')").fetchall()]
        hits = ex.search_hits(con, ex.Filters(query="rusia"))
        assert len(ranked) >= 2 and [r[0] for r in hits.rows] == [a for a in ranked if a != "a4"]
    update_search_index(Warehouse.file(path))
    with open_reader(path) as con:
        assert ex.catalog(con).summaries
        assert ex.choices(con) == live_choices and live_choices["outlets"] and live_choices["themes"]

"""The explorer's pre-aggregated copies (warehouse/summaries.py) and the term-sorted search
postings: written by the index step, read only while current, never stale."""

from __future__ import annotations

from pathlib import Path

from kabar.config import Warehouse
from tests.warehouse.test_analyst_views import _fill_features, _warehouse
from warehouse import explorer as ex
from warehouse import summaries
from warehouse.backend import update_search_index
from warehouse.connection import open_reader
from warehouse.migrate import apply_views
from warehouse.search import build_index


def _built(path: Path) -> None:
    con = _warehouse(path)
    _fill_features(con)
    apply_views(con)
    con.close()


def _entity_pages(con) -> list[list[tuple]]:
    """What the entity pages of 'kp' (named in four articles, one a copy) and 'ru' list."""
    return [ex.entity_days(con, "kp").rows, ex.entity_articles(con, "kp").rows, ex.entity_stories(con, "kp").rows,
            ex.entity_cooccurring(con, "kp").rows, ex.entity_cooccurring(con, "ru").rows,
            ex.story_entities(con, "s1").rows, ex.place_points(con).rows]


def test_index_step_writes_copies_the_explorer_reads_while_current(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _built(path)
    with open_reader(path) as con:
        assert not ex.catalog(con).summaries  # never refreshed: the live views
        live_entities = ex.entities_list(con).rows
        live_stories = ex.stories_list(con).rows
        live_pages = _entity_pages(con)
    assert live_entities and live_stories
    assert all(rows for rows in live_pages[:4]), live_pages
    update_search_index(Warehouse.file(path))
    with open_reader(path) as con:
        assert summaries.current(con)
        assert ex.catalog(con).summaries
        assert ex._entities(con) == "store.explorer_entities"
        assert ex.entities_list(con).rows == live_entities
        assert ex.stories_list(con).rows == live_stories
        assert _entity_pages(con) == live_pages
        kim = ex.entity(con, "kim")
        assert kim is not None and kim["articles"] == live_entities[[r[0] for r in live_entities].index("kim")][5]
    import duckdb

    # A later write (another flow, or a test) changes the stamp: the copies are not used again
    # until the next refresh, and the page shows the new row.
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO store.article_entities (article_id, entity_id, name, type, mention_count, "
                "kb_fingerprint) VALUES ('a5', 'kim', 'Kim Jong-un', 'person', 1, 'kb1')")
    con.close()
    with open_reader(path) as con:
        assert not summaries.current(con)
        assert ex._entities(con) == "main.entities"
        assert ex.entity(con, "kim")["articles"] == kim["articles"] + 1


def test_refresh_is_skipped_when_nothing_changed(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "w.duckdb"
    _built(path)
    con = duckdb.connect(str(path))
    try:
        assert summaries.refresh(con) is True
        assert summaries.refresh(con) is False
        con.execute("UPDATE store.runs SET state = state")  # no row: nothing changes the stamp
        assert summaries.refresh(con) is False
        # A run that writes nothing the copies show: the new stamp is stored, nothing rebuilt.
        con.execute("INSERT INTO store.runs (run_id, flow, started_at, state) VALUES ('r2', 'enrich', now(), 'running')")
        assert not summaries.current(con)
        assert summaries.refresh(con) is False
        assert summaries.current(con)
        # An UPDATE in place (another story for an article) with a run: rebuilt.
        con.execute("INSERT INTO store.runs (run_id, flow, started_at, state) VALUES ('r3', 'ingest', now(), 'running')")
        con.execute("UPDATE store.articles SET story_id = 's1' WHERE article_id = 'a5'")
        assert summaries.refresh(con) is True
        assert summaries.current(con)
        assert con.execute("SELECT article_count FROM store.explorer_stories WHERE story_id = 's1'").fetchone()[0] == \
            con.execute("SELECT article_count FROM main.stories WHERE story_id = 's1'").fetchone()[0]
    finally:
        con.close()


def test_an_ingest_that_logged_nothing_stores_the_stamp_without_hashing(tmp_path: Path) -> None:
    """After an ingest whose index step found the change log empty (an unchanged run), only the
    stamp is stored; a run of another flow since the last rebuild (enrich, which may change rows
    in place) still gets the whole comparison."""
    import duckdb

    path = tmp_path / "w.duckdb"
    _built(path)
    con = duckdb.connect(str(path))
    try:
        assert summaries.refresh(con) is True
        con.execute("INSERT INTO store.runs (run_id, flow, started_at, state) VALUES ('r2', 'ingest', now(), 'running')")
        assert not summaries.current(con)
        with_counting = _Counting(con, summaries._CONTENT_SQL)
        assert summaries.refresh(with_counting, nothing_logged=True) is False
        assert summaries.current(con) and with_counting.hashed == 0
        # the same run, but an ingest that logged articles: the whole comparison
        con.execute("INSERT INTO store.runs (run_id, flow, started_at, state) VALUES ('r3', 'ingest', now(), 'running')")
        assert summaries.refresh(with_counting) is False and with_counting.hashed == 1
        # an enrich run changed a name in place: rebuilt, though the ingest after it logged nothing
        con.execute("INSERT INTO store.runs (run_id, flow, started_at, state) VALUES ('r4', 'enrich', now(), 'running')")
        con.execute("UPDATE store.article_entities SET name = 'Kim Jong Un' WHERE entity_id = 'kim'")
        con.execute("INSERT INTO store.runs (run_id, flow, started_at, state) VALUES ('r5', 'ingest', now(), 'running')")
        assert summaries.refresh(with_counting, nothing_logged=True) is True
        assert con.execute("SELECT count(*) FROM store.explorer_entities WHERE name = 'Kim Jong Un'").fetchone()[0] == 1
    finally:
        con.close()


class _Counting:
    """A connection that counts how often it ran one statement (the content hash)."""

    def __init__(self, con, statement: str) -> None:
        self.con, self.statement, self.hashed = con, statement, 0

    def execute(self, sql, *args):
        self.hashed += sql == self.statement
        return self.con.execute(sql, *args)


def test_postings_are_kept_in_term_order(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _built(path)
    import duckdb

    con = duckdb.connect(str(path))
    try:
        build_index(con)
        terms = [r[0] for r in con.execute("SELECT term FROM store.search_postings ORDER BY rowid").fetchall()]
        assert terms and terms == sorted(terms)
        assert con.execute("SELECT value FROM store.search_state WHERE key = 'sorted_postings'").fetchone()[0] == len(terms)
        # Many more articles (more than RESORT_SHARE of the postings): the table is re-sorted whole.
        con.execute("UPDATE store.articles SET text = 'zebra ' || text || ' abadi' WHERE article_id IN ('a1', 'a2', 'a3')")
        con.execute("UPDATE store.articles SET content_hash = content_hash || 'x'")
        build_index(con)
        again = [r[0] for r in con.execute("SELECT term FROM store.search_postings ORDER BY rowid").fetchall()]
        assert "zebra" in again and again == sorted(again)
    finally:
        con.close()

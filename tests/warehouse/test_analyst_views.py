"""The analyst views over the relations other features add (stories, entities, mentions,
themes): the features' real store tables (warehouse/migrations/*.sql) are filled here, and the
shipped views (warehouse/views/*.sql) really run over them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from warehouse.migrate import apply_migrations, apply_views

T0 = datetime(2024, 5, 15, 2, 0, tzinfo=timezone.utc)  # 09:00 in Jakarta
ARTICLES = [  # article_id, outlet, story_id, published_at, duplicate_of
    ("a1", "Kabar Harian", "s1", T0, None),
    ("a2", "Warta Nusantara", "s1", T0 + timedelta(hours=3), None),
    ("a3", "Kabar Harian", "s1", T0 + timedelta(hours=20), None),
    ("a4", "Warta Nusantara", "s1", T0 + timedelta(hours=1), "a1"),  # a copy: counted in no view but the timeline
    ("a5", "Warta Nusantara", None, T0 + timedelta(days=1), None),
]
ENTITIES = {  # entity_id: (name, type, wikidata_id, country)
    "ru": ("Rusia", "place", "Q159", "RU"),
    "kp": ("Korea Utara", "place", "Q423", "KP"),
    "kim": ("Kim Jong-un", "person", "Q56226", "KP"),
}
MENTIONS = [  # article_id, entity_id, surface, char_start, char_end
    ("a1", "ru", "Rusia", 0, 5), ("a1", "kp", "Korut", 6, 11), ("a1", "ru", "Moskow", 12, 18),
    ("a2", "kp", "Korea Utara", 0, 11), ("a2", "kim", "Kim", 12, 15),
    ("a3", "ru", "Rusia", 0, 5),
    ("a4", "ru", "Rusia", 0, 5), ("a4", "kp", "Korut", 6, 11),
    ("a5", "ru", "Rusia", 0, 5), ("a5", "kp", "Korut", 6, 11),
]
THEMES = [("a1", "militer", 0.9), ("a2", "militer", 0.7), ("a2", "diplomasi", 0.4), ("a4", "militer", 0.9)]


def _warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """A migrated warehouse holding ARTICLES (no feature rows yet)."""
    con = duckdb.connect(str(path))
    apply_migrations(con)
    for article_id, outlet, story, published, dup in ARTICLES:
        con.execute(
            "INSERT INTO store.articles (article_id, url, canonical_url, source, outlet, title, published_at, text, "
            "word_count, content_hash, duplicate_of, story_id, fetched_at, first_seen_at, last_seen_at, run_id) "
            "VALUES (?, ?, ?, 's', ?, ?, ?, 'teks', 1, ?, ?, ?, ?, ?, ?, 'r')",
            [article_id, f"https://x/{article_id}", f"https://x/{article_id}", outlet, f"Judul {article_id}",
             published, article_id, dup, story, published, published, published])
    return con


def _fill_features(con: duckdb.DuckDBPyConnection) -> None:
    """Rows in the store tables the enrichers and the story clusterer write."""
    for article_id, entity_id, surface, start, end in MENTIONS:
        con.execute("INSERT INTO store.mentions (article_id, entity_id, surface, char_start, char_end, type) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [article_id, entity_id, surface, start, end, ENTITIES[entity_id][1]])
    # article_entities: one row per (article, entity) named, with how often; as the entities enricher writes it
    con.execute(
        "INSERT INTO store.article_entities (article_id, entity_id, name, type, wikidata_id, country, "
        "mention_count, kb_fingerprint) "
        "SELECT m.article_id, m.entity_id, e.name, e.type, e.wikidata_id, e.country, count(*), 'kb1' "
        "FROM store.mentions m JOIN (SELECT unnest(?) AS entity_id, unnest(?) AS name, unnest(?) AS type, "
        "unnest(?) AS wikidata_id, unnest(?) AS country) e USING (entity_id) GROUP BY ALL",
        [list(ENTITIES), *[[v[i] for v in ENTITIES.values()] for i in range(4)]])
    con.execute("INSERT INTO store.enrichment_log (article_id, enricher, enricher_version, content_hash, "
                "enriched_at, run_id) SELECT article_id, 'entities', '1', content_hash, ?, 'r' FROM store.articles",
                [T0 + timedelta(days=2)])
    con.executemany("INSERT INTO store.themes (article_id, theme, score, hits, cues) VALUES (?, ?, ?, 1, NULL)",
                    THEMES)
    con.execute("INSERT INTO store.stories (story_id, title, first_article_id, first_date, last_date, members, "
                "norm, created_at, updated_at, run_id) VALUES ('s1', 'Rusia-Korut', 'a1', ?, ?, 3, 1.0, ?, ?, 'r')",
                [T0, T0 + timedelta(hours=20), T0, T0])


def test_shipped_feature_views_stand_on_an_empty_warehouse(tmp_path: Path) -> None:
    """The migrations create every feature's store table, so every shipped view is created and
    answers (empty) before any feature has written a row."""
    from warehouse.migrate import view_files

    con = _warehouse(tmp_path / "w.duckdb")
    try:
        created = set(apply_views(con))
        assert created == {p.stem for p in view_files()}
        for view in ("daily_theme_articles", "daily_entity_mentions", "entity_cooccurrence", "stories"):
            assert con.execute(f"SELECT count(*) FROM main.{view}").fetchone()[0] == 0, view
        # the timeline follows articles.story_id; the story's title waits for its store.stories row
        assert con.execute("SELECT DISTINCT story_title FROM main.story_timeline").fetchall() == [(None,)]
        assert con.execute("SELECT count(*) FROM main.daily_articles").fetchone()[0] == 4
    finally:
        con.close()


@pytest.fixture
def con(tmp_path: Path):
    con = _warehouse(tmp_path / "w.duckdb")
    _fill_features(con)
    created = set(apply_views(con))
    assert {"daily_articles", "daily_theme_articles", "daily_entity_mentions", "entity_cooccurrence",
            "story_timeline"} <= created
    yield con
    con.close()


def test_daily_articles_per_outlet(con) -> None:
    rows = con.execute("SELECT day::VARCHAR, outlet, articles FROM daily_articles").fetchall()
    assert rows == [("2024-05-15", "Kabar Harian", 1), ("2024-05-15", "Warta Nusantara", 1),
                    ("2024-05-16", "Kabar Harian", 1), ("2024-05-16", "Warta Nusantara", 1)]


def test_daily_theme_articles(con) -> None:
    rows = con.execute("SELECT day::VARCHAR, theme, articles FROM daily_theme_articles").fetchall()
    assert rows == [("2024-05-15", "diplomasi", 1), ("2024-05-15", "militer", 2)]


def test_daily_entity_mentions(con) -> None:
    rows = con.execute("SELECT day::VARCHAR, name, mentions, articles FROM daily_entity_mentions "
                       "WHERE entity_id = 'ru' ORDER BY day").fetchall()
    assert rows == [("2024-05-15", "Rusia", 2, 1), ("2024-05-16", "Rusia", 2, 2)]


def test_entity_cooccurrence_by_article_and_story(con) -> None:
    rows = {(r[0], r[1], r[2]): r[3] for r in con.execute(
        "SELECT scope, entity_id_a, entity_id_b, together FROM entity_cooccurrence").fetchall()}
    assert rows[("article", "kp", "ru")] == 2  # a1 and a5 (the copy a4 not counted)
    assert ("article", "kim", "ru") not in rows
    assert rows[("story", "kim", "ru")] == 1 and rows[("story", "kp", "ru")] == 1


def test_story_timeline_first_and_later_reports(con) -> None:
    rows = con.execute("SELECT outlet, article_id, outlet_rank, is_first, hours_after_first, articles "
                       "FROM story_timeline WHERE story_id = 's1'").fetchall()
    assert rows == [("Kabar Harian", "a1", 1, True, 0.0, 2), ("Warta Nusantara", "a4", 2, False, 1.0, 2)]


def test_the_ten_readme_questions_run(tmp_path: Path) -> None:
    """Every query of warehouse/README.md's "Ten questions" block runs on the real feature tables."""
    from warehouse.connection import load_extension
    from warehouse.search import build_index

    readme = (Path(__file__).resolve().parents[2] / "warehouse" / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Ten questions analysts ask, in SQL", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    queries = [q.strip() for q in block.split(";") if q.strip()]
    assert len(queries) == 10
    con = _warehouse(tmp_path / "w.duckdb")
    try:
        _fill_features(con)
        load_extension(con, "fts")
        con.execute("INSERT INTO store.quotes (article_id, quote, speaker_text, speaker_entity_id, char_start, "
                    "char_end) VALUES ('a1', 'Kami siap', 'Kim', 'kim', 0, 9)")
        con.execute("UPDATE store.articles SET text = 'Ekspor persenjataan dan produksi senjata Rusia'")
        apply_views(con)
        build_index(con)
        results = [con.execute(q).fetchall() for q in queries]
    finally:
        con.close()
    assert results[0] == [("s1", "Judul a1", "Kabar Harian", T0, 1)]  # a story is titled after its first original
    assert sum(r[1] for r in results[1]) == 2  # a1 and a5 mention both (the copy a4 is left out)
    assert results[2] == [("Kim Jong-un", 1)]
    assert {r[0] for r in results[7]} == {"Rusia", "Korea Utara"}  # places only: Kim is a person
    assert results[8] == []  # s1 was covered by two outlets

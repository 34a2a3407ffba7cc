"""The analyst views over the relations other features add (stories, entities, mentions,
themes): stand-in tables named and shaped as those features document them are created here,
before apply_views, so the views' SQL really runs."""

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


def _warehouse(path: Path, *, with_features: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    apply_migrations(con)
    for article_id, outlet, story, published, dup in ARTICLES:
        con.execute(
            "INSERT INTO store.articles (article_id, url, canonical_url, source, outlet, title, published_at, text, "
            "word_count, content_hash, duplicate_of, story_id, fetched_at, first_seen_at, last_seen_at, run_id) "
            "VALUES (?, ?, ?, 's', ?, ?, ?, 'teks', 1, ?, ?, ?, ?, ?, ?, 'r')",
            [article_id, f"https://x/{article_id}", f"https://x/{article_id}", outlet, f"Judul {article_id}",
             published, article_id, dup, story, published, published, published])
    if with_features:
        con.execute("CREATE TABLE main.entities (entity_id VARCHAR, name VARCHAR, type VARCHAR, wikidata_id VARCHAR)")
        con.execute("INSERT INTO main.entities VALUES ('ru', 'Rusia', 'GPE', 'Q159'), "
                    "('kp', 'Korea Utara', 'GPE', 'Q423'), ('kim', 'Kim Jong-un', 'PER', 'Q56226')")
        con.execute("CREATE TABLE main.mentions (article_id VARCHAR, entity_id VARCHAR, surface VARCHAR, "
                    "char_start INTEGER, char_end INTEGER)")
        con.execute("INSERT INTO main.mentions VALUES ('a1','ru','Rusia',0,5), ('a1','kp','Korut',6,11), "
                    "('a1','ru','Moskow',12,18), ('a2','kp','Korea Utara',0,11), ('a2','kim','Kim',12,15), "
                    "('a3','ru','Rusia',0,5), ('a4','ru','Rusia',0,5), ('a4','kp','Korut',6,11), "
                    "('a5','ru','Rusia',0,5), ('a5','kp','Korut',6,11)")
        con.execute("CREATE TABLE main.themes (article_id VARCHAR, theme VARCHAR, score DOUBLE)")
        con.execute("INSERT INTO main.themes VALUES ('a1','militer',0.9), ('a2','militer',0.7), "
                    "('a2','diplomasi',0.4), ('a4','militer',0.9)")
        con.execute("CREATE TABLE main.stories (story_id VARCHAR, title VARCHAR, first_published_at TIMESTAMPTZ, "
                    "last_published_at TIMESTAMPTZ, article_count BIGINT, outlet_count BIGINT, first_outlet VARCHAR)")
        con.execute("INSERT INTO main.stories VALUES ('s1', 'Rusia-Korut', NULL, NULL, 4, 2, 'Kabar Harian')")
    return con


def test_views_needing_missing_relations_are_skipped(tmp_path: Path) -> None:
    con = _warehouse(tmp_path / "w.duckdb", with_features=False)
    created = set(apply_views(con))
    assert "daily_articles" in created
    assert not created & {"daily_theme_articles", "daily_entity_mentions", "entity_cooccurrence", "story_timeline"}


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = _warehouse(tmp_path / "w.duckdb", with_features=True)
    created = set(apply_views(con))
    assert {"daily_articles", "daily_theme_articles", "daily_entity_mentions", "entity_cooccurrence",
            "story_timeline"} <= created
    return con


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
    """Every query of warehouse/README.md's "Ten questions" block runs on the stand-in relations."""
    from warehouse.connection import load_extension
    from warehouse.search import build_index

    readme = (Path(__file__).resolve().parents[2] / "warehouse" / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Ten questions analysts ask, in SQL", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    queries = [q.strip() for q in block.split(";") if q.strip()]
    assert len(queries) == 10
    con = _warehouse(tmp_path / "w.duckdb", with_features=True)
    load_extension(con, "fts")
    has_quotes = con.execute("SELECT count(*) FROM information_schema.tables "
                             "WHERE table_schema = 'store' AND table_name = 'quotes'").fetchone()[0]
    if not has_quotes:  # the quotes feature's table, when this branch does not have it yet
        con.execute("CREATE TABLE main.quotes (article_id VARCHAR, quote VARCHAR, speaker_text VARCHAR, "
                    "speaker_entity_id VARCHAR, char_start INTEGER, char_end INTEGER)")
    con.execute(f"INSERT INTO {'store' if has_quotes else 'main'}.quotes (article_id, quote, speaker_text, "
                "speaker_entity_id, char_start, char_end) VALUES ('a1', 'Kami siap', 'Kim', 'kim', 0, 9)")
    con.execute("CREATE TABLE main.places (article_id VARCHAR, entity_id VARCHAR, name VARCHAR, country VARCHAR, "
                "lat DOUBLE, lon DOUBLE)")
    con.execute("UPDATE store.articles SET text = 'Ekspor persenjataan dan produksi senjata Rusia'")
    apply_views(con)
    build_index(con)
    results = [con.execute(q).fetchall() for q in queries]
    assert results[0] == [("s1", "Rusia-Korut", "Kabar Harian", T0, 1)]
    assert sum(r[1] for r in results[1]) == 2  # a1 and a5 mention both (the copy a4 is left out)
    assert results[2] == [("Kim Jong-un", 1)]

"""The search index follows the loader's change log (warehouse/search.py, tasks/load.py): after
a load of new, changed and duplicate articles it equals a whole rebuild, and it reads only the
logged articles."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb

from kabar.config import Warehouse
from kabar.models import Article, Fetched, Item
from tasks.dedupe import identify
from tasks.load import Counts, finish_run, load_batch, start_run
from warehouse.backend import update_search_index
from warehouse.connection import load_extension
from warehouse.search import CHANGES_TABLE, MACRO_VERSION, build_index, update_index

NOW = datetime(2024, 5, 15, 3, 0, tzinfo=timezone.utc)
TEXTS = {
    "nelayan": ("Nelayan Kembali Melaut", "Nelayan di pesisir utara Makassar kembali melaut setelah banjir rob "
                "surut. Hasil tangkapan belum pulih karena air laut masih keruh."),
    "beras": ("Harga Beras Naik", "Harga beras di pasar induk Cipinang naik untuk pekan ketiga. Pedagang "
              "menyebut pasokan dari Karawang berkurang setelah panen mundur."),
    "gempa": ("Gempa Guncang Sulawesi", "Gempa bermagnitudo 5,2 mengguncang Sulawesi Tengah pada Rabu pagi. "
              "BMKG menyatakan gempa tidak berpotensi tsunami."),
}


def _article(key: str, text: str | None = None, duplicate_of: str | None = None) -> Article:
    title, body = TEXTS[key]
    article = Article(url=f"https://kabarkita.example/{key}", source="uji", fetched_at=NOW, text=text or body,
                      title=title, published_at=NOW)
    article.meta["status"] = "new"
    article = identify(article)
    article.duplicate_of = duplicate_of
    return article


def _copy(original: Article, key: str) -> Article:
    """A copy of ``original`` under another URL, marked as its duplicate."""
    article = Article(url=f"https://cermin.example/{key}", source="uji", fetched_at=NOW, text=original.text,
                      title=original.title, published_at=NOW)
    article.meta["status"] = "duplicate"
    article = identify(article)
    article.duplicate_of = original.article_id
    return article


def _load(path: Path, articles: list[Article]) -> None:
    warehouse = Warehouse.file(path)
    run_id = start_run(warehouse, "uji", {})
    fetches = [Fetched(Item(url=a.url, source="uji"), NOW, status_code=200, body=a.text.encode(),
                       content_type="text/html", final_url=a.url) for a in articles]
    load_batch(warehouse, run_id, fetches, articles, [])
    finish_run(warehouse, run_id, Counts())


def _index(con: duckdb.DuckDBPyConnection) -> tuple[list, list]:
    return (con.execute("SELECT term, article_id, tf FROM store.search_postings ORDER BY ALL").fetchall(),
            con.execute("SELECT article_id, signature, len FROM store.search_docs ORDER BY ALL").fetchall())


def test_index_after_new_changed_and_duplicate_articles_equals_a_rebuild(tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    nelayan, beras = _article("nelayan"), _article("beras")
    _load(path, [nelayan, beras])
    first = update_search_index(Warehouse.file(path))
    assert (first["documents"], first["indexed"]) == (2, 2)

    # new (gempa), changed (nelayan's text), a duplicate of beras, and beras again unchanged
    edited = _article("nelayan", TEXTS["nelayan"][1] + " Harga ikan tongkol di pelelangan ikut naik.")
    _load(path, [_article("gempa"), edited, _copy(beras, "beras-salinan"), _article("beras")])
    second = update_search_index(Warehouse.file(path))
    assert (second["documents"], second["indexed"], second["removed"]) == (3, 2, 1)

    con = duckdb.connect(str(path))
    try:
        load_extension(con, "fts")
        assert con.execute("SELECT count(*) FROM store.search_changes").fetchone()[0] == 0  # consumed
        updated = _index(con)
        assert any(term == "tongkol" for term, _, _ in updated[0])  # the edit is searchable
        con.execute("DROP TABLE store.search_postings")
        con.execute("DROP TABLE store.search_docs")
        build_index(con)  # a whole rebuild from the articles
        assert _index(con) == updated
    finally:
        con.close()


def test_update_reads_only_the_logged_articles(tmp_path: Path) -> None:
    """An article written around the loader (no change-log row) is not picked up by the
    pipeline's update: proof that it no longer compares every article; a whole comparison
    (no change log) still finds it."""
    path = tmp_path / "kabar.duckdb"
    _load(path, [_article("nelayan")])
    update_search_index(Warehouse.file(path))
    con = duckdb.connect(str(path))
    try:
        con.execute("""INSERT INTO store.articles BY NAME
                       SELECT * REPLACE (article_id || '-x' AS article_id, url || '-x' AS url,
                                         canonical_url || '-x' AS canonical_url) FROM store.articles""")
    finally:
        con.close()
    _load(path, [_article("gempa")])
    assert update_search_index(Warehouse.file(path))["documents"] == 2  # nelayan and gempa, not the copy
    con = duckdb.connect(str(path))
    try:
        assert build_index(con) == 3
    finally:
        con.close()


def test_an_update_with_nothing_logged_does_nothing(tmp_path: Path) -> None:
    """An unchanged run logs no article: the update neither loads fts nor touches the index
    (issue 11); a search macro of another kabar version is re-created all the same."""
    path = tmp_path / "kabar.duckdb"
    _load(path, [_article("nelayan"), _article("beras")])
    assert update_search_index(Warehouse.file(path))["indexed"] == 2

    con = duckdb.connect(str(path))  # a fresh process's connection: no extension loaded
    try:
        before = _index(con)
        assert update_index(con, changes=CHANGES_TABLE) == {"documents": 2, "indexed": 0, "removed": 0}
        loaded = con.execute("SELECT count(*) FROM duckdb_extensions() WHERE loaded AND extension_name = 'fts'")
        assert loaded.fetchone()[0] == 0
        assert _index(con) == before

        con.execute("UPDATE store.search_state SET value = value + 1 WHERE key = 'macro'")  # another macro
        assert update_index(con, changes=CHANGES_TABLE)["indexed"] == 0
        loaded = con.execute("SELECT count(*) FROM duckdb_extensions() WHERE loaded AND extension_name = 'fts'")
        assert loaded.fetchone()[0] == 1  # the full path ran and re-created the macro
        assert con.execute("SELECT value FROM store.search_state WHERE key = 'macro'").fetchone()[0] == MACRO_VERSION
    finally:
        con.close()

    _load(path, [_article("gempa")])  # logged again: indexed
    assert update_search_index(Warehouse.file(path))["indexed"] == 1

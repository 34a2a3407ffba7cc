"""tasks/load.py: the loader writes a batch in one transaction, idempotently, with the run id
as a bound parameter."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from kabar.config import Warehouse
from kabar.models import Article, Fetched, Item, StageError
from tasks.dedupe import identify
from tasks.enrich import Enrichment
from tasks.load import Counts, finish_run, load_batch, start_run
from tests.conftest import query as _rows

NOW = datetime(2024, 5, 15, 3, 0, tzinfo=timezone.utc)
TEXT = ("Nelayan di pesisir utara Makassar kembali melaut setelah banjir rob surut. Mereka mengatakan "
        "hasil tangkapan belum pulih karena air laut masih keruh.")


def _article(url: str, text: str = TEXT) -> Article:
    article = Article(url=url, source="uji", fetched_at=NOW, text=text, title="Nelayan Kembali Melaut",
                      published_at=NOW)
    article.meta["status"] = "new"
    return identify(article)


def _fetch(url: str) -> Fetched:
    return Fetched(Item(url=url, source="uji"), NOW, status_code=200, body=b"<html></html>",
                   content_type="text/html", final_url=url)


def test_load_is_idempotent_and_versions_changed_text(tmp_path: Path) -> None:
    path = tmp_path / "kabar.duckdb"
    run_id = start_run(Warehouse.file(path), "uji", {})
    url = "https://kabarkita.example/nelayan"
    first = load_batch(Warehouse.file(path), run_id, [_fetch(url)], [_article(url)], [])
    again = load_batch(Warehouse.file(path), run_id, [_fetch(url)], [_article(url)], [])
    changed = load_batch(Warehouse.file(path), run_id, [_fetch(url)], [_article(url, TEXT + " Harga ikan naik.")], [])
    finish_run(Warehouse.file(path), run_id, Counts())
    assert (first.total()["new"], again.total()["unchanged"], changed.total()["updated"]) == (1, 1, 1)
    assert _rows(path, "SELECT count(*), max(version) FROM articles") == [(1, 2)]
    assert _rows(path, "SELECT count(*) FROM article_versions") == [(2,)]


def test_the_declared_summary_is_stored_beside_the_text(tmp_path: Path) -> None:
    """A standfirst extraction keeps out of the body is not lost: articles.description holds it."""
    path = tmp_path / "kabar.duckdb"
    run_id = start_run(Warehouse.file(path), "uji", {})
    described, plain = "https://kabarkita.example/nelayan", "https://kabarkita.example/pasar"
    article = _article(described)
    article.description = "Nelayan Makassar kembali melaut, tetapi hasil tangkapan belum pulih."
    load_batch(Warehouse.file(path), run_id, [_fetch(described), _fetch(plain)],
               [article, _article(plain, TEXT + " Harga ikan naik.")], [])
    finish_run(Warehouse.file(path), run_id, Counts())
    assert _rows(path, "SELECT url, description FROM articles ORDER BY url") == [
        (described, article.description), (plain, None)]


def test_run_id_is_a_bound_parameter(tmp_path: Path) -> None:
    """A run id with a quote in it is stored as it is (an f-string would have broken the SQL)."""
    path = tmp_path / "kabar.duckdb"
    run_id = start_run(Warehouse.file(path), "uji", {}, run_id="uji-o'hara-1")
    url = "https://kabarkita.example/nelayan"
    load_batch(Warehouse.file(path), run_id, [_fetch(url)], [_article(url)], [StageError(url + "/2", "uji", "extract", "kosong")])
    finish_run(Warehouse.file(path), run_id, Counts())
    assert _rows(path, "SELECT DISTINCT run_id FROM fetches") == [("uji-o'hara-1",)]
    assert _rows(path, "SELECT DISTINCT run_id FROM articles") == [("uji-o'hara-1",)]
    assert _rows(path, "SELECT DISTINCT run_id FROM stage_errors") == [("uji-o'hara-1",)]


def test_a_failing_batch_leaves_nothing_behind(tmp_path: Path) -> None:
    """One transaction: a write that fails half-way rolls back the fetches and articles too."""
    path = tmp_path / "kabar.duckdb"
    run_id = start_run(Warehouse.file(path), "uji", {})
    url = "https://kabarkita.example/nelayan"
    broken = _article(url)
    broken.enrichments["themes"] = Enrichment(rows={"themes": [{"no_such_column": 1}]})
    with pytest.raises(duckdb.Error):
        load_batch(Warehouse.file(path), run_id, [_fetch(url)], [broken], [])
    finish_run(Warehouse.file(path), run_id, Counts(), "failed")
    assert _rows(path, "SELECT count(*) FROM fetches") == [(0,)]
    assert _rows(path, "SELECT count(*) FROM articles") == [(0,)]

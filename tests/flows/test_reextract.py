"""The reextract flow (`kabar reextract`) ends as ingest does: the search index and the
explorer's pre-aggregated copies (warehouse/summaries.py) are brought up to date, so the
explorer reads the copies, with the re-extracted values, not the slow live views."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.ingest import ingest
from flows.reextract import reextract
from kabar.config import Warehouse
from tests.flows.test_ingest_site import sources_file
from tests.site import TestSite
from warehouse import explorer as ex
from warehouse import summaries
from warehouse.backend import refresh_summaries
from warehouse.connection import open_reader

PAGE = "/articles/korsel-jatuhkan-sanksi-sepihak.html"


def test_reextract_refreshes_the_explorer_copies(tmp_path: Path, site: TestSite, warehouse: Path) -> None:
    config = sources_file(tmp_path, site, ("contoh-rss", "feed", "/feed.xml"))
    assert ingest(config=str(config), warehouse=str(warehouse))["state"] == "completed"
    # What an older extractor left: another title for one article, copies refreshed over it by a run.
    con = duckdb.connect(str(warehouse))
    (article_id, title) = con.execute("SELECT article_id, title FROM store.articles WHERE url LIKE ?",
                                      [f"%{PAGE}"]).fetchone()
    con.execute("UPDATE store.articles SET title = 'Judul lama', content_hash = 'lama' WHERE article_id = ?",
                [article_id])
    con.execute("INSERT INTO store.runs (run_id, flow, started_at, state) VALUES ('older', 'ingest', now(), 'completed')")
    (entity_id,) = con.execute("SELECT min(entity_id) FROM store.mentions WHERE article_id = ?", [article_id]).fetchone()
    con.close()
    assert entity_id is not None and refresh_summaries(Warehouse.file(warehouse))
    with open_reader(warehouse) as con:
        assert summaries.current(con)
        assert (article_id, "Judul lama") in [r[:2] for r in ex.entity_articles(con, entity_id).rows]

    summary = reextract(warehouse=str(warehouse))
    assert summary["state"] == "completed", summary

    with open_reader(warehouse) as con:
        # the copies are current after the reextract run (not the live views) and show its title
        assert summaries.current(con) and ex._entities(con) == "store.explorer_entities"
        titles = dict(r[:2] for r in ex.entity_articles(con, entity_id).rows)
        assert titles[article_id] == title != "Judul lama"
        story = ex.article(con, article_id)["story_id"]
        assert ex.story(con, story)["article_count"] >= 1
        # the search index follows the new text too: the restored title's words find the article
        word = max(title.split(), key=len)
        assert article_id in [r[0] for r in ex.search_hits(con, ex.Filters(query=word)).rows]

"""The dedupe/story state written by the load step, batch after batch, in a real DuckDB file."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from kabar.config import Warehouse
from kabar.models import Article
from tasks.dedupe import dedupe_batch
from tasks.load import load_batch, start_run
from tasks.normalise import normalise_article
from tasks.stories import stories_batch


def _one_at_a_time(paths: list[Path], warehouse: Path) -> dict[str, str]:
    run_id = start_run(Warehouse.file(warehouse), "test", {})
    for path in paths:
        article = Article(url=path.resolve().as_uri(), source="seeds", fetched_at=datetime.now(timezone.utc),
                          text=path.read_text(encoding="utf-8"))
        normalise_article(article)
        load_batch(Warehouse.file(warehouse), run_id, [], stories_batch(dedupe_batch([article], Warehouse.file(warehouse)), Warehouse.file(warehouse)), [])
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {Path(url).name[:3]: story for url, story in con.execute("SELECT url, story_id FROM articles").fetchall()}
    finally:
        con.close()


@pytest.mark.parametrize("order", ["forward", "reverse"])
def test_seed_stories_hold_when_each_seed_is_its_own_batch(shared: Path, warehouse: Path, order: str) -> None:
    paths = sorted((shared / "seeds").glob("*.txt"))
    story = _one_at_a_time(paths if order == "forward" else paths[::-1], warehouse)
    assert story["001"] == story["003"]
    assert len({story["001"], story["002"], story["004"]}) == 3
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        # the centroids and document counts were folded in batch by batch
        assert con.execute("SELECT df FROM store.term_df WHERE term = ''").fetchone()[0] == 5
        assert con.execute("SELECT sum(members) FROM store.stories").fetchone()[0] == 5
        assert con.execute("SELECT count(*) FROM store.article_bands").fetchone()[0] == 5 * 20
    finally:
        con.close()

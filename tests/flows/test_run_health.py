"""Run health, coverage share and source health through the real ingest flow (issue 16):
a local news site whose feed and pages the tests break on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.ingest import ingest
from kabar.cli import main
from kabar.health import RunUnhealthy
from tests.conftest import query
from tests.newsroom import config_for, newsroom
from tests.site import Response, TestSite


def break_pages(site: TestSite, count: int) -> None:
    for index in range(count):
        site.routes[f"/berita/{index}.html"] = Response("gone", status=404)


def test_a_run_whose_every_page_fails_ends_failed_with_exit_1(tmp_path: Path, capsys) -> None:
    warehouse = tmp_path / "wh" / "kabar.duckdb"
    with newsroom(4) as site:
        break_pages(site, 4)
        config = config_for(tmp_path / "sources.toml", site)
        code = main(["ingest", "--config", str(config), "--warehouse", str(warehouse)])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert "failed" in out.splitlines()[0]
    assert "nothing could be fetched or extracted" in out
    assert "lokal: failing" in out and "404" in out
    (state, message), = query(warehouse, "SELECT state, message FROM runs")
    assert state == "failed" and "lokal" in message
    assert query(warehouse, "SELECT source, status, listed, failed FROM store.run_sources") == [("lokal", "failing", 4, 4)]


def test_too_many_failed_items_end_completed_with_errors(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "kabar.duckdb"
    with newsroom(6) as site:
        break_pages(site, 2)  # 2 of 6 pages fail: 33% > the 20% default
        config = config_for(tmp_path / "sources.toml", site)
        with pytest.raises(RunUnhealthy) as raised:
            ingest(config=str(config), warehouse=str(warehouse))
        summary = raised.value.summary
        assert summary["state"] == "completed_with_errors"
        assert any("2 of 8 items failed" in r or "items failed" in r for r in summary["health"]["reasons"])
        # the same run with a laxer [run] threshold is healthy
        lax = config_for(tmp_path / "lax.toml", site, run="max_failed_share = 0.5")
        assert ingest(config=str(lax), warehouse=str(tmp_path / "lax" / "kabar.duckdb"))["state"] == "completed"
    assert query(warehouse, "SELECT state FROM runs") == [("completed_with_errors",)]


def test_a_silent_source_among_few_is_an_error(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "kabar.duckdb"
    with newsroom(3) as site:
        site.routes["/kosong.xml"] = Response('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
                                              headers={"Content-Type": "text/plain"})
        extra = f'\n[[sources]]\nname = "kosong"\nkind = "feed"\nurl = "{site.url("/kosong.xml")}"\n'
        config = config_for(tmp_path / "sources.toml", site, extra)
        with pytest.raises(RunUnhealthy) as raised:
            ingest(config=str(config), warehouse=str(warehouse))
    attention = raised.value.summary["health"]["attention"]
    assert [(a["source"], a["status"]) for a in attention] == [("kosong", "silent")]
    assert "kosong silent" in str(raised.value)


def test_coverage_counts_every_listed_item_and_the_subject_share(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "kabar.duckdb"
    with newsroom(6) as site:
        # the subject: items titled "Berita 4" or "Berita 5" in the feed (feed titles are "Berita <i>")
        extra = 'include = ["Berita [45]\\\\b"]\noutlet = "Lokal"\n'
        config = config_for(tmp_path / "sources.toml", site, extra)
        ingest(config=str(config), warehouse=str(warehouse), limit=2)
    # limit 2: only two pages fetched, but all six listed items count towards the outlet's output
    assert query(warehouse, "SELECT count(*), count(*) FILTER (WHERE matched) FROM store.discovered_items") == [(6, 2)]
    # items 0 and 1 were fetched: judged on their text; the others on the feed's title
    assert query(warehouse, "SELECT matched_on, count(*) FROM store.discovered_items GROUP BY 1 ORDER BY 1") == [
        ("text", 2), ("title", 4)]
    rows = query(warehouse, "SELECT outlet, sum(items), sum(matched) FROM daily_coverage_share GROUP BY outlet")
    assert rows == [("Lokal", 6, 2)]
    shares = query(warehouse, "SELECT day, items, matched, share FROM daily_coverage_share ORDER BY day")
    assert len(shares) == 6 and {r[1] for r in shares} == {1}
    assert [r[3] for r in shares] == [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]


def test_source_health_flags_a_feed_that_stops_answering(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "kabar.duckdb"
    with newsroom(3) as site:
        config = config_for(tmp_path / "sources.toml", site)
        assert ingest(config=str(config), warehouse=str(warehouse))["state"] == "completed"
        assert query(warehouse, "SELECT status, needs_attention FROM source_health") == [("ok", False)]
        site.routes["/rss.xml"] = Response("server error", status=503)
        with pytest.raises(RunUnhealthy):
            ingest(config=str(config), warehouse=str(warehouse))
        with pytest.raises(RunUnhealthy):
            ingest(config=str(config), warehouse=str(warehouse))
    (status, failed_runs, last_success, attention, reason), = query(
        warehouse, "SELECT status, consecutive_failed_runs, last_success_at, needs_attention, last_reason FROM source_health")
    assert (status, failed_runs, attention) == ("started_failing", 2, True)
    assert last_success is not None and "503" in reason

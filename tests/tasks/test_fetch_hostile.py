"""The ingest flow against the hostile site: one test per fault, on one shared run.

The run uses small timeouts (set in the sources file) so the faults resolve in seconds. Each
test asserts the outcome recorded in ``fetches``; all of them that the forbidden port received
nothing and that every good article was loaded.
"""

from __future__ import annotations

import pytest

from kabar.config import Warehouse
from flows.ingest import ingest
from tasks.capture import warc_dir
from tests.conftest import query
from tests.tasks.hostile_site import BAD, GOOD, HostileSite

SETTINGS = """
[fetch]
timeout = 1.0
total_timeout = 2.0
retries = 1
backoff_base = 0.05
max_body_bytes = 1000000
"""


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory):
    """(the site, the warehouse, the first run's summary, the second run's summary)."""
    tmp = tmp_path_factory.mktemp("hostile")
    warehouse = tmp / "wh" / "kabar.duckdb"
    with HostileSite(slow_s=3.0, drip_s=4.0) as site:
        config = tmp / "sources.toml"
        # thresholds off: these tests are about fetching hostile pages, not run health (issue 16)
        config.write_text(
            "[run]\nmax_failed_share = 1.0\nmax_silent_share = 1.0\n" + SETTINGS + f"""
[[sources]]
name = "hostile"
kind = "feed"
url = "{site.url('/feed.xml')}"

[[sources]]
name = "laughs"
kind = "feed"
url = "{site.url('/evil.xml')}"
""", encoding="utf-8")
        first = ingest(config=str(config), allow_hosts=[site.site.host], warehouse=str(warehouse))
        requests_after_first = len(site.log)
        second = ingest(config=str(config), allow_hosts=[site.site.host], warehouse=str(warehouse))
        yield site, warehouse, first, second, site.log[requests_after_first:]


def error_of(hostile_run, path: str) -> str | None:
    site, warehouse, first = hostile_run[:3]
    rows = query(warehouse, "SELECT error FROM fetches WHERE url = ? AND run_id = ?", [site.url(path), first["run_id"]])
    assert len(rows) == 1, rows
    return rows[0][0]


def test_run_completes_loading_every_good_article(hostile_run) -> None:
    site, warehouse, first = hostile_run[:3]
    assert first["state"] == "completed"
    urls = {r[0] for r in query(warehouse, "SELECT url FROM articles")}
    assert urls == {site.url(p) for p in GOOD}
    assert site.forbidden.requests == []


@pytest.mark.parametrize("path", sorted(BAD))
def test_each_fault_is_recorded_with_its_reason(hostile_run, path: str) -> None:
    error = error_of(hostile_run, path)
    assert error is not None and error.startswith(BAD[path]), error
    assert hostile_run[0].forbidden.requests == []


def test_slow_drip_is_stopped_by_the_total_limit(hostile_run) -> None:
    # the body would take 4 s; the total limit (2 s) stops it, whatever the read timeout says
    assert error_of(hostile_run, "/berita/menetes").startswith("timeout: over 2s")


def test_gzip_bomb_is_refused_not_inflated(hostile_run) -> None:
    assert "decompression bomb" in error_of(hostile_run, "/berita/bom")


def test_429_is_retried_then_loads(hostile_run) -> None:
    # how long it waits (Retry-After) is tests/tasks/test_fetch.py::test_retry_decisions
    assert hostile_run[0].hits["/berita/antre"] == 2
    assert error_of(hostile_run, "/berita/antre") is None


def test_500_then_200_is_retried_and_loaded(hostile_run) -> None:
    assert hostile_run[0].hits["/berita/goyah"] >= 2
    assert error_of(hostile_run, "/berita/goyah") is None


def test_other_4xx_is_not_retried(hostile_run) -> None:
    assert hostile_run[0].hits["/berita/hilang"] == 1


def test_connection_reset_is_retried_then_recorded(hostile_run) -> None:
    assert hostile_run[0].hits["/berita/putus"] == 2  # retries = 1
    assert error_of(hostile_run, "/berita/putus").startswith("connection error")


def test_robots_disallow_is_never_requested(hostile_run) -> None:
    assert "/private/rahasia" not in hostile_run[0].hits


def test_robots_txt_is_read_once_per_run(hostile_run) -> None:
    # the spacing its Crawl-delay asks for is tests/tasks/test_fetch.py::test_crawl_delay_*
    site, _, _, _, second_run = hostile_run
    assert site.hits["/robots.txt"] == 2  # one per run, however many batches and feeds
    assert [p for _, p in second_run].count("/robots.txt") == 1


def test_forbidden_port_and_redirect_are_refused(hostile_run) -> None:
    site, warehouse, first = hostile_run[:3]
    rows = query(warehouse, "SELECT error FROM fetches WHERE url = ?", [site.forbidden.url("/curian")])
    assert rows and all(r[0].startswith("refused:") and "loopback" in r[0] for r in rows)
    assert site.forbidden.requests == []


def test_billion_laughs_feed_is_refused(hostile_run) -> None:
    site, warehouse = hostile_run[:2]
    rows = query(warehouse, "SELECT error FROM fetches WHERE url = ?", [site.url("/evil.xml")])
    assert rows[0][0].startswith("refused: XML declares entities")


def test_wrong_and_missing_charsets_come_out_readable(hostile_run) -> None:
    site, warehouse = hostile_run[:2]
    texts = dict(query(warehouse, "SELECT url, text FROM articles WHERE url LIKE '%cp1252' OR url LIKE '%latin1'"))
    cp1252, latin1 = texts[site.url("/berita/cp1252")], texts[site.url("/berita/latin1")]
    assert "“Andi”" in cp1252 and "kafé Señor" in cp1252 and "–" in cp1252
    assert "crêpe dan café" in latin1
    assert "\ufffd" not in cp1252 + latin1


def test_pdf_is_skipped_unread(hostile_run) -> None:
    site, warehouse = hostile_run[:2]
    assert query(warehouse, "SELECT bytes FROM fetches WHERE url = ?", [site.url("/dokumen/laporan.pdf")]) == [(None,)]


def test_multipage_article_is_one_article_with_the_lead_once(hostile_run) -> None:
    site, warehouse = hostile_run[:2]
    (text,) = query(warehouse, "SELECT text FROM articles WHERE url = ?", [site.url("/berita/panjang")])[0]
    assert text.count("Banjir melanda tiga desa") == 1
    assert text.index("Bagian 1") < text.index("Bagian 2") < text.index("Bagian 3")


def test_every_response_is_captured_with_its_record_id(hostile_run) -> None:
    site, warehouse, first = hostile_run[:3]
    rows = query(warehouse, "SELECT url, warc_record_id FROM fetches WHERE run_id = ? AND error IS NULL",
                 [first["run_id"]])
    assert rows and all(r[1] and r[1].startswith("<urn:uuid:") for r in rows)
    from warcio.archiveiterator import ArchiveIterator

    with open(warc_dir(Warehouse.file(warehouse)) / f"{first['run_id']}.warc.gz", "rb") as stream:
        captured = {r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(stream)}
    assert {r[1] for r in rows} <= captured  # every record readable, none interleaved


def test_second_run_rereads_the_feed_and_does_no_article_work(hostile_run) -> None:
    site, warehouse, first, second, later = hostile_run
    assert second["state"] == "completed"
    assert sorted(p for _, p in later if p != "/robots.txt") == ["/evil.xml", "/feed.xml"]
    (status,) = query(warehouse, "SELECT status_code FROM fetches WHERE run_id = ? AND url = ?",
                      [second["run_id"], site.url("/feed.xml")])[0]
    assert status == 304
    frontier = dict(query(warehouse, "SELECT url, status FROM frontier WHERE kind = 'page'"))
    assert frontier[site.url("/berita/jembatan")] == "fetched"
    assert frontier[site.url("/berita/hilang")] == "failed"

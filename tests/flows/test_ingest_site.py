"""The ingest flow against a real local web site: feed + sitemap + pages into a DuckDB file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from flows.ingest import ingest
from kabar.health import RunUnhealthy
from tests.conftest import query
from tests.site import Response, TestSite

ROOT = Path(__file__).resolve().parents[2]


def sources_file(tmp_path: Path, site: TestSite, *urls: tuple[str, str], timeout: float = 20, retries: int = 1) -> Path:
    blocks = "\n".join(
        f'[[sources]]\nname = "{name}"\nkind = "{kind}"\nurl = "{site.url(path)}"\nlanguage = "id"\n'
        for name, kind, path in urls
    )
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[fetch]\ntimeout = {timeout}\nretries = {retries}\nallow_hosts = ["{site.host}"]\n\n{blocks}', encoding="utf-8"
    )
    return path


def test_feed_and_sitemap_pages_are_loaded_once(tmp_path: Path, site: TestSite, warehouse: Path) -> None:
    config = sources_file(tmp_path, site, ("contoh-rss", "feed", "/feed.xml"), ("contoh-news", "sitemap", "/sitemap.xml"))
    summary = ingest(config=str(config), warehouse=str(warehouse))
    assert summary["state"] == "completed"
    rows = query(warehouse, "SELECT canonical_url, source, language, title, published_at FROM articles ORDER BY 1")
    # 4 feed items + 3 sitemap URLs, one URL in both: 6 distinct articles, each stored once.
    assert len(rows) == 6
    assert {r[2] for r in rows} == {"id"}
    assert all(r[0].startswith(site.base_url.replace("http://", "http://")) for r in rows)
    assert all(r[3] and r[4] is not None for r in rows)
    assert query(warehouse, "SELECT count(*) FROM fetches WHERE url LIKE '%/feed.xml' OR url LIKE '%/sitemap.xml'")[0][0] == 2
    requested = site.paths_requested()
    assert requested.count("/articles/tentara-korut-berlatih-drone.html") == 1


def test_rerun_adds_nothing_and_an_edited_page_is_updated(tmp_path: Path, site: TestSite, warehouse: Path) -> None:
    config = sources_file(tmp_path, site, ("contoh-rss", "feed", "/feed.xml"))
    ingest(config=str(config), warehouse=str(warehouse))
    page = "/articles/korsel-jatuhkan-sanksi-sepihak.html"
    original = (ROOT / "tests/fixtures/site" / page.lstrip("/")).read_text(encoding="utf-8")
    edited = original.replace("</p>", " Pemerintah menyatakan daftar sanksi akan ditinjau setiap tiga bulan.</p>", 1)
    assert edited != original
    site.routes[page] = Response(edited.replace("{{BASE}}", site.base_url))
    second = ingest(config=str(config), warehouse=str(warehouse))
    counts = second["by_source"]["contoh-rss"]
    assert (counts["new"], counts["updated"], counts["unchanged"], counts["duplicate"]) == (0, 1, 3, 0)
    assert query(warehouse, "SELECT count(*) FROM articles")[0][0] == 4
    versions = query(warehouse, f"SELECT v.version, v.text LIKE '%setiap tiga bulan%' FROM article_versions v "
                                f"JOIN articles a USING (article_id) WHERE a.url LIKE '%{page}' ORDER BY v.version")
    assert versions == [(1, False), (2, True)]
    assert query(warehouse, f"SELECT version FROM articles WHERE url LIKE '%{page}'")[0][0] == 2
    runs = query(warehouse, "SELECT state, new, updated, unchanged FROM runs ORDER BY started_at")
    assert runs == [("completed", 4, 0, 0), ("completed", 0, 1, 3)]


def test_same_text_at_another_url_is_a_duplicate(tmp_path: Path, site: TestSite, warehouse: Path) -> None:
    page = (ROOT / "tests/fixtures/site/articles/pyongyang-gelar-pameran-senjata.html").read_text(encoding="utf-8")
    copy = page.replace("{{BASE}}", site.base_url).replace(
        f"{site.base_url}/articles/pyongyang-gelar-pameran-senjata.html", f"{site.base_url}/mirror/pameran.html")
    site.routes["/mirror/pameran.html"] = Response(copy)
    site.routes["/both.xml"] = Response(
        f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc>{site.base_url}/articles/pyongyang-gelar-pameran-senjata.html</loc></url>
        <url><loc>{site.base_url}/mirror/pameran.html</loc></url></urlset>""",
        headers={"Content-Type": "application/xml"},
    )
    config = sources_file(tmp_path, site, ("both", "sitemap", "/both.xml"))
    summary = ingest(config=str(config), warehouse=str(warehouse))
    assert summary["by_source"]["both"]["new"] == 1 and summary["by_source"]["both"]["duplicate"] == 1
    rows = query(warehouse, "SELECT url LIKE '%/mirror/%', duplicate_of IS NOT NULL FROM articles ORDER BY 1")
    assert rows == [(False, False), (True, True)]
    original_id = query(warehouse, "SELECT article_id FROM articles WHERE duplicate_of IS NULL")[0][0]
    assert query(warehouse, "SELECT duplicate_of FROM articles WHERE duplicate_of IS NOT NULL")[0][0] == original_id


def test_404_timeout_and_non_html_are_recorded_and_the_rest_loads(tmp_path: Path, site: TestSite, warehouse: Path) -> None:
    def slow(handler) -> None:
        time.sleep(3)
        Response("<html><body><p>terlambat</p></body></html>")(handler)

    site.routes["/slow.html"] = slow
    site.routes["/laporan.pdf"] = Response(b"%PDF-1.4 fake", headers={"Content-Type": "application/pdf"})
    good = ["kim-kunjungi-pabrik-peluru", "korsel-jatuhkan-sanksi-sepihak"]
    urls = [f"/articles/{g}.html" for g in good] + ["/hilang.html", "/slow.html", "/laporan.pdf"]
    site.routes["/mixed.xml"] = Response(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{site.base_url}{u}</loc></url>" for u in urls) + "</urlset>",
        headers={"Content-Type": "application/xml"},
    )
    config = sources_file(tmp_path, site, ("mixed", "sitemap", "/mixed.xml"), timeout=1, retries=0)
    with pytest.raises(RunUnhealthy) as unhealthy:  # 3 of 5 items failed: more than [run] max_failed_share
        ingest(config=str(config), warehouse=str(warehouse))
    summary = unhealthy.value.summary
    assert summary["state"] == "completed_with_errors"
    errors = dict(query(warehouse, "SELECT regexp_extract(url, '/[^/]+$'), error FROM fetches WHERE error IS NOT NULL"))
    assert errors["/hilang.html"].startswith("HTTP 404")
    assert "timeout" in errors["/slow.html"]
    assert errors["/laporan.pdf"].startswith("not HTML: application/pdf")
    assert query(warehouse, "SELECT count(*) FROM articles")[0][0] == 2
    assert summary["by_source"]["mixed"]["failed"] == 3
    assert query(warehouse, "SELECT failed, new FROM runs")[0] == (3, 2)


def test_samples_config_loads_warc_and_text_files(warehouse: Path) -> None:
    summary = ingest(config=str(ROOT / "samples/sources.toml"), warehouse=str(warehouse))
    counts = summary["by_source"]
    # The samples' syndicated story (two outlets, other datelines and boilerplate) is one
    # original and one near-duplicate copy.
    assert (counts["sample-warc"]["new"], counts["sample-warc"]["duplicate"]) == (11, 1)
    assert counts["sample-files"]["new"] == 4
    pair = query(warehouse, "SELECT c.title = o.title, c.outlet <> o.outlet, c.duplicate_similarity FROM articles c "
                            "JOIN articles o ON c.duplicate_of = o.article_id")
    # The copy's site promo line is learned from this very batch (issue 13), so what is left
    # apart from the syndication note can estimate as similar as 1.0.
    assert len(pair) == 1 and pair[0][0] and pair[0][1] and 0.7 <= pair[0][2] <= 1.0
    texts = query(warehouse, "SELECT c.text FROM articles c WHERE c.duplicate_of IS NOT NULL")
    assert "Simak berita dan artikel pilihan Suluh Berita" not in texts[0][0]
    outlets = {r[0] for r in query(warehouse, "SELECT DISTINCT outlet FROM articles")}
    assert {"Warta Nusantara", "Kabar Pagi", "Suluh Berita", "Berkas Lokal"} <= outlets
    assert query(warehouse, "SELECT count(*) FROM articles WHERE url LIKE 'file://%'")[0][0] == 4
    # The README's quick start: "Run it again: it adds no article and the `runs` view shows two
    # runs" (the second `make demo` of tests/test_quickstart.py checked this before, at the cost
    # of a whole process with its own temporary Prefect API).
    again = ingest(config=str(ROOT / "samples/sources.toml"), warehouse=str(warehouse))
    assert again["state"] == "completed"
    assert sum(c.get("new", 0) + c.get("duplicate", 0) for c in again["by_source"].values()) == 0
    assert query(warehouse, "SELECT count(*) FROM articles")[0][0] == 16
    assert query(warehouse, "SELECT state, new, duplicate FROM runs ORDER BY started_at") == [
        ("completed", 15, 1), ("completed", 0, 0)]


@pytest.mark.parametrize("bad", ["/tidak/ada/berkas.html", "ftp://example.org/feed.xml"])
def test_bad_adhoc_target_is_a_clear_error(bad: str, warehouse: Path) -> None:
    from kabar.config import ConfigError
    from kabar.sources import resolve_sources

    with pytest.raises(ConfigError, match="no such file"):
        resolve_sources(None, None, [bad])

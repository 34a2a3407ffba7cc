"""An unchanged rerun does almost nothing (issue 11): a page whose body is the one its stored
article was extracted from is counted ``unchanged`` without being extracted again; a changed
body, a new extractor version or ``reextract`` extracts it again."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.corpus import write_files
from flows.ingest import ingest
from kabar import settings
from tests.conftest import query

SKIPPED = "body unchanged since its article was extracted"


def _run(pages: Path, warehouse: Path, **options) -> dict:
    return ingest(paths=[str(pages)], warehouse=str(warehouse), **options)


def _bodies_by_run(warehouse: Path) -> dict[str, int]:
    """How many stored bodies each run extracted (a body row is rewritten only by an extraction)."""
    return dict(query(warehouse, "SELECT run_id, count(*) FROM store.extracted_bodies GROUP BY run_id"))


def _skipped_fetches(warehouse: Path, run_id: str) -> int:
    return query(warehouse, "SELECT count(*) FROM store.fetches WHERE run_id = ? AND page_type_reason = ?",
                 [run_id, SKIPPED])[0][0]


def test_an_unchanged_rerun_extracts_nothing_and_a_changed_page_is_extracted(tmp_path: Path) -> None:
    pages, warehouse = tmp_path / "halaman", tmp_path / "wh" / "kabar.duckdb"
    write_files(pages, 5)
    first = _run(pages, warehouse)
    assert first["by_source"]["halaman"]["new"] == 5
    assert _bodies_by_run(warehouse) == {first["run_id"]: 5}

    second = _run(pages, warehouse)
    counts = second["by_source"]["halaman"]
    assert (counts["fetched"], counts["unchanged"], counts["new"], counts["updated"]) == (5, 5, 0, 0)
    assert _bodies_by_run(warehouse) == {first["run_id"]: 5}  # nothing was extracted again
    assert _skipped_fetches(warehouse, second["run_id"]) == 5  # each fetch recorded, as skipped
    state = query(warehouse, "SELECT state, fetched, unchanged FROM store.runs WHERE run_id = ?", [second["run_id"]])
    assert state == [("completed", 5, 5)]
    # seen again: last_seen_at moved (the run-scoped quality checks look at these rows)
    assert query(warehouse, "SELECT count(*) FROM articles WHERE last_seen_at > first_seen_at")[0][0] == 5
    assert query(warehouse, "SELECT max(version) FROM articles")[0][0] == 1

    edited = pages / "artikel-000003.html"
    edited.write_text(edited.read_text(encoding="utf-8").replace("<p>", "<p>Pembaruan pukul 10.00 WIB: ", 1),
                      encoding="utf-8")
    third = _run(pages, warehouse)
    counts = third["by_source"]["halaman"]
    assert (counts["unchanged"], counts["updated"]) == (4, 1)
    assert _bodies_by_run(warehouse) == {first["run_id"]: 4, third["run_id"]: 1}
    assert _skipped_fetches(warehouse, third["run_id"]) == 4


def test_a_new_extractor_version_or_reextract_extracts_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages, warehouse = tmp_path / "halaman", tmp_path / "wh" / "kabar.duckdb"
    write_files(pages, 4)
    first = _run(pages, warehouse)

    monkeypatch.setattr(settings, "PIPELINE_CODE_VERSION", settings.PIPELINE_CODE_VERSION + "-baru")
    bumped = _run(pages, warehouse)
    assert bumped["by_source"]["halaman"]["unchanged"] == 4  # same text: merged as unchanged...
    assert _bodies_by_run(warehouse) == {bumped["run_id"]: 4}  # ...but every page was extracted again
    assert _skipped_fetches(warehouse, bumped["run_id"]) == 0
    extractors = query(warehouse, "SELECT DISTINCT extractor FROM store.extracted_bodies")
    assert len(extractors) == 1 and "-baru" in extractors[0][0]

    again = _run(pages, warehouse)  # the new version's bodies are known now
    assert _skipped_fetches(warehouse, again["run_id"]) == 4

    forced = _run(pages, warehouse, reextract=True)
    assert forced["by_source"]["halaman"]["unchanged"] == 4
    assert _bodies_by_run(warehouse) == {forced["run_id"]: 4}
    assert _skipped_fetches(warehouse, forced["run_id"]) == 0
    assert first["run_id"] not in _bodies_by_run(warehouse)


def test_pages_served_again_over_http_are_not_extracted_again(tmp_path: Path, site, warehouse: Path) -> None:
    from tests.flows.test_ingest_site import sources_file

    config = sources_file(tmp_path, site, ("contoh-rss", "feed", "/feed.xml"))
    first = ingest(config=str(config), warehouse=str(warehouse))
    assert first["by_source"]["contoh-rss"]["new"] == 4
    second = ingest(config=str(config), warehouse=str(warehouse))  # the site answers 200, same bytes
    counts = second["by_source"]["contoh-rss"]
    assert (counts["fetched"], counts["unchanged"], counts["new"], counts["updated"]) == (4, 4, 0, 0)
    assert _skipped_fetches(warehouse, second["run_id"]) == 4
    assert _bodies_by_run(warehouse) == {first["run_id"]: 4}


VIDEO_PAGE = """<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Video: Banjir di Semarang</title></head>
<body><h1>Video: Banjir di Semarang</h1>
<video src="/media/banjir-semarang.mp4" controls></video>
<p>Tonton rekaman warga saat air merendam jalan {caption}.</p></body></html>
"""


def test_a_page_that_gave_no_article_is_not_extracted_again(tmp_path: Path) -> None:
    """A video page extraction skipped (page type ``video``) is skipped again unextracted while
    its bytes stay the same: the first rerun of real pages otherwise started the extraction
    workers for that one page. A changed page is extracted again."""
    pages, warehouse = tmp_path / "halaman", tmp_path / "wh" / "kabar.duckdb"
    write_files(pages, 1)
    video = pages / "video-banjir.html"
    video.write_text(VIDEO_PAGE.format(caption="Pemuda"), encoding="utf-8")
    first = _run(pages, warehouse)
    assert (first["by_source"]["halaman"]["new"], first["by_source"]["halaman"]["skipped"]) == (1, 1)
    assert _bodies_by_run(warehouse) == {first["run_id"]: 2}  # the article's body and the video's

    second = _run(pages, warehouse)
    counts = second["by_source"]["halaman"]
    assert (counts["fetched"], counts["unchanged"], counts["skipped"], counts["new"]) == (2, 1, 1, 0)
    assert _bodies_by_run(warehouse) == {first["run_id"]: 2}  # neither page was extracted again
    assert query(warehouse, "SELECT page_type FROM store.fetches WHERE run_id = ? AND url LIKE '%video-banjir%'",
                 [second["run_id"]]) == [("video",)]

    video.write_text(VIDEO_PAGE.format(caption="Pandanaran"), encoding="utf-8")
    third = _run(pages, warehouse)
    assert third["by_source"]["halaman"]["skipped"] == 1
    assert _bodies_by_run(warehouse) == {first["run_id"]: 1, third["run_id"]: 1}  # the changed one was


def _run_rows(warehouse: Path, run_id: str) -> dict:
    """What a run recorded: its row, its fetches, quality checks and per-source outcome."""
    return {
        "run": query(warehouse, "SELECT state, fetched, unchanged, new, updated, failed FROM store.runs WHERE run_id = ?",
                     [run_id]),
        "fetches": query(warehouse, "SELECT url, status_code, page_type, page_type_reason FROM store.fetches "
                                    "WHERE run_id = ? ORDER BY url", [run_id]),
        "checks": query(warehouse, "SELECT check_name, passed FROM store.quality_checks WHERE run_id = ? ORDER BY check_name", [run_id]),
        "sources": query(warehouse, "SELECT source, status, listed, fetched, failed, new FROM store.run_sources "
                                    "WHERE run_id = ?", [run_id]),
    }


def test_an_unchanged_rerun_records_everything_without_an_extract_task(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The unchanged path (issue 11) skips the extract task of a batch whose pages were all stored
    before and fetched with the same bytes, and the discovery load of sources that fetched
    nothing to list; what the run records stays what it was: its row and counts, a fetch row per
    page, the quality checks, the per-source outcome and ``last_seen_at``. The writer opens once
    per step that writes (start, the fetch plan: coverage, frontier and stored bodies together
    (tasks/fetch_plan.py), the batch's load, finish) and once for the index, checks and health
    together (tasks/wrapup.py); a reader only for the run report."""
    import tasks.extract_pool as extract_pool
    import warehouse.connection as connection

    pages, warehouse = tmp_path / "halaman", tmp_path / "wh" / "kabar.duckdb"
    write_files(pages, 5)
    first = _run(pages, warehouse)
    before = _run_rows(warehouse, first["run_id"])

    extractions, writer_opens, opens = [], [], []
    real_extract, real_connect = extract_pool.extract_in_workers, connection.connect
    monkeypatch.setattr(extract_pool, "extract_in_workers", lambda batch, fn: extractions.append(len(batch)) or real_extract(batch, fn))

    def counted_connect(path, *args, **kwargs):
        opens.append(path)
        if not kwargs.get("read_only"):
            writer_opens.append(path)
        return real_connect(path, *args, **kwargs)

    monkeypatch.setattr(connection, "connect", counted_connect)
    seen_before = query(warehouse, "SELECT max(last_seen_at) FROM articles")[0][0]
    second = _run(pages, warehouse)
    after = _run_rows(warehouse, second["run_id"])

    assert extractions == []  # no extract task ran: the batch was all unchanged
    assert len(writer_opens) <= 5, writer_opens  # start, fetch plan, the load, index+checks+health, finish
    assert len(opens) <= 6, opens  # and the report's reader (the frontier and stored bodies had one each)
    assert after["run"] == [("completed", 5, 5, 0, 0, 0)]
    assert [row[:3] for row in after["fetches"]] == [row[:3] for row in before["fetches"]]  # url, status, page type
    assert {reason for *_, reason in after["fetches"]} == {SKIPPED}
    assert after["checks"] == before["checks"] and after["checks"]  # every check recorded for the run
    assert [(s, status, listed, fetched, failed) for s, status, listed, fetched, failed, _ in after["sources"]] == \
           [(s, status, listed, fetched, failed) for s, status, listed, fetched, failed, _ in before["sources"]]
    assert after["sources"][0][-1] == 0  # nothing new this time
    assert query(warehouse, "SELECT min(last_seen_at) FROM articles")[0][0] > seen_before

    edited = pages / "artikel-000001.html"  # one changed page in a batch of stored ones: extracted
    edited.write_text(edited.read_text(encoding="utf-8").replace("<p>", "<p>Ralat: ", 1), encoding="utf-8")
    third = _run(pages, warehouse)
    assert extractions == [1]  # only the changed page went to the extraction workers
    assert third["by_source"]["halaman"]["updated"] == 1
    assert _run_rows(warehouse, third["run_id"])["run"] == [("completed", 5, 4, 0, 1, 0)]


#: The stages only a new or changed page goes through (flows/ingest.py ``ChangedPages``): module, task.
PER_ARTICLE_STAGES = {
    "extract": ("tasks.extract", "extract_task"),
    "site-profiles": ("tasks.boilerplate", "site_profiles_task"),
    "normalise": ("tasks.normalise", "normalise_task"),
    "dedupe": ("tasks.dedupe", "dedupe_task"),
    "enrich": ("tasks.enrich", "enrich_task"),
    "stories": ("tasks.stories", "stories_task"),
}


def test_an_unchanged_rerun_runs_no_per_article_stage_and_still_records_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unchanged rerun (issue 11) submits none of the per-article stages (no task run of
    extract, site profiles, normalise, dedupe, enrich or stories), and the run is still recorded
    whole: its row and counts, a fetch row per page, every quality check, its health and report.
    The same stand-ins see a changed page go through every stage, so the first assertion can fail."""
    import importlib

    pages, warehouse = tmp_path / "halaman", tmp_path / "wh" / "kabar.duckdb"
    write_files(pages, 4)
    first = _run(pages, warehouse)

    ran: list[str] = []  # the task runs of these stages, by name, from Prefect's own state hooks
    for module, name in PER_ARTICLE_STAGES.values():
        stage_task = getattr(importlib.import_module(module), name)
        hook = lambda task, task_run, state: ran.append(task.name)  # noqa: E731
        monkeypatch.setattr(importlib.import_module(module), name,
                            stage_task.with_options(on_completion=[hook], on_failure=[hook]))

    second = _run(pages, warehouse)
    assert ran == []  # not one per-article task ran
    rows = _run_rows(warehouse, second["run_id"])
    assert rows["run"] == [("completed", 4, 4, 0, 0, 0)]
    assert len(rows["fetches"]) == 4 and {reason for *_, reason in rows["fetches"]} == {SKIPPED}
    assert rows["checks"] == _run_rows(warehouse, first["run_id"])["checks"] and rows["checks"]
    assert (second["state"], second["health"]["state"]) == ("completed", "completed")
    assert sorted(c["check"] for c in second["quality"]) == [name for name, _ in rows["checks"]]
    assert second["by_source"]["halaman"]["unchanged"] == 4
    assert second["search_index"]["indexed"] == 0 and second["search_index"]["documents"] == 4

    edited = pages / "artikel-000002.html"
    edited.write_text(edited.read_text(encoding="utf-8").replace("<p>", "<p>Ralat: ", 1), encoding="utf-8")
    third = _run(pages, warehouse)
    assert set(ran) == set(PER_ARTICLE_STAGES)  # a changed page goes through each of them
    assert third["by_source"]["halaman"]["updated"] == 1

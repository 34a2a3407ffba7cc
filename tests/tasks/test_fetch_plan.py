"""tasks/fetch_plan.py: coverage, the frontier and the stored bodies on one connection give what
the three steps gave on their own connections."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flows.ingest import ingest
from kabar.config import resolve_warehouse
from kabar.sources import resolve_sources
from tasks.discover import discover_source, schedule_items
from tasks.fetch_plan import plan_fetches
from tasks.unchanged import stored_bodies
from tests.conftest import query


def test_one_connection_plans_what_three_did(tmp_path: Path, site, warehouse: Path) -> None:
    from tests.flows.test_ingest_site import sources_file

    config = sources_file(tmp_path, site, ("contoh-rss", "feed", "/feed.xml"))
    first = ingest(config=str(config), warehouse=str(warehouse))
    assert first["by_source"]["contoh-rss"]["new"] == 4
    plan = resolve_sources(str(config), None, None, None)
    path = resolve_warehouse(str(warehouse), plan.warehouse)
    listed = discover_source(plan.sources[0], plan.fetch, None, None).items
    extra = replace(listed[0], url=site.url("/baru-belum-pernah-dilihat.html"))
    sources = {s.name: s for s in plan.sources}

    for revisit_hours in (0.0, 24.0):  # due again (with validators) / held back as fetched lately
        alone = schedule_items(path, [*listed, extra], list(sources), revisit_hours)
        alone_stored = stored_bodies(path, [item.url for item in alone[0]])
        together = plan_fetches(path, first["run_id"], [*listed, extra], [*listed, extra], sources, revisit_hours)
        assert together == (*alone, alone_stored)
    assert len(together[2]) == 0 and together[1] == 4  # held back: nothing of theirs to read
    assert len(plan_fetches(path, first["run_id"], listed, listed, sources, 0.0)[2]) == 4  # every page's stored body
    assert plan_fetches(path, first["run_id"], listed, listed, sources, 0.0, reextract=True)[2] == {}
    # the new listed URL is recorded once, under the run that listed it first
    assert query(warehouse, "SELECT count(*), min(run_id) FROM store.discovered_items WHERE url = ?",
                 [extra.url]) == [(1, first["run_id"])]

"""Enrichment of the seeds (../shared/seeds, read in place) through the ingest flow, and the
enrich flow re-running enrichers over stored articles (`kabar enrich`)."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from flows.enrich import enrich
from tasks.enrich import REGISTRY
from tests.conftest import run_cli, run_main
from warehouse import explorer as ex
from warehouse import summaries
from warehouse.connection import open_reader

#: What a reader would list for each seed: KB entity ids, and names the KB does not hold.
EXPECTED = {
    "000": ({"kim-jong-un", "sergey-shoigu", "vladimir-putin", "kcna", "kpa", "rodong-sinmun", "carnegie-endowment",
             "kang-sun-nam", "north-korea", "russia", "ukraine", "china", "pyongyang", "seoul", "moscow",
             "un-security-council", "united-states"}, {"Ankit Panda"}),
    "001": ({"kim-jong-un", "sergey-shoigu", "sejong-institute", "north-korea", "south-korea", "russia", "ukraine",
             "pyongyang", "seoul", "moscow", "beijing", "washington-dc", "united-states", "china"},
            {"Cheong Seong Chang", "Cheong"}),
    "002": ({"kim-jong-un", "kcna", "kpa", "afp", "un-security-council", "united-nations", "north-korea",
             "south-korea", "united-states", "russia", "ukraine", "pyongyang", "seoul", "moscow"}, set()),
    "003": ({"kim-jong-un", "sergey-shoigu", "kcna", "sejong-institute", "reuters", "north-korea", "russia",
             "ukraine", "china", "pyongyang", "united-states"}, {"Cheong Seong-chang"}),
    "004": ({"kim-jong-un", "volodymyr-zelenskyy", "kcna", "kursk-region", "joe-biden", "yoon-suk-yeol",
             "shigeru-ishiba", "alexander-kozlov", "north-korea", "south-korea", "russia", "ukraine", "kyiv",
             "pyongyang", "seoul", "washington-dc", "united-states", "japan", "apec"}, set()),
}


@pytest.fixture(scope="module")
def seeded(seeds_warehouse: Path) -> Path:
    """A warehouse with the five seeds ingested (copy it before changing it): the worker's one
    (tests/conftest.py seeds_warehouse)."""
    return seeds_warehouse


def _copy(seeded: Path, tmp_path: Path) -> Path:
    target = tmp_path / "kabar.duckdb"
    shutil.copy(seeded, target)
    return target


def _by_seed(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, set]:
    found: dict[str, set] = {}
    for url, value in con.execute(sql).fetchall():
        found.setdefault(Path(url).name[:3], set()).add(value)
    return found


def test_seeds_yield_the_people_organisations_and_places_a_reader_would_list(seeded: Path) -> None:
    con = duckdb.connect(str(seeded), read_only=True)
    linked = _by_seed(con, "SELECT a.url, m.entity_id FROM mentions m JOIN articles a USING (article_id) WHERE m.entity_id IS NOT NULL")
    unlinked = _by_seed(con, "SELECT a.url, m.surface FROM mentions m JOIN articles a USING (article_id) WHERE m.entity_id IS NULL")
    for seed, (entity_ids, names) in EXPECTED.items():
        assert entity_ids <= linked[seed], (seed, entity_ids - linked[seed])
        assert names <= unlinked.get(seed, set()), (seed, names - unlinked.get(seed, set()))
        # nothing unlinked that a reader would not call a name (no "Namun", "Dia", "Foto" ...)
        assert all(len(s.split()) >= 2 or s == "Cheong" for s in unlinked.get(seed, set())), unlinked[seed]
    # offsets point into articles.text
    bad = con.execute("""SELECT count(*) FROM mentions m JOIN articles a USING (article_id)
                         WHERE substring(a.text, m.char_start + 1, m.char_end - m.char_start) <> m.surface""").fetchone()[0]
    assert bad == 0
    assert con.execute("SELECT wikidata_id FROM entities WHERE entity_id = 'kim-jong-un'").fetchone() == ("Q56226",)
    kursk = con.execute("SELECT name, country, lat, lon FROM places WHERE entity_id = 'kursk-region'").fetchall()
    assert len(kursk) == 1 and kursk[0][1] == "RU" and 51 < kursk[0][2] < 52
    assert con.execute("SELECT count(*) FROM articles WHERE summary IS NULL OR length(summary) < 100").fetchone()[0] == 0
    themes = _by_seed(con, "SELECT a.url, t.theme FROM themes t JOIN articles a USING (article_id)")
    assert "troop_deployment" in themes["004"] and "weapons_production" in themes["001"]
    assert con.execute("SELECT count(*) FROM tone").fetchone()[0] == 5


def test_enrich_after_a_kb_change_updates_old_articles(seeded: Path, tmp_path: Path) -> None:
    path = _copy(seeded, tmp_path)
    user_kb = tmp_path / "analysts.csv"
    user_kb.write_text("entity_id,name,type,wikidata_id,country,lat,lon,aliases\n"
                       "cheong-seong-chang,Cheong Seong-chang,person,,KR,,,Cheong Seong Chang\n", encoding="utf-8")
    # nothing is stale before the KB changes
    assert enrich(only=["entities"], warehouse=str(path))["by_enricher"] == {"entities": 0}
    summary = enrich(only=["entities"], knowledge_base=[str(user_kb)], warehouse=str(path))
    assert summary["state"] == "completed" and summary["by_enricher"] == {"entities": 5}
    con = duckdb.connect(str(path), read_only=True)
    surfaces = {r[0] for r in con.execute("SELECT surface FROM mentions WHERE entity_id = 'cheong-seong-chang'").fetchall()}
    assert surfaces == {"Cheong Seong Chang", "Cheong", "Cheong Seong-chang"}
    assert con.execute("SELECT count(DISTINCT enricher_version) FROM store.enrichment_log WHERE enricher = 'entities'").fetchone()[0] == 1
    assert con.execute("SELECT flow, state, updated FROM runs WHERE flow = 'enrich' ORDER BY started_at DESC LIMIT 1").fetchone() == ("enrich", "completed", 5)
    live = con.execute("SELECT articles FROM main.entities WHERE entity_id = 'cheong-seong-chang'").fetchone()[0]
    con.close()
    # The explorer reads its copies (refreshed by the enrich run, not left stale) and they hold the new entity.
    with open_reader(path) as con:
        assert summaries.current(con) and ex._entities(con) == "store.explorer_entities"
        assert ex.entity(con, "cheong-seong-chang")["articles"] == live > 0
        assert len(ex.entity_articles(con, "cheong-seong-chang").rows) == live
    # up to date now; and --since in the future selects nothing even with --force
    assert enrich(only=["entities"], knowledge_base=[str(user_kb)], warehouse=str(path))["by_enricher"] == {"entities": 0}
    later = datetime(2100, 1, 1, tzinfo=timezone.utc)
    assert enrich(only=["tone"], since=later, force=True, warehouse=str(path))["by_enricher"] == {"tone": 0}


def test_one_article_failing_in_one_enricher_is_recorded_and_the_rest_goes_on(seeded: Path, tmp_path: Path) -> None:
    path = _copy(seeded, tmp_path)

    class Picky:
        name, version, fields, tables = "picky", "1", (), ()

        def enrich(self, article):
            if "Zelenskyy" in article.text:
                raise ValueError("cannot read this one")
            from tasks.enrich import Enrichment

            return Enrichment()

    REGISTRY["picky"] = Picky()
    try:
        summary = enrich(only=["picky", "summary"], force=True, warehouse=str(path))
    finally:
        del REGISTRY["picky"]
    assert summary["state"] == "completed_with_warnings"
    con = duckdb.connect(str(path), read_only=True)
    errors = con.execute("SELECT enricher, error FROM store.enrichment_log WHERE error IS NOT NULL").fetchall()
    assert errors == [("picky", "ValueError: cannot read this one")]
    assert con.execute("SELECT count(*) FROM store.enrichment_log WHERE enricher = 'summary' AND error IS NULL").fetchone()[0] == 5
    assert con.execute("SELECT failed, updated FROM runs WHERE flow = 'enrich'").fetchone() == (1, 4)


def test_enrich_cli_help_and_user_errors(tmp_path: Path) -> None:
    helped = run_cli("enrich", "--help")
    assert helped.returncode == 0 and "--only NAME" in helped.stdout and "--knowledge-base FILE" in helped.stdout
    # in process (tests/conftest.py run_main): an `enrich` subprocess imports the flows, about
    # 2.7 CPU s for each of these errors; the bad knowledge base's one line stays whole-process
    unknown = run_main("enrich", "--only", "nope", "--warehouse", str(tmp_path / "w.duckdb"))
    assert unknown.returncode == 2 and "unknown enricher 'nope'" in unknown.stderr
    bad_kb = tmp_path / "bad.csv"
    bad_kb.write_text("entity_id,name,type\nx,X,planet\n", encoding="utf-8")
    bad = run_cli("enrich", "--knowledge-base", str(bad_kb), "--warehouse", str(tmp_path / "w.duckdb"))
    assert bad.returncode == 2 and "type 'planet'" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    missing = run_main("enrich", "--warehouse", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 1 and "no warehouse" in missing.stderr


@pytest.mark.slow
def test_kabar_enrich_only_entities_after_a_kb_change_updates_old_articles(seeded: Path, tmp_path: Path) -> None:
    """The real console script (its own Prefect API), with the KB file named in a sources file."""
    path = _copy(seeded, tmp_path)
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "mine.toml").write_text(
        '[[entity]]\nentity_id = "ankit-panda"\nname = "Ankit Panda"\ntype = "person"\ncountry = "US"\n', encoding="utf-8")
    config = tmp_path / "sources.toml"
    config.write_text('[enrich]\nknowledge_base = ["kb/mine.toml"]\n\n[[sources]]\nname = "x"\nkind = "files"\nglob = "*.txt"\n',
                      encoding="utf-8")
    from prefect.settings import PREFECT_API_URL

    # use the session's Prefect API: a second ephemeral server can time out on a busy machine
    env = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300"}
    if PREFECT_API_URL.value():
        env["PREFECT_API_URL"] = PREFECT_API_URL.value()
    done = run_cli("enrich", "--only", "entities", "--config", str(config), "--warehouse", str(path), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"entities \(\d+\+kb\.", done.stdout) and "5 article(s) re-enriched" in done.stdout
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM mentions WHERE entity_id = 'ankit-panda'").fetchone()[0] == 1
    assert con.execute("SELECT state FROM runs WHERE flow = 'enrich'").fetchall() == [("completed",)]

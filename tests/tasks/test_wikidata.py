"""`kabar kb update` and `kabar kb`: Wikidata SPARQL answers from a local endpoint on 127.0.0.1 and
a small JSON dump (tests/fixtures/wikidata), written into a KB file the enricher then links with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kabar.cli import main
from tasks.entities import load_kb, read_kb_file
from tasks.wikidata import WikidataError, entities_from_dump, entities_from_sparql, fetch_sparql, merge_into
from tests.site import Response, TestSite

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wikidata"
ANSWER = (FIXTURES / "sparql_results.json").read_text(encoding="utf-8")


@pytest.fixture()
def endpoint():
    with TestSite() as site:
        site.routes["/sparql"] = Response(ANSWER, 200, {"Content-Type": "application/sparql-results+json"})
        site.routes["/broken"] = Response("<html>maintenance</html>", 200)
        site.routes["/down"] = Response("busy", 503)
        yield site


def test_sparql_answer_becomes_typed_entities_with_qids(endpoint) -> None:
    results = fetch_sparql(endpoint.url("/sparql"), "SELECT ?item WHERE {}")
    entities = {e.wikidata_id: e for e in entities_from_sparql(results)}
    assert set(entities) == {"Q6294", "Q1640949", "Q1214658", "Q252"}  # unknown class and bad id skipped
    jokowi = entities["Q6294"]
    assert (jokowi.type, jokowi.country) == ("person", "ID") and "Jokowi" in jokowi.aliases
    assert entities["Q1640949"].type == "organization"
    place = entities["Q1214658"]
    assert (place.type, place.lat, place.lon) == ("place", 5.18, 97.15)
    method, path, headers = endpoint.requests[0]
    assert method == "GET" and "query=" in path and "sparql-results+json" in headers["Accept"]


def test_bad_endpoint_answers_are_one_line_errors(endpoint) -> None:
    with pytest.raises(WikidataError, match="not SPARQL JSON"):
        fetch_sparql(endpoint.url("/broken"))
    with pytest.raises(WikidataError, match="HTTP 503"):
        fetch_sparql(endpoint.url("/down"))


def test_dump_file_gives_entities_and_countries_from_the_dump(tmp_path: Path) -> None:
    entities = {e.wikidata_id: e for e in entities_from_dump(FIXTURES / "dump.json")}
    assert set(entities) == {"Q252", "Q5565", "Q3947"}  # the universe has no known class; damaged line skipped
    assert entities["Q5565"].country == "ID" and "XL" in entities["Q5565"].aliases
    assert (entities["Q3947"].lat, entities["Q3947"].lon) == (-8.5833, 116.1167)
    not_a_dump = tmp_path / "x.json"
    not_a_dump.write_text("hello", encoding="utf-8")
    with pytest.raises(WikidataError, match="not a Wikidata JSON dump"):
        entities_from_dump(not_a_dump)


def test_merge_keeps_shipped_ids_and_old_entities(tmp_path: Path) -> None:
    out = tmp_path / "kb" / "wikidata.csv"
    shipped = load_kb().entities
    assert "indonesia" in shipped and shipped["indonesia"].wikidata_id == "Q252"
    added, refreshed = merge_into(out, entities_from_dump(FIXTURES / "dump.json"), shipped)
    assert (added, refreshed) == (3, 0)
    written = {e.entity_id: e for e in read_kb_file(out)}
    assert "indonesia" in written and "NKRI" in written["indonesia"].aliases  # shipped id, new alias
    assert "wd-Q5565" in written
    added, refreshed = merge_into(out, entities_from_sparql(json.loads(ANSWER)), shipped)
    written = {e.entity_id: e for e in read_kb_file(out)}
    assert refreshed == 1 and added == 3  # Indonesia refreshed; XL Axiata (not in this answer) kept
    assert {"wd-Q5565", "joko-widodo", "indonesia"} <= set(written)
    assert written["joko-widodo"].wikidata_id == "Q6294"  # a shipped entity without an id gets it


def test_cli_update_then_list_then_link(endpoint, tmp_path: Path, capsys) -> None:
    warehouse = tmp_path / "w" / "kabar.duckdb"
    assert main(["kb", "update", "--endpoint", endpoint.url("/sparql"), "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "4 entities" in out and "kb/wikidata.csv" in out
    kb_file = warehouse.parent / "kb" / "wikidata.csv"
    assert kb_file.exists()
    assert main(["kb", "--warehouse", str(warehouse)]) == 0
    listing = capsys.readouterr().out
    assert str(kb_file) in listing and "with a Wikidata id" in listing
    assert main(["kb", "update", "--dump", str(FIXTURES / "dump.json"), "--warehouse", str(warehouse)]) == 0
    assert "XL Axiata" in kb_file.read_text(encoding="utf-8")
    kb = load_kb([kb_file])
    jokowi = kb.link("Jokowi")  # the shipped entity (no QID shipped) now has Wikidata's id
    assert (jokowi.entity_id, jokowi.wikidata_id) == ("joko-widodo", "Q6294")


def test_cli_update_with_missing_dump_is_a_clear_error(tmp_path: Path, capsys) -> None:
    code = main(["kb", "update", "--dump", str(tmp_path / "none.json"), "--warehouse", str(tmp_path / "k.duckdb")])
    assert code == 2
    assert "no dump file" in capsys.readouterr().err

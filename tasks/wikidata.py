"""Knowledge-base entities from Wikidata: its SPARQL endpoint or a JSON dump file (``kabar kb update``).

Reads labels and aliases in Indonesian and English, the entity's kind (instance of, P31), its
country (P17, or P27 for people) and coordinates (P625), and writes a knowledge-base CSV (the
shipped KB's columns, tasks/entities.py) that ``load_kb`` reads like any user KB file. An entity
the shipped KB already has (same Wikidata id) keeps the shipped entity_id, so the update adds
aliases and fills attributes rather than creating a twin; a refresh replaces the entities it
returns and keeps the others already in the file.

Public API: ``fetch_sparql(endpoint, query) -> dict``, ``entities_from_sparql(results)``,
``entities_from_dump(path)``, ``merge_into(path, entities, shipped)``.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import re
from pathlib import Path
from typing import Any, Iterable, Iterator

from kabar.config import ConfigError
from tasks.entities import KB_COLUMNS, Entity, fold, read_kb_file, tokens

LOGGER = logging.getLogger(__name__)

#: Wikidata classes (P31 values) -> the KB's entity types. Subclasses are followed by the SPARQL
#: query (wdt:P279*); a dump has no class tree, so the usual direct classes are listed.
CLASS_TYPES = {
    "Q5": "person",
    "Q43229": "organization", "Q4830453": "organization", "Q7278": "organization",
    "Q327333": "organization", "Q783794": "organization", "Q891723": "organization",
    "Q2659904": "organization", "Q17149090": "organization", "Q476028": "organization",
    "Q6256": "place", "Q3624078": "place", "Q515": "place", "Q486972": "place",
    "Q5119": "place", "Q1062593": "place", "Q3191695": "place", "Q1349648": "place",
    "Q23442": "place", "Q8502": "place", "Q1248784": "place", "Q10864048": "place",
    "Q56061": "place", "Q15284": "place", "Q1637706": "place",
}
#: The default query: people, organisations and places tied to Indonesia (country P17 or
#: citizenship P27 = Q252), with Indonesian or English labels. ``kabar kb update --query FILE``
#: replaces it; any query returning the same variables works.
DEFAULT_QUERY = """
SELECT ?item ?class ?label_id ?label_en
       (GROUP_CONCAT(DISTINCT ?alias; separator="|") AS ?aliases)
       (SAMPLE(?iso) AS ?country) (SAMPLE(?coord) AS ?coords)
WHERE {
  VALUES ?class { wd:Q5 wd:Q43229 wd:Q7278 wd:Q327333 wd:Q4830453 wd:Q3191695 wd:Q1062593 wd:Q515 }
  { ?item wdt:P17 wd:Q252 } UNION { ?item wdt:P27 wd:Q252 }
  ?item wdt:P31/wdt:P279* ?class .
  OPTIONAL { ?item rdfs:label ?label_id FILTER(LANG(?label_id) = "id") }
  OPTIONAL { ?item rdfs:label ?label_en FILTER(LANG(?label_en) = "en") }
  OPTIONAL { ?item skos:altLabel ?alias FILTER(LANG(?alias) IN ("id", "en")) }
  OPTIONAL { ?item wdt:P17|wdt:P27 ?c . ?c wdt:P297 ?iso }
  OPTIONAL { ?item wdt:P625 ?coord }
}
GROUP BY ?item ?class ?label_id ?label_en
LIMIT 20000
"""
_QID = re.compile(r"Q[1-9][0-9]*$")
_POINT = re.compile(r"Point\(\s*(-?[0-9.]+)\s+(-?[0-9.]+)\s*\)")
#: A SPARQL answer larger than this is refused (a wrong endpoint or query, not a KB).
MAX_RESPONSE_BYTES = 200 * 1024 * 1024


class WikidataError(ConfigError):
    """A bad endpoint answer or dump file; the message names it."""


def fetch_sparql(endpoint: str, query: str = DEFAULT_QUERY, timeout: float = 120.0) -> dict:
    """The JSON results of ``query`` at ``endpoint`` (a SPARQL 1.1 endpoint, e.g.
    https://query.wikidata.org/sparql), read with a size cap."""
    import httpx

    headers = {"Accept": "application/sparql-results+json",
               "User-Agent": "kabar-kb-update/0.1 (news enrichment knowledge base)"}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            with client.stream("GET", endpoint, params={"query": query, "format": "json"}, headers=headers) as response:
                if response.status_code != 200:
                    raise WikidataError(f"{endpoint}: HTTP {response.status_code} from the SPARQL endpoint")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_RESPONSE_BYTES:
                        raise WikidataError(f"{endpoint}: answer larger than {MAX_RESPONSE_BYTES} bytes; refused")
    except httpx.HTTPError as exc:
        raise WikidataError(f"{endpoint}: {type(exc).__name__}: {exc}") from None
    try:
        results = json.loads(bytes(body))
    except (ValueError, UnicodeDecodeError):
        raise WikidataError(f"{endpoint}: the answer is not SPARQL JSON results") from None
    if not isinstance(results, dict) or "results" not in results:
        raise WikidataError(f"{endpoint}: the answer is not SPARQL JSON results (no 'results')")
    return results


def _value(binding: dict, name: str) -> str:
    cell = binding.get(name)
    return str(cell.get("value", "")).strip() if isinstance(cell, dict) else ""


def _qid(uri: str) -> str | None:
    qid = uri.rsplit("/", 1)[-1]
    return qid if _QID.match(qid) else None


def _coords(text: str) -> tuple[float | None, float | None]:
    match = _POINT.search(text or "")
    if not match:
        return None, None
    lon, lat = float(match.group(1)), float(match.group(2))
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else (None, None)


def entities_from_sparql(results: dict) -> list[Entity]:
    """Entities of SPARQL JSON results with the variables of ``DEFAULT_QUERY`` (rows of one item
    are merged; a row without a usable id, label or class is skipped)."""
    merged: dict[str, dict[str, Any]] = {}
    for binding in results.get("results", {}).get("bindings", []):
        if not isinstance(binding, dict):
            continue
        qid = _qid(_value(binding, "item"))
        kind = CLASS_TYPES.get(_qid(_value(binding, "class")) or "")
        label = _value(binding, "label_id") or _value(binding, "label_en")
        if not qid or not kind or not label:
            continue
        row = merged.setdefault(qid, {"type": kind, "name": label, "aliases": [], "country": None, "lat": None, "lon": None})
        row["aliases"] += [a for a in (_value(binding, "label_en"), _value(binding, "label_id"),
                                       *_value(binding, "aliases").split("|")) if a]
        row["country"] = row["country"] or (_value(binding, "country").upper() or None)
        lat, lon = _coords(_value(binding, "coords"))
        if lat is not None and row["lat"] is None:
            row["lat"], row["lon"] = lat, lon
    return [_entity(qid, row) for qid, row in merged.items()]


def _entity(qid: str, row: dict) -> Entity:
    aliases = tuple(dict.fromkeys(a for a in row["aliases"] if a and a != row["name"] and len(a) <= 120))
    return Entity(f"wd-{qid}", row["name"], row["type"], qid, row["country"], row["lat"], row["lon"], aliases)


def _dump_records(path: Path) -> Iterator[dict]:
    """Entity records of a Wikidata JSON dump (one array, one entity per line, as Wikidata
    publishes it, optionally gzipped) or of a Special:EntityData answer ({"entities": {...}})."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
            first = handle.read(1)
            while first and first.isspace():
                first = handle.read(1)
            if first == "{":
                data = json.loads(first + handle.read())
                yield from (data.get("entities") or {}).values()
                return
            if first != "[":
                raise WikidataError(f"{path}: not a Wikidata JSON dump (expected '[' or '{{')")
            for n, line in enumerate(handle, start=1):
                line = line.strip().rstrip(",")
                if line in ("", "]"):
                    continue
                try:
                    yield json.loads(line)
                except ValueError:
                    LOGGER.warning("%s: line %d is not an entity record; skipped", path, n)
    except OSError as exc:
        raise WikidataError(f"{path}: cannot read dump ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise WikidataError(f"{path}: not a Wikidata JSON dump ({exc})") from None


def _claim_values(record: dict, prop: str) -> list[Any]:
    values = []
    for claim in (record.get("claims") or {}).get(prop, []) or []:
        try:
            values.append(claim["mainsnak"]["datavalue"]["value"])
        except (KeyError, TypeError):
            continue
    return values


def entities_from_dump(path: Path, countries: dict[str, str] | None = None) -> list[Entity]:
    """Entities of a Wikidata JSON dump file. ``countries`` maps country QIDs to ISO codes; the
    dump's own countries (P297) are added to it."""
    records = list(_dump_records(path))
    iso = dict(countries or {})
    for record in records:
        for code in _claim_values(record, "P297"):
            if isinstance(code, str) and isinstance(record.get("id"), str):
                iso[record["id"]] = code.upper()
    out = []
    for record in records:
        qid = record.get("id")
        if not isinstance(qid, str) or not _QID.match(qid):
            continue
        kinds = [CLASS_TYPES.get(v.get("id")) for v in _claim_values(record, "P31") if isinstance(v, dict)]
        kind = next((k for k in kinds if k), None)
        labels = record.get("labels") or {}
        label = ((labels.get("id") or {}).get("value") or (labels.get("en") or {}).get("value") or "").strip()
        if not kind or not label:
            continue
        aliases = [(labels.get(lang) or {}).get("value", "") for lang in ("id", "en")]
        for lang in ("id", "en"):
            aliases += [a.get("value", "") for a in (record.get("aliases") or {}).get(lang, []) if isinstance(a, dict)]
        country = None
        for prop in ("P17", "P27"):
            for value in _claim_values(record, prop):
                if isinstance(value, dict) and value.get("id") in iso:
                    country = country or iso[value["id"]]
        if kind == "place" and qid in iso:
            country = iso[qid]
        lat = lon = None
        for value in _claim_values(record, "P625"):
            if isinstance(value, dict) and "latitude" in value:
                lat, lon = float(value["latitude"]), float(value["longitude"])
                break
        out.append(_entity(qid, {"type": kind, "name": label, "aliases": aliases, "country": country, "lat": lat, "lon": lon}))
    return out


def fold_name(name: str) -> str:
    return " ".join(fold(t) for t, _, _ in tokens(name))


def merge_into(path: Path, entities: Iterable[Entity], shipped: dict[str, Entity]) -> tuple[int, int]:
    """Write ``entities`` into the KB file at ``path``, keeping the ones already there that this
    update did not return. An entity the shipped KB has under the same Wikidata id keeps its
    shipped id and name (so links and views do not change). Returns (added, refreshed)."""
    existing: dict[str, Entity] = {}
    if path.exists():
        existing = {e.entity_id: e for e in read_kb_file(path)}
    by_qid = {e.wikidata_id: e for e in shipped.values() if e.wikidata_id}
    # shipped entities without an id, found by name and type: the update gives them their QID
    by_name = {(fold_name(e.name), e.type): e for e in shipped.values() if not e.wikidata_id}
    added = refreshed = 0
    for entity in entities:
        own = by_qid.get(entity.wikidata_id) or by_name.get((fold_name(entity.name), entity.type))
        if own is not None:
            entity = Entity(own.entity_id, own.name, own.type, entity.wikidata_id,
                            own.country or entity.country, own.lat if own.lat is not None else entity.lat,
                            own.lon if own.lon is not None else entity.lon,
                            tuple(dict.fromkeys([*own.aliases, entity.name, *entity.aliases])))
        if entity.entity_id in existing:
            refreshed += 1
        else:
            added += 1
        existing[entity.entity_id] = entity
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(KB_COLUMNS)
        for e in sorted(existing.values(), key=lambda e: e.entity_id):
            writer.writerow([e.entity_id, e.name, e.type, e.wikidata_id or "", e.country or "",
                             "" if e.lat is None else e.lat, "" if e.lon is None else e.lon,
                             "|".join(a.replace("|", " ") for a in e.aliases)])
    tmp.replace(path)
    return added, refreshed

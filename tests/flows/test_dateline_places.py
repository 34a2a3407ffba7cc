"""The dateline's places through a real ingest into a DuckDB file (issue 14): invented Indonesian
wire stories whose first paragraph opens with a dateline, read back from the `places` and
`mentions` views, kept by `kabar enrich`, passed by the quality checks, shown by the explorer."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.enrich import enrich
from flows.ingest import ingest
from tasks.ner import model_status
from warehouse import explorer as ex
from warehouse.connection import open_reader

pytestmark = pytest.mark.skipif(model_status() is not None, reason="NER model not built (make ner-model)")

#: Three different stories (near copies would be stored as duplicates of the first)
PAGES = {
    "banjir-mataram": ("Banjir merendam permukiman warga", "Mataram, NTB (ANTARA News) - ",
                       "Pemerintah daerah menyiapkan tenda darurat dan dapur umum bagi warga yang rumahnya terendam "
                       "banjir sejak Minggu malam. Petugas gabungan masih mendata kerugian di sejumlah desa, kata "
                       "seorang pejabat yang ditemui di lokasi pada Senin pagi."),
    "pasar-jakarta": ("Harga cabai melonjak di pasar", "JAKARTA, KABARKOTA.com - ",
                      "Harga cabai rawit di pasar tradisional naik hampir dua kali lipat dalam sepekan karena "
                      "pasokan dari petani berkurang. Para pedagang mengaku pembeli mulai mengurangi belanja, "
                      "sementara dinas perdagangan berjanji menggelar operasi pasar pekan depan."),
    "sekolah-outlet": ("Sekolah baru dibuka di pinggiran kota", "Warta.com - ",
                       "Sebuah sekolah dasar negeri yang baru dibangun mulai menerima murid tahun ini setelah "
                       "pembangunannya tertunda dua tahun. Kepala sekolah mengatakan ruang kelas dan perpustakaan "
                       "sudah lengkap, tetapi jumlah guru masih kurang dari kebutuhan."),
}


def _page(slug: str, title: str, dateline: str, body: str) -> str:
    return (f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{title}</title>'
            '<meta property="og:site_name" content="Kabar Kota">'
            '<meta property="article:published_time" content="2024-06-03T10:30:00+07:00">'
            f'<link rel="canonical" href="https://kabarkota.example/{slug}.html"></head><body><article>'
            f"<h1>{title}</h1><p>{dateline}{body}</p><p>Warga diminta tetap waspada dan mengikuti "
            "petunjuk petugas di lapangan.</p></article></body></html>")


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, prefect_harness) -> Path:
    pages = tmp_path_factory.mktemp("dateline-pages")
    for slug, (title, dateline, body) in PAGES.items():
        (pages / f"{slug}.html").write_text(_page(slug, title, dateline, body), encoding="utf-8")
    path = pages.parent / "dateline.duckdb"
    summary = ingest(paths=[str(pages)], warehouse=str(path))
    assert summary["state"] == "completed", summary
    return path


def _dateline_places(path: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            """SELECT a.url, m.surface, m.char_start, m.char_end, p.name, p.lat, p.lon, p.in_dateline
               FROM mentions m JOIN articles a USING (article_id)
               LEFT JOIN places p ON p.article_id = m.article_id AND p.entity_id = m.entity_id
               WHERE m.found_in = 'dateline' ORDER BY a.url, m.surface""").fetchall()
    finally:
        con.close()
    found: dict[str, list[tuple]] = {}
    for url, *rest in rows:
        found.setdefault(Path(url).stem, []).append(tuple(rest))
    return found


def test_the_datelines_places_are_in_the_places_view_with_coordinates(ingested: Path) -> None:
    found = _dateline_places(ingested)
    # the outlet-only dateline gives no place
    assert set(found) == {"banjir-mataram", "pasar-jakarta"}
    by_surface = {row[0]: row for rows in found.values() for row in rows}
    assert set(by_surface) == {"Mataram", "NTB", "JAKARTA"}
    for surface, start, end, name, lat, lon, in_dateline in by_surface.values():
        assert start is None and end is None and in_dateline and lat is not None and lon is not None
    assert by_surface["NTB"][3] == "Nusa Tenggara Barat" and by_surface["JAKARTA"][3] == "Jakarta"
    assert -9.0 < by_surface["Mataram"][4] < -8.0 and 115.8 < by_surface["Mataram"][5] < 116.5  # Lombok
    con = duckdb.connect(str(ingested), read_only=True)
    try:
        # the text no longer holds the dateline; the text's own mentions keep their offsets
        assert con.execute("SELECT count(*) FROM articles WHERE text LIKE 'Mataram%' OR text LIKE 'JAKARTA%'").fetchone()[0] == 0
        bad = con.execute("""SELECT count(*) FROM mentions m JOIN articles a USING (article_id)
                             WHERE m.found_in = 'text' AND (m.char_start IS NULL
                                OR substring(a.text, m.char_start + 1, m.char_end - m.char_start) <> m.surface)""").fetchone()[0]
        assert bad == 0
        check = con.execute("""SELECT passed, failing_rows FROM quality_checks WHERE "check" = 'mention_within_text'
                               ORDER BY checked_at DESC LIMIT 1""").fetchone()
        assert check == (True, 0)
    finally:
        con.close()


def test_the_explorer_shows_an_article_whose_mentions_include_the_dateline(ingested: Path) -> None:
    with open_reader(ingested) as con:
        article_id = con.execute("SELECT article_id FROM articles WHERE url LIKE '%banjir-mataram%'").fetchone()[0]
        spans = ex.article_spans(con, article_id)
        assert all(s["start"] is not None and s["end"] > s["start"] for s in spans)
        # the dateline's places are on the explorer's map with the text's, though not highlighted
        names = {r["name"] for r in ex.place_points(con).dicts()}
    assert {"Mataram", "Nusa Tenggara Barat", "Jakarta"} <= names


def test_kabar_enrich_keeps_the_datelines_places(ingested: Path, tmp_path: Path) -> None:
    # the enrich flow reads articles back without their meta: the dateline comes from removed_spans
    path = tmp_path / "copy.duckdb"
    path.write_bytes(ingested.read_bytes())
    summary = enrich(only=["entities"], force=True, warehouse=str(path))
    assert summary["state"] == "completed" and summary["by_enricher"] == {"entities": 3}
    assert _dateline_places(path) == _dateline_places(ingested)

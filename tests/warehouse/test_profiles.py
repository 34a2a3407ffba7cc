"""Site profiles learned by the load stage and applied to the next pages; the removed_spans audit."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb

from kabar.config import Warehouse
from kabar.models import Fetched, Item
from tasks.boilerplate import site_of
from tasks.dedupe import identify
from tasks.extract import extract_article
from tasks.load import load_batch, start_run
from tasks.normalise import normalise_batch
from warehouse.profiles import load_profiles

PLACES = ["Tegal", "Pekalongan", "Rembang", "Tuban", "Lamongan", "Gresik", "Probolinggo", "Situbondo",
          "Banyuwangi", "Jepara", "Demak", "Kendal"]
FOOTER = "Kabarkita hadir menemani pembaca setiap pagi dan petang."
PAGE = """<html><head><title>{title} | Kabar Pesisir</title></head><body>
<article><h1>{title}</h1>
<p>{lead} Para nelayan di pesisir {place} mengaku hasil tangkapan mereka menurun sejak awal bulan.</p>
<p>Dinas perikanan {place} berjanji memeriksa kondisi perairan dan memberikan bantuan bagi nelayan kecil.</p>
<p>{footer}</p>
</article></body></html>"""


def _article(n: int):
    title = f"Nelayan Desa Nomor {n} Mengeluh Soal Cuaca Buruk Pekan Ini"
    place = PLACES[n % len(PLACES)]
    html = PAGE.format(title=title, lead=f"Laporan dari {place} datang pagi ini.", place=place, footer=FOOTER)
    url = f"https://www.kabarpesisir.co.id/read/{n}"
    fetched = Fetched(Item(url=url, source="pesisir"), datetime.now(timezone.utc), 200, None,
                      html.encode(), "text/html; charset=utf-8", url)
    return fetched, extract_article(fetched)


def _load(warehouse: Path, run_id: str, numbers: range, profiles=None):
    pairs = [_article(n) for n in numbers]
    articles, _ = normalise_batch([a for _, a in pairs], {}, profiles=profiles)
    for article in articles:
        identify(article)
    load_batch(Warehouse.file(warehouse), run_id, [f for f, _ in pairs], articles, [])
    return articles


def test_recurring_lines_become_the_sites_boilerplate(warehouse: Path) -> None:
    run_id = start_run(Warehouse.file(warehouse), "test", {})
    first = _load(warehouse, run_id, range(4))
    assert all(FOOTER in a.text for a in first)  # nothing learned yet
    site = site_of("https://www.kabarpesisir.co.id/read/1")
    assert site == "kabarpesisir.co.id"
    profiles = load_profiles(Warehouse.file(warehouse), [site])
    assert profiles[site].pages == 4 and profiles[site].is_boilerplate(FOOTER)
    # Loading the same pages again counts nothing twice.
    _load(warehouse, run_id, range(4))
    assert load_profiles(Warehouse.file(warehouse), [site])[site].pages == 4
    later = _load(warehouse, run_id, range(10, 12), profiles)
    assert all(FOOTER not in a.text and a.text for a in later)
    assert all(a.title.startswith("Nelayan Desa Nomor") and "Kabar Pesisir" not in a.title for a in later)
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        "SELECT article_id, text, position FROM removed_spans WHERE rule = 'site_boilerplate' AND text = ?", [FOOTER]
    ).fetchall()
    assert sorted(r[0] for r in rows) == sorted(a.article_id for a in later)
    view = con.execute(
        "SELECT pages, site_pages, is_boilerplate FROM site_boilerplate WHERE kind = 'line' AND text = ?", [FOOTER]
    ).fetchone()
    assert view == (6, 6, True)


def _ingest_like(warehouse: Path, numbers: range):
    """What the ingest flow does with one batch: profiles (stored + this batch), normalise, load."""
    from tasks.boilerplate import site_profiles_task

    pairs = [_article(n) for n in numbers]
    extracted = [a for _, a in pairs]
    profiles = site_profiles_task.fn(Warehouse.file(warehouse), extracted)
    articles, _ = normalise_batch(extracted, {}, profiles=profiles)
    for article in articles:
        identify(article)
    from tasks.load import finish_run

    run_id = start_run(Warehouse.file(warehouse), "test", {})
    counts = load_batch(Warehouse.file(warehouse), run_id, [f for f, _ in pairs], articles, [])
    finish_run(Warehouse.file(warehouse), run_id, counts)
    return articles, counts.total()


def test_a_batch_learns_its_own_boilerplate_and_a_reingest_changes_nothing(warehouse: Path) -> None:
    first, counts = _ingest_like(warehouse, range(5))
    assert counts["new"] == 5
    assert all(FOOTER not in a.text and a.text for a in first)  # learned from this very batch
    again, counts = _ingest_like(warehouse, range(5))
    assert counts["updated"] == 0 and counts["unchanged"] == 5
    assert [a.text for a in again] == [a.text for a in first]
    site = site_of("https://www.kabarpesisir.co.id/read/1")
    assert load_profiles(Warehouse.file(warehouse), [site])[site].pages == 5


def test_a_batch_without_a_warehouse_still_learns(tmp_path: Path) -> None:
    from tasks.boilerplate import batch_profile_rows, site_profiles_task

    extracted = [_article(n)[1] for n in range(4)]
    site = site_of(extracted[0].url)
    missing = tmp_path / "none.duckdb"
    assert load_profiles(Warehouse.file(missing), [site], batch_profile_rows(extracted)) is None  # nothing stored yet
    profiles = site_profiles_task.fn(Warehouse.file(missing), extracted)  # so the batch teaches itself
    assert profiles[site].pages == 4 and profiles[site].is_boilerplate(FOOTER)

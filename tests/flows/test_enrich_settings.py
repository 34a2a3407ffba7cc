"""The run's enrichment settings (a custom themes file and knowledge base from the sources
file's ``[enrich]`` table) reach the enrichers wherever they run: the same themes and mentions
with the default thread runner and with Dask worker processes.

Before the settings travelled as a task argument, the flow set them in a module global of its
own process: Dask workers never saw it and silently used the shipped taxonomy and KB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest
from flows.runner import task_runner_for
from kabar.config import load_sources
from tasks.enrich import versions

pytestmark = pytest.mark.slow

ARTICLES = {
    "nelayan.txt": (
        "Nelayan Natuna Keluhkan Kapal Asing\n\n"
        "Para nelayan di Kabupaten Natuna mengeluhkan kapal ikan asing yang kembali masuk ke perairan "
        "Indonesia pekan ini. Ketua kelompok nelayan setempat, Baharuddin Lamato, mengatakan hasil "
        "tangkapan ikan turun tajam sejak kapal-kapal itu beroperasi.\n\n"
        "Menurut Baharuddin Lamato, kapal pukat harimau menyapu ikan tongkol dan cakalang di dekat "
        "pulau. Nelayan kecil dengan perahu motor tidak mampu bersaing. Dinas perikanan berjanji "
        "menambah patroli dan memeriksa izin tangkap setiap kapal ikan yang berlabuh."
    ),
    "pasar.txt": (
        "Harga Cabai Naik Menjelang Lebaran\n\n"
        "Harga cabai rawit di pasar tradisional Jakarta naik hampir dua kali lipat menjelang Lebaran. "
        "Pedagang menyebut pasokan dari sentra produksi di Jawa Tengah berkurang karena hujan.\n\n"
        "Pemerintah daerah menyiapkan operasi pasar untuk menahan kenaikan harga. Warga diminta "
        "tidak memborong bahan pokok agar stok tetap cukup sampai hari raya."
    ),
}

THEMES = """\
[[theme]]
name = "perikanan"
description = "Perikanan tangkap dan nelayan"
cues_id = ["nelayan", "kapal ikan", "tangkapan ikan", "pukat harimau", "izin tangkap"]
min_hits = 2
"""

KB = """\
[[entity]]
entity_id = "baharuddin-lamato"
name = "Baharuddin Lamato"
type = "person"
country = "ID"
"""


def _project(tmp_path: Path, runner: str) -> Path:
    """A sources file with a custom themes file and KB (relative paths) and the articles."""
    root = tmp_path / runner
    (root / "berita").mkdir(parents=True)
    for name, text in ARTICLES.items():
        (root / "berita" / name).write_text(text, encoding="utf-8")
    (root / "tema.toml").write_text(THEMES, encoding="utf-8")
    (root / "tokoh.toml").write_text(KB, encoding="utf-8")
    config = root / "sources.toml"
    config.write_text(
        f'[run]\ntask_runner = "{runner}"\n\n[enrich]\nthemes = "tema.toml"\nknowledge_base = ["tokoh.toml"]\n\n'
        '[warehouse]\npath = "gudang/kabar.duckdb"\n\n'
        '[[sources]]\nname = "lokal"\nkind = "files"\nglob = "berita/*.txt"\n', encoding="utf-8")
    return config


def _enrichments(path: Path) -> tuple[set, set]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        themes = set(con.execute("SELECT a.url, t.theme FROM themes t JOIN articles a USING (article_id)").fetchall())
        linked = set(con.execute("SELECT DISTINCT entity_id FROM mentions WHERE entity_id IS NOT NULL").fetchall())
    finally:
        con.close()
    return {(Path(url).name, theme) for url, theme in themes}, {e for (e,) in linked}


@pytest.mark.parametrize("runner", ["default", "dask"])
def test_custom_themes_and_kb_reach_the_enrichers(tmp_path: Path, runner: str) -> None:
    config = _project(tmp_path, runner)
    flow = ingest.with_options(task_runner=task_runner_for(load_sources(config).run))
    summary = flow(config=str(config))
    assert summary["state"] in ("completed", "completed_with_warnings"), summary
    # the sources file's [warehouse] section chose the warehouse (relative to the file)
    warehouse = config.parent / "gudang" / "kabar.duckdb"
    assert summary["warehouse"] == str(warehouse)
    themes, linked = _enrichments(warehouse)
    # only the custom taxonomy's theme, on the fishing article only
    assert themes == {("nelayan.txt", "perikanan")}
    assert "baharuddin-lamato" in linked
    # the log holds the versions of the files used, so `kabar enrich` finds nothing stale after
    expected = versions(["themes", "entities"], load_sources(config).enrich)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        logged = dict(con.execute("SELECT enricher, any_value(enricher_version) FROM store.enrichment_log "
                                  "WHERE enricher IN ('themes', 'entities') GROUP BY ALL HAVING count(DISTINCT enricher_version) = 1").fetchall())
    finally:
        con.close()
    assert logged == expected

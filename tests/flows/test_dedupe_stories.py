"""Duplicates, versions and stories through the real ingest flow and DuckDB files.

The seeds (../shared/seeds) are read in place; modified copies are written under tmp_path.
"""

from __future__ import annotations

from pathlib import Path


from flows.ingest import ingest
from tests.conftest import query as _rows


def _by_seed(warehouse: Path) -> dict[str, tuple]:
    rows = _rows(warehouse, "SELECT url, article_id, story_id, duplicate_of, duplicate_similarity FROM articles")
    return {Path(url).name[:3] if "seeds" in url else Path(url).name: rest for url, *rest in rows}


def test_seed_stories_copies_and_a_second_ingest(shared: Path, warehouse: Path, tmp_path: Path) -> None:
    seeds = shared / "seeds"
    ingest(paths=[str(seeds)], warehouse=str(warehouse))
    first = _by_seed(warehouse)
    story = {seed: row[1] for seed, row in first.items()}
    # 001 and 003: the August 2023 weapons-factory tour, two outlets, other words: one story.
    assert story["001"] == story["003"]
    # 002 (May 2024 missile systems) and 004 (battalion commanders' conference) are other stories.
    assert len({story["001"], story["002"], story["004"]}) == 3
    assert all(row[2] is None for row in first.values()), "no seed is a duplicate of another"
    stories = _rows(warehouse, "SELECT story_id, article_count, original_count FROM stories")
    assert {s for s, *_ in stories} == set(story.values())
    assert sum(n for _, n, _ in stories) == 5

    # A syndicated copy of 003 under another dateline, and of 002 with a boilerplate line added.
    # Cleaning removes datelines and boilerplate lines before dedupe, so each copy also has one
    # sentence reworded: otherwise it is an exact copy (similarity 1.0), not a near-duplicate.
    copies = tmp_path / "copies"
    copies.mkdir()
    text3 = next(seeds.glob("003_*.txt")).read_text(encoding="utf-8")
    copy3 = text3.replace("Ritmee —", "JAKARTA, KOMPAS.com —", 1).replace(
        "Kim Jong Un instruksikan pabrik", "Kim Jong Un memerintahkan pabrik", 1)
    (copies / "salinan-003.txt").write_text(copy3, encoding="utf-8")
    text2 = next(seeds.glob("002_*.txt")).read_text(encoding="utf-8")
    copy2 = text2.replace("Kim Jong Un menyerukan perubahan penting", "Kim Jong Un meminta perubahan penting", 1)
    assert copy3.count("memerintahkan pabrik") == 1 and copy2 != text2
    (copies / "salinan-002.txt").write_text(
        "Jakarta, CNN Indonesia --\n" + copy2 + "\nIkuti berita terkini dari kami di Google News, klik di sini.",
        encoding="utf-8")
    summary = ingest(paths=[str(copies)], warehouse=str(warehouse))
    assert summary["by_source"]["copies"]["duplicate"] == 2
    after = _by_seed(warehouse)
    for copy, seed in (("salinan-003.txt", "003"), ("salinan-002.txt", "002")):
        _, story_id, duplicate_of, similarity = after[copy]
        assert duplicate_of == first[seed][0]
        assert 0.7 <= similarity < 1.0
        assert story_id == story[seed]
    originals = sum(1 for s in story.values() if s == story["003"])
    assert _rows(warehouse, f"SELECT article_count, original_count FROM stories WHERE story_id = '{story['003']}'") \
        == [(originals + 1, originals)]

    # Ingesting the same sources again changes no story assignment and adds nothing.
    again = ingest(paths=[str(seeds), str(copies)], warehouse=str(warehouse))
    assert sum(counts["new"] + counts["duplicate"] for counts in again["by_source"].values()) == 0
    assert _by_seed(warehouse) == after
    assert _rows(warehouse, "SELECT count(*) FROM store.article_signatures")[0][0] == 7


def test_an_edited_article_is_a_new_version_not_a_duplicate(warehouse: Path, tmp_path: Path) -> None:
    fixture = Path(__file__).parent.parent / "fixtures" / "dedupe" / "artikel.txt"
    page = tmp_path / "berita" / "banjir.txt"
    page.parent.mkdir()
    text = fixture.read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    ingest(paths=[str(page)], warehouse=str(warehouse))
    edited = text.replace("sedikitnya empat ribu dua ratus", "sedikitnya lima ribu")
    page.write_text(edited, encoding="utf-8")
    summary = ingest(paths=[str(page)], warehouse=str(warehouse))
    assert sum(c["updated"] for c in summary["by_source"].values()) == 1
    assert _rows(warehouse, "SELECT version, duplicate_of FROM articles") == [(2, None)]
    versions = _rows(warehouse, "SELECT version, changed_chars, length(text) FROM article_versions ORDER BY version")
    assert versions[0][1] == versions[0][2]  # a first version is all new
    # 'empat ribu dua ratus' -> 'lima ribu': a few words changed, not the length difference alone.
    assert 0 < versions[1][1] < 40 and versions[1][1] != abs(versions[1][2] - versions[0][2])
    assert _rows(warehouse, "SELECT count(*) FROM store.article_signatures")[0][0] == 1

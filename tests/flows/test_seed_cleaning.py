"""The seeds (../shared/seeds, read in place) come out clean: no noise line, no repeated block,
and every sentence of article content kept. The noise is named here by the test's own patterns,
independent of the cleaning rules under test."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tasks.normalise import clean_whitespace
from tests.conftest import SHARED

#: Whole lines that are page furniture in the seeds.
NOISE_LINE = re.compile(
    r"^(loading\.\.\.|A|SCROLL TO CONTINUE WITH CONTENT|Lihat juga Video .*|Baca Juga: .*|Simak berita selengkapnya.*)$"
)
#: Outlet datelines opening a text, and desk tags closing one.
DATELINE = re.compile(r"^(Suara\.com - |Ritmee — )")
TAG = re.compile(r"\s*\(\*\)$")


def _content_sentences(path: Path) -> list[str]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    sentences = []
    for line in lines[1:] if path.name.startswith(("000", "001")) else lines:  # 000/001 open with a headline
        if NOISE_LINE.match(line):
            continue
        line = TAG.sub("", DATELINE.sub("", line))
        sentences += [s for s in re.split(r"(?<=[.!?])\s+", clean_whitespace(line)) if s]
    return sentences


@pytest.fixture(scope="module")
def seeded(seeds_warehouse: Path) -> tuple[Path, duckdb.DuckDBPyConnection]:
    """The seeds and a read-only connection to the worker's seeds warehouse (tests/conftest.py)."""
    con = duckdb.connect(str(seeds_warehouse), read_only=True)
    yield SHARED / "seeds", con
    con.close()


def _texts(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {Path(url).name: text for url, text in con.execute("SELECT url, text FROM articles").fetchall()}


def test_no_noise_line_survives(seeded) -> None:
    seeds, con = seeded
    texts = _texts(con)
    assert len(texts) == 5
    for name, text in texts.items():
        for line in text.split("\n"):
            assert not NOISE_LINE.match(line), (name, line)
        assert not DATELINE.match(text), name
        assert not TAG.search(text), name


def test_repeated_block_of_seed_001_is_kept_once(seeded) -> None:
    seeds, con = seeded
    seed = next(seeds.glob("001_*.txt"))
    text = _texts(con)[seed.name]
    body = seed.read_text(encoding="utf-8").splitlines()[1:]  # the first line is the headline
    paragraphs = [clean_whitespace(p) for p in body if len(p) > 60]
    assert any(seed.read_text(encoding="utf-8").count(p) > 1 for p in paragraphs)  # the seed does repeat
    for paragraph in paragraphs:
        assert text.count(paragraph) == 1, paragraph[:60]


def test_every_sentence_of_content_is_kept(seeded) -> None:
    seeds, con = seeded
    texts = _texts(con)
    for seed in sorted(seeds.glob("*.txt")):
        text = texts[seed.name]
        missing = [s for s in _content_sentences(seed) if s not in text]
        assert not missing, (seed.name, missing[:3])


def test_removals_are_audited_by_rule(seeded) -> None:
    _, con = seeded
    rules = {row[0] for row in con.execute("SELECT DISTINCT rule FROM removed_spans").fetchall()}
    assert {"loading", "font_size_control", "scroll_to_continue", "video_promo", "baca_juga",
            "more_on_next_page", "dateline", "repeated_paragraph", "trailing_tag"} <= rules
    # Every span is where the audit says in the stored extracted text.
    rows = con.execute(
        "SELECT s.text, s.position, e.text FROM removed_spans s JOIN store.extracted_texts e USING (article_id)"
    ).fetchall()
    assert rows and all(extracted[pos: pos + len(span)] == span for span, pos, extracted in rows)

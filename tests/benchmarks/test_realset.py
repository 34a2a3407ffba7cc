"""The real-article annotations of benchmarks/realset (read by benchmarks/enrichment_real.py) are
well formed: each names a page of ../shared/corpus/indonesian-news's ground truth once, in a known
split, every annotated name (or one of its alternatives) is written in that page's text, and
every quote offset points at the first word after an opening quotation mark (the README's
convention)."""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SET_DIR = ROOT / "benchmarks" / "realset"
GROUND_TRUTH = ROOT.parent / "shared" / "corpus" / "indonesian-news" / "pages" / "ground-truth.json"

pytestmark = pytest.mark.skipif(not GROUND_TRUTH.exists(), reason="needs ../shared/corpus/indonesian-news")


def _annotations() -> list[dict]:
    return [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(SET_DIR.glob("*.toml"))]


def test_each_page_once_in_a_known_split() -> None:
    annotations = _annotations()
    # the splits benchmarks/enrichment_real.py prints (SPLITS there)
    assert Counter(a["split"] for a in annotations) == {"heldout2": 7, "heldout": 6, "dev": 5}
    files = [a["file"] for a in annotations]
    assert len(files) == len(set(files))
    pages = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
    assert all(pages.get(f, {}).get("content") for f in files)


def test_names_are_in_the_text_and_quotes_start_after_a_mark() -> None:
    pages = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
    for annotation in _annotations():
        content = pages[annotation["file"]]["content"]
        for entity in annotation["entities"]:
            assert entity["type"] in ("person", "organization", "place"), entity
            forms = [entity["name"], *entity.get("alt", [])]
            assert any(form in content for form in forms), (annotation["file"], entity["name"])
        for quote in annotation.get("quotes", []):
            assert content[quote["at"] - 1] in "\"“" and content[quote["at"]].isalnum(), (annotation["file"], quote)

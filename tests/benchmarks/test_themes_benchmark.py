"""benchmarks/themes.py reads well-formed annotations: every article of benchmarks/enrichment_data has
its themes annotated with the shipped taxonomy's names, and the script runs to its figures, with the
subject condition's effect printed beside the same taxonomy without it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import themes as themes_benchmark  # noqa: E402

from tasks.enrichers.themes import TAXONOMY, _load  # noqa: E402


def test_every_subject_article_has_themes_from_the_taxonomy() -> None:
    tax = _load(str(TAXONOMY), TAXONOMY.stat().st_mtime_ns)
    articles = themes_benchmark.subject_articles()
    assert len(articles) == len(list((ROOT / "benchmarks" / "enrichment_data").glob("*.toml"))) == 24
    for name, article, gold, also in articles:
        assert article.text and article.title, name
        assert gold | also <= set(tax.min_hits), (name, gold | also - set(tax.min_hits))
        assert not gold & also, name
    assert tax.subject, "the shipped taxonomy names its subject"


def test_the_benchmark_prints_both_taxonomies(capsys: pytest.CaptureFixture) -> None:
    assert themes_benchmark.main() == 0
    out = capsys.readouterr().out
    assert out.count("on the subject (24 articles): precision") == 2
    assert "the same taxonomy without its subject condition" in out
    assert out.count("military_cooperation_russia") == 2

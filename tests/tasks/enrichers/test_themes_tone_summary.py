"""Themes, tone and summary enrichers on the project's own Indonesian fixture text."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from kabar.config import ConfigError, EnrichSettings
from kabar.models import Article
from tasks.enrich import enrich_article, get_field, selected, using
from tasks.enrichers.summary import sentences, summarise
from tasks.enrichers.themes import taxonomy
from tasks.enrichers.tone import tone

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures" / "enrichment"


def _article(name: str) -> Article:
    title, _, body = (FIXTURES / name).read_text(encoding="utf-8").partition("\n\n")
    return Article(url=f"file:///{name}", source="t", fetched_at=datetime.now(timezone.utc), text=body, title=title)


def test_themes_of_a_visit_article() -> None:
    article = enrich_article(_article("kunjungan.txt"), selected(["themes"]))
    rows = {r["theme"]: r for r in article.enrichments["themes"].rows["themes"]}
    assert "diplomacy" in rows and "military_cooperation_russia" in rows
    assert "nuclear_programme" not in rows and "military_exercises" not in rows
    assert all(r["score"] >= 1.0 and r["hits"] >= 2 for r in rows.values())


def test_user_themes_file_replaces_taxonomy_and_changes_version(tmp_path: Path) -> None:
    shipped = selected(["themes"])[0].version
    path = tmp_path / "themes.toml"
    path.write_text('[[theme]]\nname = "satellites"\ncues_id = ["satelit", "teknologi satelit", "roket"]\nmin_hits = 1\n',
                    encoding="utf-8")
    with using(EnrichSettings(themes=str(path))):
        assert selected(["themes"])[0].version != shipped
        article = enrich_article(_article("kunjungan.txt"), selected(["themes"]))
        assert [r["theme"] for r in article.enrichments["themes"].rows["themes"]] == []  # one distinct cue only
        path.write_text('[[theme]]\nname = "satellites"\ncolour = 1\n', encoding="utf-8")
        with pytest.raises(ConfigError, match="allowed keys"):
            taxonomy()
    assert selected(["themes"])[0].version == shipped  # only inside the block


def test_tone_is_negative_for_threats_and_positive_for_talks() -> None:
    hostile = tone("Korut mengancam akan menyerang dan mengecam provokasi berbahaya yang memicu ketegangan.")
    calm = _article("tenang.txt")
    friendly = tone(calm.text)
    assert hostile["tone"] < 0 < friendly["tone"]
    assert hostile["negative"] > 0 and friendly["positive"] > friendly["negative"]
    assert friendly["polarity"] == pytest.approx(friendly["positive"] + friendly["negative"], abs=0.01)
    assert tone("Upaya itu tidak berhasil.")["tone"] < 0  # negation flips "berhasil"


def test_summary_is_two_or_three_sentences_of_the_text() -> None:
    article = enrich_article(_article("kunjungan.txt"), selected(["summary"]))
    summary = get_field(article, "summary")
    assert summary and "Foto yang dirilis" not in summary[:20]
    picked = [s for s in sentences(article.text) if s in summary]
    assert 2 <= len(picked) <= 3
    assert summarise("Baca Juga: berita lain yang tidak terkait sama sekali.\nSingkat.") is None


def test_one_failing_enricher_does_not_stop_the_others() -> None:
    class Broken:
        name, version, fields, tables = "broken", "1", (), ()

        def enrich(self, article):
            raise RuntimeError("boom")

    article = enrich_article(_article("tenang.txt"), [Broken(), *selected(["tone"])])
    assert "boom" in article.enrichments["broken"].error
    assert article.enrichments["tone"].error is None and article.enrichments["tone"].rows["tone"]

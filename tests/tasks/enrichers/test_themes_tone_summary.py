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


def _plain(text: str, title: str = "") -> Article:
    return Article(url="https://example.invalid/a", source="t", fetched_at=datetime.now(timezone.utc), text=text, title=title)


def test_themes_are_the_subjects_an_article_that_never_names_it_gets_none() -> None:
    """The shipped taxonomy's [subject]: diplomacy cues in a story on Indonesia's foreign minister
    at a forum give no theme until the story names North Korea."""
    text = ("Menteri Luar Negeri Retno Marsudi menghadiri pertemuan puncak di Luxemburg dan melakukan "
            "pembicaraan bilateral dengan duta besar negara sahabat. Diplomasi Indonesia, katanya, "
            "mengutamakan dialog. Kunjungan kenegaraan berikutnya dijadwalkan bulan depan.")
    off = enrich_article(_plain(text, "Menlu hadiri KTT di Luxemburg"), selected(["themes"]))
    assert off.enrichments["themes"].rows["themes"] == []
    on = enrich_article(_plain(text + " Ia juga membahas situasi Korea Utara.", "Menlu hadiri KTT di Luxemburg"),
                        selected(["themes"]))
    assert [r["theme"] for r in on.enrichments["themes"].rows["themes"]] == ["diplomacy"]


def test_a_sentence_naming_north_korea_russia_and_arms_is_cooperation_evidence() -> None:
    """co_occur: sentences that name the three groups count, however they are phrased; two such
    sentences are evidence enough without any listed cue."""
    text = ("Pyongyang telah mengirim lebih dari satu juta butir peluru ke Moskow sejak tahun lalu. "
            "Citra satelit menunjukkan kereta dari Korut membawa kontainer amunisi ke gudang Rusia. "
            "Pejabat Seoul memantau pelabuhan itu setiap hari.")
    rows = enrich_article(_plain(text, "Citra satelit ungkap pengiriman"), selected(["themes"])).enrichments["themes"].rows["themes"]
    cooperation = [r for r in rows if r["theme"] == "military_cooperation_russia"]
    assert cooperation and "co-occurrence (2)" in cooperation[0]["cues"]
    one = enrich_article(_plain(text.split(". ", 1)[0] + ". Cuaca di pelabuhan cerah."), selected(["themes"]))
    assert "military_cooperation_russia" not in {r["theme"] for r in one.enrichments["themes"].rows["themes"]}


@pytest.mark.parametrize("body", [
    '[subject]\nrequires = "Korut"\n[[theme]]\nname = "x"\n',
    '[subject]\nnames = ["Korut"]\n[[theme]]\nname = "x"\n',
    '[[theme]]\nname = "x"\nco_occur = ["Korut", "Rusia"]\n',
    '[[theme]]\nname = "x"\nco_occur = [["Korut"], ["!!"]]\n',
    'subjek = 1\n[[theme]]\nname = "x"\n',
])
def test_a_bad_subject_or_co_occur_is_a_clear_config_error(tmp_path: Path, body: str) -> None:
    path = tmp_path / "themes.toml"
    path.write_text(body, encoding="utf-8")
    with using(EnrichSettings(themes=str(path))):
        with pytest.raises(ConfigError, match="themes.toml"):
            taxonomy()


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

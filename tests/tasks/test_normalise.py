"""Cleaning rules of tasks/normalise.py: what goes, what stays, and the audit of each removal."""

from __future__ import annotations

from datetime import datetime, timezone

from kabar.models import Article
from tasks.boilerplate import learn_profile
from tasks.normalise import clean_title, normalise_article, site_words


def _article(text: str, url: str = "https://www.kabarkita.com/read/1", title: str | None = None) -> Article:
    return Article(url=url, source="test", fetched_at=datetime.now(timezone.utc), text=text, title=title)


BODY = (
    "Pemerintah provinsi menyiapkan anggaran tambahan untuk perbaikan jalan yang rusak akibat banjir.",
    "Kepala dinas pekerjaan umum mengatakan pengerjaan dimulai pekan depan dan selesai sebelum Lebaran.",
)


def test_noise_lines_go_with_their_rule_and_position() -> None:
    text = "\n".join(["loading...", "A", BODY[0], "SCROLL TO CONTINUE WITH CONTENT", "Baca Juga: Judul Lain di Sini",
                      "ADVERTISEMENT", BODY[1], "Editor: Budi Santoso"])
    article = normalise_article(_article(text))
    assert article.text == "\n".join(BODY)
    rules = [rule for rule, _, _ in article.meta["removed"]]
    assert rules == ["loading", "font_size_control", "scroll_to_continue", "baca_juga", "advertisement", "byline"]
    extracted = article.meta["extracted_text"]
    for rule, removed, position in article.meta["removed"]:
        assert extracted[position: position + len(removed)] == removed, rule


def test_dateline_moves_to_metadata_and_tag_is_cut() -> None:
    article = normalise_article(_article(f"Jakarta, CNN Indonesia -- {BODY[0]}\n{BODY[1]} (ant)"))
    assert article.text == "\n".join(BODY)
    assert article.meta["dateline_place"] == "Jakarta"
    assert article.meta["dateline_outlet"] == "CNN Indonesia"
    spans = {rule: (text, pos) for rule, text, pos in article.meta["removed"]}
    assert spans["dateline"] == ("Jakarta, CNN Indonesia -- ", 0)
    assert spans["trailing_tag"][0] == "(ant)"
    extracted = article.meta["extracted_text"]
    assert extracted[spans["trailing_tag"][1]:].startswith("(ant)")


def test_a_dateline_alone_on_the_first_line_moves_to_metadata() -> None:
    # a press release wrapped by hand: the dateline, with its date and agency, is a line of its own
    article = normalise_article(_article(f"MEDAN, 3 Maret 2024 (Antara/Kabar Wire) -\n{BODY[0]}\n{BODY[1]}"))
    assert article.text == "\n".join(BODY)
    assert article.meta["dateline_place"] == "MEDAN" and article.meta["dateline_outlet"] == "Antara/Kabar Wire"
    assert [(r, t) for r, t, _ in article.meta["removed"]] == [("dateline", "MEDAN, 3 Maret 2024 (Antara/Kabar Wire) -")]
    # a line that is a sentence, or a first line with no dash, stays
    for first in ("Presiden Joko Widodo -", "MEDAN, 3 Maret 2024 (Antara)"):
        text = f"{first}\n{BODY[0]}"
        assert normalise_article(_article(text)).text == text


def test_a_sentence_with_a_dash_is_not_a_dateline() -> None:
    text = "Presiden Joko Widodo - yang hadir bersama menteri - meresmikan bendungan baru di Jawa Tengah."
    assert normalise_article(_article(text)).text == text


def test_repeated_block_is_kept_once_and_look_alike_quotes_are_folded() -> None:
    text = "\n".join([BODY[0], "‟Kami siap bekerja,” katanya kepada wartawan di kantor Finland`s.", BODY[1], BODY[0], BODY[1]])
    article = normalise_article(_article(text))
    assert article.text.count(BODY[0]) == 1 and article.text.count(BODY[1]) == 1
    assert "“Kami siap bekerja,” katanya" in article.text and "Finland's" in article.text
    assert [r for r, _, _ in article.meta["removed"]] == ["repeated_paragraph", "repeated_paragraph"]


def test_title_loses_the_site_name_whichever_side() -> None:
    words = site_words("https://tekno.liputan6.com/read/1", None)
    assert clean_title("Ponsel Baru Meluncur - Tekno Liputan6.com", words) == "Ponsel Baru Meluncur"
    assert clean_title("Harga BBM Turun | Republika Online", site_words("https://republika.co.id/x", None)) == "Harga BBM Turun"
    assert clean_title("KapanLagi.com: Artis Menikah", site_words("https://www.kapanlagi.com/x", None)) == "Artis Menikah"
    # A separator inside a headline that does not name the site stays.
    assert clean_title("Tri Indonesia: Broadband Dorong Ekosistem", words) == "Tri Indonesia: Broadband Dorong Ekosistem"


def test_learned_site_boilerplate_is_removed() -> None:
    footer = "Ikuti kanal kami untuk kabar terbaru setiap hari."
    pages = [([f"Isi berita nomor {i} yang berbeda dari yang lain.", footer], ["Judul", "KabarKita"]) for i in range(4)]
    profile = learn_profile("kabarkita.com", pages)
    article = normalise_article(_article(f"{BODY[0]}\n{footer}\n{BODY[1]}"), None, profile)
    assert article.text == "\n".join(BODY)
    assert ("site_boilerplate", footer, len(BODY[0]) + 1) in article.meta["removed"]
    # Learned title affixes are cut too, even when they do not name the host.
    assert clean_title("Banjir Rob | KabarKita", set(), profile) == "Banjir Rob"

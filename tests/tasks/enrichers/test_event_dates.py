"""Dates mentioned, resolved against the publication date (Jakarta time)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from kabar.models import Article
from tasks.enrichers.event_dates import EventDatesEnricher, extract_dates

PUBLISHED = date(2024, 5, 15)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "written", "resolved", "granularity", "relative"),
    [
        ("Kim meninjau pabrik pada Selasa (14/5) waktu setempat.", "Selasa (14/5)", date(2024, 5, 14), "day", True),
        ("Uji coba dilakukan Minggu (6/8/2023) pagi.", "Minggu (6/8/2023)", date(2023, 8, 6), "day", False),
        ("Parade besar digelar pada 27 Juli.", "27 Juli", date(2024, 7, 27), "day", True),
        ("Perjanjian diteken 19 Juni 2024 di Pyongyang.", "19 Juni 2024", date(2024, 6, 19), "day", False),
        ("Rudal itu pertama diuji pada Juli 2023.", "Juli 2023", date(2023, 7, 1), "month", False),
        ("Kunjungan pertama sejak runtuhnya Uni Soviet tahun 1991.", "tahun 1991", date(1991, 1, 1), "year", False),
        ("Delegasi tiba kemarin di Moskow.", "kemarin", date(2024, 5, 14), "day", True),
        ("Pekan lalu, Korut menembakkan rudal.", "Pekan lalu", date(2024, 5, 6), "week", True),
        ("Latihan dimulai minggu lalu.", "minggu lalu", date(2024, 5, 6), "week", True),
        ("Bulan lalu, Pyongyang menggelar parade.", "Bulan lalu", date(2024, 4, 1), "month", True),
        ("Sanksi baru dijatuhkan tahun lalu.", "tahun lalu", date(2023, 1, 1), "year", True),
        ("Tiga hari lalu satelit diluncurkan.", "Tiga hari lalu", date(2024, 5, 12), "day", True),
        ("Delegasi Rusia tiba pada Minggu untuk berunding.", "Minggu", date(2024, 5, 12), "day", True),
    ],
)
def test_expression_resolves(text: str, written: str, resolved: date, granularity: str, relative: bool) -> None:
    [row] = extract_dates(text, PUBLISHED)
    assert (row["text"], row["resolved_date"], row["granularity"], row["relative"]) == (
        written, resolved, granularity, relative)
    assert text[row["char_start"]: row["char_end"]] == written


def test_year_nearest_the_publication_date() -> None:
    [row] = extract_dates("KTT dijadwalkan pada 5 Januari.", date(2024, 12, 20))
    assert row["resolved_date"] == date(2025, 1, 5)


def test_publication_day_is_jakarta_time_and_never_the_fetch_day() -> None:
    # 17:30 UTC on the 14th is already the 15th in Jakarta: "kemarin" is then the 14th.
    late = datetime(2024, 5, 14, 17, 30, tzinfo=timezone.utc)
    article = Article(url="file:///a.txt", source="t", fetched_at=datetime(2030, 1, 1, tzinfo=timezone.utc),
                      text="Rudal ditembakkan kemarin.", published_at=late)
    [row] = EventDatesEnricher().enrich(article).rows["event_dates"]
    assert row["resolved_date"] == date(2024, 5, 14)
    # undated: relative and partial dates stay unresolved (and marked so); full dates still resolve
    undated = Article(url="file:///b.txt", source="t", fetched_at=late,
                      text="Rudal ditembakkan kemarin, Selasa (14/5), setelah uji pada 9 September 2023.")
    rows = EventDatesEnricher().enrich(undated).rows["event_dates"]
    assert [(r["text"], r["resolved_date"], r["relative"]) for r in rows] == [
        ("kemarin", None, True), ("Selasa (14/5)", None, True), ("9 September 2023", date(2023, 9, 9), False)]


def test_numbers_and_invalid_dates_are_not_dates() -> None:
    assert extract_dates("Korut mengirim 10.000 tentara dan 31/2 bukan tanggal.", PUBLISHED) == []


def test_seed_002_dates(shared: Path) -> None:
    [path] = (shared / "seeds").glob("002_*.txt")
    rows = extract_dates(path.read_text(encoding="utf-8"), date(2024, 5, 15))
    found = {(r["text"], r["resolved_date"]) for r in rows}
    assert ("Rabu (15/5/2024)", date(2024, 5, 15)) in found
    assert ("Selasa (14/5)", date(2024, 5, 14)) in found
    assert ("Bulan lalu", date(2024, 4, 1)) in found


def _extracted_seed(shared: Path, seed: str) -> Article:
    """The seed text file ``seed`` as the pipeline extracts it (an undated local file)."""
    from kabar.models import Fetched, Item
    from tasks.extract import extract_article

    [path] = (shared / "seeds").glob(f"{seed}_*.txt")
    fetched = Fetched(Item(url=path.as_uri(), source="seeds", kind="file", path=str(path)),
                      datetime.now(timezone.utc), None, None, path.read_bytes(), "text/plain", path.as_uri())
    return extract_article(fetched)


def test_relative_dates_resolve_against_the_articles_estimated_date(shared: Path) -> None:
    """An undated text file: its lead's "Rabu (15/5/2024)" becomes the estimated publication
    date, and "Selasa (14/5)" and "bulan lalu" resolve against it, not against today."""
    article = _extracted_seed(shared, "002")
    assert article.published_at.date() == date(2024, 5, 15) and article.published_at_source == "estimate"
    found = {(r["text"], r["resolved_date"]) for r in EventDatesEnricher().enrich(article).rows["event_dates"]}
    assert ("Selasa (14/5)", date(2024, 5, 14)) in found
    assert ("Bulan lalu", date(2024, 4, 1)) in found


@pytest.mark.parametrize("seed,day", [("002", date(2024, 5, 15)), ("003", date(2023, 8, 6))])
def test_seeds_get_the_dates_their_leads_state_as_estimates(shared: Path, seed: str, day: date) -> None:
    article = _extracted_seed(shared, seed)
    assert (article.published_at.date(), article.published_at_source) == (day, "estimate")

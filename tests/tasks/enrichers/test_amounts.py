"""Amounts: Indonesian number formats, counted nouns, units and qualifiers; years and dates excluded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.enrichers.amounts import extract_amounts, parse_number


def amounts(text: str) -> list[tuple[float, str | None, str | None]]:
    return [(row["value"], row["unit"], row["qualifier"]) for row in extract_amounts(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Seoul menyebut lebih dari 10.000 tentara sudah berangkat.", (10000, "tentara", "more than")),
        ("Korut mengirim sekitar 1,5 juta peluru artileri.", (1_500_000, "peluru", "approximately")),
        ("Nilai kontrak itu hampir 2 miliar dolar AS.", (2e9, "dolar AS", "almost")),
        ("Setidaknya tiga rudal jatuh di laut.", (3, "rudal", "at least")),
        ("Jangkauannya kurang dari 500 km.", (500, "km", "less than")),
        ("Pelanggaran wilayah bahkan 0,001 mm akan dibalas.", (0.001, "mm", None)),
        ("Anggaran pertahanan naik 12,5 persen.", (12.5, "persen", None)),
        ("Ekspor turun 7% dibanding tahun lalu.", (7, "persen", None)),
        ("Ribuan tentara berlatih di dekat perbatasan.", (1000, "tentara", "thousands")),
        ("Puluhan ribu warga mengungsi.", (10000, "warga", "tens of thousands")),
        ("Pemerintah menyiapkan Rp 3 triliun untuk bantuan.", (3e12, "rupiah", None)),
        ("Sanksi membekukan aset senilai 40 juta won.", (40e6, "won", None)),
        ("Pabrik itu membuat 10 ribu drone per tahun.", (10000, "drone", None)),
        ("Kapal itu membawa 300 unit kontainer amunisi.", (300, "kontainer", None)),
        ("Sebanyak 12.000 lebih tentara Korut dikerahkan.", (12000, "tentara", "more than")),
        ("Antara 10.000-12.000 tentara disiagakan.", (10000, "tentara", "range")),
        ("Pabrik itu merakit dua puluh rudal setiap bulan.", (20, "rudal", None)),
        ("Satu kilogram beras dijual mahal.", (1, "kg", None)),
    ],
)
def test_amount_value_unit_qualifier(text: str, expected: tuple) -> None:
    assert amounts(text) == [(float(expected[0]), expected[1], expected[2])]


@pytest.mark.parametrize(
    "text",
    [
        "Parade digelar pada tahun 2024 untuk memperingati perang.",
        "Uni Soviet runtuh pada 1991.",
        "Parade diadakan pada 27 Juli di Pyongyang.",
        "Kim berpidato pada Selasa (14/5) pukul 10.00 waktu setempat.",
        "Rudal Hwasong-18 diuji setelah pandemi COVID-19.",
        "Ini adalah uji coba ke-5 sejak Resolusi 2397 diadopsi.",
        "Kedua negara sepakat memperluas kerja sama.",
        "Dua pekan lalu rudal itu diuji, dan tiga hari kemudian diuji lagi.",
        "Itu salah satu pabrik terbesar.",
    ],
)
def test_years_dates_times_names_are_not_amounts(text: str) -> None:
    assert extract_amounts(text) == []


def test_text_and_offsets_cover_qualifier_to_unit() -> None:
    text = "Laporan intelijen: lebih dari 10.000 tentara Korut tiba di Kursk."
    [row] = extract_amounts(text)
    assert row["text"] == "lebih dari 10.000 tentara"
    assert text[row["char_start"]: row["char_end"]] == row["text"]


def test_parse_number_reads_indonesian_separators() -> None:
    assert parse_number("10.000") == 10000
    assert parse_number("1.250.000") == 1_250_000
    assert parse_number("0,001") == 0.001
    assert parse_number("1,5") == 1.5


def test_english_thousands_and_decimals_are_read_and_nothing_raises() -> None:
    assert parse_number("1,499.99") == 1499.99
    assert parse_number("432,787.13") == 432787.13
    assert parse_number("1.499.99") is None  # no convention reads it: no amount, no error
    rows = extract_amounts("Harga kartu grafis itu $1,499.99 di toko daring.")
    assert [(r["value"], r["unit"]) for r in rows] == [(1499.99, "dolar AS")]


def test_seed_004_reports_more_than_ten_thousand_troops(shared: Path) -> None:
    [path] = (shared / "seeds").glob("004_*.txt")
    rows = extract_amounts(path.read_text(encoding="utf-8"))
    assert any(
        (r["value"], r["unit"], r["qualifier"]) == (10000.0, "tentara", "more than")
        and r["text"] == "lebih dari 10.000 tentara"
        for r in rows
    )

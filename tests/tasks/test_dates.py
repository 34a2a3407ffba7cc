"""Indonesian date patterns and time zones (tasks/dates.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tasks.dates import is_date_line, parse_indonesian_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Seperti dilansir AFP, Rabu (15/5/2024), seruan itu", datetime(2024, 5, 15, tzinfo=ZoneInfo("Asia/Jakarta"))),
        ("Minggu, 6 Agustus 2023 14:05 WIB", datetime(2023, 8, 6, 14, 5, tzinfo=ZoneInfo("Asia/Jakarta"))),
        ("23/02/2016 15:32 WIB", datetime(2016, 2, 23, 15, 32, tzinfo=ZoneInfo("Asia/Jakarta"))),
        ("Senin, 6 Mei 2024 14:05 WITA", datetime(2024, 5, 6, 14, 5, tzinfo=ZoneInfo("Asia/Makassar"))),
        ("Kamis, 05/11/2015 09:25 WIT", datetime(2015, 11, 5, 9, 25, tzinfo=ZoneInfo("Asia/Jayapura"))),
    ],
)
def test_indonesian_dates(text: str, expected: datetime) -> None:
    found = parse_indonesian_date(text)
    assert found == expected and found.utcoffset() == expected.utcoffset()


def test_no_date_and_date_lines() -> None:
    assert parse_indonesian_date("Tidak ada tanggal di kalimat ini.") is None
    assert is_date_line("Selasa, 23/02/2016 15:32 WIB")
    assert is_date_line("- Kamis, 05/11/2015 09:25 WIB")  # a list item whose headline went with its link
    assert not is_date_line("- Kamis, 05/11/2015 09:25 WIB polisi menangkap tersangka")
    assert not is_date_line("Pada 11 Juli 2015 polisi menangkap tersangka di rumahnya.")


def _spans(matches) -> list[tuple[tuple[int, int], dict]]:
    return [(m.span(), m.groupdict()) for m in matches]


#: Pieces of date lines and the text around them, weekday spellings Unicode case-folds to
#: ("ſenin": long s; the Kelvin sign for K), digits of another script, separators of both patterns.
_PIECES = ["Senin", "senin", "SELASA", "Jum'at", "jumat", "Ahad", "minggu", "\u017fenin", "\u212aamis", "Kamis",
           " ", "  ", ",", ", ", "(", ")", "-", "/", ".", ":", "1", "12", "123", "2024", "1999", "05",
           "Agustus", "mei", "Mei.", "dec", "WIB", "wita", "WIT", "x", "a", "pukul ", "jam ", "14:05", "9.30",
           "\n", "\u0663", "é"]


def test_dates_found_from_day_numbers_are_finditers_matches(shared) -> None:
    """``_matches`` (the scan from day numbers) finds exactly what ``finditer`` finds, spans and
    groups, on generated date-like strings and on the text of real Indonesian pages."""
    import random

    import lxml.html

    from tasks.dates import _NAMED, _NAMED_DAY, _NUMERIC, _NUMERIC_DAY, _matches

    rng = random.Random(11)

    def dateish() -> str:  # a date line's pieces in order, each often left out or replaced by noise
        slots = [["Senin", "jum'at", "\u212aamis", "Ahad"], [",", " (", " ", ""], [" ", "", "\n"], ["5", "05", "31", "123"],
                 [" ", "/", "-", "."], ["Mei", "agustus", "11", "dec."], [" ", "/", ", "], ["2024", "1999", "24"],
                 [" ", ") ", ", "], ["14:05", "pukul 9.30", "jam 7:00:01"], [" ", ""], ["WIB", "wita", "WITx"]]
        return "".join(rng.choice(slot if rng.random() < 0.85 else _PIECES + [""]) for slot in slots)

    texts = ["".join(rng.choice([rng.choice(_PIECES), dateish()]) for _ in range(rng.randint(1, 8)))
             for _ in range(20_000)]
    for page in sorted((shared / "corpus" / "indonesian-news" / "pages").rglob("*.html")):
        texts.append(" ".join(" ".join(lxml.html.fromstring(page.read_bytes()).itertext()).split()))
    found = 0
    for pattern, day, separators in ((_NAMED, _NAMED_DAY, ","), (_NUMERIC, _NUMERIC_DAY, ",(")):
        for text in texts:
            expected = _spans(pattern.finditer(text))
            assert _spans(_matches(pattern, day, separators, text)) == expected, text
            found += len(expected)
    assert found > 1000  # the strings hold dates of both patterns, weekdays and separators

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

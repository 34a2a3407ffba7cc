"""Indonesian publication dates: text patterns and Indonesian time-zone names.

In: page text (the visible text near the headline, or a dateline line); out: an aware
datetime. Indonesian outlets print dates as "Rabu (15/5/2024)", "Minggu, 6 Agustus 2023 14:05
WIB" or "23/02/2016 15:32 WIB"; WIB, WITA and WIT are Asia/Jakarta, Asia/Makassar and
Asia/Jayapura. A date without a zone is taken as Asia/Jakarta (where most outlets publish).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from tasks.idtext import MONTHS as INDONESIAN_MONTHS, NEWSROOM_TZ

LOGGER = logging.getLogger(__name__)

JAKARTA = NEWSROOM_TZ
ZONES = {"wib": JAKARTA, "wita": ZoneInfo("Asia/Makassar"), "wit": ZoneInfo("Asia/Jayapura")}

#: The Indonesian month names of tasks/idtext.py plus the English ones pages also print.
MONTHS = {
    **INDONESIAN_MONTHS, "aug": 8, "oct": 10, "dec": 12, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "december": 12, "january": 1, "february": 2, "march": 3,
}
DAYS = r"(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad)"
_TIME = r"(?:[,|\s-]+(?:pukul\s+|jam\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::\d{2})?)?"
_ZONE = r"(?:\s*(?P<zone>wib|wita|wit)\b)?"
#: "6 Agustus 2023 14:05 WIB", "Minggu, 06 Agustus 2023"
_NAMED = re.compile(
    rf"(?:{DAYS}\s*,?\s*)?\b(?P<day>\d{{1,2}})\s+(?P<month>[a-z]{{3,9}})\.?,?\s+(?P<year>\d{{4}}){_TIME}{_ZONE}",
    re.IGNORECASE,
)
#: "23/02/2016 15:32 WIB", "Rabu (15/5/2024)", "Kamis, 05/11/2015 09:25 WIB"
_NUMERIC = re.compile(
    rf"(?:{DAYS}\s*[,(]?\s*)?\b(?P<day>\d{{1,2}})[/\-.](?P<month>\d{{1,2}})[/\-.](?P<year>\d{{4}})\)?{_TIME}{_ZONE}",
    re.IGNORECASE,
)


def _build(match: re.Match[str], month: int) -> datetime | None:
    try:
        day, year = int(match.group("day")), int(match.group("year"))
        hour = int(match.group("hour")) if match.group("hour") else 0
        minute = int(match.group("minute")) if match.group("minute") else 0
        zone = ZONES.get((match.group("zone") or "").lower(), JAKARTA)
        if not 1990 <= year <= 2100:
            return None
        return datetime(year, month, day, hour, minute, tzinfo=zone)
    except (ValueError, TypeError):
        return None


#: Where a date of each pattern can start its day number: a digit followed by the rest of the
#: pattern's shape. A pattern that begins with an optional weekday gives the regex engine no first
#: character to skip to, so ``finditer`` enters its matcher at every position of the text (about
#: 8 ms for a 50,000-character page, a third of kabar's own extraction CPU: issue 11); these begin
#: with ``\d``, so the engine skips to digits in C, and the few places they find are matched in full.
_NAMED_DAY = re.compile(r"\d(?=\d?\s+[a-z]{3,9}\.?,?\s+\d{4})", re.IGNORECASE)
_NUMERIC_DAY = re.compile(r"\d(?=\d?[/\-.]\d{1,2}[/\-.]\d{4})", re.IGNORECASE)
_WEEKDAY_BEFORE = re.compile(rf"{DAYS}\Z", re.IGNORECASE)
_LONGEST_WEEKDAY = 6  # "jum'at", "selasa", "minggu"


def _matches(pattern: re.Pattern[str], day: re.Pattern[str], separators: str, text: str) -> list[re.Match[str]]:
    """``list(pattern.finditer(text))`` for ``_NAMED`` and ``_NUMERIC``, found from their day
    numbers (``day``) instead of by trying every position: a match starts either at its day
    number or at the weekday before it, separated by spaces and at most one of ``separators``
    (nothing between them can start one: no weekday name ends with another). Tried in text order,
    weekday first, from the end of the previous match on: the same leftmost, non-overlapping
    matches (tests/tasks/test_dates.py compares the two on generated and real texts)."""
    found: list[re.Match[str]] = []
    end = 0
    for number in day.finditer(text):
        start = number.start()
        if start < end:
            continue
        i = start
        while i > end and text[i - 1].isspace():  # \s is str.isspace for a str pattern
            i -= 1
        if i > end and text[i - 1] in separators:
            i -= 1
            while i > end and text[i - 1].isspace():
                i -= 1
        weekday = _WEEKDAY_BEFORE.search(text, max(end, i - _LONGEST_WEEKDAY), i)
        for begin in ((weekday.start(), start) if weekday else (start,)):
            if match := pattern.match(text, begin):
                found.append(match)
                end = match.end()
                break
    return found


def find_dates(text: str) -> list[tuple[int, datetime, bool]]:
    """Every Indonesian date in ``text``: (position, datetime, has_time), in text order."""
    return [(position, stamp, has_time) for position, stamp, has_time, _ in find_dates_with_zone(text)]


def find_dates_with_zone(text: str) -> list[tuple[int, datetime, bool, bool]]:
    """Every Indonesian date in ``text``: (position, datetime, has_time, zone written out), in
    text order; a time without WIB/WITA/WIT is read as WIB (zone written out: False)."""
    found: list[tuple[int, datetime, bool, bool]] = []
    for match in _matches(_NAMED, _NAMED_DAY, ",", text):
        month = MONTHS.get(match.group("month").lower())
        if month and (stamp := _build(match, month)):
            found.append((match.start(), stamp, bool(match.group("hour")), bool(match.group("zone"))))
    for match in _matches(_NUMERIC, _NUMERIC_DAY, ",(", text):
        stamp = _build(match, int(match.group("month")))
        if stamp:
            found.append((match.start(), stamp, bool(match.group("hour")), bool(match.group("zone"))))
    return sorted(found, key=lambda f: f[0])


def parse_indonesian_date(text: str) -> datetime | None:
    """The first Indonesian date in ``text`` (preferring one with a time of day), or None."""
    dates = find_dates(text)
    with_time = [d for d in dates if d[2]]
    chosen = (with_time or dates or [None])[0]
    return chosen[1] if chosen else None


_DATE_LINE = re.compile(
    rf"^(?:{DAYS}\s*[,(]?\s*)?[\d/\-.: ]*(?:\s*[a-z]{{3,9}}\.?\s+\d{{4}})?[\d: .,]*(?:\s*(?:wib|wita|wit))*\s*\)?$",
    re.IGNORECASE,
)


def is_date_line(line: str) -> bool:
    """A line that is only a date (and time), maybe as a list item ("- Kamis, 05/11/2015 09:25
    WIB": a box of other stories whose headlines went with their links): page chrome, not
    article text."""
    line = line.strip().lstrip("-•*·–—> ").strip()
    return bool(line) and len(line) <= 60 and bool(find_dates(line)) and bool(_DATE_LINE.match(line))


#: The lead and dateline: where a text states the day it reports ("Rabu (15/5/2024)").
LEAD_CHARS = 600


def estimate_from_text(text: str) -> datetime | None:
    """For an undated article: the first full date (with its year) in its first lines, the
    dateline or lead ("JAKARTA, Rabu (15/5/2024) - ..."), or None."""
    dates = find_dates(text[:LEAD_CHARS])
    return dates[0][1] if dates else None

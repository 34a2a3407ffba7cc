"""Dates an article mentions, resolved against its publication date.

In: an Article. Out: ``Enrichment(rows={"event_dates": [...]})``, one row per date expression:
"Selasa (14/5)", "Minggu (6/8/2023)", "27 Juli", "9 September 2024", "Juli 2023", "bulan Juli",
"tahun 1991", "kemarin", "hari ini", "pekan lalu", "minggu lalu", "bulan lalu", "tahun lalu",
"tiga hari lalu", "Senin lalu", "pada Minggu". ``resolved_date`` is the day, or the first day of
the week (Monday), month or year (``granularity``); ``relative`` is true when the publication
date was needed to resolve it (no year written, or a relative expression).

The publication day is ``published_at`` in Jakarta time; an undated article's relative and
partial dates stay unresolved (``resolved_date`` NULL), never resolved against the ingest day. A date without a
year takes the year that puts it nearest the publication day, a day ahead counting double
(a December article's "5 Januari" is next January; an October article's "April" the last one). dateparser is not used here: it returns None for "pekan lalu" and
"minggu lalu", and at about a millisecond a call it would cost more than this whole module;
the handful of formats Indonesian newsrooms use are matched directly.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Callable

from kabar.models import Article
from tasks.enrich import Enrichment, register
from tasks.idtext import DAY_NAMES, DAYS, MONTH_NAMES, MONTHS, NUMBER_WORD_NAMES, NUMBER_WORDS, publication_day

_FLAGS = re.IGNORECASE
_DAY_SLASH = re.compile(rf"\b(?P<dayname>{DAY_NAMES})\s*\(\s*(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?:/(?P<y>\d{{2,4}}))?\s*\)", _FLAGS)
_DAY_MONTH = re.compile(rf"(?<![\d/.,])(?P<d>\d{{1,2}})\s+(?P<month>{MONTH_NAMES})\b(?:\s+(?P<y>\d{{4}})\b)?", _FLAGS)
_MONTH_YEAR = re.compile(rf"\b(?:bulan\s+)?(?P<month>{MONTH_NAMES})\s+(?P<y>(?:19|20)\d\d)\b", _FLAGS)
_MONTH_REL_YEAR = re.compile(rf"\b(?:bulan\s+)?(?P<month>{MONTH_NAMES})\s+tahun\s+(?P<rel>lalu|kemarin|ini|depan)\b", _FLAGS)
_MONTH_ALONE = re.compile(rf"\b(?:bulan|pada|sejak|hingga|sampai|awal|akhir|pertengahan)\s+(?P<month>{MONTH_NAMES})\b(?!\s+\d)", _FLAGS)
_YEAR = re.compile(r"\b(?P<lead>tahun|pada|sejak|hingga|sampai|awal|akhir|pertengahan|antara|dan|sebelum|setelah|periode|era|selama)\s+(?:tahun\s+)?(?P<y>(?:19|20)\d\d)\b(?![.,]\d)", _FLAGS)
_UNITS = {"hari": "day", "pekan": "week", "minggu": "week", "bulan": "month", "tahun": "year"}
_N_AGO = re.compile(
    rf"\b(?:(?P<n>\d{{1,3}}|{NUMBER_WORD_NAMES})\s+(?P<unit>hari|pekan|minggu|bulan|tahun)|se(?P<unit1>hari|pekan|minggu|bulan|tahun))\s+(?:yang\s+)?lalu\b",
    _FLAGS,
)
_UNIT_REL = re.compile(r"\b(?P<unit>pekan|minggu|bulan|tahun)\s+(?P<rel>lalu|kemarin|depan|ini)\b", _FLAGS)
_DAY_WORD = re.compile(r"\b(?P<word>kemarin\s+lusa|kemarin|hari\s+ini|besok|lusa)\b(?!-)", _FLAGS)
_WEEKDAY_LAST = re.compile(rf"\b(?P<dayname>{DAY_NAMES})\s+(?P<rel>lalu|kemarin|depan)\b", _FLAGS)
_WEEKDAY_ON = re.compile(rf"\b(?:pada|hari|sejak|hingga|sampai)\s+(?P<dayname>{DAY_NAMES})\b(?!\s*\()")
_DAY_OFFSETS = {"kemarin lusa": -2, "kemarin": -1, "hari ini": 0, "besok": 1, "lusa": 2}


def _nearest_year(month: int, day: int, base: date) -> date | None:
    """The date with this month and day nearest ``base`` (last, this or next year), the past preferred."""
    candidates = []
    for year in (base.year - 1, base.year, base.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    # News mostly reports what has happened: a day ahead counts double ("April" in an October
    # article is the April before; "5 Januari" in a late-December one is the coming January).
    return min(candidates, key=lambda d: (d - base).days * 2 if d > base else (base - d).days) if candidates else None


def _year(raw: str) -> int:
    year = int(raw)
    return year + 2000 if year < 100 else year


def _shift(base: date, unit: str, n: int) -> date:
    """``base`` moved by ``n`` units, normalised to the start of the unit (Monday, 1st, 1 January)."""
    if unit == "day":
        return base + timedelta(days=n)
    if unit == "week":
        moved = base + timedelta(weeks=n)
        return moved - timedelta(days=moved.weekday())
    if unit == "month":
        months = base.year * 12 + base.month - 1 + n
        return date(months // 12, months % 12 + 1, 1)
    return date(base.year + n, 1, 1)


def _weekday_before(base: date, weekday: int, strictly: bool) -> date:
    back = (base.weekday() - weekday) % 7
    if back == 0 and strictly:
        back = 7
    return base - timedelta(days=back)


Found = tuple[date | None, str, bool]  # resolved date, granularity, relative


def _day_slash(m: re.Match[str], base: date) -> Found:
    day, month = int(m.group("d")), int(m.group("m"))
    if m.group("y"):
        return date(_year(m.group("y")), month, day), "day", False
    return _nearest_year(month, day, base), "day", True


def _day_month(m: re.Match[str], base: date) -> Found:
    day, month = int(m.group("d")), MONTHS[m.group("month").casefold()]
    if m.group("y"):
        return date(int(m.group("y")), month, day), "day", False
    return _nearest_year(month, day, base), "day", True


def _month_year(m: re.Match[str], base: date) -> Found:
    return date(int(m.group("y")), MONTHS[m.group("month").casefold()], 1), "month", False


def _month_rel_year(m: re.Match[str], base: date) -> Found:
    step = {"lalu": -1, "kemarin": -1, "ini": 0, "depan": 1}[m.group("rel").casefold()]
    return date(base.year + step, MONTHS[m.group("month").casefold()], 1), "month", True


def _month_alone(m: re.Match[str], base: date) -> Found:
    return _nearest_year(MONTHS[m.group("month").casefold()], 1, base), "month", True


def _year_only(m: re.Match[str], base: date) -> Found:
    return date(int(m.group("y")), 1, 1), "year", False


def _n_ago(m: re.Match[str], base: date) -> Found:
    raw = m.group("n")
    n = 1 if raw is None else int(raw) if raw.isdigit() else NUMBER_WORDS[raw.casefold()]
    unit = _UNITS[(m.group("unit") or m.group("unit1")).casefold()]
    return _shift(base, unit, -n), unit, True


def _unit_rel(m: re.Match[str], base: date) -> Found:
    unit = _UNITS[m.group("unit").casefold()]
    step = {"lalu": -1, "kemarin": -1, "depan": 1, "ini": 0}[m.group("rel").casefold()]
    return _shift(base, unit, step), unit, True


def _day_word(m: re.Match[str], base: date) -> Found:
    offset = _DAY_OFFSETS[" ".join(m.group("word").casefold().split())]
    return base + timedelta(days=offset), "day", True


def _weekday_rel(m: re.Match[str], base: date) -> Found:
    weekday = DAYS[m.group("dayname").casefold()]
    if m.group("rel").casefold() == "depan":
        ahead = (weekday - base.weekday()) % 7 or 7
        return base + timedelta(days=ahead), "day", True
    return _weekday_before(base, weekday, strictly=True), "day", True


def _weekday_on(m: re.Match[str], base: date) -> Found:
    return _weekday_before(base, DAYS[m.group("dayname").casefold()], strictly=False), "day", True


_MONTH_WORDS = tuple(m.casefold() for m in MONTH_NAMES.split("|"))
_DAY_WORDS = tuple(d.casefold() for d in DAY_NAMES.split("|"))
# Most specific first: a span taken by an earlier pattern is not matched again by a later one.
# Each pattern comes with words one of which must be in the text: a substring test is ~100x
# cheaper than a regex scan, and most articles have no month name, weekday or "lalu" at all.
_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str], date], Found], str | None, tuple[str, ...]]] = [
    (_DAY_SLASH, _day_slash, None, ("/",)),
    (_DAY_MONTH, _day_month, None, _MONTH_WORDS),
    (_MONTH_YEAR, _month_year, None, _MONTH_WORDS),
    (_MONTH_REL_YEAR, _month_rel_year, None, _MONTH_WORDS),  # "Juli tahun lalu" before "tahun lalu" alone
    (_N_AGO, _n_ago, None, ("lalu",)),
    (_UNIT_REL, _unit_rel, None, ("lalu", "kemarin", "depan", " ini")),  # "minggu lalu" is last week, not Sunday
    (_WEEKDAY_LAST, _weekday_rel, None, _DAY_WORDS),
    (_DAY_WORD, _day_word, None, ("kemarin", "hari ini", "besok", "lusa")),
    (_MONTH_ALONE, _month_alone, "month", _MONTH_WORDS),
    (_YEAR, _year_only, "y", ("19", "20")),
    (_WEEKDAY_ON, _weekday_on, "dayname", _DAY_WORDS),
]


#: Stands in for the publication day of an undated article: only dates that do not need it
#: (a year written out) keep what it resolves; the others are left unresolved.
_NO_BASE = date(2000, 1, 1)


def extract_dates(text: str, published: date | None) -> list[dict[str, Any]]:
    """Date expressions of ``text`` resolved against the publication day ``published``. With no
    publication day (an undated article), relative and partial dates ("kemarin", "Selasa (14/5)")
    are kept unresolved: ``resolved_date`` None, ``relative`` True; never the ingest day."""
    taken: list[tuple[int, int]] = []
    rows: list[dict[str, Any]] = []
    folded = text.casefold()
    for pattern, resolve, group, needs in _PATTERNS:
        if not any(word in folded for word in needs):
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            try:
                resolved, granularity, relative = resolve(match, published or _NO_BASE)
            except (ValueError, OverflowError):
                continue  # "31/2": not a date
            taken.append((start, end))
            # the lead word of "pada Minggu" / "sejak 1991" is context, not part of the date
            span_start = start
            if group == "y" and match.group("lead").casefold() != "tahun":
                span_start = match.start("y")
                lead = re.search(r"tahun\s+$", text[start:span_start], _FLAGS)
                span_start = start + lead.start() if lead else span_start
            elif group in ("month", "dayname") and not match.group(0).casefold().startswith("bulan"):
                span_start = match.start(group)
            if published is None and relative:
                resolved = None  # needs a publication day this article does not have
            rows.append({
                "text": text[span_start:end], "char_start": span_start, "char_end": end,
                "resolved_date": resolved, "granularity": granularity, "relative": relative,
            })
    rows.sort(key=lambda r: r["char_start"])
    return rows


class EventDatesEnricher:
    """Dates mentioned, resolved against the publication date (view ``event_dates``)."""

    name = "event_dates"
    version = "2"
    fields: tuple[str, ...] = ()
    tables = ("event_dates",)

    def enrich(self, article: Article) -> Enrichment:
        # the article's own date (published_at), never the day it was fetched
        published = publication_day(article) if article.published_at is not None else None
        return Enrichment(rows={"event_dates": extract_dates(article.text, published)})


register(EventDatesEnricher())

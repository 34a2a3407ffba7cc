"""Small Indonesian lexicon shared by the quotes, amounts and event-dates enrichers.

Month and day names, number words, and the publication day an article's relative dates
("kemarin", "pekan lalu") count from. Plain data and tiny helpers, no state.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from kabar import settings
from kabar.models import Article

#: Indonesian news dates are local: an article stamped 2024-05-14T17:30Z was published on the 15th in Jakarta.
NEWSROOM_TZ = ZoneInfo(settings.TIMEZONE)

MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "pebruari": 2, "maret": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "nopember": 11, "desember": 12, "des": 12,
}
#: full month names only: the abbreviations are too ambiguous in running text ("Mar", "Jun")
MONTH_NAMES = "Januari|Februari|Pebruari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Nopember|Desember"

DAYS: dict[str, int] = {"senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "sabtu": 5, "minggu": 6, "ahad": 6}
DAY_NAMES = "Senin|Selasa|Rabu|Kamis|Jumat|Jum'at|Sabtu|Minggu|Ahad"

#: "dua" .. "sepuluh" and a few more; "satu" is left out: "salah satu", "satu-satunya" are not counts.
NUMBER_WORDS: dict[str, int] = {
    "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
    "sembilan": 9, "sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1000, "sejuta": 1_000_000,
}
NUMBER_WORD_NAMES = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))


def publication_day(article: Article) -> date:
    """The article's publication day in Jakarta time (``published_at``, else ``fetched_at``)."""
    stamp: datetime = article.published_at or article.fetched_at
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(NEWSROOM_TZ).date()

"""Amounts: numbers in Indonesian formats with their counted noun (or unit) and qualifier.

In: an Article. Out: ``Enrichment(rows={"amounts": [...]})``. "lebih dari 10.000 tentara" ->
value 10000, unit "tentara", qualifier "more than". Handles thousands dots and decimal commas
(10.000; 0,001; 1,5), scale words (ribu, juta, miliar, triliun), vague amounts (puluhan, ratusan,
ribuan, jutaan, optionally with a scale: "puluhan ribu"), number words (dua .. sepuluh, seribu),
percentages (unit "persen"), currencies (Rp, US$, dolar AS, won, yuan, rubel, euro) and measures
(mm, km, ton ...). Years ("tahun 2024", a bare 1991), dates ("27 Juli", "(14/5)"), clock times,
ordinals ("ke-3") and model names ("Hwasong-18", "COVID-19") are not amounts.
"""

from __future__ import annotations

import re
from typing import Any

from kabar.models import Article
from tasks.enrich import Enrichment, register
from tasks.idtext import MONTH_NAMES, NUMBER_WORD_NAMES, NUMBER_WORDS

SCALES = {"puluh": 10, "ratus": 100, "ribu": 1e3, "juta": 1e6, "miliar": 1e9, "milyar": 1e9, "triliun": 1e12}
VAGUE = {
    "belasan": (11, "over ten"), "puluhan": (10, "tens"), "ratusan": (100, "hundreds"),
    "ribuan": (1e3, "thousands"), "puluhan ribu": (1e4, "tens of thousands"),
    "ratusan ribu": (1e5, "hundreds of thousands"), "jutaan": (1e6, "millions"),
    "puluhan juta": (1e7, "tens of millions"), "ratusan juta": (1e8, "hundreds of millions"),
    "miliaran": (1e9, "billions"),
}
QUALIFIERS = {
    "lebih dari": "more than", "lebih daripada": "more than", "melebihi": "more than", "di atas": "more than",
    "kurang dari": "less than", "di bawah": "less than", "sekitar": "approximately", "kira-kira": "approximately",
    "sekira": "approximately", "kurang lebih": "approximately", "sekurangnya": "at least", "hampir": "almost",
    "nyaris": "almost", "setidaknya": "at least", "sedikitnya": "at least", "paling sedikit": "at least",
    "minimal": "at least", "sekurang-kurangnya": "at least", "hingga": "up to", "sampai": "up to",
"paling banyak": "at most", "maksimal": "at most", "sebanyak-banyaknya": "at most",
}
CURRENCIES = [
    ("dolar amerika serikat", "dolar AS"), ("dolar as", "dolar AS"), ("dollar as", "dolar AS"),
    ("dolar", "dolar"), ("dollar", "dolar"), ("rupiah", "rupiah"), ("won", "won"), ("yuan", "yuan"),
    ("rubel", "rubel"), ("euro", "euro"), ("yen", "yen"),
]
UNITS = {
    "mm": "mm", "milimeter": "mm", "cm": "cm", "sentimeter": "cm", "km": "km", "kilometer": "km",
    "meter": "meter", "m": "meter", "mil": "mil", "ton": "ton", "kg": "kg", "kilogram": "kg",
    "persen": "persen", "%": "persen", "derajat": "derajat", "megaton": "megaton", "kiloton": "kiloton",
}
# Classifiers ("100 unit tank", "500 butir peluru"): the counted noun is the word after them.
CLASSIFIERS = {"unit", "buah", "butir", "pucuk", "ekor", "biji", "lembar"}
# Words after a number that are not what it counts.
NOT_UNITS = frozenset(
    """di dari dan yang pada ke untuk per itu ini atau dengan dalam oleh telah akan sudah masih lebih
    hingga sampai serta bagi sejak secara adalah ialah merupakan tersebut juga pun saja""".split()
)
# Words before a number that make it something other than an amount.
NOT_AMOUNT_BEFORE = frozenset("tahun pukul jam nomor no resolusi pasal ayat ke edisi halaman kode".split())

_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?(?!\.\d{3})(?:\.\d+)?"
_VAGUE = "|".join(sorted(VAGUE, key=len, reverse=True))
_QUAL = "|".join(sorted((re.escape(q) for q in QUALIFIERS), key=len, reverse=True))
_CUR_PREFIX = r"(?:Rp\.?\s?|US\$\s?|\$\s?)"
_AMOUNT = re.compile(
    rf"(?<![\w./-])(?:(?P<qual>{_QUAL})\s+)?"
    rf"(?P<prefix>{_CUR_PREFIX})?"
    rf"(?:(?P<num>{_NUMBER})(?:[-–](?P<upper>{_NUMBER}))?|(?P<vague>{_VAGUE})|(?P<word>{NUMBER_WORD_NAMES}|satu))"
    rf"(?![\w/-]|\.\d|,\d)"
    rf"(?:\s*(?P<scale>puluh|ratus|ribu|juta|miliar|milyar|triliun)\b)?"
    rf"(?:\s*(?P<pct>%))?",
    re.IGNORECASE,
)
TIME_UNITS = frozenset("detik menit jam hari pekan minggu bulan tahun".split())
_RELATIVE_TIME = re.compile(r"\s+(?:yang\s+)?(?:lalu|kemudian|sebelumnya|mendatang|lagi)\b", re.IGNORECASE)
_DATE_AFTER = re.compile(rf"\s+(?:{MONTH_NAMES})\b", re.IGNORECASE)
_WORD = re.compile(r"\s*([A-Za-z][\w-]*)")


def parse_number(raw: str) -> float | None:
    """'10.000' -> 10000; '0,001' -> 0.001; '1,5' -> 1.5; '2.5' (an English decimal) -> 2.5;
    '1,499.99' (English thousands and decimals) -> 1499.99; None for what no convention reads.

    Before the English form was read, '$1,499.99' became float('1.499.99'): a ValueError that
    failed the whole amounts enricher on the article (seen on real English pages at volume)."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", raw):
        return float(raw.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d+", raw):
        return float(raw.replace(",", ""))
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return None


def _unit_after(text: str, position: int) -> tuple[str | None, int]:
    """The unit or counted noun right after ``position`` and where it ends."""
    rest = text[position: position + 40].casefold()
    stripped = rest.lstrip()
    skipped = len(rest) - len(stripped)
    for written, unit in CURRENCIES:
        if re.match(rf"{re.escape(written)}\b", stripped):
            return unit, position + skipped + len(written)
    word = _WORD.match(text, position)
    if not word:
        return None, position
    token = word.group(1)
    lowered = token.casefold()
    if lowered in UNITS:
        return UNITS[lowered], word.end()
    if lowered in CLASSIFIERS:
        following = _WORD.match(text, word.end())
        if following and following.group(1).islower() and following.group(1) not in NOT_UNITS:
            return following.group(1), following.end()
        return lowered, word.end()
    if not token.islower() or lowered in NOT_UNITS or len(token) < 2:
        return None, position
    return lowered, word.end()


def _is_excluded(text: str, match: re.Match[str]) -> bool:
    """Years, dates, clock times, references and numbers in names are not amounts."""
    num = match.group("num")
    before = text[max(0, match.start() - 20): match.start()].split()
    previous = before[-1].casefold().strip("(,") if before else ""
    if previous in NOT_AMOUNT_BEFORE and not match.group("qual"):
        return True
    if num:
        if _DATE_AFTER.match(text, match.end("num")):
            return True  # "27 Juli"
        if re.fullmatch(r"(?:1[89]|20)\d\d", num) and not (match.group("scale") or match.group("pct")):
            return True  # a year written alone ("1991"); a count of that size is written "1.991"
        if match.start("num") > 0 and text[match.start("num") - 1] in "(/":
            return True
    return False


def extract_amounts(text: str) -> list[dict[str, Any]]:
    """Amounts in ``text``: dicts of the ``amounts`` table (value, unit, qualifier, text, offsets)."""
    rows: list[dict[str, Any]] = []
    for match in _AMOUNT.finditer(text):
        if _is_excluded(text, match):
            continue
        qualifier = QUALIFIERS[match.group("qual").casefold()] if match.group("qual") else None
        if match.group("num"):
            value = parse_number(match.group("num"))
            if value is None:
                continue
            if match.group("upper"):  # "10.000-12.000 tentara": the lower bound, marked as a range
                qualifier = qualifier or "range"
        elif match.group("vague"):
            value, vague_qualifier = VAGUE[match.group("vague").casefold()]
            qualifier = qualifier or vague_qualifier
        else:
            value = NUMBER_WORDS.get(match.group("word").casefold(), 1)  # "satu kilogram"
        if match.group("scale"):
            value *= SCALES[match.group("scale").casefold()]
        end = match.end()
        unit: str | None
        if match.group("pct"):
            unit = "persen"
        else:
            unit, unit_end = _unit_after(text, end)
            if unit is not None:
                end = unit_end
        prefix = (match.group("prefix") or "").strip().casefold()
        if prefix.startswith("rp"):
            unit = "rupiah"
        elif prefix:
            unit = "dolar AS"
        if unit in TIME_UNITS and _RELATIVE_TIME.match(text, end):
            continue  # "dua pekan lalu", "tiga hari kemudian": a point in time, not an amount
        if match.group("word") and (unit is None or match.group("word").casefold() == "satu" and unit not in UNITS.values()):
            continue  # "dua" alone ("kedua", "dua-duanya" never match; a bare "dua" counts nothing)
        # "10.000 lebih tentara": the qualifier can follow the number
        if unit is None:
            late = re.match(r"\s+lebih\s+", text[end:end + 8])
            if late:
                unit, unit_end = _unit_after(text, end + late.end())
                if unit is not None:
                    qualifier = qualifier or "more than"
                    end = unit_end
        rows.append({
            "value": float(value), "unit": unit, "qualifier": qualifier,
            "text": text[match.start():end], "char_start": match.start(), "char_end": end,
        })
    return rows


class AmountsEnricher:
    """Amounts with unit and qualifier (view ``amounts``)."""

    name = "amounts"
    version = "2"
    fields: tuple[str, ...] = ()
    tables = ("amounts",)

    def enrich(self, article: Article) -> Enrichment:
        return Enrichment(rows={"amounts": extract_amounts(article.text)})


register(AmountsEnricher())

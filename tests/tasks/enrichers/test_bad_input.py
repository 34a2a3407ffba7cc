"""Odd text never crashes the three enrichers, and every row's offsets point into the text."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kabar.models import Article
from tasks.enrichers.amounts import AmountsEnricher
from tasks.enrichers.event_dates import EventDatesEnricher
from tasks.enrichers.quotes import QuotesEnricher

ODD = [
    "",
    '""""""',
    "“ tanpa penutup, kata",
    '"," kata , ujar "" tambahnya',
    "1.2.3.4 dan 99,9,9 serta (99/99) dan 31/2/2024 dan Selasa (45/13)",
    "lebih dari juta tentara; sekitar % persen; Rp triliun",
    "tahun 0000 pada 9999 sejak 1899, 0 Januari, 32 Desember, Senin lalu lalu",
    ("Kim mengatakan, “" + "kata " * 3000 + "”, ujar Kim. ") * 3,
]


@pytest.mark.parametrize("text", ODD)
@pytest.mark.parametrize("enricher", [QuotesEnricher(), AmountsEnricher(), EventDatesEnricher()], ids=lambda e: e.name)
def test_odd_text_gives_rows_inside_the_text(enricher, text: str) -> None:
    article = Article(url="file:///odd.txt", source="t", fetched_at=datetime(2024, 5, 15, tzinfo=timezone.utc), text=text)
    result = enricher.enrich(article)
    [table] = enricher.tables
    for row in result.rows[table]:
        assert 0 <= row["char_start"] <= row["char_end"] <= len(text)
        if "text" in row:
            assert text[row["char_start"]: row["char_end"]] == row["text"]
        if "quote" in row:
            assert text[row["char_start"]: row["char_end"]] == row["quote"]

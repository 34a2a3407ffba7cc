"""Tone: a lexicon-based tone of Indonesian text, as GDELT's tone.

``positive`` and ``negative`` are the percentages of the text's words found in the positive and
negative lists of ``tasks/kb/tone_id.tsv`` (written by the kabar project; licence: the project's);
``tone = positive - negative`` and ``polarity = positive + negative``. A negator just before a
word (tidak, bukan, tanpa, belum, tak) flips it. Owns ``store.tone``.
"""

from __future__ import annotations

import functools
from pathlib import Path

from kabar.models import Article
from tasks.enrich import Enrichment, register

LEXICON = Path(__file__).resolve().parent.parent / "kb" / "tone_id.tsv"
NEGATORS = frozenset({"tidak", "bukan", "tanpa", "belum", "tak", "jangan", "enggan"})
#: Clitics stripped when a word is not in the lexicon as written (ancamannya -> ancaman).
_CLITICS = ("nya", "lah", "kah", "pun")


@functools.lru_cache(maxsize=1)
def lexicon() -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """(word -> +1/-1, (word, word) -> +1/-1) from the lexicon file."""
    words: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    for line in LEXICON.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, _, value = line.partition("\t")
        parts = term.casefold().split()
        if len(parts) == 1:
            words[parts[0]] = int(value)
        elif len(parts) == 2:
            pairs[(parts[0], parts[1])] = int(value)
    return words, pairs


def _polarity(word: str, words: dict[str, int]) -> int:
    if word in words:
        return words[word]
    for clitic in _CLITICS:
        if word.endswith(clitic) and word[: -len(clitic)] in words:
            return words[word[: -len(clitic)]]
    return 0


def tone(text: str) -> dict[str, float | int]:
    """The tone figures of one text (percentages of its words)."""
    import re

    tokens = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text.casefold())
    words, pairs = lexicon()
    positive = negative = 0
    i = 0
    while i < len(tokens):
        pair = (tokens[i], tokens[i + 1]) if i + 1 < len(tokens) else None
        if pair in pairs:
            value, width = pairs[pair], 2
        else:
            value, width = _polarity(tokens[i], words), 1
        if value and i > 0 and tokens[i - 1] in NEGATORS:
            value = -value
        positive += value > 0
        negative += value < 0
        i += width
    n = max(len(tokens), 1)
    pos, neg = 100.0 * positive / n, 100.0 * negative / n
    return {"tone": round(pos - neg, 3), "positive": round(pos, 3), "negative": round(neg, 3),
            "polarity": round(pos + neg, 3), "words": len(tokens)}


@functools.lru_cache(maxsize=1)
def lexicon_fingerprint() -> str:
    import hashlib

    return hashlib.sha256(LEXICON.read_bytes()).hexdigest()[:12]


class ToneEnricher:
    name = "tone"
    fields = ()
    tables = ("tone",)

    @property
    def version(self) -> str:  # type: ignore[override]
        return f"1+lex.{lexicon_fingerprint()}"

    def enrich(self, article: Article) -> Enrichment:
        return Enrichment(rows={"tone": [tone(article.text)]})


register(ToneEnricher())

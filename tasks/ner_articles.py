"""IndoNLU's NER sentences as articles: text with the gold names' character offsets.

The mention pipeline (tasks/mentions.py ``find_mentions``) reads article text, not word lists: its
rules look at sentence breaks, the words before and after a name and the gap between words. Here
the sentences of a split are joined, ``SENTENCES_PER_ARTICLE`` at a time, into pseudo-articles
(words joined by spaces, no space before closing punctuation or after an opening bracket), and
each gold name keeps its offsets in that text, so the whole pipeline can be scored on thousands of
annotated names (benchmarks/mentions_ner.py); a filter over its output learned from them in round
12 was measured and not kept (docs/enrichment.md, branch h72-filter).

Labels are mapped to the pipeline's three types (NERGrit's PERSON / PLACE / ORGANISATION, NERP's
PPL / PLC / IND: ``LABEL_TYPES``); the sets' other labels (NERP's events, products ...) are left
out of the gold, and whoever scores must leave them out of the predictions too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tasks.ner import bio_spans
from tasks.ner_train import SETS, read_conll

SENTENCES_PER_ARTICLE = 15
#: a label of either set -> the pipeline's type
LABEL_TYPES = {"PERSON": "person", "PLACE": "place", "ORGANISATION": "organization",
               "PPL": "person", "PLC": "place", "IND": "organization"}
_NO_SPACE_BEFORE = frozenset(",.;:!?)]}%")
_NO_SPACE_AFTER = frozenset("([{")


@dataclass(frozen=True)
class NerArticle:
    """Sentences joined into one text, and the gold names in it as (start, end, type)."""

    text: str
    gold: frozenset[tuple[int, int, str]]


def join_words(words: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The words as text, and each word's (start, end) in it."""
    parts: list[str] = []
    offsets = []
    at = 0
    for k, word in enumerate(words):
        if k and word not in _NO_SPACE_BEFORE and words[k - 1] not in _NO_SPACE_AFTER:
            parts.append(" ")
            at += 1
        offsets.append((at, at + len(word)))
        parts.append(word)
        at += len(word)
    return "".join(parts), offsets


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without the punctuation at its edges (a gold name "Liputan6.com ," or a tagged
    '" Guinness' is compared by its words: the pipeline's spans begin and end on word characters)."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def articles(sentences: list[tuple[list[str], list[str]]], per: int = SENTENCES_PER_ARTICLE) -> list[NerArticle]:
    """Consecutive sentences ``per`` at a time, one line each (words, BIO tags) -> articles."""
    out = []
    for first in range(0, len(sentences), per):
        lines, gold, at = [], set(), 0
        for words, tags in sentences[first:first + per]:
            line, offsets = join_words(words)
            for a, b, label in bio_spans(tags):
                kind = LABEL_TYPES.get(label)
                if kind:
                    start, end = trim(line, offsets[a][0], offsets[b - 1][1])
                    if start < end:
                        gold.add((at + start, at + end, kind))
            lines.append(line)
            at += len(line) + 1
        out.append(NerArticle("\n".join(lines), frozenset(gold)))
    return out


def split_articles(corpus: Path, name: str, split: str, per: int = SENTENCES_PER_ARTICLE) -> list[NerArticle]:
    """The articles of one set's split (``name``: nergrit or nerp; ``split``: train, valid or test)."""
    return articles(read_conll(corpus / SETS[name] / f"{split}.txt"), per)

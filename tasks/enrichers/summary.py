"""Summary: a 2-3 sentence extractive summary of each article, in ``articles.summary``.

Sentences are scored by the article's own content words (frequency across the text, stopwords
and boilerplate lines such as "Baca Juga" left out) with a bonus for the lead, then the best two
or three are kept in their original order, skipping near-repeats (pages that print paragraphs
twice). No model: fast and predictable.
"""

from __future__ import annotations

import re
from collections import Counter

from kabar.models import Article
from tasks.enrich import Enrichment, register

#: Indonesian (and a few English) words too common to say what an article is about.
STOPWORDS = frozenset("""
    yang dan di ke dari untuk dengan pada dalam ini itu tersebut adalah akan telah sudah juga
    tidak bukan atau oleh para sebagai bahwa karena saat ketika setelah sebelum sejak hingga
    lebih sangat dapat bisa harus ia dia mereka kami kita saya itu nya pun lah kah se ada
    secara serta antara tentang terhadap atas bagi kata ujar mengatakan menurut seperti the a of
    and to in is was for on that with by as at it an be this are from yang telah masih namun
    tetapi tapi bahkan hal kepada sebuah seorang beberapa banyak semua setiap lain lagi
""".split())
#: Lines that are page furniture, not article sentences.
BOILERPLATE = re.compile(
    r"^\s*(baca juga|lihat juga|simak|scroll|loading|advertisement|iklan|editor|penulis|foto:|sumber:)",
    re.IGNORECASE,
)
# A sentence ends at . ! ? (optionally followed by a closing quote) before whitespace and a
# capital, digit or opening quote; or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|\n+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, trimmed, without page furniture or fragments under 6 words;
    lines without closing punctuation (headings, captions) only when nothing else is left."""
    found = []
    for part in _SENTENCE_END.split(text):
        part = part.strip()
        if part and not BOILERPLATE.match(part) and len(part.split()) >= 6:
            found.append(part)
    closed = [s for s in found if s[-1] in ".!?\"”’)"]
    return closed or found


def summarise(text: str, title: str | None = None, n: int = 3) -> str | None:
    """Up to ``n`` sentences (2 for short texts) that best cover the article's content words."""
    found = sentences(text)
    if not found:
        return None
    n = 2 if len(found) <= 6 else n
    words = [[w for w in _WORD.findall(s.casefold()) if w not in STOPWORDS and len(w) > 2] for s in found]
    freq = Counter(w for ws in words for w in set(ws))
    for w in _WORD.findall((title or "").casefold()):
        if w in freq:
            freq[w] += 2  # words of the headline are what the story is about
    scored = []
    for index, ws in enumerate(words):
        if not ws:
            continue
        score = sum(freq[w] for w in set(ws)) / (len(set(ws)) ** 0.5)
        score *= 1.5 if index == 0 else (1.2 if index < 3 else 1.0)
        if len(ws) > 60:
            score *= 0.7  # run-on captions and lists make poor summaries
        scored.append((score, index))
    chosen: list[int] = []
    for _, index in sorted(scored, reverse=True):
        current = set(words[index])
        if any(len(current & set(words[c])) / max(len(current | set(words[c])), 1) > 0.6 for c in chosen):
            continue
        chosen.append(index)
        if len(chosen) == n:
            break
    return " ".join(found[i] for i in sorted(chosen)) or None


class SummaryEnricher:
    name = "summary"
    version = "1"
    fields = ("summary",)
    tables = ()

    def enrich(self, article: Article) -> Enrichment:
        return Enrichment(fields={"summary": summarise(article.text, article.title)})


register(SummaryEnricher())

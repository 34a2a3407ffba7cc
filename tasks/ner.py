"""Learned named-entity recognition for Indonesian: a CRF over word features.

The model is trained here, at build time, on IndoNLU's NER sets in ``../shared/corpus/indonesian-ner``
(``make ner-model`` runs ``python -m tasks.ner_train``; ``make install`` does it when the file is
missing). Nothing is downloaded: the weights are a ``python-crfsuite`` model file beside this module
(``tasks/kb/ner-*.crfsuite``, not committed).

Public API:

- ``recognise(text) -> list[Span]``: typed names (``person``, ``organization``, ``place``) with
  character offsets into ``text``; ``[]`` when no model is built (the rules in tasks/mentions.py
  still run, and ``model_status()`` says why).
- ``sentence_features(words) -> list[list[str]]``: the features, shared with the trainer.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

LOGGER = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).parent / "kb"
#: The model the enricher uses: trained on NERGrit (cased) and NERP (lower-cased) together, with
#: NERP's labels mapped onto NERGrit's three (PPL->PERSON, PLC->PLACE, IND->ORGANISATION).
NEWS_MODEL = MODEL_DIR / "ner-news.crfsuite"
#: The places gazetteer tasks/places.py writes (its PLACES_FILE).
PLACES_FILE = MODEL_DIR / "places.tsv"
#: label -> the KB's entity type
LABEL_TYPES = {"PERSON": "person", "ORGANISATION": "organization", "PLACE": "place"}

# Words and punctuation, the tokenisation of the IndoNLU sets ("Jakarta," -> "Jakarta" ",").
# A period joins only a lower-case continuation ("Liputan6.com"), so "Dani.Tri" (a missing space
# after a sentence) is two words.
WORD = re.compile(r"\w+(?:[-'’]\w+|\.(?=[a-z0-9])\w+)*|[^\w\s]")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Span:
    """A recognised name: ``text[char_start:char_end] == surface``."""

    surface: str
    char_start: int
    char_end: int
    type: str  # person | organization | place


@functools.lru_cache(maxsize=100_000)
def _word_features(word: str) -> tuple[str, ...]:
    low = word.lower()
    if word.isupper() and len(word) > 1:
        shape = "AA"
    elif word[:1].isupper():
        shape = "Aa"
    elif word.isdigit():
        shape = "d"
    elif _DIGIT.search(word):
        shape = "ad"
    elif word.isalpha():
        shape = "a"
    else:
        shape = "p"
    return (low, shape, low[-3:], low[:3], low[-2:], str(min(len(word), 8)))


@functools.lru_cache(maxsize=1)
def place_words() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-cased one-word place names and words of longer place names, from the places gazetteer
    (tasks/places.py): a feature, so the model learns how much a gazetteer hit is worth."""
    # read the file tasks/places.py builds (make install) without importing that module, which
    # imports tasks.entities, which uses this one: no import circle
    if not PLACES_FILE.exists():
        LOGGER.warning("no %s: NER runs without its gazetteer features (run `make install`)", PLACES_FILE)
        return frozenset(), frozenset()
    single, parts = set(), set()
    with PLACES_FILE.open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            cols = line.split("\t")
            for name in [cols[1], *cols[6].split("|")]:
                words = name.lower().split()
                if len(words) == 1:
                    single.add(words[0])
                elif words:
                    parts.update(words)
    return frozenset(single), frozenset(parts)


def sentence_features(words: list[str]) -> list[list[str]]:
    """CRF features of each word of one sentence: the word, its shape and affixes, whether the
    places gazetteer knows it, and the words and shapes around it (two each side)."""
    base = [_word_features(w) for w in words]
    single, parts = place_words()
    gaz = ["g1" if b[0] in single else ("g+" if b[0] in parts else "g0") for b in base]
    n = len(words)
    out = []
    for i, (low, shape, s3, p3, s2, ln) in enumerate(base):
        feats = ["b", "w=" + low, "s=" + shape, "s3=" + s3, "p3=" + p3, "s2=" + s2, "l=" + ln,
                 "g=" + gaz[i], "g|s=" + gaz[i] + shape]
        if i > 0:
            pl, ps = base[i - 1][0], base[i - 1][1]
            feats += ["-w=" + pl, "-s=" + ps, "-s|s=" + ps + "|" + shape, "-w|w=" + pl + "|" + low,
                      "-g=" + gaz[i - 1]]
        else:
            feats.append("BOS")
        if i > 1:
            feats += ["--w=" + base[i - 2][0], "--s=" + base[i - 2][1]]
        if i + 1 < n:
            nl, ns = base[i + 1][0], base[i + 1][1]
            feats += ["+w=" + nl, "+s=" + ns, "s|+s=" + shape + "|" + ns, "+g=" + gaz[i + 1]]
        else:
            feats.append("EOS")
        if i + 2 < n:
            feats += ["++w=" + base[i + 2][0], "++s=" + base[i + 2][1]]
        out.append(feats)
    return out


def bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) word spans of a BIO sequence, seqeval's default reading: an I- that
    does not continue a span of its label starts a new one."""
    spans: list[tuple[int, int, str]] = []
    start, label = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, kind = tag.partition("-")
        if start is not None and (prefix != "I" or kind != label):
            spans.append((start, i, label))  # type: ignore[arg-type]
            start, label = None, None
        if prefix == "B" or (prefix == "I" and start is None):
            start, label = i, kind
    return spans


@functools.lru_cache(maxsize=4)
def _tagger(path: str, mtime: int):
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(path)
    return tagger


def model_status(path: Path = NEWS_MODEL) -> str | None:
    """None when the model can be used, else a one-line reason."""
    if not path.exists():
        return f"no NER model at {path}: run `make ner-model` (trains it from ../shared/corpus/indonesian-ner)"
    return None


def tag_words(words: list[str], path: Path = NEWS_MODEL) -> list[str]:
    """BIO tags of ``words`` (one sentence) from the model at ``path``."""
    if not words:
        return []
    tagger = _tagger(str(path), path.stat().st_mtime_ns)
    return tagger.tag(sentence_features(words))


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _common_opener(matches: list[re.Match], i: int, lower_words: set[str]) -> bool:
    """Whether word ``i`` opens its sentence (only punctuation before it) capitalised only for
    that, as the same text shows by using it lower-cased elsewhere ("Kunjungan Sergey Shoigu ..."
    beside "... memberikan kunjungan ..."): such a word is not part of the name the model tagged."""
    if any(m.group()[0].isalnum() for m in matches[:i]):
        return False
    word = matches[i].group()
    return word[:1].isupper() and not word.isupper() and word.lower() in lower_words


def recognise(text: str, path: Path = NEWS_MODEL) -> list[Span]:
    """Typed names in ``text`` with character offsets; [] when no model is built."""
    if not text or not path.exists():
        return []
    spans: list[Span] = []
    lower_words = {m.group() for m in WORD.finditer(text) if m.group().islower()}
    pos = 0
    for piece in _SENTENCE_END.split(text):
        start = text.find(piece, pos) if piece else pos
        pos = start + len(piece)
        matches = list(WORD.finditer(piece))
        if not matches:
            continue
        tags = tag_words([m.group() for m in matches], path)
        for a, b, label in bio_spans(tags):
            kind = LABEL_TYPES.get(label)
            if not kind:
                continue
            while a < b and _common_opener(matches, a, lower_words):
                a += 1
            if a == b:
                continue
            cs, ce = start + matches[a].start(), start + matches[b - 1].end()
            spans.append(Span(text[cs:ce], cs, ce, kind))
    return spans

"""Learned named-entity recognition for Indonesian: a CRF over word features.

The model is trained here, at build time, on IndoNLU's NER sets in ``../shared/corpus/indonesian-ner``
(``make ner-model`` runs ``python -m tasks.ner_train``; ``make install`` does it when the file is
missing). Nothing is downloaded: the weights are a ``python-crfsuite`` model file beside this module
(``tasks/kb/ner-*.crfsuite``, not committed).

Public API:

- ``recognise(text) -> list[Span]``: typed names (``person``, ``organization``, ``place``) with
  character offsets into ``text``; ``[]`` when no model is built (the rules in tasks/mentions.py
  still run, and ``model_status()`` says why).
- ``sentence_features(words, clusters) -> list[list[str]]``: the features, shared with the trainer;
  ``clusters`` are the word clusters the trainer learned from the training text and wrote beside
  the model (``word_clusters(model)``).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from collections.abc import Mapping
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


#: Fine word shapes: letters and digits as A/a/d, runs of one class cut to two ("Jakarta" -> "Aaa"
#: is "Aa", "KPK-2" -> "AA-d", "Liputan6.com" -> "Aad.a").
_SHAPE = str.maketrans({**{c: "A" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
                        **{c: "a" for c in "abcdefghijklmnopqrstuvwxyz"}, **{c: "d" for c in "0123456789"}})
_RUN = re.compile(r"(.)\1+")


def clusters_file(model: Path) -> Path:
    """Where the word clusters of the model at ``model`` are kept: beside it."""
    return model.with_name(model.stem + ".clusters.tsv")


def word_clusters(model: Path = NEWS_MODEL) -> dict[str, tuple[str, ...]]:
    """Lower-cased word -> its cluster ids at a few granularities, learned at build time from the
    training text (tasks/ner_train.py writes them beside the model); {} without them."""
    path = clusters_file(model)
    if not path.exists():
        LOGGER.warning("no %s: NER runs without its word-cluster features (run `make ner-model`)", path)
        return {}
    out = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word, _, ids = line.rstrip("\n").partition("\t")
            out[word] = tuple(ids.split(","))
    return out


@functools.lru_cache(maxsize=200_000)
def _word_features(word: str) -> tuple:
    """The parts of a word's features that depend on the word alone, strings built once per word:
    (lower-cased, shape, its own features, as the word before, as the word after, per domain its
    own and neighbour features)."""
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
    fine = _RUN.sub(r"\1\1", word.translate(_SHAPE))[:6]
    single, parts = place_words()
    gaz = "g1" if low in single else ("g+" if low in parts else "g0")
    own = ("b", "w=" + low, "s=" + shape, "sh=" + fine, "s4=" + low[-4:], "s3=" + low[-3:], "s2=" + low[-2:],
           "p4=" + low[:4], "p3=" + low[:3], "p2=" + low[:2], "l=" + str(min(len(word), 8)), "g=" + gaz,
           "g|s=" + gaz + shape)
    domain = {d: (d + "w=" + low, d + "s3=" + low[-3:], d + "p3=" + low[:3], d + "g=" + gaz) for d in "CL"}
    return (low, shape, own, ("-w=" + low, "-s=" + shape, "-g=" + gaz), ("+w=" + low, "+s=" + shape, "+g=" + gaz),
            domain, {d: d + "-w=" + low for d in "CL"}, {d: d + "+w=" + low for d in "CL"})


@functools.lru_cache(maxsize=50_000)
def _cluster_features(ids: tuple[str, ...]) -> tuple:
    """A word's cluster features: (its own, as the word before, as the word after, per domain)."""
    if not ids:
        return (), (), (), {"C": (), "L": ()}
    return (tuple(f"c{k}={c}" for k, c in enumerate(ids)), tuple(f"-c{k}={c}" for k, c in enumerate(ids)),
            tuple(f"+c{k}={c}" for k, c in enumerate(ids)), {d: (d + "c=" + ids[-1],) for d in "CL"})


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


def sentence_features(words: list[str], clusters: Mapping[str, tuple[str, ...]] | None = None) -> list[list[str]]:
    """CRF features of each word of one sentence: the word, its shapes and affixes, whether the
    places gazetteer knows it, its word clusters, and the words, shapes and clusters around it
    (three words each side, two for shapes, one for clusters).

    A sentence with no capital letter (NERP's lower-cased news, a lower-cased headline) gets its own
    copy of the word-identity features ("L..."), a cased one another ("C..."): the model learns
    what a word says in each kind of text beside what it says in both (feature augmentation for
    two domains), and the kind is visible at run time, so nothing about the source is assumed."""
    clusters = clusters or {}
    words_ = [_word_features(w) for w in words]
    cl = [_cluster_features(clusters.get(w[0], ())) for w in words_]
    n = len(words)
    domain = "C" if any(w[:1].isupper() for w in words) else "L"
    out = []
    for i, (low, shape, own, as_prev, as_next, dom, dom_prev, dom_next) in enumerate(words_):
        feats = [*own, *dom[domain], *cl[i][0], *cl[i][3][domain]]
        if i > 0:
            prev = words_[i - 1]
            feats += [*prev[3], "-s|s=" + prev[1] + "|" + shape, "-w|w=" + prev[0] + "|" + low,
                      prev[6][domain], *cl[i - 1][1]]
            if shape == "Aa":
                feats.append("midTitle")
        else:
            feats.append("BOS")
        if i > 1:
            feats += ["--w=" + words_[i - 2][0], "--s=" + words_[i - 2][1], "--w|-w=" + words_[i - 2][0] + "|" + words_[i - 1][0]]
        if i > 2:
            feats.append("---w=" + words_[i - 3][0])
        if i + 1 < n:
            nxt = words_[i + 1]
            feats += [*nxt[4], "s|+s=" + shape + "|" + nxt[1], "w|+w=" + low + "|" + nxt[0], nxt[7][domain], *cl[i + 1][2]]
        else:
            feats.append("EOS")
        if i + 2 < n:
            feats += ["++w=" + words_[i + 2][0], "++s=" + words_[i + 2][1], "+w|++w=" + words_[i + 1][0] + "|" + words_[i + 2][0]]
        if i + 3 < n:
            feats.append("+++w=" + words_[i + 3][0])
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
    """The model at ``path`` and its word clusters, loaded once per version of the file."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(path)
    return tagger, word_clusters(Path(path))


def model_status(path: Path = NEWS_MODEL) -> str | None:
    """None when the model can be used, else a one-line reason."""
    if not path.exists():
        return f"no NER model at {path}: run `make ner-model` (trains it from ../shared/corpus/indonesian-ner)"
    return None


def tag_words(words: list[str], path: Path = NEWS_MODEL) -> list[str]:
    """BIO tags of ``words`` (one sentence) from the model at ``path``."""
    if not words:
        return []
    tagger, clusters = _tagger(str(path), path.stat().st_mtime_ns)
    return tagger.tag(sentence_features(words, clusters))


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

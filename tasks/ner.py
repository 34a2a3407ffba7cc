"""Learned named-entity recognition for Indonesian: a CRF over word features.

The model is trained here, at build time, on IndoNLU's NER sets in ``../shared/corpus/indonesian-ner``
(``make ner-model`` runs ``python -m tasks.ner_train``; ``make install`` does it when the file is
missing). Nothing is downloaded: the weights are a ``python-crfsuite`` model file beside this module
(``tasks/kb/ner-*.crfsuite``, not committed), trained by crfsuite; tagging reads its weights into
arrays and decodes without crfsuite's tagger (tasks/ner_tagger.py: the same tags, about 4x faster).

Public API:

- ``recognise(text) -> list[Span]``: typed names (``person``, ``organization``, ``place``) with
  character offsets into ``text``; ``[]`` when no model is built (the rules in tasks/mentions.py
  still run, and ``model_status()`` says why).
- ``tag_sentences(sentences) -> list[list[str]]``: BIO tags of word lists (``tag_words`` for one).
- ``sentence_features(words, clusters) -> list[list[str]]``: the features, shared with the trainer;
  ``clusters`` are the word clusters the trainer learned from the training text and wrote beside
  the model (``word_clusters(model)``).
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import threading
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
#: The kinds of its rows whose names are features (tasks/places.py FEATURE_KINDS; not imported:
#: that module imports tasks.entities, which uses this one): not Indonesia's kabupaten, kecamatan
#: and desa, not the continents, and never a row's ``lookup_aliases``.
_FEATURE_KINDS = frozenset({"city", "country", "subdivision"})
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


#: Word types the tagger keeps ready (``_word_features`` and ``_Tagger.records``; its weight rows
#: too). Issue 11, bounded memory: at 200,000 each (the first bound), a run's vocabulary kept
#: growing them for thousands of pages, about 5 KB a word type (3.7 KB of it the feature strings):
#: 60,000 new word types added 297 MB to the process, so up to a gigabyte at the bound.
#: At 20,000 they hold at most about 100 MB; a word missed after a reset costs its ~75 us again.
TAGGER_WORDS = 20_000
#: Word types whose feature strings stay cached. The tagger needs a word's strings only while it
#: adds the word to ``_Tagger.records`` (which then holds the summed weights): at TAGGER_WORDS
#: this cache held 20,000 words' strings, about 79 MB, that tagging never read again (issue 11).
FEATURE_WORDS = 4096


@functools.lru_cache(maxsize=FEATURE_WORDS)
def _word_features(word: str) -> tuple:
    """The parts of a word's features that depend on the word alone, strings built once per word:
    (lower-cased, shape, its own features, as the word before, two before, three before, as the
    word after, two after, three after, then per domain ("C"/"L") its own, as the word before and
    as the word after). Each group is what the word adds to the token at that distance from it
    (tasks/ner_tagger.py sums a group's weights once per word)."""
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
    fine = "".join(c * min(len(list(run)), 2) for c, run in itertools.groupby(word.translate(_SHAPE)))[:6]
    single, parts = place_words()
    gaz = "g1" if low in single else ("g+" if low in parts else "g0")
    own = ("b", "w=" + low, "s=" + shape, "sh=" + fine, "s4=" + low[-4:], "s3=" + low[-3:], "s2=" + low[-2:],
           "p4=" + low[:4], "p3=" + low[:3], "p2=" + low[:2], "l=" + str(min(len(word), 8)), "g=" + gaz,
           "g|s=" + gaz + shape)
    s3, p3 = low[-3:], low[:3]
    domain = {"C": ("Cw=" + low, "Cs3=" + s3, "Cp3=" + p3, "Cg=" + gaz), "L": ("Lw=" + low, "Ls3=" + s3, "Lp3=" + p3, "Lg=" + gaz)}
    return (low, shape, own, ("-w=" + low, "-s=" + shape, "-g=" + gaz), ("--w=" + low, "--s=" + shape),
            ("---w=" + low,), ("+w=" + low, "+s=" + shape, "+g=" + gaz), ("++w=" + low, "++s=" + shape),
            ("+++w=" + low,), domain, {"C": ("C-w=" + low,), "L": ("L-w=" + low,)}, {"C": ("C+w=" + low,), "L": ("L+w=" + low,)})


@functools.lru_cache(maxsize=50_000)
def _cluster_features(ids: tuple[str, ...]) -> tuple:
    """A word's cluster features: (its own, as the word before, as the word after, per domain)."""
    if not ids:
        return (), (), (), {"C": (), "L": ()}
    return (tuple(f"c{k}={c}" for k, c in enumerate(ids)), tuple(f"-c{k}={c}" for k, c in enumerate(ids)),
            tuple(f"+c{k}={c}" for k, c in enumerate(ids)), {d: (d + "c=" + ids[-1],) for d in "CL"})


def _sentence_domain(words: list[str]) -> str:
    return "C" if any(w[:1].isupper() for w in words) else "L"


def _word_groups(word: str, domain: str, ids: tuple[str, ...], features: tuple | None = None) -> list[tuple[str, ...]]:
    """What ``word`` adds to tokens at distance 0, -1, -2, -3, +1, +2, +3 from it (a token's own
    features, then as the word before it, two before ... as the word three after it);
    ``features``: ``_word_features(word)`` when the caller has it."""
    w, cl = features or _word_features(word), _cluster_features(ids)
    return [w[2] + w[9][domain] + cl[0] + cl[3][domain], w[3] + w[10][domain] + cl[1], w[4], w[5],
            w[6] + w[11][domain] + cl[2], w[7], w[8]]


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
        header = next(handle).rstrip("\n").split("\t")
        kind = header.index("kind") if "kind" in header else None
        for line in handle:
            cols = line.split("\t")
            # Indonesia's kabupaten/kota, kecamatan and desa (tasks/places_id.py, about 91,000
            # names: "Tanjung", "Harapan Jaya", ...) are left out: so many ordinary words would
            # blur what a hit says, and the features stay those the model was trained with
            if kind is not None and cols[kind] not in _FEATURE_KINDS:
                continue
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
    (three words each side, two for shapes, one for clusters), word and shape bigrams.

    A sentence with no capital letter (NERP's lower-cased news, a lower-cased headline) gets its own
    copy of the word-identity features ("L..."), a cased one another ("C..."): the model learns
    what a word says in each kind of text beside what it says in both (feature augmentation for
    two domains), and the kind is visible at run time, so nothing about the source is assumed.

    The trainer uses these strings; the tagger (``tag_sentences``) adds up the same features from
    ``_word_groups`` and ``_pair_features``: the two must describe the same set."""
    clusters = clusters or {}
    domain = _sentence_domain(words)
    groups = [_word_groups(w, domain, clusters.get(w.lower(), ())) for w in words]
    shapes = [_word_features(w)[1] for w in words]
    n = len(words)
    out = []
    for i in range(n):
        feats = list(groups[i][0])
        for k, group in ((1, 1), (2, 2), (3, 3)):
            if i - k >= 0:
                feats += groups[i - k][group]
            if i + k < n:
                feats += groups[i + k][group + 3]
        if i == 0:
            feats.append("BOS")
        elif shapes[i] == "Aa":
            feats.append("midTitle")
        if i == n - 1:
            feats.append("EOS")
        for a in range(max(i - 2, 0), min(i + 2, n - 1)):  # the bigrams (a, a+1) that touch token i
            feats += _pair_features(words[a], words[a + 1], shapes[a], shapes[a + 1])[i - a + 1]
        out.append(feats)
    return out


def _pair_features(a: str, b: str, shape_a: str, shape_b: str) -> tuple[tuple[str, ...], ...]:
    """What the bigram (a, b) adds to the tokens before a, a, b and after b: word bigrams seen from
    each, and the shape bigram seen from a and from b."""
    pair = a.lower() + "|" + b.lower()
    shapes = shape_a + "|" + shape_b
    return (("+w|++w=" + pair,), ("w|+w=" + pair, "s|+s=" + shapes), ("-w|w=" + pair, "-s|s=" + shapes),
            ("--w|-w=" + pair,))


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


_SHAPES = ("AA", "Aa", "d", "ad", "a", "p")
_BIGRAM_PREFIXES = ("+w|++w=", "w|+w=", "-w|w=", "--w|-w=")  # the order of _pair_features


class _Tagger:
    """One model ready to tag: its weights as arrays (tasks/ner_tagger.py), its word clusters, and
    per word type the summed weights of the features the word gives itself and its neighbours."""

    def __init__(self, path: Path) -> None:
        import numpy as np

        from tasks import ner_tagger

        self.decode = ner_tagger.viterbi
        self.weights = weights = ner_tagger.load(path)
        self.clusters = word_clusters(path)
        self.records: dict[tuple[str, str], tuple[int, str, int]] = {}
        self.lock = threading.Lock()
        self.table = np.zeros((0, 7, len(weights.labels)))  # rows of add_records()
        self.bos, self.eos, self.mid = weights.vectors([("BOS",), ("EOS",), ("midTitle",)])
        # [shape a, shape b, (what the bigram adds to a, to b), label]
        self.shape_pairs = np.array(
            [[weights.vectors([("s|+s=" + a + "|" + b,), ("-s|s=" + a + "|" + b,)]) for b in _SHAPES] for a in _SHAPES])
        self.shape_index = {shape: i for i, shape in enumerate(_SHAPES)}
        # word bigrams the model has a weight for, so an unknown one costs one look-up
        self.bigrams = {attr.partition("=")[2] for attr in weights.row_of if attr.startswith(_BIGRAM_PREFIXES)}

    def add_records(self, keys: list[tuple[str, str]]) -> None:
        """Cache (row in ``table``, lower-cased word, shape index) for each new (word, domain); the
        row holds the summed weights the word adds at distance 0, -1, -2, -3, +1, +2, +3
        (``_word_groups``). All of an article's new words at once: one gather for all of them."""
        import numpy as np

        if len(self.records) + len(keys) > TAGGER_WORDS:  # bounded: start again
            self.records.clear()
        start = len(self.records)
        need = start + len(keys)
        if need > len(self.table):  # grow the table by doubling, up to the bound (or one article's words)
            grown = np.zeros((min(max(4096, 2 * need), max(need, TAGGER_WORDS)), *self.table.shape[1:]))
            grown[:start] = self.table[:start]
            self.table = grown
        # each word's strings once here (the cache of them is small: FEATURE_WORDS)
        features = [_word_features(word) for word, _ in keys]
        groups = [g for (word, domain), w in zip(keys, features)
                  for g in _word_groups(word, domain, self.clusters.get(word.lower(), ()), w)]
        self.table[start:start + len(keys)] = self.weights.vectors(groups).reshape(len(keys), 7, -1)
        for row, ((word, domain), w) in enumerate(zip(keys, features), start):
            low, shape = w[:2]
            self.records[(word, domain)] = (row, low, self.shape_index[shape])

    def tag(self, sentences: list[list[str]]) -> list[list[str]]:
        """BIO tags of each sentence (none empty): the scores ``sentence_features`` would give
        crfsuite, added up from cached per-word sums, then Viterbi over all sentences at once."""
        import numpy as np

        keys, lengths = [], []
        for words in sentences:
            domain = _sentence_domain(words)
            keys += [(word, domain) for word in words]
            lengths.append(len(words))
        with self.lock:  # add_records() grows and may reset the cache: one thread at a time
            if any(key not in self.records for key in keys):
                if len(self.records) + len(keys) > TAGGER_WORDS:
                    self.records.clear()
                self.add_records([key for key in dict.fromkeys(keys) if key not in self.records])
            records = [self.records[key] for key in keys]
            rows, lows, shapes = zip(*records)
            rec = self.table[list(rows)]
        n = len(records)
        pos = np.arange(n) - np.repeat(np.cumsum(lengths) - lengths, lengths)  # index in its sentence
        rem = np.repeat(lengths, lengths) - 1 - pos  # words after it in its sentence
        scores = rec[:, 0].copy()
        for k in (1, 2, 3):
            scores[k:] += rec[:-k, k] * (pos[k:] >= k)[:, None]  # the word k before
            scores[:-k] += rec[k:, k + 3] * (rem[:-k] >= k)[:, None]  # the word k after
        scores[pos == 0] += self.bos
        scores[rem == 0] += self.eos
        shape_ix = np.array(shapes)
        scores[(pos > 0) & (shape_ix == 1)] += self.mid
        if n > 1:
            inside = pos[1:] > 0  # bigram (k, k+1) within one sentence
            by_shape = self.shape_pairs[shape_ix[:-1], shape_ix[1:]] * inside[:, None, None]
            scores[:-1] += by_shape[:, 0]
            scores[1:] += by_shape[:, 1]
            at, slots, rows = [], [], []
            row_of, bigrams = self.weights.row_of, self.bigrams
            for k in np.flatnonzero(inside).tolist():
                pair = lows[k] + "|" + lows[k + 1]
                if pair in bigrams:
                    for slot, prefix in enumerate(_BIGRAM_PREFIXES):
                        row = row_of.get(prefix + pair)
                        if row is not None:
                            at.append(k), slots.append(slot), rows.append(row)
            if at:
                by_pair = np.zeros((n - 1, 4, scores.shape[1]))
                by_pair[at, slots] = self.weights.state[rows]
                scores[:-1] += by_pair[:, 1]
                scores[1:] += by_pair[:, 2]
                scores[2:] += by_pair[:-1, 3] * (pos[2:] >= 2)[:, None]  # to the word after the bigram
                scores[:-2] += by_pair[1:, 0] * (rem[:-2] >= 2)[:, None]  # to the word before it
        labels = self.weights.labels
        return [[labels[j] for j in path] for path in self.decode(scores, lengths, self.weights.transitions)]


@functools.lru_cache(maxsize=4)
def _tagger(path: str, mtime: int) -> _Tagger:
    """The model at ``path`` ready to tag, loaded once per version of the file."""
    return _Tagger(Path(path))


def model_status(path: Path = NEWS_MODEL) -> str | None:
    """None when the model can be used, else a one-line reason."""
    if not path.exists():
        return f"no NER model at {path}: run `make ner-model` (trains it from ../shared/corpus/indonesian-ner)"
    return None


def tag_sentences(sentences: list[list[str]], path: Path = NEWS_MODEL) -> list[list[str]]:
    """BIO tags of each sentence (a list of words) from the model at ``path``."""
    tagged = iter(_tagger(str(path), path.stat().st_mtime_ns).tag([s for s in sentences if s]) if any(sentences) else [])
    return [next(tagged) if s else [] for s in sentences]


def tag_words(words: list[str], path: Path = NEWS_MODEL) -> list[str]:
    """BIO tags of ``words`` (one sentence) from the model at ``path``."""
    return tag_sentences([words], path)[0]


# not after an initial or an abbreviation inside a name ("Wicky V. Olindo", "Kab. Aceh Utara":
# tasks.entities.NAME_ABBREVIATIONS): cut there, the model saw two half names (issue 14)
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.)(?<!\b(?:Kab|Kec|Kel|Muh|Moh|Mhd|Abd)\.)(?<!\b(?:Prov)\.)(?<!\bJl\.)\s+|\n+")


def _common_opener(matches: list[re.Match], i: int, lower_words: set[str]) -> bool:
    """Whether word ``i`` opens its sentence (only punctuation before it) capitalised only for
    that, as the same text shows by using it lower-cased elsewhere ("Kunjungan Sergey Shoigu ..."
    beside "... memberikan kunjungan ..."): such a word is not part of the name the model tagged."""
    if any(m.group()[0].isalnum() for m in matches[:i]):
        return False
    word = matches[i].group()
    return word[:1].isupper() and not word.isupper() and word.lower() in lower_words


#: Texts whose recognised names stay cached. Two enrichers ask for the names of the same article
#: text, one after the other (entities, then quotes: tasks/mentions.py ``find_mentions`` from
#: each), and tagging is most of that call: measured on 99 real articles, ``recognise`` ran 198
#: times for 7.8 of the enrich stage's 21.7 profiled CPU s (issue 11). A few texts suffice: an
#: article is enriched by every enricher before the next one starts (tasks/enrich.py).
RECOGNISED_TEXTS = 8


def recognise(text: str, path: Path = NEWS_MODEL) -> list[Span]:
    """Typed names in ``text`` with character offsets; [] when no model is built."""
    if not text:
        return []
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:  # no model built
        return []
    return list(_recognised(text, str(path), mtime))


@functools.lru_cache(maxsize=RECOGNISED_TEXTS)
def _recognised(text: str, path: str, mtime: int) -> tuple[Span, ...]:
    """``recognise`` of one text by one version of the model file (Spans are frozen: shared safely)."""
    return tuple(_recognise(text, Path(path)))


def _recognise(text: str, path: Path) -> list[Span]:
    pieces = []  # (offset of the sentence in text, its words)
    pos = 0
    for piece in _SENTENCE_END.split(text):
        start = text.find(piece, pos) if piece else pos
        pos = start + len(piece)
        matches = list(WORD.finditer(piece))
        if matches:
            pieces.append((start, matches))
    # the same words a pass over the whole text finds: sentences are cut at white space only
    lower_words = {m.group() for _, matches in pieces for m in matches if m.group().islower()}
    tagged = tag_sentences([[m.group() for m in matches] for _, matches in pieces], path)
    spans: list[Span] = []
    for (start, matches), tags in zip(pieces, tagged):
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

"""Which found mentions to keep: a small learned acceptance filter over ``find_mentions``' output.

``tasks.mentions.find_mentions`` takes names from three sources (the knowledge base, the CRF of
tasks/ner.py, cue rules) and reshapes them (spans cut at roles, places split at administrative
words, acronyms and short forms resolved). Scored on IndoNLU's NER sets (benchmarks/mentions_ner.py)
it keeps names its own CRF did not give, and many are wrong. This filter is a logistic regression
over what can be seen of each mention from outside the pipeline (``FEATURES``: whether the CRF gave
the same span and type, a longer or a shorter one; linked to the KB or not; a short reference;
inside another mention; its length, case and place in the sentence; its type), learned by
tasks/mention_filter_train.py from the pipeline's output on the NER sets' valid splits (with a CRF
trained on their train splits only), with its threshold chosen there. Its weights are tiny and
committed (``MODEL_PATH``); without the file every mention is kept.

``accepted(text, mentions)`` is the one entry point (the entities enricher calls it); the CRF's
reading of the text is ``tasks.ner.recognise``'s, cached for the text ``find_mentions`` just read,
so the filter adds little to it (benchmarks/mentions_ner.py prints both).
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tasks.entities import Mention

LOGGER = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).parent / "kb" / "mention-filter.json"
#: The features, in the order of the weights (after the intercept); each is 0 or 1.
FEATURES = (
    "crf_same",  # the CRF gave this span with this type
    "crf_same_span_other_type",  # the CRF gave this span with another type
    "crf_longer",  # inside a longer CRF name ("Indonesia" of "Universitas Kristen Indonesia")
    "crf_shorter",  # around or across CRF names, not one of them
    "linked",  # linked to a KB entity
    "short_reference",  # resolved to a fuller name of the text (``canonical``)
    "inside_mention",  # inside another mention of the text
    "one_word",
    "three_words_or_more",
    "all_caps",  # "KPK", "BNU"
    "lower_start",  # starts with a lower-case letter (a lower-cased text)
    "lower_word_inside",  # a lower-case word after the first ("Partai Persatuan dan Pembangunan")
    "digit",
    "sentence_start",  # the first word of its sentence or line
    "repeated",  # the same surface is another mention of the text too
    "person",
    "organization",
    "crf_same_person",
    "crf_same_organization",
)
_SENTENCE_BEFORE = re.compile(r"(?:^|[.!?\n])[\s\"'“”‘’(\[-]*$")


@dataclass(frozen=True)
class FilterModel:
    """A fitted filter: ``intercept + weights @ features``; a mention is kept when the logistic of
    that is at least ``threshold``."""

    weights: np.ndarray
    intercept: float
    threshold: float

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.intercept + x @ self.weights))) if len(x) else np.zeros(0)

    def to_json(self) -> dict:
        return {"features": list(FEATURES), "intercept": self.intercept,
                "weights": [float(w) for w in self.weights], "threshold": self.threshold}

    @classmethod
    def from_json(cls, data: dict) -> "FilterModel":
        if data.get("features") != list(FEATURES):
            raise ValueError("the filter's features are not this module's: rebuild it (make mention-filter)")
        return cls(np.asarray(data["weights"], dtype=float), float(data["intercept"]), float(data["threshold"]))


@functools.lru_cache(maxsize=2)
def _load(path: str, mtime: int) -> FilterModel:
    return FilterModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def load_model(path: Path = MODEL_PATH) -> FilterModel | None:
    """The filter at ``path`` (read once per version of the file), or None without one."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return None
    return _load(str(path), mtime)


def features(text: str, mentions: Sequence[Mention], crf: Sequence) -> np.ndarray:
    """One row of ``FEATURES`` per mention. ``crf``: the CRF's names in ``text`` (tasks.ner.Span:
    char_start, char_end, type)."""
    crf_spans = [(s.char_start, s.char_end, s.type) for s in crf]
    crf_types = {(a, b): kind for a, b, kind in crf_spans}
    surfaces: dict[str, int] = {}
    for m in mentions:
        surfaces[m.surface] = surfaces.get(m.surface, 0) + 1
    rows = np.zeros((len(mentions), len(FEATURES)))
    for row, m in zip(rows, mentions):
        a, b = m.char_start, m.char_end
        same = crf_types.get((a, b))
        longer = same is None and any(ca <= a and b <= cb for ca, cb, _ in crf_spans)
        words = m.surface.split()
        letters = [c for c in m.surface if c.isalpha()]
        on = {
            "crf_same": same == m.type,
            "crf_same_span_other_type": same is not None and same != m.type,
            "crf_longer": longer,
            "crf_shorter": same is None and not longer and any(ca < b and a < cb for ca, cb, _ in crf_spans),
            "linked": m.entity_id is not None,
            "short_reference": m.canonical is not None,
            "inside_mention": any(o is not m and o.char_start <= a and b <= o.char_end and (o.char_start, o.char_end) != (a, b)
                                  for o in mentions),
            "one_word": len(words) == 1,
            "three_words_or_more": len(words) >= 3,
            "all_caps": len(letters) >= 2 and all(c.isupper() for c in letters),
            "lower_start": m.surface[:1].islower(),
            "lower_word_inside": any(w[:1].islower() for w in words[1:]),
            "digit": any(c.isdigit() for c in m.surface),
            "sentence_start": bool(_SENTENCE_BEFORE.search(text, max(0, a - 6), a)),
            "repeated": surfaces[m.surface] > 1,
            "person": m.type == "person",
            "organization": m.type == "organization",
            "crf_same_person": same == m.type == "person",
            "crf_same_organization": same == m.type == "organization",
        }
        row[:] = [on[name] for name in FEATURES]
    return rows


def accepted(text: str, mentions: list[Mention], model: FilterModel | None = None) -> list[Mention]:
    """The mentions the filter keeps, in their order (all of them without a filter file)."""
    model = model or load_model()
    if model is None or not mentions:
        return list(mentions)
    from tasks import ner  # the names the CRF read in the text: cached by find_mentions' own call

    p = model.probabilities(features(text, mentions, ner.recognise(text)))
    return [m for m, keep in zip(mentions, p >= model.threshold) if keep]

"""The learned same-story decision: a logistic regression over pair features any two articles have.

In: an article (its term vector, headline, name-like and number terms) and a story as the matcher
sees it (``StoryState``: centroid terms and the title of its first report). Out: the probability
that the article reports the story's event, and whether it reaches the fitted threshold.

The features are language-independent and need nothing but the texts and the warehouse's
document frequencies (issue 14, "learned beats listed"):

- ``word_cosine``: cosine of the salient-term TF-IDF vector with the story's centroid;
- ``title_cosine``: cosine of character 4-gram counts of the two headlines (the article's title,
  else its first line; the story's title); unknown when the story has no title;
- ``shared_specific``: log(1 + terms they share that are rare in the warehouse);
- ``shared_names``: log(1 + the article's capitalised in-sentence words the story also has);
- ``shared_numbers``: log(1 + the article's numbers of two or more digits the story also has).

Its coefficients (``tasks/kb/story-model.json``, a few numbers) are fitted by
``python -m tasks.story_model_train`` on ../shared/corpus/news-similarity (SemEval-2022 Task 8),
which also reports their precision and recall on held-out folds; ``benchmarks/similarity.py``
prints those figures. Dates and shared specific terms stay hard gates in ``tasks/stories.py``:
the labelled pairs have no dates, and the model says "same story", not "same event".
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kabar.records import StoryState

MODEL_PATH = Path(__file__).resolve().parent / "kb" / "story-model.json"
FEATURES = ("word_cosine", "title_cosine", "shared_specific", "shared_names", "shared_numbers")
HEADLINE_CHARS = 150
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class StoryModel:
    """Standardisation (``means``, ``scales``), ``weights`` (intercept first) and the threshold."""

    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    threshold: float

    def probability(self, features: dict[str, float | None]) -> float:
        """P(same story); a feature that is None (unknown) counts as its training mean."""
        z = self.weights[0]
        for name, mean, scale, weight in zip(FEATURES, self.means, self.scales, self.weights[1:]):
            value = features.get(name)
            if value is not None:
                z += weight * (value - mean) / scale
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict:
        return {"features": list(FEATURES), "means": list(self.means), "scales": list(self.scales),
                "weights": list(self.weights), "threshold": self.threshold}


@functools.lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> StoryModel:
    """The shipped coefficients (a mismatch with ``FEATURES`` is a build error: refit)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path} was fitted for features {data['features']}, not {list(FEATURES)}: "
                         "run python -m tasks.story_model_train")
    return StoryModel(tuple(data["means"]), tuple(data["scales"]), tuple(data["weights"]), float(data["threshold"]))


def headline(title: str | None, text: str) -> str:
    """The title, else the text's first line (at most HEADLINE_CHARS characters)."""
    if title and title.strip():
        return title.strip()
    first = text.strip().split("\n", 1)[0]
    return first[:HEADLINE_CHARS]


def char_grams(text: str | None, size: int = 4) -> dict[str, float]:
    """Unit vector of log-scaled counts of character ``size``-grams of the words (padded with a
    space each side, case folded): two spellings or inflections of one name still share most."""
    if not text:
        return {}
    counts: Counter[str] = Counter()
    for word in _WORD.findall(unicodedata.normalize("NFKC", text).casefold()):
        padded = f" {word} "
        for i in range(max(1, len(padded) - size + 1)):
            counts[padded[i:i + size]] += 1
    weights = {g: 1.0 + math.log(c) for g, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {g: w / norm for g, w in weights.items()}


@functools.lru_cache(maxsize=4096)
def _title_grams(title: str) -> dict[str, float]:
    """``char_grams`` of a story's title: one story is scored against many articles of a batch,
    and its title does not change (callers only read the dict)."""
    return char_grams(title)


def pair_features(word_cosine: float, headline_grams: dict[str, float], story: StoryState, shared_specific: int,
                  names: frozenset[str] | set[str], numbers: frozenset[str] | set[str]) -> dict[str, float | None]:
    """The model's features for an article against a story (see the module doc)."""
    story_grams = _title_grams(story.title) if story.title else {}
    title = sum(w * story_grams.get(g, 0.0) for g, w in headline_grams.items()) if story_grams and headline_grams else None
    return {
        "word_cosine": word_cosine,
        "title_cosine": title,
        "shared_specific": math.log1p(shared_specific),
        "shared_names": math.log1p(sum(1 for t in names if t in story.terms)),
        "shared_numbers": math.log1p(sum(1 for t in numbers if t in story.terms)),
    }

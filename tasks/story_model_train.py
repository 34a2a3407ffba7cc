"""Fit the same-story model (``tasks/kb/story-model.json``) on SemEval-2022 Task 8's labelled pairs.

    python -m tasks.story_model_train [--corpus ../shared/corpus/news-similarity] [--out tasks/kb/story-model.json]

Each pair (``Overall`` 1 = same story ... 4; same story = Overall <= 1.5) is scored as the
pipeline scores an article against a story of one member: the first text is the article, the
second the story (its top terms as the centroid, its first line as the story's title), with
document frequencies over the file's texts (as the warehouse's ``term_df`` would give). A
logistic regression (Newton's method, L2 on the standardised features, numpy only) is fitted on
every pair; its threshold is the probability at which the pipeline's whole test (the gates of
``tasks/stories.py``: enough shared specific terms, the cosine floor; then the model) reaches
TARGET_RECALL on them. Before
that, grouped 5-fold cross-validation (pairs sharing an article never split across folds: the
folds are the connected components of the pairs' article ids, hashed) gives the held-out
figures, each fold's threshold chosen on its own training folds. Deterministic; a few CPU seconds.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kabar import settings
from kabar.records import StoryState
from tasks.stories import (MIN_SHARED_SPECIFIC, SPECIFIC_DF_SHARE, _shared_specific, document_frequencies, names_and_numbers, raw_terms,
                           term_vector)
from tasks.story_model import FEATURES, MODEL_PATH, StoryModel, char_grams, headline, pair_features

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news-similarity"
TARGET_RECALL = 0.6
FOLDS = 5
L2 = 1.0
SAME_STORY = 1.5  # Overall at or below: same story


@dataclass
class Pairs:
    """The labelled pairs as the model sees them."""

    ids: list[str]
    features: np.ndarray  # pairs x FEATURES, NaN where unknown
    overall: np.ndarray
    same_language: np.ndarray
    shared_specific: np.ndarray  # raw counts, for the pipeline's gate
    groups: np.ndarray  # fold of each pair

    @property
    def same(self) -> np.ndarray:
        return self.overall <= SAME_STORY

    @property
    def gated(self) -> np.ndarray:
        """Pairs the pipeline's gates let through to the model (two dated articles, a story of one
        member): enough shared specific terms and the default cosine floor."""
        return (self.shared_specific >= MIN_SHARED_SPECIFIC) & (self.features[:, 0] >= settings.STORY_THRESHOLD)


def load_rows(corpus: Path = CORPUS) -> list[dict]:
    """Unique labelled rows of the training file."""
    csv.field_size_limit(10**8)
    with (corpus / "hfl_training_set.csv").open(encoding="utf-8", newline="") as handle:
        rows, seen = [], set()
        for row in csv.DictReader(handle):
            if row["pair_id"] not in seen and row["Overall"]:
                seen.add(row["pair_id"])
                rows.append(row)
    return rows


def split_title(text: str) -> tuple[str | None, str]:
    """The file's texts are title + body: the title ends at the first line break or double space."""
    text = text.strip()
    match = re.search(r"\n|  ", text)
    if match and match.start() < 300:
        return text[:match.start()].strip(), text[match.end():].strip()
    return None, text


def build_pairs(rows: list[dict]) -> Pairs:
    docs: dict[str, tuple[str | None, str]] = {}
    for row in rows:
        first, second = row["pair_id"].split("_")
        docs.setdefault(first, split_title(row["text1"]))
        docs.setdefault(second, split_title(row["text2"]))
    df, documents = document_frequencies(docs.values())
    specific = max(2, SPECIFIC_DF_SHARE * documents)
    vectors = {key: term_vector(raw_terms(*doc), df, documents) for key, doc in docs.items()}
    features, shared = [], []
    for row in rows:
        first, second = row["pair_id"].split("_")
        # The story's title: a pipeline's article has one; over half the file's texts run title
        # and body together, so their first HEADLINE_CHARS characters stand in for it.
        story = StoryState(second, headline(*docs[second]), None, None, 1, vectors[second], 1.0)
        vector = vectors[first]
        cosine = sum(w * story.terms.get(t, 0.0) for t, w in vector.items())
        count = _shared_specific(vector, story, df, specific)
        names, numbers = names_and_numbers(*docs[first])
        values = pair_features(cosine, char_grams(headline(*docs[first])), story, count, names, numbers)
        features.append([np.nan if values[f] is None else values[f] for f in FEATURES])
        shared.append(count)
    return Pairs([r["pair_id"] for r in rows], np.asarray(features, float), np.asarray([float(r["Overall"]) for r in rows]),
                 np.asarray([r["lang1"] == r["lang2"] for r in rows]), np.asarray(shared), grouped_folds(rows))


def grouped_folds(rows: list[dict], folds: int = FOLDS) -> np.ndarray:
    """Fold of each pair: pairs linked through a shared article (transitively) share a fold."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in rows:
        first, second = row["pair_id"].split("_")
        parent[root(first)] = root(second)
    return np.asarray([hashlib.sha1(root(r["pair_id"].split("_")[0]).encode()).digest()[0] % folds for r in rows])


def fit(features: np.ndarray, same: np.ndarray, l2: float = L2) -> StoryModel:
    """Logistic regression on standardised features (unknown values at the mean), threshold 0.5."""
    means = np.nanmean(features, axis=0)
    scales = np.nanstd(features, axis=0) + 1e-9
    z = np.nan_to_num((features - means) / scales)
    design = np.c_[np.ones(len(z)), z]
    y = same.astype(float)
    weights = np.zeros(design.shape[1])
    penalty = l2 * np.eye(len(weights))
    penalty[0, 0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-design @ weights))
        gradient = design.T @ (p - y) + penalty @ weights
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        weights -= np.linalg.solve(hessian, gradient)
        if np.abs(gradient).max() < 1e-9:
            break
    return StoryModel(tuple(map(float, means)), tuple(map(float, scales)), tuple(map(float, weights)), 0.5)


def probabilities(model: StoryModel, features: np.ndarray) -> np.ndarray:
    rows = ({f: (None if np.isnan(v) else float(v)) for f, v in zip(FEATURES, row)} for row in features)
    return np.asarray([model.probability(r) for r in rows])


def threshold_for_recall(scores: np.ndarray, same: np.ndarray, recall: float = TARGET_RECALL) -> float:
    """The highest score at which at least ``recall`` of the same-story pairs score at or above it."""
    ordered = np.sort(scores[same])[::-1]
    return float(ordered[max(0, int(np.ceil(recall * len(ordered))) - 1)])


def gated_threshold(scores: np.ndarray, pairs: Pairs, keep: np.ndarray) -> float:
    """The threshold at which the pipeline's whole test (the gates, then the model) reaches
    TARGET_RECALL on the pairs ``keep`` selects (0.0 when the gates alone fall short of it)."""
    return max(0.0, threshold_for_recall(np.where(pairs.gated, scores, -1.0)[keep], pairs.same[keep]))


def held_out(pairs: Pairs) -> tuple[np.ndarray, np.ndarray]:
    """Held-out probabilities and, per pair, its fold's threshold (chosen on the other folds for
    the pipeline's whole test)."""
    scores, thresholds = np.zeros(len(pairs.ids)), np.zeros(len(pairs.ids))
    for fold in range(FOLDS):
        train, test = pairs.groups != fold, pairs.groups == fold
        model = fit(pairs.features[train], pairs.same[train])
        everything = probabilities(model, pairs.features)
        thresholds[test] = gated_threshold(everything, pairs, train)
        scores[test] = everything[test]
    return scores, thresholds


def precision_recall(predicted: np.ndarray, same: np.ndarray) -> tuple[float, float]:
    hits = int((predicted & same).sum())
    return hits / max(int(predicted.sum()), 1), hits / max(int(same.sum()), 1)


def precision_at_recall(scores: np.ndarray, same: np.ndarray, recall: float = TARGET_RECALL) -> float:
    """The best precision any threshold on ``scores`` reaches at ``recall`` (a ceiling, not a
    threshold fixed in advance)."""
    return precision_recall(scores >= threshold_for_recall(scores, same, recall), same)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    pairs = build_pairs(load_rows(args.corpus))
    scores, thresholds = held_out(pairs)
    precision, recall = precision_recall((scores >= thresholds) & pairs.gated, pairs.same)
    print(f"held-out ({FOLDS} grouped folds, {len(pairs.ids)} pairs), the gates and the model: precision {precision:.3f}, "
          f"recall {recall:.3f}; Pearson of the model {-np.corrcoef(scores, pairs.overall)[0, 1]:.3f}")
    model = fit(pairs.features, pairs.same)
    everything = np.ones(len(pairs.ids), bool)
    model = StoryModel(model.means, model.scales, model.weights,
                       round(gated_threshold(probabilities(model, pairs.features), pairs, everything), 4))
    args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: threshold {model.threshold}, weights {[round(w, 3) for w in model.weights]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

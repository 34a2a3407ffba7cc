"""Tagging with a trained CRF without crfsuite's per-token string work: weights as arrays, Viterbi in numpy.

python-crfsuite tags one sentence at a time from a list of feature strings: every token's ~45
strings are copied into C++ (``ItemSequence``), looked up one by one in the model's attribute
dictionary and summed, and the same strings are built again for every occurrence of a word. On a
500-word article that was about 80% of the NER's time (measured: building the strings 2.6 ms,
copying them 3.0 ms, lookup and Viterbi 3.9 ms, on a loaded 2-core machine).

Here the model's weights are read once into a matrix (attribute -> a score per label). The CRF's
score of a label at a token is the sum of its attributes' rows, and most attributes depend on one
word only (the word itself, or it as the word before or after): tasks/ner.py sums those per word
type once and caches the sum, so a token costs a few cached vectors. Viterbi runs over all the
sentences of an article at once (numpy, one step per token position). The result is the same
linear-chain CRF decoding crfsuite does (state scores plus label-to-label transitions, no start or
end transitions, first best label on ties): ``tests/tasks/test_ner.py`` checks the tags agree.

The weights come from crfsuite's own dump of the model (``Tagger.info()``, about a CPU second);
the trainer writes them beside the model (``weights_file``) so that loading is a file read.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LOGGER = logging.getLogger(__name__)


def weights_file(model: Path) -> Path:
    """Where the weights of the model at ``model`` are kept, as arrays: beside it."""
    return model.with_name(model.stem + ".weights.npz")


@dataclass(eq=False)
class CrfWeights:
    """A linear-chain CRF's weights: ``state[row_of[attribute]]`` is that attribute's score per
    label (``labels`` order), ``transitions[i, j]`` the score of label j after label i."""

    labels: list[str]
    row_of: dict[str, int]
    state: np.ndarray
    transitions: np.ndarray

    def vectors(self, groups: Sequence[Sequence[str]]) -> np.ndarray:
        """One row per group of attributes: the sum of their scores (unknown attributes add 0)."""
        get = self.row_of.get
        rows = np.array([get(attr, -1) for attrs in groups for attr in attrs], dtype=np.intp)
        owners = np.repeat(np.arange(len(groups)), [len(attrs) for attrs in groups])
        known = rows >= 0
        rows, owners = rows[known], owners[known]
        out = np.zeros((len(groups), len(self.labels)))
        if len(rows):
            # one gather, then sums over each group's run of rows (owners are in order)
            starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
            out[owners[starts]] = np.add.reduceat(self.state[rows], starts, axis=0)
        return out


def _from_crfsuite(model: Path) -> CrfWeights:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    labels = list(tagger.labels())
    col = {label: j for j, label in enumerate(labels)}
    info = tagger.info()
    row_of: dict[str, int] = {}
    for attr, _ in info.state_features:
        row_of.setdefault(attr, len(row_of))
    state = np.zeros((len(row_of), len(labels)))
    for (attr, label), weight in info.state_features.items():
        state[row_of[attr], col[label]] = weight
    transitions = np.zeros((len(labels), len(labels)))
    for (a, b), weight in info.transitions.items():
        transitions[col[a], col[b]] = weight
    return CrfWeights(labels, row_of, state, transitions)


def export(model: Path) -> Path:
    """Write the weights of the crfsuite model at ``model`` beside it (``weights_file``), whole or not at all."""
    weights = _from_crfsuite(model)
    attrs = [a for a, _ in sorted(weights.row_of.items(), key=lambda kv: kv[1])]
    out = weights_file(model)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("wb") as handle:
        np.savez(handle, labels=np.frombuffer("\n".join(weights.labels).encode(), dtype=np.uint8),
                 attrs=np.frombuffer("\n".join(attrs).encode(), dtype=np.uint8),
                 state=weights.state, transitions=weights.transitions)
    tmp.replace(out)
    return out


def load(model: Path) -> CrfWeights:
    """The weights of the model at ``model``: from the file the trainer wrote beside it, or (an
    older build) from crfsuite's dump of the model itself, which is slower."""
    path = weights_file(model)
    if path.exists() and path.stat().st_mtime_ns >= model.stat().st_mtime_ns:
        with np.load(path, allow_pickle=False) as data:
            labels = data["labels"].tobytes().decode().split("\n")
            attrs = data["attrs"].tobytes().decode().split("\n")
            return CrfWeights(labels, {a: i for i, a in enumerate(attrs)}, data["state"], data["transitions"])
    LOGGER.info("no current %s: reading the weights from the model itself (run `make ner-model` to write it)", path)
    return _from_crfsuite(model)


def viterbi(emissions: np.ndarray, lengths: Sequence[int], transitions: np.ndarray) -> list[list[int]]:
    """Best label index sequence of each sentence. ``emissions`` holds the sentences' state scores
    one after another (rows = tokens, columns = labels), ``lengths`` their token counts (each > 0).

    All sentences advance together, longest first, so an article costs one numpy step per
    position of its longest sentence. Maxima are taken as argmax then a gather over a 2-D array:
    numpy's ``max`` over a short last axis of a 3-D array cost three times as much here."""
    n_labels = emissions.shape[1]
    lengths_ = np.asarray(lengths)
    order = np.argsort(-lengths_, kind="stable")  # longest first: the live ones are a prefix
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    longest = int(lengths_[order[0]])
    starts = np.cumsum(lengths_) - lengths_
    sent = np.repeat(np.arange(len(lengths_)), lengths_)
    padded = np.zeros((len(lengths_), longest, n_labels))
    padded[rank[sent], np.arange(len(emissions)) - starts[sent]] = emissions
    # live[t]: how many sentences are longer than t
    live = len(order) - np.searchsorted(lengths_[order][::-1], np.arange(longest), side="right")
    into = np.ascontiguousarray(transitions.T)  # [label, previous label]
    flat = np.arange(len(order) * n_labels)
    best = padded[:, 0].copy()
    back = np.zeros((len(order), longest, n_labels), dtype=np.intp)
    for t in range(1, longest):
        k = live[t]
        scores = (best[:k, None, :] + into).reshape(k * n_labels, n_labels)
        came = scores.argmax(1)
        back[:k, t] = came.reshape(k, n_labels)
        best[:k] = scores[flat[:k * n_labels], came].reshape(k, n_labels) + padded[:k, t]
    current = best.argmax(1)
    path = np.zeros((len(order), longest), dtype=np.intp)
    for t in range(longest - 1, 0, -1):
        k = live[t]
        path[:k, t] = current[:k]
        current[:k] = back[flat[:k], t, current[:k]]
    path[:, 0] = current
    return [path[rank[i], :n].tolist() for i, n in enumerate(lengths)]

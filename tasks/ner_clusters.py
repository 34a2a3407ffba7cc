"""Word clusters for the NER model, learned at build time from the training text only.

A word's cluster says which words share its neighbours ("medan", "manado", "pontianak" ...), so
a name the labelled sentences never show still looks like the ones they do. Built by
``tasks/ner_train.py`` and written beside the model (``tasks/ner.py``'s ``clusters_file``):
neighbour counts (the word before and after, among the most frequent words), positive PMI, a
randomised SVD to a few dozen dimensions, then spherical k-means at a few granularities.
Deterministic (fixed seed); about ten CPU seconds on the IndoNLU training text.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

#: cluster counts, coarse to fine: one feature each
GRANULARITIES = (50, 200, 800)


def learn(sentences: list[list[str]], contexts: int = 1000, dim: int = 64,
          granularities: tuple[int, ...] = GRANULARITIES, min_count: int = 2, seed: int = 0,
          iterations: int = 15) -> dict[str, tuple[str, ...]]:
    """Lower-cased word -> its cluster id at each granularity, for words seen ``min_count`` times."""
    import numpy as np

    texts = [[w.lower() for w in s] for s in sentences]
    freq = Counter(w for s in texts for w in s)
    vocab = [w for w, c in freq.items() if c >= min_count]
    if len(vocab) <= max(granularities):
        return {}
    row_of = {w: i for i, w in enumerate(vocab)}
    col_of = {w: i for i, (w, _) in enumerate(freq.most_common(contexts))}
    counts = np.zeros((len(vocab), 2 * contexts), dtype=np.float64)
    for s in texts:
        for i, w in enumerate(s):
            r = row_of.get(w)
            if r is None:
                continue
            if i > 0 and s[i - 1] in col_of:
                counts[r, col_of[s[i - 1]]] += 1
            if i + 1 < len(s) and s[i + 1] in col_of:
                counts[r, contexts + col_of[s[i + 1]]] += 1
    total = counts.sum()
    expected = counts.sum(1, keepdims=True) @ counts.sum(0, keepdims=True) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        ppmi = np.where(counts > 0, np.log(counts / np.maximum(expected, 1e-12)), 0.0)
    ppmi = np.maximum(ppmi, 0.0)
    rng = np.random.default_rng(seed)
    # randomised SVD (two power iterations): numpy only, the dense matrix is small
    q, _ = np.linalg.qr(ppmi @ rng.standard_normal((ppmi.shape[1], dim + 16)))
    for _ in range(2):
        q, _ = np.linalg.qr(ppmi @ (ppmi.T @ q))
    u, s, _ = np.linalg.svd(q.T @ ppmi, full_matrices=False)
    vectors = (q @ u[:, :dim]) * np.sqrt(s[:dim])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    labels = []
    for k in granularities:
        centres = vectors[rng.choice(len(vectors), k, replace=False)]
        for _ in range(iterations):
            assigned = np.argmax(vectors @ centres.T, axis=1)
            centres = _centres(vectors, assigned, centres)
        labels.append(np.argmax(vectors @ centres.T, axis=1))
    return {w: tuple(str(int(lab[i])) for lab in labels) for i, w in enumerate(vocab)}


def _centres(vectors, assigned, centres):
    """Each cluster's new centre: its members' mean, unit length; an empty cluster keeps its centre.

    One pass over the members grouped by cluster (a stable sort, then ``np.add.reduceat``) instead
    of a boolean mask over all the words per cluster: at 800 clusters the masks were most of the
    clusters' CPU (issue 11, `make install`). The same numbers as ``vectors[assigned == j].mean(0)``
    to the bit: both add a cluster's rows one after another in word order, then divide by the count."""
    import numpy as np

    order = np.argsort(assigned, kind="stable")
    grouped = assigned[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    sums = np.add.reduceat(vectors[order], starts, axis=0)
    counts = np.diff(np.r_[starts, len(grouped)])
    centres = centres.copy()
    for j, total, n in zip(grouped[starts].tolist(), sums, counts.tolist()):
        centre = total / n
        centres[j] = centre / (np.linalg.norm(centre) + 1e-12)  # a vector's norm, as before: same rounding
    return centres


def write(clusters: dict[str, tuple[str, ...]], path: Path) -> None:
    """One ``word<TAB>id,id,id`` line per word, written whole or not at all."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for word in sorted(clusters):
            if "\t" not in word and "\n" not in word:
                handle.write(f"{word}\t{','.join(clusters[word])}\n")
    tmp.replace(path)

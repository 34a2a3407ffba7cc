"""MinHash signatures and LSH band keys for near-duplicate detection, vectorised over a batch.

In: article texts. Out: one ``uint32[num_perm]`` signature per text and ``bands`` band keys
(signed 64-bit integers, ready for a BIGINT column) that the warehouse joins on.

The signature is exactly datasketch's ``MinHash(num_perm, seed, scheme="affine32")`` fed with
our 32-bit shingle hashes (``tests/tasks/test_minhash.py`` checks this): datasketch hashes and
permutes one article at a time in Python-called numpy (about 1 ms for a short article);
here a whole batch is one numpy pass, which is what makes a million articles affordable.
Shingles are word n-grams of the normalised text; a word is hashed once (cached) and an
n-gram's hash combines its words' hashes arithmetically, so no per-shingle Python work remains.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# datasketch is imported where it is used, not here: it imports scipy and redis (about 1 CPU s),
# which every `kabar ingest` process paid at start-up even when no page needed deduplicating.

LOGGER = logging.getLogger(__name__)

NUM_PERM = 128
SEED = 1
_WORD = re.compile(r"\w+")
#: Odd multipliers that mix an n-gram's word hashes in order (uint32 wraparound is intended).
_MIX = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1], dtype=np.uint32)
_EMPTY = np.iinfo(np.uint32).max


def words(text: str) -> list[str]:
    """The comparison words of a text: NFKC, case-folded, punctuation dropped."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


#: word -> 32-bit hash; a plain dict is about twice as fast as lru_cache on this hot path.
_WORD_HASHES: dict[str, int] = {}
#: Issue 11, bounded memory: about 140 B a cached word, so the first bound (2**21 words) let a long
#: run's vocabulary hold ~290 MB of the ingest process; 2**18 words hold at most ~36 MB.
_WORD_CACHE_LIMIT = 1 << 18


def _word_hash(word: str) -> int:
    value = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=4).digest(), "little")
    if len(_WORD_HASHES) >= _WORD_CACHE_LIMIT:
        _WORD_HASHES.clear()  # bounded memory on endless vocabularies (numbers, typos)
    _WORD_HASHES[word] = value
    return value


def shingle_hashes(text: str, size: int = 3) -> np.ndarray:
    """32-bit hashes of the text's word ``size``-grams (a shorter text: one shingle of all its words)."""
    get = _WORD_HASHES.get
    hashed = np.array([get(w) or _word_hash(w) for w in words(text)], dtype=np.uint32)
    if hashed.size == 0:
        return hashed
    n = min(size, hashed.size)
    count = hashed.size - n + 1
    out = np.zeros(count, dtype=np.uint32)
    for i in range(n):
        out = out * _MIX[i % len(_MIX)] + hashed[i : i + count]
    return np.unique(out)


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch's affine32 scheme applies it first."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def signatures(shingles: list[np.ndarray], num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """MinHash signatures, one row per shingle set: ``uint32[len(shingles), num_perm]``.
    An empty set gets the all-max signature (it matches nothing but another empty set)."""
    a, b = _permutations(num_perm, seed)
    out = np.full((len(shingles), num_perm), _EMPTY, dtype=np.uint32)
    lengths = np.array([s.size for s in shingles], dtype=np.int64)
    filled = np.flatnonzero(lengths)
    if filled.size == 0:
        return out
    flat = _fmix32(np.concatenate([shingles[i] for i in filled]))
    starts = np.cumsum(lengths[filled]) - lengths[filled]
    block = np.empty_like(flat)
    # One permutation at a time over the whole batch: numpy's scalar-times-vector loops are
    # about 100x faster here than one broadcast (shingles x num_perm) product (measured).
    with np.errstate(over="ignore"):
        for k in range(num_perm):
            np.multiply(flat, a[k], out=block)
            block += b[k]
            out[filled, k] = np.minimum.reduceat(block, starts)
    return out


@dataclass(frozen=True)
class Banding:
    """How a signature is cut into LSH bands: ``bands`` bands of ``rows`` values each."""

    bands: int
    rows: int

    @classmethod
    def for_threshold(cls, threshold: float, num_perm: int = NUM_PERM) -> "Banding":
        """datasketch's optimal (bands, rows) for a Jaccard threshold, weighting a missed pair
        9 times a false candidate: every candidate is verified against its signature, so a
        false candidate costs one comparison while a miss is a lost duplicate. (Equal weights
        give only ~40% recall at the threshold itself and ~70% just above it.)"""
        return cls(*_optimal_banding(threshold, num_perm))


@lru_cache(maxsize=16)
def _optimal_banding(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's (b, r) for ``threshold``: once per process, not once per batch. Its
    optimisation integrates false positive and negative rates (scipy.integrate) over every
    (b, r): about a CPU second on a loaded machine, and dedupe and stories asked for it on every
    batch of a run (issue 11, the CPU of a fresh ingest)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(0.1, 0.9))  # its public b and r
    return lsh.b, lsh.r


def band_keys(sigs: np.ndarray, banding: Banding) -> np.ndarray:
    """``int64[len(sigs), bands]``: band ``i``'s key hashes values ``[i*rows, (i+1)*rows)``
    (the band number is stored beside the key, so equal keys of different bands never meet)."""
    n = sigs.shape[0]
    cut = sigs[:, : banding.bands * banding.rows].reshape(n, banding.bands, banding.rows).astype(np.uint64)
    key = np.full((n, banding.bands), 0xCBF29CE484222325, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(banding.rows):
            key = (key ^ cut[:, :, j]) * np.uint64(0x100000001B3)
            key ^= key >> np.uint64(29)
    return key.view(np.int64)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray | float:
    """The share of equal signature values: the MinHash estimate of the Jaccard similarity.
    ``a`` is one signature; ``b`` one or a stack of them."""
    return (np.asarray(b) == np.asarray(a)).mean(axis=-1)

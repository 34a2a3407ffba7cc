"""tasks/minhash.py: the vectorised signatures equal datasketch's and estimate Jaccard."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

from tasks.minhash import Banding, band_keys, estimated_jaccard, shingle_hashes, signatures

TEXT = "Pemimpin Korea Utara Kim Jong Un meninjau pabrik senjata dan menyerukan produksi massal rudal"


def test_signatures_equal_datasketch_affine32_over_the_same_shingle_hashes() -> None:
    texts = [TEXT, TEXT + " pada Minggu", "dua kata", ""]
    shingles = [shingle_hashes(t) for t in texts]
    sigs = signatures(shingles)
    for hashed, sig in zip(shingles, sigs):
        reference = MinHash(num_perm=128, seed=1, scheme="affine32", hashfunc=lambda v: v)
        reference.update_batch([int(v) for v in hashed])
        assert np.array_equal(reference.hashvalues, sig)


def test_estimate_tracks_true_jaccard_and_band_keys_meet_only_for_close_texts() -> None:
    words = [f"kata{i}" for i in range(300)]
    base = " ".join(words)
    edited = " ".join(words[:270] + [f"lain{i}" for i in range(30)])
    other = " ".join(reversed(words))
    a, b, c = (shingle_hashes(t) for t in (base, edited, other))
    true = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    sigs = signatures([a, b, c])
    assert abs(estimated_jaccard(sigs[0], sigs[1]) - true) < 0.12
    assert estimated_jaccard(sigs[0], sigs[2]) < 0.1
    keys = band_keys(sigs, Banding.for_threshold(0.8))
    assert (keys[0] == keys[1]).any()
    assert not (keys[0] == keys[2]).any()


def test_banding_follows_the_threshold() -> None:
    low, high = Banding.for_threshold(0.5), Banding.for_threshold(0.9)
    assert low.bands > high.bands and low.rows < high.rows
    assert low.bands * low.rows <= 128 and high.bands * high.rows <= 128

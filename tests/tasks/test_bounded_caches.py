"""Per-word caches of the ingest process stay bounded however many new words a run brings
(issue 11, bounded memory): tasks/ner.py's tagger (about 5 KB a word type, up to a gigabyte at
its first bound) and tasks/minhash.py's word hashes (about 140 B a word, ~290 MB)."""

from __future__ import annotations

import pytest

from tasks import minhash, ner

needs_model = pytest.mark.skipif(ner.model_status() is not None, reason="NER model not built (make ner-model)")


def _words(n: int) -> list[str]:
    """``n`` distinct made-up capitalised words (Indonesian-looking syllables)."""
    syllables = ["ba", "ka", "ri", "su", "to", "ma", "ni", "la", "pe", "ng"]
    out = []
    for i in range(n):
        digits = f"{i:04d}"
        out.append(("Sen" + "".join(syllables[int(d)] for d in digits)).capitalize())
    return out


@needs_model
def test_tagger_caches_stay_bounded_over_a_growing_vocabulary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ner, "TAGGER_WORDS", 300)
    tagger = ner._tagger(str(ner.NEWS_MODEL), ner.NEWS_MODEL.stat().st_mtime_ns)
    words = _words(1200)
    sizes = []
    for start in range(0, len(words), 100):  # articles of 100 new words, in sentences of 10
        chunk = words[start:start + 100]
        tags = ner.tag_sentences([["Kata", "warga", *chunk[i:i + 10], "di", "Makassar"] for i in range(0, 100, 10)])
        assert all(len(t) == 14 for t in tags)
        sizes.append((len(tagger.records), len(tagger.table)))
    # 1,200 new word types went through; the tagger held at most the bound at any time, and its
    # weight table stopped growing after the first article
    assert max(records for records, _ in sizes) <= 300
    assert len({rows for _, rows in sizes}) == 1


def test_minhash_word_hashes_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minhash, "_WORD_CACHE_LIMIT", 500)
    minhash._WORD_HASHES.clear()
    text = " ".join(_words(2000)).lower()
    first = minhash.shingle_hashes(text)
    assert 0 < len(minhash._WORD_HASHES) <= 500
    # the same hashes whether a word came from the cache or was computed again
    assert (minhash.shingle_hashes(text) == first).all()

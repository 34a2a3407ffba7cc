"""Is a word Indonesian vocabulary? A NER feature that does not depend on capital letters.

A name is mostly a word the dictionary does not hold ("surabaya", "jokowi", "telkomsel"); in
lower-cased text (NERP, headlines) that is the clue a capital letter gives in cased text. The
dictionary is Sastrawi's list of 29,932 Indonesian root words (``Sastrawi/Stemmer/data/kata-dasar.txt``
in the ``sastrawi`` package from PyPI, MIT licence), read as a set at first use.

``word_class(low)`` says what a lower-cased word is: ``r`` a root word, ``d`` a root word with
Indonesian affixes ("mengatakan", "pemerintahannya"), ``u`` unknown (a name, a foreign or
misspelt word), ``p`` not all letters. The affixes are stripped by a few rules of our own (up to
two suffixes, one prefix, with the nasal prefixes' lost first consonant restored: "menyampaikan"
-> "sampai"), not by Sastrawi's stemmer: in sastrawi 1.0.1 its dictionary is a Python list
(``Sastrawi/Dictionary/ArrayDictionary.py``: ``contains`` is ``word in self.words``), so every
candidate root is a linear scan of 30,000 words, measured at about 20 ms a word here; a set
lookup per candidate costs microseconds. Some roots are also names ("medan", "bandung",
"budi"): the model learns how much each class is worth, beside the word itself.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from pathlib import Path

LOGGER = logging.getLogger(__name__)

SUFFIXES = ("nya", "lah", "kah", "pun", "kan", "an", "i", "ku", "mu")
PREFIXES = ("menge", "meng", "meny", "mem", "men", "me", "di", "ke", "se", "ber", "be", "ter", "te",
            "peng", "peny", "pem", "pen", "per", "pe")
#: the consonant a nasal prefix replaces before a vowel ("menulis" <- "tulis", "memukul" <- "pukul")
RESTORED = {"meny": "s", "peny": "s", "mem": "p", "pem": "p", "men": "t", "pen": "t", "meng": "k", "peng": "k"}
#: the shortest root an affix is stripped down to
SHORTEST_ROOT = 3


def _root_file() -> Path | None:
    # the package's data file, found without importing Sastrawi (its modules are not needed)
    spec = importlib.util.find_spec("Sastrawi")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "Stemmer" / "data" / "kata-dasar.txt"
    return path if path.exists() else None


@functools.lru_cache(maxsize=1)
def root_words() -> frozenset[str]:
    """Sastrawi's Indonesian root words; empty (and a warning) when the package is missing."""
    path = _root_file()
    if path is None:
        LOGGER.warning("no Sastrawi root-word list: NER runs without its vocabulary feature (install the `sastrawi` package)")
        return frozenset()
    return frozenset(path.read_text(encoding="utf-8").split())


def _roots_of(low: str) -> list[str]:
    """Candidate roots of ``low``: with up to two suffixes stripped, then one prefix."""
    stems = [low]
    for _ in range(2):
        stems += [s[:-len(x)] for s in stems for x in SUFFIXES if s.endswith(x) and len(s) - len(x) >= SHORTEST_ROOT]
    out = stems[1:]
    for stem in stems:
        for prefix in PREFIXES:
            if stem.startswith(prefix) and len(stem) - len(prefix) >= SHORTEST_ROOT:
                rest = stem[len(prefix):]
                out.append(rest)
                if prefix in RESTORED and rest[0] in "aeiou":
                    out.append(RESTORED[prefix] + rest)
    return out


def word_class(low: str) -> str:
    """``r`` root word, ``d`` derived from one, ``u`` unknown, ``p`` not all letters (``low``: lower-cased)."""
    if not low.isalpha():
        return "p"
    roots = root_words()
    if low in roots:
        return "r"
    return "d" if any(root in roots for root in _roots_of(low)) else "u"

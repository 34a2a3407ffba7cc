"""Names the knowledge base and the learned model both missed, found by rule and kept unlinked
(step 4 of tasks/mentions.py, after the KB's pass and the model's):

- organisations named by a head word and the capitalised words after it ("Institut Sejong",
  "Kementerian Pertahanan ..."), running over the places the passes before found in it ("Yayasan
  X Jakarta"), or by an English tail word ("... University", "... Foundation");
- persons: two to four capitalised words introduced by a role or a reporting cue before them
  ("analis ...", "Menteri Pertahanan ...", "kata ...") or after them ("X, seorang pakar",
  "X mengatakan").

``_person_token`` (a word that may be part of a person's name) is read by the KB pass too.
"""

from __future__ import annotations

import re
from pathlib import Path

from tasks.mentions_text import FUNCTION_WORDS, ORG_HEADS, ROLE_CUES, _ORG_JOINERS, _Span, _Text, _words

#: Portfolio and qualifier words that sit between a role and a name ("Menteri Pertahanan ...").
PORTFOLIO = _words("""
    pertahanan luar negeri dalam keuangan sumber daya ekologi unifikasi perdagangan energi
    kesehatan pendidikan informasi komunikasi hukum keamanan urusan strategi politik militer
    pertama besar umum senior utama nasional federal negara eksekutif tinggi agung darat laut
    udara staf gabungan bidang studi kajian riset dan urusan sekretariat kabinet pelaksana
""")
#: Lower-case words allowed between a role cue and the name it introduces.
_BRIDGE = _words("dan luar negeri dalam urusan bidang untuk sumber daya seorang yang senior di dari")
#: English words that end an organisation's name ("... University", "... Foundation").
ORG_TAILS = _words("institute university center centre council agency foundation corporation group endowment ministry")
#: Verbs after a name that make it a speaking person ("X mengatakan ...").
SPEECH_AFTER = _words("mengatakan menyatakan berkata menegaskan menjelaskan menuturkan mengungkapkan menambahkan said told")
# Indonesian derived nouns (pe-/ke-/per- ... -an: pendayagunaan, kebudayaan) are not name words.
_DERIVED_NOUN = re.compile(r"^(?:pe|ke|per)\w{4,}an$")


def _person_token(doc: _Text, k: int) -> bool:
    low = doc.lower[k]
    if doc.covered[k] or low in FUNCTION_WORDS or low in ROLE_CUES or low in PORTFOLIO or low in ORG_HEADS:
        return False
    tok = doc.toks[k][0]
    if not tok.isalpha() or tok.isupper() or doc.headline[k] or _DERIVED_NOUN.match(low):
        return False
    return tok[:1].isupper() or doc.hyphen_joined(k)


def _cued_before(doc: _Text, i: int) -> bool:
    """A role or reporting cue shortly before token i, in the same sentence."""
    k = i - 1
    steps = 0
    while k >= 0 and steps < 7 and not doc.break_between(k, i):
        low = doc.lower[k]
        if low in ROLE_CUES:
            return True
        # only KB names (countries, agencies) and portfolio words may sit between the cue and the
        # name: skipping any capitalised word would take "Menteri Pemuda dan Olahraga X" as a name
        if not (doc.covered[k] or low in PORTFOLIO or low in _BRIDGE):
            return False
        k -= 1
        steps += 1
    return False


def _cued_after(doc: _Text, j: int) -> bool:
    """A role in apposition ("X, seorang analis") or a speech verb ("X mengatakan") after a name."""
    if j >= len(doc.toks):
        return False
    gap = doc.text[doc.toks[j - 1][2]:doc.toks[j][1]].strip()
    if gap == "":
        return doc.lower[j] in SPEECH_AFTER
    if gap == ",":
        ahead = doc.lower[j:j + 2]
        return any(w in ROLE_CUES or w in ("seorang", "salah", "sebagai", "selaku") for w in ahead)
    return False


#: Where the words the model is asked about again end (``_person_after_body``): the sentence's end.
_PROBE_END = re.compile(r"[.!?\n]")


def _person_after_body(doc: _Text, i: int, j: int, model: Path | None = None) -> int | None:
    """Where a person's name starts at the end of a body's name the model ran together with it,
    or None. Only after an office ("Ketua", "Presiden", "Direktur Jenderal ..." within six words
    before the body, in the same sentence), the body keeping two words or more, and the last two
    or three words capitalised words that head no body or office: the model is asked again about
    the words from each such start to the sentence's end, without the body before them, and the
    first start it reads as exactly one person's name ending where the body did is the person's.
    Not where the name goes on after the span ("... Tinggi Sains dan Teknologi": the model stopped
    inside the body's name, and a text's first capitalised words read as a person's)."""
    from tasks.ner import recognise

    if j - i < 4 or not any(doc.lower[m] in ROLE_CUES and not doc.break_between(m, i) for m in range(max(0, i - 6), i)):
        return None
    if j < len(doc.toks) and doc.joined(j) and (doc.capitalised(j) or (
            doc.lower[j] in _ORG_JOINERS and j + 1 < len(doc.toks) and doc.capitalised(j + 1))):
        return None  # the name goes on ("... Pendidikan Tinggi Sains dan Teknologi"): no person ends here
    end = _PROBE_END.search(doc.text, doc.toks[j - 1][2])
    for k in (j - 2, j - 3):
        if k - i < 2 or not all(doc.capitalised(m) and doc.lower[m] not in ORG_HEADS | ROLE_CUES | FUNCTION_WORDS
                                and doc.joined(m) for m in range(k, j)):
            continue
        probe = doc.text[doc.toks[k][1]:end.start() if end else len(doc.text)]
        width = doc.toks[j - 1][2] - doc.toks[k][1]
        found = recognise(probe) if model is None else recognise(probe, model)
        if any(s.char_start == 0 and s.char_end == width and s.type == "person" for s in found):
            return k
    return None


def _unlinked_pass(doc: _Text, found: list[_Span] | None = None, model: Path | None = None) -> list[_Span]:
    """The names above; ``found`` are the passes' spans before, whose places an organisation's
    name may run over ("Yayasan Damandiri Jakarta", "Partai Indonesia Baru": the place is kept too).
    An office holder named right after a body ("Direktur Jenderal ... Kementerian Riset ...
    Jumain Appe") is cut off it as a person (``_person_after_body``, asking ``model``)."""
    places = {s.i: s.j for s in found or () if s.type == "place"}
    spans: list[_Span] = []
    n = len(doc.toks)
    i = 0
    while i < n:
        # organisations: a head word ("Institut", "Kementerian") then capitalised words
        if not doc.covered[i] and not doc.headline[i] and doc.lower[i] in ORG_HEADS and doc.capitalised(i):
            j = i + 1
            while j < n and doc.joined(j):
                if doc.covered[j]:
                    if j not in places:
                        break
                    j = places[j]  # a known place inside the name ("Dinas Pendidikan Jawa Barat")
                    continue
                if doc.lower[j] in ROLE_CUES or not (
                        (doc.capitalised(j) and doc.lower[j] not in FUNCTION_WORDS) or
                        (doc.lower[j] in _ORG_JOINERS and j + 1 < n and doc.capitalised(j + 1))):
                    break
                j += 1
            if j - i >= 2 and doc.lower[j - 1] not in _ORG_JOINERS:
                tail = _person_after_body(doc, i, j, model)
                spans.append(_Span(i, tail or j, None, "organization"))
                if tail is not None:
                    spans.append(_Span(tail, j, None, "person"))
                i = j
                continue
        if _person_token(doc, i) and doc.toks[i][0][:1].isupper():
            j = i + 1
            while j < n and j - i < 4 and doc.joined(j) and _person_token(doc, j):
                j += 1
            if doc.lower[j - 1] in ORG_TAILS and j - i >= 2:
                spans.append(_Span(i, j, None, "organization"))
            elif j - i >= 2 and (_cued_before(doc, i) or _cued_after(doc, j)):
                spans.append(_Span(i, j, None, "person"))
            i = j
            continue
        i += 1
    for span in spans:
        doc.cover(span)
    return spans

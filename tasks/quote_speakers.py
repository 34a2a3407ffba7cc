"""Who a quote's speaker is, beyond the phrase beside it (used by ``tasks.enrichers.quotes``).

- ``pronoun_speaker``: a "-nya"/"dia" quote's speaker, the nearest person named before it as a
  sentence's subject; never an organisation or place the model recognised, a title in capitals
  or after "film" (unless it is a later reference to a person named in full), a person in
  apposition to another ("X, putra aktor Y,"), a role head whose name follows ("Kepala Dinas ...,
  Budi Santoso,") or a kin description ("Kakak Y ini"), which as a sentence's subject stands for
  the subject named before it;
- ``person_part``: the person at the end of a name an organisation ran into ("Direktur PT X Tbk
  Yusak Kristian");
- ``join_initials``: "Rahmat S" + "Hidayat" read by the tokenizer as two names are one;
- the speech vocabulary the quote rules share (reporting verbs, lead words, sentence starts).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from tasks.entities import Mention
from tasks.mentions import ORG_HEADS, ROLE_CUES
from tasks.person_names import ROLE_WORDS, person_name, resolve_short_name

#: Reporting verbs written before a quote ("X mengatakan, "...""), as a regex alternation.
BEFORE_VERBS = (
    "mengatakan|berkata|menegaskan|menambahkan|menyatakan|menjelaskan|mengungkapkan|menyebut|"
    "menyebutkan|menuturkan|mengklaim|memperingatkan|menulis|melaporkan|menyampaikan|menekankan|"
    "mengingatkan|bertanya|menjawab|berujar|membalas|menimpali|menyahut|mengumumkan|berpesan|berseru|"
    "menandaskan|memaparkan|menerangkan|menukas|mengimbuhkan|mengutarakan"
)

#: Lower-case words that belong to a capitalised role phrase ("Juru bicara Dewan Keamanan ...").
LOWER_ROLE = {"pemerintah", "juru", "bicara", "besar", "luar", "negeri", "menteri", "jenderal", "bersama", "staf", "gabungan", "untuk"}

#: Words that open a sentence before its subject ("Namun bulan lalu Kim ...").
LEAD_WORDS = frozenset(
    "namun tetapi tapi sementara itu kemudian lalu bulan pekan minggu tahun kemarin sebelumnya selain bahkan "
    "pun juga pada hari dan senin selasa rabu kamis jumat sabtu ini akhirnya kini lalu dua tiga empat lima "
    "enam tujuh delapan sembilan sepuluh beberapa".split()
)

_SENTENCE_BREAK = re.compile(r"[.!?][”\"]?\s+(?=[A-Z“\"])")


def sentence_start(text: str, position: int) -> int:
    """Start of the sentence holding ``position``: after the last sentence end or newline before it."""
    start = text.rfind("\n", 0, position) + 1
    for match in _SENTENCE_BREAK.finditer(text, start, position):
        start = match.end()
    return start

def full_name(m: Any) -> str:
    return m.canonical or m.surface


def join_initials(text: str, names: list[Any]) -> list[Any]:
    """A person's name with an initial ("Rahmat S. Hidayat") read as two names ("Rahmat S",
    "Hidayat": the tokenizer's name gap does not cross ". "): one name, so a full name is not
    given as its partial span."""
    joined: list[Any] = []
    for m in names:
        prev = joined[-1] if joined else None
        if prev is not None and prev.type == m.type == "person" and text[prev.char_end:m.char_start] == ". " \
                and re.search(r"(?:^|\s)[A-Z]$", prev.surface) and prev.canonical is None and m.canonical is None:
            joined[-1] = Mention(None, text[prev.char_start:m.char_end], prev.char_start, m.char_end, "person")
        else:
            joined.append(m)
    return joined


class Context:
    """One text's recognised names and word sets, shared by the attribution of its quotes."""

    def __init__(self, text: str, names: list[Any]) -> None:
        self.text = text
        self.names = names
        self._lower: frozenset[str] | None = None
        self._name_words: frozenset[str] | None = None

    @property
    def lower_words(self) -> frozenset[str]:
        """Words the text writes in lower case somewhere (common words, not names)."""
        if self._lower is None:
            self._lower = frozenset(re.findall(r"(?<![\w-])[a-z]+(?![\w-])", self.text))
        return self._lower

    @property
    def name_words(self) -> frozenset[str]:
        """The words of the people and organisations recognised in the text."""
        if self._name_words is None:
            self._name_words = frozenset(w for m in self.names for w in m.surface.split())
        return self._name_words


#: Legal forms and English head words that end an organisation's name: a name run on after one
#: is the person ("Direktur PT X Tbk Yusak Kristian", "Presiden Recording Academy Neil Portnow").
_ORG_ENDS = frozenset("tbk persero inc ltd corp llc academy akademi institute university foundation association "
                      "council agency center centre group corporation".split())
_ORG_MARKS = frozenset("pt cv tbk".split()) | ORG_HEADS


def _standalone(text: str, word: str) -> bool:
    """Whether ``text`` uses ``word`` alone, not inside a run of capitalised words (a person
    called by one of his names: "kata Portnow")."""
    for m in re.finditer(rf"(?<![\w&-]){re.escape(word)}(?![\w&-])", text):
        if not re.search(r"[A-Z][\w&'’.-]*[ \t]+$", text[max(0, m.start() - 40):m.start()]) \
                and not re.match(r"[ \t]+[A-Z]", text[m.end():m.end() + 2]):
            return True
    return False


def person_part(name: str, text: str) -> str:
    """The person at the end of a speaker name an organisation ran into: after the
    organisation's last legal form or head word, or, after an organisation mark (PT, an acronym),
    from the word the text also calls the person by alone."""
    words = name.split()
    if len(words) < 3:
        return name
    cut = None
    ends = [k for k, w in enumerate(words[:-2]) if w.casefold() in _ORG_ENDS]
    if ends:
        cut = ends[-1] + 1
    elif len(words) >= 4 and any(w.casefold() in _ORG_MARKS or len(w) > 1 and w.isupper() for w in words[:-2]):
        if _standalone(text, words[-1]):
            cut = len(words) - 2
        else:
            cut = next((k for k in range(len(words) - 2, 0, -1) if _standalone(text, words[k])), None)
    # the part cut off must read as a person's name ("Negeri Korut" of a ministry's name does not)
    return " ".join(words[cut:]) if cut is not None and person_name(" ".join(words[cut:])) else name


#: Nouns that introduce a work's title ("film London Love Story", "lagu Bunga"): the title is not a person.
_WORK_NOUNS = frozenset("film lagu album single singel judul berjudul bertajuk novel buku sinetron serial drama acara "
                        "program karya video klip webseries series".split())
#: Kin words: "Kakak X ini" describes the person named before by his relation to X.
_KIN = frozenset("kakak adik abang ayah ibu bapak putra putri anak istri suami paman bibi nenek kakek cucu keponakan "
                 "sepupu ipar mertua menantu".split())
_SPEECH_VERB_AFTER = re.compile(
    rf"[ \t]*(?:,[^,.\n]{{0,80}}(?=,))?[ \t]*,?[ \t]*(?:juga[ \t]+|pun[ \t]+)?(?:{BEFORE_VERBS})\b", re.IGNORECASE)
#: A predicate right after a name (maybe after an apposition): a lower-case word that does not
#: go on with a list or a phrase ("X mengaku ...", "X, putra Y, bertekad ...").
_PREDICATE = re.compile(r"(?:[ \t]*,[^,.\n]{0,80}(?=,))?[ \t]*,?[ \t]+(?!(?:dan|atau|serta|di|ke|dari|untuk|dengan|bersama|pada)\b)[a-z]")
#: Words that end the look back from a name for "film"/"kakak": a preposition or conjunction
#: puts the name in another role ("bermain film bersama X").
_NOT_DESCRIBED = frozenset("bersama dengan oleh dan untuk kepada dari karena serta atau sang".split())
_WORD_BEFORE = re.compile(r"([\w-]+)[ \t]*$")


def _candidates(context: Context, lo: int, hi: int, skip: list[tuple[int, int]]) -> list[tuple[int, int, str, bool]]:
    """People named in ``text[lo:hi]`` outside quotes, by position, as (start, end, name,
    subject): recognised persons and multi-word capitalised runs no recognised name covers
    (organisations and places are not people); a title in capitals or after "film", a kin
    description ("Kakak X ini") and a person in apposition to another ("X, putra aktor Y,")
    left out. ``subject`` marks the subject of a sentence (its first name, or one followed by
    a speech verb, or the agent after "oleh")."""
    text = context.text
    found: list[tuple[int, int, str]] = []
    inside = [m for m in context.names if lo <= m.char_start < hi]
    # later references to a person named in full before ("film kedua Brandon" after "Brandon
    # Nicholas Salim"): a person's, not a work's title, whatever noun comes before
    references = {m.char_start for m in inside if m.type == "person" and m.canonical}
    for m in inside:
        if m.type == "person":
            found.append((m.char_start, m.char_end, full_name(m)))
    for match in _CAPS_RUN.finditer(text, lo, hi):
        a, b = match.span()
        if any(m.char_start < b and a < m.char_end for m in inside):
            continue
        words = match.group(0).split()
        name = person_name(match.group(0)) if len(words) > 1 else None
        if name is None and len(words) == 1 and words[0].casefold() not in ROLE_WORDS:
            resolved = resolve_short_name(text, words[0], a)
            name = resolved if len(resolved.replace("-", " ").split()) >= 2 else None
        if name:
            found.append((a, b, name))
    found.sort()
    people: list[tuple[int, int, str, bool]] = []
    for n, (a, b, name) in enumerate(found):
        if any(x <= a < y for x, y in skip):
            continue
        surface = text[a:b]
        if sum(w.isalpha() for w in surface.split()) >= 2 and surface.isupper():
            continue  # a title in capitals
        before = _WORD_BEFORE.search(text, max(lo, a - 30), a)
        word_before = before.group(1).casefold() if before else ""
        described = _described_by(text, max(lo, sentence_start(text, a)), a) | {surface.split()[0].casefold()}
        if described & _WORK_NOUNS and a not in references:
            continue  # "film terbarunya, London Love Story": a title
        run = _RUN_BEFORE.search(text, max(lo, a - 60), a)
        kin_run = bool(run) and run.group(0).split()[0].casefold() in _KIN
        if (described & _KIN or kin_run) and re.match(r"[ \t]+(?:ini|itu|tersebut)\b", text[b:b + 12]):
            # "Kakak Raoul Salim ini ...": someone named before, described by kin; as a sentence's
            # subject it stands for that person (pronoun_speaker looks back for the subject before)
            if kin_run and run.start() == sentence_start(text, a):
                people.append((a, b, name, KIN_SUBJECT))
            continue
        head = surface.split()[0].casefold()
        if (head in ROLE_WORDS or head in ROLE_CUES) and n + 1 < len(found) and "," in text[b:found[n + 1][0]] \
                and APPOSITION_GAP.fullmatch(text, b, found[n + 1][0]):
            continue  # "Kepala Dinas X, Budi Santoso, mengatakan": the name after the head is the person
        start = sentence_start(text, a)
        comma = text.rfind(",", start, a)
        if comma >= 0 and text[comma + 1:a].strip()[:1].islower() and any(
                0 <= comma - y <= 4 for x, y, _ in found[:n]):
            continue  # "X, putra sulung aktor Y,": Y describes X
        clause = max(start, text.rfind(",", start, a) + 1)
        lead = re.findall(r"[\w-]+", text[clause:a])
        heads = all(w[:1].isupper() or w.casefold() in LEAD_WORDS or w.casefold() in LOWER_ROLE or w.isdigit() for w in lead)
        # the sentence's first name, or a clause's ("Terkait ..., X mengaku ...") with its predicate after it
        subject = heads and (clause == start or bool(_PREDICATE.match(text, b))) or word_before == "oleh" \
            or bool(_SPEECH_VERB_AFTER.match(text, b))
        people.append((a, b, name, subject))
    return people


_CAPS_RUN = re.compile(r"[A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*)*")
#: The capitalised words right before a name, in one run ("Kakak Raoul " before "Salim").
_RUN_BEFORE = re.compile(r"(?:[A-Z][\w'’-]*[ \t]+)+$")
#: The ``subject`` mark of a kin description opening a sentence ("Kakak Raoul Salim ini ...").
KIN_SUBJECT = "kin"


def _described_by(text: str, lo: int, at: int) -> set[str]:
    """The words (up to three, across one comma, back to a capitalised one) right before a name at
    ``at``, folded: the nouns that may say what the name is ("film terbarunya, X", "Adik kandung X")."""
    words: list[str] = []
    for word in reversed(re.findall(r"[\w-]+", text[max(lo, at - 50):at])):
        low = word.casefold()
        if low in _NOT_DESCRIBED or len(words) == 3:
            break
        words.append(low)
        if word[:1].isupper():
            break  # a capitalised word starts the description ("Kakak Z ini") or ends the look back
    return set(words)


def pronoun_speaker(context: Context, quote_start: int, skip: list[tuple[int, int]], last_named: dict[str, Any] | None,
                    link: Callable[[list[str]], str | None]) -> tuple[str | None, str | None]:
    """(speaker_text, entity id) of a "-nya"/"dia" quote: the nearest preceding named subject, else
    the last person named in the quote's own paragraph, after the last quote attributed by
    name; else that quote's speaker; else the last person named before (None, None if nobody)."""
    text = context.text
    floor = last_named["char_end"] if last_named is not None else 0
    hi = quote_start
    own = True
    while hi > floor or own:
        lo = max(floor, text.rfind("\n", 0, max(hi - 1, 0)) + 1)
        people = _candidates(context, lo, hi, skip)
        subjects = [p for p in people if p[3]]
        chosen = subjects[-1] if subjects else (people[-1] if people and (own or last_named is None) else None)
        if chosen is not None and chosen[3] == KIN_SUBJECT:
            # "Kakak Raoul Salim ini jatuh cinta ... "...," tuturnya": the person the kin phrase
            # describes, the last subject named before it, else nobody from this rule
            before = [p for p in _candidates(context, 0, chosen[0], skip) if p[3] is True]
            chosen = before[-1] if before else None
            if chosen is None:
                break
        if chosen is not None:
            name = person_part(chosen[2], text)
            return name, link([name])
        own = False
        if lo <= floor:
            break
        hi = lo - 1
    if last_named is not None:
        return last_named["speaker_text"], last_named["speaker_entity_id"]
    return None, None

#: Between a role phrase and the person in apposition after it: a comma and a rank or two
#: ("kata Kasubdit ... Polda Lampung, AKBP Ferdiyan Fahmi").
APPOSITION_GAP = re.compile(r"[ \t]*,?[ \t]*(?:[A-Z][\w.]*[ \t]+){0,2}")

"""Direct quotes and their speakers, from Indonesian reporting patterns.

In: an Article. Out: ``Enrichment(rows={"quotes": [...]})``, one row per quote in straight or
typographic marks with its speaker. Attribution is looked for, in order:
1. right after the closing mark: ``"...," kata X`` (ujar, ucap, tegas, sebut, jelas, lapor,
   tambahnya, katanya, menurut X ...), or the agent of a passive verb in the next sentence:
   ``"..." Hal itu diungkapkan oleh X``, ``... datang dari X``;
2. right before the opening mark: ``X mengatakan, "..."``, ``Menurut X, "..."``, ``Kata X: "..."``;
3. at the end of the quote's sentence: ``"..." bagi kami, kata X.``; a caption's writer
   (``X menuliskan keterangan yang berbunyi, "..."``) through the verb earlier in the sentence;
4. a long unattributed quote right after another one continues that quote's speaker, unless a
   sentence between them names someone ("Satu komplain pun datang dari X, ... . "..."": X's).
Pronouns (dia, ia, -nya) resolve to the nearest preceding person named as a sentence's subject
(else the last person of the quote's paragraph, else the last named speaker): not an
organisation, a title in capitals or after "film" (but a later reference to a person named in
full is that person: "film kedua X"), a person in apposition to another ("X, putra aktor Y,") or
a kin description ("Kakak Y ini"), which as a sentence's subject stands for the subject before.
A subject phrase that names nobody ("Salah satu warga mengatakan") is kept in lower case as a
nameless speaker; "yang bernama X" names X.
Surnames ("Cheong", "Kim") resolve to the full name introduced earlier in the article, and that
full name beats a shorter reading; an organisation run into a speaker's name ("Direktur PT X Tbk
Y Z") is cut off. Scare quotes (short, unattributed) are skipped.
A paragraph whose opening mark was lost ('Dia berkata, saya pikir ...”.') still gives its quote.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from kabar.models import Article
from tasks.enrich import ArticleWork, Enrichment, current_settings, register
from tasks.enrichers.entities import mention_inputs
from tasks.entities import load_kb
from tasks.mentions import text_mentions
from tasks.person_names import clean_name, nickname_of, person_name, resolve_short_name
from tasks.quote_speakers import (
    APPOSITION_GAP,
    BEFORE_VERBS,
    LEAD_WORDS,
    LOWER_ROLE,
    Context,
    full_name,
    join_initials,
    person_part,
    pronoun_speaker,
    sentence_start,
)

LOGGER = logging.getLogger(__name__)

# A pair of marks inside one paragraph; straight marks pair up in order of appearance. A line
# break inside a sentence ("... yang kamu\nbenci ...": a page's hand-wrapped lines, a letter or a
# word then a lower-case word) does not end the paragraph.
_QUOTE = re.compile(r"(“|\"|„)((?:[^“”\"\n]|(?<=[a-z,])\n(?=[a-z])){2,}?)(”|\"|“)")
_AFTER_VERBS = (
    "kata|ujar|ucap|tegas|sebut|jelas|tutur|ungkap|imbuh|lanjut|papar|terang|tulis|lapor|tambah|"
    "pungkas|seru|klaim|bilang|cetus|timpal|tandas|tukas|menurut"
)
_AFTER = re.compile(
    rf"^[ \t,.]*(?P<verb>{_AFTER_VERBS})(?P<nya>nya)?\b[ \t]*(?P<rest>[^\n]*)", re.IGNORECASE
)
#: '"...," demikian pernyataan tim X' / 'demikian keterangan tertulis Humas X': a statement's
#: source named by a noun after "demikian" (thus said ...).
_AFTER_DEMIKIAN = re.compile(
    rf"^[ \t,.]*demikian[ \t]+(?:(?:isi|bunyi)[ \t]+)?(?P<verb>pernyataan|keterangan|penjelasan|{_AFTER_VERBS})"
    r"(?P<nya>nya)?\b[ \t]*(?:(?:tertulis|resmi|dari)[ \t]+)?(?P<rest>[^\n]*)", re.IGNORECASE
)
#: '"...". Hal itu diungkapkan oleh X' / 'Ucapan itu datang dari X': the speaker named as the agent
#: of a passive reporting verb in the sentence right after the quote.
_AFTER_PASSIVE = re.compile(
    r"^[ \t,.]*(?:(?:hal|ucapan|pernyataan|kalimat|perkataan|pesan|komentar)[ \t]+(?:itu|ini|tersebut)[ \t]+)?"
    r"(?:pun[ \t]+)?(?P<verb>di(?:ungkapkan|sampaikan|katakan|ucapkan|tuturkan|tegaskan|jelaskan|utarakan|lontarkan)"
    r"|datang(?=[ \t]+dari\b))[ \t]+(?:oleh[ \t]+|dari[ \t]+)?(?P<rest>[^\n]*)",
    re.IGNORECASE,
)
_BEFORE = re.compile(rf"(?P<verb>\b(?:{BEFORE_VERBS}))(?:\s+bahwa)?\s*[,:]?\s*$", re.IGNORECASE)
_MENURUT_LEAD = re.compile(r"(?:^|[,;]\s*)menurut\s+(?P<who>[^,;]+?)\s*,\s*(?:[^,]*?)$", re.IGNORECASE)
_SENTENCE_END_ATTRIBUTION = re.compile(
    rf"^[^.!?\n]*?,[ \t]*(?P<verb>{_AFTER_VERBS})(?P<nya>nya)?\b[ \t]*(?P<rest>[^\n]*)", re.IGNORECASE
)
_PRONOUNS = {"dia", "ia", "beliau", "nya", "mereka", "ujarnya", "katanya"}
# Words that end a speaker phrase written in lower case ("seorang pejabat ... kepada wartawan").
_PHRASE_STOP = {
    "kepada", "dalam", "saat", "ketika", "pada", "seperti", "sambil", "usai", "setelah", "sebelum",
    "yang", "melalui", "lewat", "via", "menurut", "di", "dan", "tentang", "soal", "terkait", "mengacu",
    "kemarin", "hari", "pekan", "minggu", "bulan", "tahun", "sebagaimana", "sembari", "hanya", "juga",
    "pun", "tidak", "belum", "sudah", "telah", "akan", "masih", "secara", "sendiri", "lalu", "kemudian",
}
# Verbs that, earlier in a quote's sentence, make its subject the speaker of a partial quote:
# "Kirby menyebut transfer itu "eskalasi yang signifikan"".
_IN_SENTENCE = re.compile(
    rf"\b(?:{BEFORE_VERBS}|menyebut|menilai|menjawab|menyerukan|menggambarkan|mengecam|menuduh|"
    r"menyebutnya|berjanji|mengancam|mengimbau|mendesak|memuji|mengkritik|menamai|menjuluki|bersikeras|"
    r"menetapkan|menuliskan|mengunggah|berbunyi|bertuliskan)\b",
    re.IGNORECASE,
)
_MIN_WORDS_UNATTRIBUTED = 5
_MAX_PHRASE_WORDS = 9


@dataclass(slots=True)
class Attribution:
    verb: str
    surface: str | None  # the speaker as written; None for a pronoun or -nya
    pronoun: bool = False


#: Where a speaker phrase ends: punctuation, a sentence end, also one that lost its space; not
#: the period of an initial ("Rahmat S. Hidayat": a lone capital before it).
_PHRASE_END = re.compile(r"[,;:!?“”\"\n]|(?<!\b[A-Z])\.(?:\s|$)|(?<=[a-z]{3})\.(?=[A-Z])")


def _phrase(rest: str) -> str | None:
    """The speaker phrase at the start of ``rest`` (text after a reporting verb). It ends at a
    sentence end, also one that lost its space ("ucap Dani.Berdasarkan ..."): a period between a
    lower-case word and a capital; initials ("J.K. Rowling") keep theirs."""
    rest = rest.lstrip(" :")
    words = re.findall(r"[^\s,.;:!?“”\"]+(?:\.(?=[A-Z]))?", _PHRASE_END.split(rest, maxsplit=1)[0])
    if not words:
        return None
    if words[0][:1].isupper() or words[0][:1] == "(":
        run = []
        for word in words:
            # lower-case role words go on a capitalised phrase: "Juru bicara Dewan Keamanan ... John Kirby"
            if word[:1].isupper() or word[:1] == "(" or word[:1].isdigit() and run or word in LOWER_ROLE:
                run.append(word)
            else:
                break
        while run and run[-1] in LOWER_ROLE and run[-1] != "pemerintah":
            run.pop()
        return " ".join(run)
    phrase = []
    for word in words[:_MAX_PHRASE_WORDS]:
        if word.casefold() in _PHRASE_STOP and phrase:
            break
        phrase.append(word)
    return " ".join(phrase)


def _after_attribution(after: str) -> Attribution | None:
    match = _AFTER.match(after) or _AFTER_DEMIKIAN.match(after) or _AFTER_PASSIVE.match(after)
    if not match:
        return None
    return _attribution_from(match)


def _attribution_from(match: re.Match[str]) -> Attribution | None:
    verb = match.group("verb").casefold().strip()
    if match.groupdict().get("nya"):  # "-nya" after the verb ("ujarnya"); the passive pattern has none
        return Attribution(verb, None, pronoun=True)
    phrase = _phrase(match.group("rest"))
    if not phrase:
        return None
    if phrase.split()[0].casefold() in _PRONOUNS:
        return Attribution(verb, None, pronoun=True)
    return Attribution(verb, phrase)


_SKIP_SEGMENT = re.compile(
    r"^(?:dalam|di|pada|saat|ketika|sementara|namun|tetapi|tapi|sebelumnya|kemudian|selain|usai|setelah|"
    r"sebagai|dengan|menanggapi|terkait|soal|adapun|lebih|bahkan|sedangkan|secara|kepada|di sisi|lewat|melalui|"
    r"via|mengenai|tentang|seusai|sesudah|selama|sejak|meski|meskipun|walau|walaupun|jika|kalau|apabila|"
    r"berdasarkan|atas|bagi|dari|begitu)\b",
    re.IGNORECASE,
)


# Lower-case words that start a speaker phrase ("seorang pejabat", "para analis", "juru bicara ...").
_SPEAKER_HEADS = frozenset(
    "seorang para juru menteri presiden analis pakar pejabat peneliti kepala duta wakil pengamat dosen "
    "profesor anggota media kantor sumber laporan pemerintah militer kementerian badan pihak perdana "
    "pemimpin ketua direktur jenderal komandan panglima diplomat utusan".split()
)
_CLAUSE = re.compile(r"\b(?:tetapi|namun|sedangkan|sementara|karena|setelah|ketika|saat|bahwa|dengan|sambil)\b", re.IGNORECASE)


#: Determiners that open a subject phrase naming nobody ("Salah satu warga", "Seorang saksi",
#: "Para korban"), capitalised only because they start the sentence.
_GENERIC_OPENERS = frozenset("salah seorang sejumlah beberapa para sebagian banyak semua setiap tiap kebanyakan".split())
#: "Seorang saksi yang bernama X": the phrase gives the speaker's name after it.
_NAMED_AS = re.compile(r"\b(?:bernama|berinisial)\s+(?P<name>[A-Z][^,;:]*)")


def _generic_subject(segment: str, context: Context | None) -> str | None:
    """A sentence-initial subject phrase that names nobody, in lower case ("Salah satu
    tetangganya" -> "salah satu tetangganya"): its first word is a determiner, a noun with the
    possessive -nya, or a word the text also writes in lower case, it is followed by a lower-case
    word, and it is no part of a recognised name. None for anything else."""
    words = segment.split()
    if context is None or not words or not words[0][:1].isupper() or len(words) > 1 and not words[1][:1].islower():
        return None
    first = words[0].casefold()
    if words[0] in context.name_words or not (
            first in _GENERIC_OPENERS or first.endswith("nya") and len(first) > 5 or first in context.lower_words):
        return None
    return _phrase(first + segment.lstrip()[len(first):])


def _subject(region: str, context: Context | None = None) -> str | None:
    """The speaker at the head of the clause ``region`` that ends where its reporting verb starts."""
    clause = _CLAUSE.split(region)[-1]  # "KCNA tidak ... tetapi menteri X dilaporkan mengatakan"
    if clause.strip(" ,"):
        region = clause
    segments = [s.strip() for s in re.split(r"[,;]", region) if s.strip()]
    for n, segment in enumerate(segments):
        if _SKIP_SEGMENT.match(segment) and len(segments) > 1:
            continue
        words = segment.split()
        while words and words[0].casefold().strip(",") in LEAD_WORDS:
            words.pop(0)  # "Namun bulan lalu Kim Jong Un menyerukan ..."
        if not words:
            continue  # a time or connector segment: "Dua pekan lalu, KCNA menyebut ..."
        segment = " ".join(words)
        if words and words[0].casefold() in _PRONOUNS:
            return ""
        if words[0][:1].islower() and words[0] not in _SPEAKER_HEADS and n + 1 < len(segments):
            continue  # "melakukan inspeksi ..., Kim mengatakan": not a speaker phrase
        named = _NAMED_AS.search(segment)
        if named:
            return _phrase(named.group("name"))
        generic = _generic_subject(segment, context)
        if generic:
            return generic
        phrase = _phrase(segment)
        # "menteri pertahanan Korea Utara, Kang Sun Nam, mengatakan": the apposition names him
        if phrase and person_name(phrase) is None and n + 1 < len(segments):
            apposition = _phrase(segments[n + 1])
            if apposition and apposition[:1].isupper() and person_name(apposition):
                return apposition
        return phrase
    return None


def _before_attribution(before: str, context: Context | None = None) -> Attribution | None:
    """Attribution in the quote's sentence before the opening mark."""
    match = _BEFORE.search(before)
    if match:
        verb = match.group("verb").casefold()
        region = before[: match.start()]
        subject = _subject(region, context)
        if subject == "":
            return Attribution(verb, None, pronoun=True)
        if subject:
            return Attribution(verb, subject)
    if re.search(r"(?:^|[,;]\s*)menurutnya\b", before, re.IGNORECASE):
        return Attribution("menurut", None, pronoun=True)
    lead = _MENURUT_LEAD.search(before)
    if lead:
        phrase = _phrase(lead.group("who"))
        if phrase:
            if phrase.split()[0].casefold() in _PRONOUNS:
                return Attribution("menurut", None, pronoun=True)
            return Attribution("menurut", phrase)
    kata_lead = re.search(r"(?:^|\s)(?P<verb>kata|ujar|tegas)\s+(?P<rest>[^,:]+)[,:]\s*$", before, re.IGNORECASE)
    if kata_lead:
        phrase = _phrase(kata_lead.group("rest"))
        if phrase:
            return Attribution(kata_lead.group("verb").casefold(), phrase)
    return None


def _in_sentence_attribution(before: str, context: Context | None = None) -> Attribution | None:
    """The subject of the last reporting verb earlier in the quote's sentence, if any."""
    verbs = list(_IN_SENTENCE.finditer(before))
    if not verbs:
        return None
    verb = verbs[-1]
    region = before[: verb.start()]
    if region.rstrip().endswith(","):
        # "Korea Utara telah bersekutu dengan Rusia ..., bersikeras bahwa "...": a verb right
        # after a comma goes on with the sentence's own subject, not the last clause's noun.
        region = _CLAUSE.split(region)[0]
    subject = _subject(region, context)
    if subject == "":
        return Attribution(verb.group(0).casefold(), None, pronoun=True)
    return Attribution(verb.group(0).casefold(), subject) if subject else None


def _knowledge_base() -> Any:
    """The entity knowledge base (shipped plus the run's ``[enrich] knowledge_base`` files), or
    None when a user file is broken: quotes work without linked speakers."""
    try:
        return load_kb(current_settings().knowledge_base)  # cached per set of files and their mtimes
    except Exception as exc:  # a broken user KB file must not stop quotes
        LOGGER.warning("knowledge base unavailable for quote speakers: %s", exc)
        return None


def link_speaker(names: list[str]) -> str | None:
    """The entity id of the first of ``names`` the knowledge base links, else None."""
    kb = _knowledge_base()
    if kb is None:
        return None
    for name in names:
        if not name:
            continue
        entity = kb.link(name)
        if entity is None:
            continue
        # link() also matches an alias at the end of a phrase: fine for "analis Cheong" but
        # "seorang pejabat dari kementerian unifikasi Seoul" is not Seoul speaking. A place
        # speaks only when named alone ("Pyongyang mengatakan ...").
        if getattr(entity, "type", None) == "place":
            own = {n.casefold() for n in (entity.name, *getattr(entity, "aliases", ()))}
            if name.casefold().strip() not in own:
                continue
        return getattr(entity, "entity_id", None) or getattr(entity, "wikidata_id", None)
    return None


#: Nouns that describe someone already named ("kata pria itu", "tambah raksasa elektronik asal
#: Korea Selatan ini", "kata politisi Partai Hanura itu"): the speaker is the one named before.
_DESCRIPTOR_HEADS = frozenset("pria wanita perempuan lelaki sosok pemuda politisi politikus mantan "
                              "raksasa perusahaan pabrikan produsen operator klub tim pihak lembaga sang".split())
_DEMONSTRATIVE_END = re.compile(r"\b(?:ini|itu|tersebut)\s*$", re.IGNORECASE)


def _names(text: str, work: ArticleWork | None = None) -> list[Any]:
    """People and organisations named in ``text`` (tasks.mentions: KB, learned NER, rules), by
    position; [] without a knowledge base. ``find_mentions(text, kb)``, through the article's
    shared work when given (the entities enricher finds the same mentions)."""
    kb = _knowledge_base()
    if kb is None:
        return []
    return [m for m in text_mentions(text, kb, work).mentions() if m.type in ("person", "organization")]


def _is_descriptor(phrase: str) -> bool:
    words = phrase.split()
    # "tim Project Zero", "operator Telkomsel": the head word is followed by the name itself
    named = any(w[:1].isupper() for w in words[1:])
    return bool(words) and words[0][:1].islower() and (
        words[0].casefold() in _DESCRIPTOR_HEADS and not named or bool(_DEMONSTRATIVE_END.search(phrase)))


def _named_in(phrase: str, names: list[Any], lo: int, hi: int) -> str | None:
    """The person (else organisation) a speaker phrase names, among the names found in
    ``text[lo:hi]``: "Kasat Reskrim Polres Lhokseumawe AKP Yasir" -> "Yasir"."""
    inside = [m for m in names if lo <= m.char_start < hi and m.surface in phrase]
    for kind in ("person", "organization"):
        found = [m for m in inside if m.type == kind]
        if found:
            best = max(found, key=lambda m: (m.char_end - m.char_start, m.char_start))
            # a body named as written ("sebut KCNA") stays as written; a person gets the full name
            return best.surface if kind == "organization" and best.surface == phrase.strip() else full_name(best)
    return None


def _refine(row: dict[str, Any], names: list[Any], lo: int, hi: int, side: str, last: dict[str, Any] | None,
            text: str, quote_start: int) -> None:
    """Sharpen a named attribution with the recognised names around it: the person inside a long
    role phrase, the person in apposition after it ("kata Kasubdit ..., AKBP Ferdiyan Fahmi, di ..."),
    and descriptions of someone named before ("kata pria itu")."""
    phrase = row["speaker_surface"] or ""
    if _is_descriptor(phrase):
        before = [m for m in names if m.char_end <= quote_start]
        if last is not None and last.get("speaker_text"):
            row["speaker_text"], row["speaker_entity_id"] = last["speaker_text"], last["speaker_entity_id"]
        elif before:
            row["speaker_text"] = full_name(before[-1])
            row["speaker_entity_id"] = link_speaker([row["speaker_text"]])
        return
    person = _named_in(phrase, names, lo, hi)
    if person is None or not any(m.type == "person" and m.surface in phrase for m in names if lo <= m.char_start < hi):
        # a role phrase without a person: a person in apposition right after it, same sentence
        window = [m for m in names if lo <= m.char_start < hi and m.type == "person"]
        at = text.find(phrase, lo, hi) if phrase else -1
        if window and side == "after" and at >= 0 and APPOSITION_GAP.fullmatch(text, at + len(phrase), window[0].char_start):
            person = full_name(window[0])
    if person and len(person.split()) == 1:
        person = nickname_of(text, person, quote_start) or person  # "Dani", given as a nickname earlier
    resolved = (row["speaker_text"] or "").split()
    if person and len(clean_name(phrase).split()) == 1 and len(resolved) >= 2 and not set(resolved) <= set(person.split()):
        # "Sin" already resolved to "Sin Hong Chol" by the text: the full name beats its partial
        # span, and a full name the text gives beats another the short form might also be
        return
    if person and person != row["speaker_text"]:
        row["speaker_text"] = person
        row["speaker_entity_id"] = link_speaker([person])


def _sentence_end(text: str, position: int) -> int:
    match = re.search(r"[.!?](?=\s|$)|(?<=[a-z]{3})\.(?=[A-Z])|\n", text[position:position + 300])
    return position + (match.start() if match else min(300, len(text) - position))


#: A quote whose opening mark was lost: 'Dia berkata, saya pikir ... mengancam”.' in a paragraph
#: with no opening mark: the quote runs from the reporting verb's comma or colon to the mark.
_LOST_OPENING = re.compile(
    rf"\b(?:{BEFORE_VERBS})(?:\s+bahwa)?\s*[,:]\s*(?P<quote>[^“”\"\n]{{12,}}?)”", re.IGNORECASE)


class _Span:
    """A quote found without its opening mark, shaped like a ``_QUOTE`` match (group 2 the quote)."""

    def __init__(self, start: int, quote_start: int, quote: str, end: int) -> None:
        self._start, self._quote_start, self._quote, self._end = start, quote_start, quote, end

    def start(self, group: int = 0) -> int:
        return self._quote_start if group else self._start

    def end(self) -> int:
        return self._end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def group(self, group: int) -> str:
        return self._quote


def _lost_openings(text: str) -> list[_Span]:
    """Quotes of paragraphs that hold a closing ” and no opening mark at all."""
    spans = []
    for paragraph in re.finditer(r"[^\n]+", text):
        line = paragraph.group()
        if "”" not in line or "“" in line or '"' in line or "„" in line:
            continue
        for match in _LOST_OPENING.finditer(line):
            at = paragraph.start() + match.start("quote")
            spans.append(_Span(at, at, match.group("quote"), paragraph.start() + match.end()))
    return spans


def extract_quotes(text: str, work: ArticleWork | None = None) -> list[dict[str, Any]]:
    """Quotes of ``text`` with resolved speakers: dicts of the ``quotes`` table without article_id
    (``work``: the article's shared work, tasks/enrich.py)."""
    names = join_initials(text, _names(text, work))
    context = Context(text, names)
    rows: list[dict[str, Any]] = []
    last_named: dict[str, Any] | None = None
    previous_end, previous_closed = -1, False
    matches = sorted([*_QUOTE.finditer(text), *_lost_openings(text)], key=lambda m: m.start())
    quote_spans = [m.span() for m in matches]
    for match in matches:
        raw = match.group(2)
        quote = raw.strip(" ,.")
        start = match.start(2) + len(raw) - len(raw.lstrip(" ,."))
        end = start + len(quote)
        attribution = _after_attribution(text[match.end(): match.end() + 300])
        side = "after"
        if attribution is None:
            side = "before"
            sentence = sentence_start(text, match.start())
            attribution = _before_attribution(text[sentence: match.start()], context)
        if attribution is None:
            tail = _SENTENCE_END_ATTRIBUTION.match(text, match.end())
            if tail:
                attribution = _attribution_from(tail)
        if attribution is None:
            attribution = _in_sentence_attribution(text[sentence_start(text, match.start()): match.start()], context)
        words = len(quote.split())
        row: dict[str, Any] = {
            "quote": quote, "char_start": start, "char_end": end, "verb": None,
            "speaker_surface": None, "speaker_text": None, "speaker_entity_id": None,
        }
        if attribution is None:
            if words < _MIN_WORDS_UNATTRIBUTED:
                continue  # a scare quote or a title, not reported speech
            # a quote paragraph right after another quote goes on with the same speaker, unless
            # the words between name someone ("Satu komplain pun datang dari Helen Bond, wanita
            # ... . "Ini ...""): then the quote is the first person they name
            gap = text[previous_end:match.start()] if previous_end >= 0 else None
            if rows and gap is not None and gap.count("\n") <= 1 and len(gap) < 400:
                # (after the sentence the previous quote ends, where its own speaker is named, or
                # right after the quote when its own full stop closed it)
                after = previous_end if previous_closed else _sentence_end(text, previous_end)
                introduced = next((m for m in names if m.type == "person" and after <= m.char_start < match.start()
                                   and full_name(m) != rows[-1]["speaker_text"]), None)
                if introduced is not None:
                    named = person_part(full_name(introduced), text)
                    row.update(verb="introduced", speaker_surface=introduced.surface, speaker_text=named,
                               speaker_entity_id=link_speaker([named]))
                else:
                    for key in ("speaker_text", "speaker_entity_id", "speaker_surface"):
                        row[key] = rows[-1][key]
                    row["verb"] = "continued"
        elif attribution.pronoun:
            row["verb"] = attribution.verb
            row["speaker_surface"] = "-nya" if attribution.surface is None else attribution.surface
            # "Analis X menilai ... "...," ujarnya": -nya is the subject named last before the
            # quote, unless a quote attributed by name came after that name
            row["speaker_text"], row["speaker_entity_id"] = pronoun_speaker(context, match.start(), quote_spans, last_named, link_speaker)
        else:
            surface = attribution.surface or ""
            name = clean_name(surface)
            full = resolve_short_name(text, name, match.start()) if len(name.split()) == 1 else name
            row.update(verb=attribution.verb, speaker_surface=surface, speaker_text=full)
            row["speaker_entity_id"] = link_speaker([full, name, surface])
            if side == "after":
                lo, hi = match.end(), _sentence_end(text, match.end())
            else:
                lo, hi = sentence_start(text, match.start()), match.start()
            _refine(row, names, lo, hi, side, last_named, text, match.start())
            person = person_part(row["speaker_text"] or "", text)
            if person and person != row["speaker_text"]:
                row["speaker_text"], row["speaker_entity_id"] = person, link_speaker([person])
            last_named = row
        previous_end, previous_closed = match.end(), raw.rstrip()[-1:] in ".!?"
        rows.append(row)
    return rows


class QuotesEnricher:
    """Direct quotes with their speakers (view ``quotes``)."""

    name = "quotes"
    RULES_VERSION = "8"  # 8: a hand-wrapped line break in mid-sentence does not end a quote, "menandaskan"/"tandas" report speech, a vocative ("Wahai X") and religious titles are not a speaker's name; 7: a kin description opening a sentence ("Kakak X ini") stands for the subject named before it, a later reference to a person after "film" is the person, an unattributed quote after a sentence naming someone is theirs (not a continuation); 6: the mentions its speakers read changed (tasks/enrichers/entities.py RULES_VERSION 9)
    # 5: "-nya" to the named subject, nameless subject phrases, passive agents, captions,
    # organisations cut off a speaker's name, full names over partial spans (issue 14)
    # 4: a quote that lost its opening mark, "..., bersikeras bahwa" and "menetapkan ... sebagai" partial quotes
    # 3: nicknames ("akrab disapa Dani"), sentence ends without a space, "demikian pernyataan X"

    @property
    def version(self) -> str:
        """The rules' version, plus what the text's mentions depend on (the mention rules, the NER
        model, the gazetteer: speakers are found among those mentions) and the knowledge base's
        fingerprint when speakers are linked: a change to any of them re-runs quotes over old
        articles too."""
        version = f"{self.RULES_VERSION}+mentions.{mention_inputs()}"
        fingerprint = getattr(_knowledge_base(), "fingerprint", None)
        return f"{version}+kb.{fingerprint}" if fingerprint else version

    fields: tuple[str, ...] = ()
    tables = ("quotes",)
    #: the mentions of the text are shared with the entities enricher (tasks/enrich.py ArticleWork)
    uses_work = True

    def enrich(self, article: Article, work: ArticleWork | None = None) -> Enrichment:
        return Enrichment(rows={"quotes": extract_quotes(article.text, work)})


register(QuotesEnricher())

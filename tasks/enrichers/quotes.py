"""Direct quotes and their speakers, from Indonesian reporting patterns.

In: an Article. Out: ``Enrichment(rows={"quotes": [...]})``, one row per quote in straight or
typographic marks with its speaker. Attribution is looked for, in order:
1. right after the closing mark: ``"...," kata X`` (ujar, ucap, tegas, sebut, jelas, lapor,
   tambahnya, katanya, menurut X ...);
2. right before the opening mark: ``X mengatakan, "..."``, ``Menurut X, "..."``, ``Kata X: "..."``;
3. at the end of the quote's sentence: ``"..." bagi kami, kata X.``;
4. a long unattributed quote right after another one continues that quote's speaker.
Pronouns (dia, ia, -nya) resolve to the last named speaker; surnames ("Cheong", "Kim") to the
full name introduced earlier in the article. Scare quotes (short, unattributed) are skipped.
A paragraph whose opening mark was lost ('Dia berkata, saya pikir ...”.') still gives its quote.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from kabar.models import Article
from tasks.enrich import ArticleWork, Enrichment, current_settings, register
from tasks.entities import load_kb
from tasks.mentions import text_mentions
from tasks.person_names import clean_name, last_person_before, nickname_of, person_name, resolve_short_name

LOGGER = logging.getLogger(__name__)

# A pair of marks inside one paragraph; straight marks pair up in order of appearance.
_QUOTE = re.compile(r"(“|\"|„)([^“”\"\n]{2,}?)(”|\"|“)")
_AFTER_VERBS = (
    "kata|ujar|ucap|tegas|sebut|jelas|tutur|ungkap|imbuh|lanjut|papar|terang|tulis|lapor|tambah|"
    "pungkas|seru|klaim|bilang|cetus|timpal|menurut"
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
_BEFORE_VERBS = (
    "mengatakan|berkata|menegaskan|menambahkan|menyatakan|menjelaskan|mengungkapkan|menyebut|"
    "menyebutkan|menuturkan|mengklaim|memperingatkan|menulis|melaporkan|menyampaikan|menekankan|"
    "mengingatkan|bertanya|menjawab|berujar|membalas|menimpali|menyahut|mengumumkan|berpesan|berseru"
)
_BEFORE = re.compile(rf"(?P<verb>\b(?:{_BEFORE_VERBS}))(?:\s+bahwa)?\s*[,:]?\s*$", re.IGNORECASE)
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
_LOWER_ROLE = {"pemerintah", "juru", "bicara", "besar", "luar", "negeri", "menteri", "jenderal", "bersama", "staf", "gabungan", "untuk"}
# Verbs that, earlier in a quote's sentence, make its subject the speaker of a partial quote:
# "Kirby menyebut transfer itu "eskalasi yang signifikan"".
_IN_SENTENCE = re.compile(
    rf"\b(?:{_BEFORE_VERBS}|menyebut|menilai|menjawab|menyerukan|menggambarkan|mengecam|menuduh|"
    r"menyebutnya|berjanji|mengancam|mengimbau|mendesak|memuji|mengkritik|menamai|menjuluki|bersikeras|"
    r"menetapkan)\b",
    re.IGNORECASE,
)
_MIN_WORDS_UNATTRIBUTED = 5
_MAX_PHRASE_WORDS = 9


@dataclass(slots=True)
class Attribution:
    verb: str
    surface: str | None  # the speaker as written; None for a pronoun or -nya
    pronoun: bool = False


def _phrase(rest: str) -> str | None:
    """The speaker phrase at the start of ``rest`` (text after a reporting verb). It ends at a
    sentence end, also one that lost its space ("ucap Dani.Berdasarkan ..."): a period between a
    lower-case word and a capital; initials ("J.K. Rowling") keep theirs."""
    rest = rest.lstrip(" :")
    words = re.findall(r"[^\s,.;:!?“”\"]+(?:\.(?=[A-Z]))?", re.split(r"[,;:!?“”\"\n]|\.(?:\s|$)|(?<=[a-z]{3})\.(?=[A-Z])", rest, maxsplit=1)[0])
    if not words:
        return None
    if words[0][:1].isupper() or words[0][:1] == "(":
        run = []
        for word in words:
            # lower-case role words go on a capitalised phrase: "Juru bicara Dewan Keamanan ... John Kirby"
            if word[:1].isupper() or word[:1] == "(" or word[:1].isdigit() and run or word in _LOWER_ROLE:
                run.append(word)
            else:
                break
        while run and run[-1] in _LOWER_ROLE and run[-1] != "pemerintah":
            run.pop()
        return " ".join(run)
    phrase = []
    for word in words[:_MAX_PHRASE_WORDS]:
        if word.casefold() in _PHRASE_STOP and phrase:
            break
        phrase.append(word)
    return " ".join(phrase)


def _after_attribution(after: str) -> Attribution | None:
    match = _AFTER.match(after) or _AFTER_DEMIKIAN.match(after)
    if not match:
        return None
    return _attribution_from(match)


def _attribution_from(match: re.Match[str]) -> Attribution | None:
    verb = match.group("verb").casefold()
    if match.group("nya"):
        return Attribution(verb, None, pronoun=True)
    phrase = _phrase(match.group("rest"))
    if not phrase:
        return None
    if phrase.split()[0].casefold() in _PRONOUNS:
        return Attribution(verb, None, pronoun=True)
    return Attribution(verb, phrase)


_LEAD_WORDS = frozenset(
    "namun tetapi tapi sementara itu kemudian lalu bulan pekan minggu tahun kemarin sebelumnya selain bahkan "
    "pun juga pada hari dan senin selasa rabu kamis jumat sabtu ini akhirnya kini lalu dua tiga empat lima "
    "enam tujuh delapan sembilan sepuluh beberapa".split()
)
_SKIP_SEGMENT = re.compile(
    r"^(?:dalam|di|pada|saat|ketika|sementara|namun|tetapi|tapi|sebelumnya|kemudian|selain|usai|setelah|"
    r"sebagai|dengan|menanggapi|terkait|soal|adapun|lebih|bahkan|sedangkan|secara|kepada|di sisi)\b",
    re.IGNORECASE,
)


# Lower-case words that start a speaker phrase ("seorang pejabat", "para analis", "juru bicara ...").
_SPEAKER_HEADS = frozenset(
    "seorang para juru menteri presiden analis pakar pejabat peneliti kepala duta wakil pengamat dosen "
    "profesor anggota media kantor sumber laporan pemerintah militer kementerian badan pihak perdana "
    "pemimpin ketua direktur jenderal komandan panglima diplomat utusan".split()
)
_CLAUSE = re.compile(r"\b(?:tetapi|namun|sedangkan|sementara|karena|setelah|ketika|saat|bahwa|dengan|sambil)\b", re.IGNORECASE)


def _subject(region: str) -> str | None:
    """The speaker at the head of the clause ``region`` that ends where its reporting verb starts."""
    clause = _CLAUSE.split(region)[-1]  # "KCNA tidak ... tetapi menteri X dilaporkan mengatakan"
    if clause.strip(" ,"):
        region = clause
    segments = [s.strip() for s in re.split(r"[,;]", region) if s.strip()]
    for n, segment in enumerate(segments):
        if _SKIP_SEGMENT.match(segment) and len(segments) > 1:
            continue
        words = segment.split()
        while words and words[0].casefold().strip(",") in _LEAD_WORDS:
            words.pop(0)  # "Namun bulan lalu Kim Jong Un menyerukan ..."
        if not words:
            continue  # a time or connector segment: "Dua pekan lalu, KCNA menyebut ..."
        segment = " ".join(words)
        if words and words[0].casefold() in _PRONOUNS:
            return ""
        if words[0][:1].islower() and words[0] not in _SPEAKER_HEADS and n + 1 < len(segments):
            continue  # "melakukan inspeksi ..., Kim mengatakan": not a speaker phrase
        phrase = _phrase(segment)
        # "menteri pertahanan Korea Utara, Kang Sun Nam, mengatakan": the apposition names him
        if phrase and person_name(phrase) is None and n + 1 < len(segments):
            apposition = _phrase(segments[n + 1])
            if apposition and apposition[:1].isupper() and person_name(apposition):
                return apposition
        return phrase
    return None


def _before_attribution(before: str) -> Attribution | None:
    """Attribution in the quote's sentence before the opening mark."""
    match = _BEFORE.search(before)
    if match:
        verb = match.group("verb").casefold()
        region = before[: match.start()]
        subject = _subject(region)
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


def _in_sentence_attribution(before: str) -> Attribution | None:
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
    subject = _subject(region)
    if subject == "":
        return Attribution(verb.group(0).casefold(), None, pronoun=True)
    return Attribution(verb.group(0).casefold(), subject) if subject else None


_SENTENCE_BREAK = re.compile(r"[.!?][”\"]?\s+(?=[A-Z“\"])")


def _sentence_start(text: str, position: int) -> int:
    """Start of the sentence holding ``position``: after the last sentence end or newline before it."""
    start = text.rfind("\n", 0, position) + 1
    for match in _SENTENCE_BREAK.finditer(text, start, position):
        start = match.end()
    return start


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
                              "raksasa perusahaan pabrikan produsen operator klub tim pihak lembaga".split())
_DEMONSTRATIVE_END = re.compile(r"\b(?:ini|itu|tersebut)\s*$", re.IGNORECASE)


def _names(text: str, work: ArticleWork | None = None) -> list[Any]:
    """People and organisations named in ``text`` (tasks.mentions: KB, learned NER, rules), by
    position; [] without a knowledge base. ``find_mentions(text, kb)``, through the article's
    shared work when given (the entities enricher finds the same mentions)."""
    kb = _knowledge_base()
    if kb is None:
        return []
    return [m for m in text_mentions(text, kb, work).mentions() if m.type in ("person", "organization")]


def _full(m: Any) -> str:
    return m.canonical or m.surface


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
            return best.surface if kind == "organization" and best.surface == phrase.strip() else _full(best)
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
            row["speaker_text"] = _full(before[-1])
            row["speaker_entity_id"] = link_speaker([row["speaker_text"]])
        return
    person = _named_in(phrase, names, lo, hi)
    if person is None or not any(m.type == "person" and m.surface in phrase for m in names if lo <= m.char_start < hi):
        # a role phrase without a person: a person in apposition right after it, same sentence
        window = [m for m in names if lo <= m.char_start < hi and m.type == "person"]
        if window and side == "after":
            person = _full(window[0])
    if person and len(person.split()) == 1:
        person = nickname_of(text, person, quote_start) or person  # "Dani", given as a nickname earlier
    if person and person != row["speaker_text"]:
        row["speaker_text"] = person
        row["speaker_entity_id"] = link_speaker([person])


def _sentence_end(text: str, position: int) -> int:
    match = re.search(r"[.!?](?=\s|$)|\n", text[position:position + 300])
    return position + (match.start() if match else min(300, len(text) - position))


#: A quote whose opening mark was lost: 'Dia berkata, saya pikir ... mengancam”.' in a paragraph
#: with no opening mark: the quote runs from the reporting verb's comma or colon to the mark.
_LOST_OPENING = re.compile(
    rf"\b(?:{_BEFORE_VERBS})(?:\s+bahwa)?\s*[,:]\s*(?P<quote>[^“”\"\n]{{12,}}?)”", re.IGNORECASE)


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
    names = _names(text, work)
    rows: list[dict[str, Any]] = []
    last_named: dict[str, Any] | None = None
    previous_end = -1
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
            sentence = _sentence_start(text, match.start())
            attribution = _before_attribution(text[sentence: match.start()])
        if attribution is None:
            tail = _SENTENCE_END_ATTRIBUTION.match(text, match.end())
            if tail:
                attribution = _attribution_from(tail)
        if attribution is None:
            attribution = _in_sentence_attribution(text[_sentence_start(text, match.start()): match.start()])
        words = len(quote.split())
        row: dict[str, Any] = {
            "quote": quote, "char_start": start, "char_end": end, "verb": None,
            "speaker_surface": None, "speaker_text": None, "speaker_entity_id": None,
        }
        if attribution is None:
            if words < _MIN_WORDS_UNATTRIBUTED:
                continue  # a scare quote or a title, not reported speech
            # a quote paragraph right after another quote goes on with the same speaker
            gap = text[previous_end:match.start()] if previous_end >= 0 else None
            if rows and gap is not None and gap.count("\n") <= 1 and len(gap) < 400:
                for key in ("speaker_text", "speaker_entity_id", "speaker_surface"):
                    row[key] = rows[-1][key]
                row["verb"] = "continued"
        elif attribution.pronoun:
            row["verb"] = attribution.verb
            row["speaker_surface"] = "-nya" if attribution.surface is None else attribution.surface
            # "Analis X menilai ... "...," ujarnya": -nya is the person named last before the quote
            # in its paragraph, unless a quote attributed by name came after that name.
            paragraph = text.rfind("\n", 0, match.start()) + 1
            person = last_person_before(text, paragraph, match.start(), quote_spans)
            # a person the NER/KB names after that one, still before the quote, is nearer
            recognised = [m for m in names if m.type == "person" and m.char_end <= match.start()
                          and not any(a <= m.char_start < b for a, b in quote_spans)]
            if recognised and (person is None or recognised[-1].char_start > person[0]) and recognised[-1].char_start >= paragraph:
                person = (recognised[-1].char_start, _full(recognised[-1]))
            if person and (last_named is None or person[0] > last_named["char_end"]):
                row["speaker_text"] = person[1]
                row["speaker_entity_id"] = link_speaker([person[1]])
            elif last_named is not None:
                row["speaker_text"] = last_named["speaker_text"]
                row["speaker_entity_id"] = last_named["speaker_entity_id"]
            else:  # no one quoted yet: the last person named anywhere before
                person = last_person_before(text, 0, match.start(), quote_spans)
                if person:
                    row["speaker_text"] = person[1]
                    row["speaker_entity_id"] = link_speaker([person[1]])
        else:
            surface = attribution.surface or ""
            name = clean_name(surface)
            full = resolve_short_name(text, name, match.start()) if len(name.split()) == 1 else name
            row.update(verb=attribution.verb, speaker_surface=surface, speaker_text=full)
            row["speaker_entity_id"] = link_speaker([full, name, surface])
            if side == "after":
                lo, hi = match.end(), _sentence_end(text, match.end())
            else:
                lo, hi = _sentence_start(text, match.start()), match.start()
            _refine(row, names, lo, hi, side, last_named, text, match.start())
            last_named = row
        previous_end = match.end()
        rows.append(row)
    return rows


class QuotesEnricher:
    """Direct quotes with their speakers (view ``quotes``)."""

    name = "quotes"
    RULES_VERSION = "4"  # 4: a quote that lost its opening mark, "..., bersikeras bahwa" and "menetapkan ... sebagai" partial quotes
    # 3: nicknames ("akrab disapa Dani"), sentence ends without a space, "demikian pernyataan X"

    @property
    def version(self) -> str:
        """The rules' version, plus the knowledge base's fingerprint when speakers are linked:
        an edited knowledge base re-runs quotes over old articles too."""
        kb = _knowledge_base()
        fingerprint = getattr(kb, "fingerprint", None)
        return f"{self.RULES_VERSION}+kb.{fingerprint}" if fingerprint else self.RULES_VERSION

    fields: tuple[str, ...] = ()
    tables = ("quotes",)
    #: the mentions of the text are shared with the entities enricher (tasks/enrich.py ArticleWork)
    uses_work = True

    def enrich(self, article: Article, work: ArticleWork | None = None) -> Enrichment:
        return Enrichment(rows={"quotes": extract_quotes(article.text, work)})


register(QuotesEnricher())

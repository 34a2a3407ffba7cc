"""Entities: the knowledge base (KB) and finding its entities' mentions in Indonesian text.

The KB ships with the project (``tasks/kb/entities.csv``) and users add their own files (CSV with
the same header, or TOML with ``[[entity]]`` tables; an entity whose ``entity_id`` is already
known replaces it). See docs/enrichment.md for the format.

Public API (other enrichers, e.g. quotes, link speakers through it):

- ``load_kb(extra_paths) -> KnowledgeBase`` (cached per set of files and their modification times)
- ``KnowledgeBase.link(surface) -> Entity | None``
- ``find_mentions(text, kb) -> list[Mention]`` (KB entities, short references within the text,
  and unlinked persons/organisations found by Indonesian cues, with offsets into ``text``)

Matching works on word tokens folded for spelling variants (case, accents, y/i, doubled letters;
hyphen or space between name parts), through one token trie, so the cost per article does not
grow with the number of aliases.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import logging
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal

from kabar.config import ConfigError

LOGGER = logging.getLogger(__name__)

KB_DIR = Path(__file__).parent / "kb"
SHIPPED_KB = KB_DIR / "entities.csv"
EntityType = Literal["person", "organization", "place"]
ENTITY_TYPES = ("person", "organization", "place")
KB_COLUMNS = ("entity_id", "name", "type", "wikidata_id", "country", "lat", "lon", "aliases")


class KnowledgeBaseError(ConfigError):
    """A bad knowledge-base file; the message names the file, the row and the problem."""


@dataclass(frozen=True, slots=True)
class Entity:
    entity_id: str
    name: str
    type: EntityType
    wikidata_id: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Mention:
    """A name in a text: ``text[char_start:char_end] == surface``; ``entity_id`` None when unlinked.
    A place of the article's dateline, which the normaliser cut from the text, has no offsets
    (``char_start``/``char_end`` None, ``found_in == "dateline"``: tasks/place_mentions.py)."""

    entity_id: str | None
    surface: str
    char_start: int | None
    char_end: int | None
    type: EntityType
    #: for a short or later reference ("Nangoi", "Persib", "KPA"): the full name it refers to
    canonical: str | None = None
    #: "text" (offsets into the text) or "dateline" (no offsets)
    found_in: str = "text"


# --- tokens and spelling folds ------------------------------------------------------------------

TOKEN = re.compile(r"\w+")
# Between two tokens of one name: spaces with at most one hyphen or apostrophe ("Kim Jong-un",
# "People's"), or a bare period inside an abbreviation ("U.S.", "D.C."). Never a sentence break.
_NAME_GAP = re.compile(r"[ \t\u00a0]*[-\u2010\u2011\u2013'\u2019]?[ \t\u00a0]*|\.")
#: A period and spaces after an initial or an abbreviation inside a name ("Wicky V. Olindo",
#: "Kab. Aceh Utara", "Muh. Zohri"): not a sentence break.
_ABBREVIATION_GAP = re.compile(r"\.[ \t\u00a0]+")
NAME_ABBREVIATIONS = frozenset("Kab Kec Kel Prov Jl Muh Moh Mhd Abd".split())
_DOUBLED = re.compile(r"(.)\1+")
_LAST_WORD = re.compile(r"\w+$")


#: Tokens whose folded form stays cached. Issue 11, bounded memory: at the first bound (200,000)
#: this cache filled with a run's vocabulary (about 106,000 distinct tokens in 1,000 real pages,
#: +25 MB of the ingest process; ~45 MB at the bound) and was the main part of the process's
#: plateau rising over its first 1,000-1,500 pages. At 32,768 (+11 MB) the same pages' 800,000
#: token look-ups missed 135,000 times instead of 107,000, about 0.05 CPU s more per 1,000 pages.
FOLD_WORDS = 32_768


@functools.lru_cache(maxsize=FOLD_WORDS)
def fold(token: str) -> str:
    """A token's spelling-variant key: casefolded, accents removed, y read as i, doubled letters
    single (Sergey = Sergei, Zelenskyy = Zelensky, Shoygu = Shoigu, Erdoğan = Erdogan)."""
    text = unicodedata.normalize("NFKD", token.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("y", "i")
    return _DOUBLED.sub(r"\1", text)


def _is_caps(token: str) -> bool:
    return len(token) >= 2 and token.isupper()


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Word tokens of ``text`` as (token, start, end)."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


def folded_tokens(text: str, work: Any = None) -> tuple[list[tuple[str, int, int]], list[str]]:
    """``tokens(text)`` and the ``fold`` of each, computed once per article when the enrich
    stage's per-article ``work`` (tasks/enrich.py ``ArticleWork``) is given: the mention passes
    and the themes cues read the same article text's tokens. Callers must not change the lists."""
    def compute() -> tuple[list[tuple[str, int, int]], list[str]]:
        toks = tokens(text)
        return toks, [fold(t) for t, _, _ in toks]
    return compute() if work is None else work.get(("folded tokens", text), compute)


def is_abbreviation(text: str, end: int) -> bool:
    """Whether the word ending at ``end`` (before a period) is an initial ("V" of "Wicky V.
    Olindo": one capital letter, a word of its own) or one of ``NAME_ABBREVIATIONS``."""
    word = _LAST_WORD.search(text, max(0, end - 5), end)
    if word is None:
        return False
    w = word.group()
    return (len(w) == 1 and w.isupper() and (word.start() == 0 or not text[word.start() - 1].isalnum())) or w in NAME_ABBREVIATIONS


def name_gap_ok(text: str, end: int, start: int) -> bool:
    """Whether ``text[end:start]`` may sit between two tokens of one name. A bare period joins
    only an abbreviation's letters ("U.S.", "D.C.", "Muh.Ali") or a web name ("Liputan6.com"):
    between a longer word and a capital it is a sentence break that lost its space ("ungkap Dani.Tri tidak ..." where two paragraphs were
    run together), not part of a name."""
    if _ABBREVIATION_GAP.fullmatch(text, end, start) is not None:
        return start < len(text) and text[start].isupper() and is_abbreviation(text, end)
    if _NAME_GAP.fullmatch(text, end, start) is None:
        return False
    if text[end:start] == "." and start < len(text) and text[start].isupper():
        word = _LAST_WORD.search(text, max(0, end - 8), end)
        return word is None or len(word.group()) <= 3
    return True


# --- the knowledge base -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Alias:
    entity_id: str
    raw: tuple[str, ...]  # the alias's own tokens, to check exact case where it matters
    capitalised: bool  # the alias starts with a capital: so must its mention


@dataclass
class KnowledgeBase:
    """Entities by id, and a token trie of their folded aliases."""

    entities: dict[str, Entity]
    fingerprint: str
    sources: tuple[str, ...] = ()
    _trie: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entity in self.entities.values():
            for alias in {entity.name, *entity.aliases}:
                self._add(alias, entity.entity_id)

    def _add(self, alias: str, entity_id: str) -> None:
        toks = [t for t, _, _ in tokens(alias)]
        if not toks:
            return
        node = self._trie
        for tok in toks:
            node = node.setdefault(fold(tok), {})
        entry = _Alias(entity_id, tuple(toks), alias.strip()[:1].isupper())
        node.setdefault(None, [])
        if entry not in node[None]:
            node[None].append(entry)

    def get(self, entity_id: str | None) -> Entity | None:
        return self.entities.get(entity_id) if entity_id else None

    def match_at(self, toks: list[tuple[str, int, int]], folded: list[str], i: int, text: str,
                 lowered: bool = False) -> tuple[int, str] | None:
        """The longest alias starting at token ``i``: (tokens used, entity_id), or None.
        ``lowered``: the text has no capitals, so a capitalised alias needs none (``_accepts``)."""
        node = self._trie
        best: tuple[int, str] | None = None
        j = i
        while j < len(toks):
            if j > i and not name_gap_ok(text, toks[j - 1][2], toks[j][1]):
                break
            node = node.get(folded[j])
            if node is None:
                break
            j += 1
            for entry in node.get(None, ()):
                if _accepts(entry, toks[i:j], lowered):
                    best = (j - i, entry.entity_id)
                    break
        return best

    def link(self, surface: str) -> Entity | None:
        """The entity a name refers to (exact alias after spelling folds), else None.

        Also tries the name without a leading role ("Presiden Rusia Vladimir Putin" -> Putin)
        by linking its longest alias-suffix."""
        toks = tokens(surface)
        if not toks:
            return None
        folded = [fold(t) for t, _, _ in toks]
        for i in range(len(toks)):
            hit = self.match_at(toks, folded, i, surface)
            if hit and i + hit[0] == len(toks):
                return self.entities[hit[1]]
        return None


def _accepts(entry: _Alias, surface: list[tuple[str, int, int]], lowered: bool = False) -> bool:
    """Case rules: an all-caps alias token (AS, PBB, KCNA) matches only itself in capitals, so
    "as" or "As" never becomes the United States; a capitalised alias needs a capitalised mention,
    unless the text has no capitals at all (``lowered``: then the recogniser said it is a name)."""
    if entry.capitalised and not lowered and not surface[0][0][:1].isupper():
        return False
    return all(tok == raw or not _is_caps(raw) for raw, (tok, _, _) in zip(entry.raw, surface))


def _float(value: object, where: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise KnowledgeBaseError(f"{where}: {value!r} is not a number") from None


def _entity(row: dict, where: str) -> Entity:
    unknown = set(row) - set(KB_COLUMNS)
    if unknown:
        raise KnowledgeBaseError(f"{where}: unknown key {sorted(unknown)[0]!r}; allowed: {', '.join(KB_COLUMNS)}")
    entity_id = str(row.get("entity_id") or "").strip()
    name = str(row.get("name") or "").strip()
    kind = str(row.get("type") or "").strip()
    if not entity_id or not name:
        raise KnowledgeBaseError(f"{where}: entity_id and name are required")
    if kind not in ENTITY_TYPES:
        raise KnowledgeBaseError(f"{where} ({entity_id}): type {kind!r} is not one of {', '.join(ENTITY_TYPES)}")
    qid = str(row.get("wikidata_id") or "").strip() or None
    if qid and not re.fullmatch(r"Q[1-9][0-9]*", qid):
        raise KnowledgeBaseError(f"{where} ({entity_id}): wikidata_id {qid!r} is not a Wikidata QID like Q423")
    aliases = row.get("aliases") or ()
    if isinstance(aliases, str):
        aliases = [a for a in aliases.split("|")]
    return Entity(
        entity_id=entity_id, name=name, type=kind, wikidata_id=qid,  # type: ignore[arg-type]
        country=str(row.get("country") or "").strip() or None,
        lat=_float(row.get("lat"), where), lon=_float(row.get("lon"), where),
        aliases=tuple(dict.fromkeys(a.strip() for a in aliases if str(a).strip())),
    )


def read_kb_file(path: Path) -> list[Entity]:
    """Entities of one KB file (.csv with the KB header, or .toml with ``[[entity]]``)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeBaseError(f"{path}: cannot read knowledge base ({exc})") from None
    if path.suffix.lower() == ".toml":
        try:
            rows = tomllib.loads(raw).get("entity", [])
        except tomllib.TOMLDecodeError as exc:
            raise KnowledgeBaseError(f"{path}: invalid TOML: {exc}") from None
        return [_entity(row, f"{path}: entity[{n}]") for n, row in enumerate(rows)]
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(raw.splitlines())
        missing = {"entity_id", "name", "type"} - set(reader.fieldnames or ())
        if missing:
            raise KnowledgeBaseError(f"{path}: header lacks {', '.join(sorted(missing))}")
        return [_entity({k: v for k, v in row.items() if k}, f"{path}: line {n + 2}") for n, row in enumerate(reader)]
    raise KnowledgeBaseError(f"{path}: a knowledge base is a .csv or .toml file")


def _file_key(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError as exc:
        raise KnowledgeBaseError(f"{path}: cannot read knowledge base ({exc.strerror or exc})") from None
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def load_kb(extra_paths: Iterable[Path | str] = ()) -> KnowledgeBase:
    """The shipped KB plus the user's files (later files replace entities by id). Cached per
    set of files and their modification times, so an edited file is read again."""
    paths = [SHIPPED_KB, *(Path(p).expanduser() for p in extra_paths)]
    return _load_kb(tuple(_file_key(p) for p in paths))


@functools.lru_cache(maxsize=8)
def _load_kb(keys: tuple[tuple[str, int, int], ...]) -> KnowledgeBase:
    entities: dict[str, Entity] = {}
    digest = hashlib.sha256()
    for name, _, _ in keys:
        path = Path(name)
        digest.update(path.read_bytes())
        for entity in read_kb_file(path):
            entities[entity.entity_id] = entity
    LOGGER.debug("knowledge base: %d entities from %d files", len(entities), len(keys))
    return KnowledgeBase(entities, digest.hexdigest()[:12], tuple(k[0] for k in keys))

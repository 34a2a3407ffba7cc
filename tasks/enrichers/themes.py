"""Themes: which topics of the subject's taxonomy an article is about, by cue terms.

The taxonomy is a TOML file (``tasks/kb/themes.toml``, or the user's ``[enrich] themes`` file):
themes with Indonesian and English cue terms. Cues are matched on folded word tokens through one
dictionary of cue n-grams, so the cost per article does not grow with the number of cues.
Owns ``store.themes``; the version includes the taxonomy file's fingerprint.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from kabar.config import ConfigError
from kabar.models import Article
from tasks.enrich import ArticleWork, Enrichment, current_settings, register
from tasks.entities import fold, folded_tokens, name_gap_ok, tokens

TAXONOMY = Path(__file__).resolve().parent.parent / "kb" / "themes.toml"
RULES_VERSION = "3"  # 3: the taxonomy's [subject] must be named for any theme, co_occur sentences count; 2: requires


@dataclass(frozen=True)
class Taxonomy:
    #: folded cue tokens -> the themes it cues
    cues: dict[tuple[str, ...], tuple[str, ...]]
    min_hits: dict[str, int]
    longest: int
    fingerprint: str
    #: theme -> folded cue tokens of which one must occur (the evidence that can say no: a 4G
    #: network "peluncuran" is no missile test without a missile); empty: no such condition
    requires: dict[str, tuple[tuple[str, ...], ...]] = None  # type: ignore[assignment]
    #: the first token of every cue: at a token that starts none, no cue of any width can match
    starts: frozenset[str] = frozenset()
    #: theme -> word groups that must all occur in one sentence (each group: folded alternatives);
    #: each sentence where they do counts as one occurrence of the cue "co-occurrence"
    co_occur: dict[str, tuple[tuple[tuple[str, ...], ...], ...]] = None  # type: ignore[assignment]
    #: folded names of the taxonomy's subject (its ``[subject] requires``), of which one must occur
    #: in the title or text for any theme to be given; empty: every article may get themes
    subject: tuple[tuple[str, ...], ...] = ()


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> Taxonomy:
    raw = Path(path).read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: invalid themes file: {exc}") from None
    unknown_top = set(data) - {"theme", "subject"}
    subject_table = data.get("subject", {})
    if unknown_top or not isinstance(subject_table, dict) or set(subject_table) - {"name", "requires"} \
            or not isinstance(subject_table.get("requires", []), list):
        raise ConfigError(f"{path}: the file holds [[theme]] tables and one optional [subject] table "
                          f"(name, requires = [...]); got {sorted(unknown_top) or sorted(subject_table)}")
    subject = tuple(k for k in (tuple(fold(t) for t, _, _ in tokens(str(c))) for c in subject_table.get("requires", [])) if k)
    cues: dict[tuple[str, ...], set[str]] = defaultdict(set)
    min_hits: dict[str, int] = {}
    co_occur: dict[str, tuple[tuple[tuple[str, ...], ...], ...]] = {}
    requires: dict[str, tuple[tuple[str, ...], ...]] = {}
    for n, theme in enumerate(data.get("theme", [])):
        unknown = set(theme) - {"name", "description", "cues_id", "cues_en", "min_hits", "requires", "co_occur"}
        groups = theme.get("co_occur", [])
        named = isinstance(theme.get("name"), str)
        if unknown or not named or not isinstance(groups, list) or not all(isinstance(g, list) and g for g in groups):
            got = sorted(unknown) if unknown else "no name" if not named else f"co_occur = {groups!r}"
            raise ConfigError(f"{path}: theme[{n}]: needs a name; allowed keys are name, description, cues_id, "
                              f"cues_en, min_hits, requires, co_occur (a list of word lists) (got {got})")
        co_occur[theme["name"]] = tuple(tuple(k for k in (tuple(fold(t) for t, _, _ in tokens(str(w))) for w in group) if k)
                                        for group in groups)
        if not all(co_occur[theme["name"]]):
            raise ConfigError(f"{path}: theme[{n}]: every co_occur group needs a word (got co_occur = {groups!r})")
        min_hits[theme["name"]] = int(theme.get("min_hits", 3))
        requires[theme["name"]] = tuple(k for k in (tuple(fold(t) for t, _, _ in tokens(str(c)))
                                                    for c in theme.get("requires", [])) if k)
        for cue in [*theme.get("cues_id", []), *theme.get("cues_en", [])]:
            key = tuple(fold(t) for t, _, _ in tokens(str(cue)))
            if key:
                cues[key].add(theme["name"])
    if not min_hits:
        raise ConfigError(f"{path}: no [[theme]] tables")
    return Taxonomy({k: tuple(sorted(v)) for k, v in cues.items()}, min_hits,
                    max(len(k) for k in cues), hashlib.sha256(raw).hexdigest()[:12], requires,
                    frozenset(k[0] for k in cues), co_occur=co_occur, subject=subject)


def taxonomy() -> Taxonomy:
    path = Path(current_settings().themes or TAXONOMY).expanduser()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read themes file ({exc.strerror or exc})") from None
    return _load(str(path.resolve()), mtime)


def count_cues(text: str, tax: Taxonomy, work: ArticleWork | None = None) -> tuple[Counter, dict[str, set[str]], int]:
    """(theme -> cue occurrences, theme -> distinct cues, words) in ``text``; longest cue wins.
    ``work``: the article's shared work (its text's tokens, also read by the mention passes)."""
    toks, folded = folded_tokens(text, work)
    hits: Counter = Counter()
    seen: dict[str, set[str]] = defaultdict(set)
    starts = tax.starts
    i = 0
    while i < len(toks):
        if folded[i] not in starts:  # most tokens: no cue starts here (was one tuple per width)
            i += 1
            continue
        for width in range(min(tax.longest, len(toks) - i), 0, -1):
            key = tuple(folded[i:i + width])
            if key in tax.cues and all(name_gap_ok(text, toks[k - 1][2], toks[k][1]) for k in range(i + 1, i + width)):
                for theme in tax.cues[key]:
                    hits[theme] += 1
                    seen[theme].add(" ".join(key))
                i += width
                break
        else:
            i += 1
    return hits, seen, len(toks)


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+|\n+")


def _sentences_with(text: str, groups: tuple[tuple[tuple[str, ...], ...], ...], work: ArticleWork | None = None) -> int:
    """How many sentences of ``text`` hold a word (or phrase) of every group: the text's tokens
    (shared through ``work``) grouped by the sentence their start falls in."""
    toks, folded = folded_tokens(text, work)
    longest = max((len(k) for group in groups for k in group), default=1)
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]
    sentences: dict[int, list[str]] = defaultdict(list)
    for (_, start, _), word in zip(toks, folded):
        sentences[bisect.bisect(ends, start)].append(word)
    return sum(all(any(k in present for k in group) for group in groups)
               for present in (_ngrams(words, longest) for words in sentences.values()))


def _ngrams(folded: list[str], longest: int) -> set[tuple[str, ...]]:
    """The n-grams (n <= longest) of folded tokens."""
    return {tuple(folded[i:i + n]) for n in range(1, longest + 1) for i in range(len(folded) - n + 1)}


class ThemesEnricher:
    name = "themes"
    fields = ()
    tables = ("themes",)
    #: reads the text's tokens the mention passes also read (tasks/enrich.py ArticleWork)
    uses_work = True

    @property
    def version(self) -> str:  # type: ignore[override]
        return f"{RULES_VERSION}+tax.{taxonomy().fingerprint}"

    def enrich(self, article: Article, work: ArticleWork | None = None) -> Enrichment:
        return Enrichment(rows={"themes": assign_themes(article, taxonomy(), work)})


def assign_themes(article: Article, tax: Taxonomy, work: ArticleWork | None = None) -> list[dict]:
    """The ``themes`` rows of ``article`` under ``tax`` (benchmarks/themes.py compares taxonomies)."""
    hits, seen, words = count_cues(article.text, tax, work)
    # the n-grams of f"{title}\n{text}": no token spans the line break, so its tokens are the
    # title's then the text's (the text's shared with count_cues and the mention passes)
    folded = folded_tokens(article.title or "")[1] + folded_tokens(article.text, work)[1]
    present = _ngrams(folded, max((len(k) for k in (*tax.subject, *(k for r in tax.requires.values() for k in r))), default=0))
    if tax.subject and not any(k in present for k in tax.subject):
        # not about the taxonomy's subject at all: its themes are the subject's ("diplomacy"
        # is the subject's diplomacy, a "sanksi" in a sermon no sanction)
        return []
    title_hits, title_seen, _ = count_cues(article.title or "", tax)
    # sentences naming all of a theme's co_occur groups: each is an occurrence, and two or more
    # are as many pieces of evidence as two different cues
    together: Counter = Counter()
    for theme, groups in (tax.co_occur or {}).items():
        if groups:
            for text, found, shared in ((article.text, hits, work), (article.title or "", title_hits, None)):
                n = _sentences_with(text, groups, shared)
                found[theme] += n
                together[theme] += n
    rows = []
    for theme in tax.min_hits:
        total = hits[theme] + 2 * title_hits[theme]  # the headline says what the story is about
        score = round(100.0 * total / max(words, 1), 3)
        # two different cues at least; then enough occurrences, or dense ones in a short text
        if tax.requires.get(theme) and not any(k in present for k in tax.requires[theme]):
            continue  # none of the theme's own evidence: generic cues alone say nothing
        cues = sorted(seen[theme] | title_seen[theme]) + ([f"co-occurrence ({together[theme]})"] if together[theme] else [])
        if len(cues) + max(together[theme] - 1, 0) >= 2 and (total >= tax.min_hits[theme] or score >= 1.0):
            rows.append({"theme": theme, "score": score, "hits": total, "cues": ", ".join(cues)})
    return rows


register(ThemesEnricher())

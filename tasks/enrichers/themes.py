"""Themes: which topics of the subject's taxonomy an article is about, by cue terms.

The taxonomy is a TOML file (``tasks/kb/themes.toml``, or the user's ``[enrich] themes`` file):
themes with Indonesian and English cue terms. Cues are matched on folded word tokens through one
dictionary of cue n-grams, so the cost per article does not grow with the number of cues.
Owns ``store.themes``; the version includes the taxonomy file's fingerprint.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from kabar.config import ConfigError
from kabar.models import Article
from tasks.enrich import ArticleWork, Enrichment, current_settings, register
from tasks.entities import fold, folded_tokens, name_gap_ok, tokens

TAXONOMY = Path(__file__).resolve().parent.parent / "kb" / "themes.toml"
RULES_VERSION = "2"


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


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> Taxonomy:
    raw = Path(path).read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: invalid themes file: {exc}") from None
    cues: dict[tuple[str, ...], set[str]] = defaultdict(set)
    min_hits: dict[str, int] = {}
    requires: dict[str, tuple[tuple[str, ...], ...]] = {}
    for n, theme in enumerate(data.get("theme", [])):
        unknown = set(theme) - {"name", "description", "cues_id", "cues_en", "min_hits", "requires"}
        if unknown or not isinstance(theme.get("name"), str):
            raise ConfigError(f"{path}: theme[{n}]: needs a name; allowed keys are name, description, "
                              f"cues_id, cues_en, min_hits, requires (got {sorted(unknown) or 'no name'})")
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
                    frozenset(k[0] for k in cues))


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
        tax = taxonomy()
        hits, seen, words = count_cues(article.text, tax, work)
        # the n-grams of f"{title}\n{text}": no token spans the line break, so its tokens are the
        # title's then the text's (the text's shared with count_cues and the mention passes)
        folded = folded_tokens(article.title or "")[1] + folded_tokens(article.text, work)[1]
        present = _ngrams(folded, max((len(k) for r in tax.requires.values() for k in r), default=0))
        title_hits, title_seen, _ = count_cues(article.title or "", tax)
        rows = []
        for theme in tax.min_hits:
            total = hits[theme] + 2 * title_hits[theme]  # the headline says what the story is about
            score = round(100.0 * total / max(words, 1), 3)
            # two different cues at least; then enough occurrences, or dense ones in a short text
            if tax.requires.get(theme) and not any(k in present for k in tax.requires[theme]):
                continue  # none of the theme's own evidence: generic cues alone say nothing
            if len(seen[theme] | title_seen[theme]) >= 2 and (total >= tax.min_hits[theme] or score >= 1.0):
                rows.append({
                    "theme": theme, "score": score, "hits": total,
                    "cues": ", ".join(sorted(seen[theme] | title_seen[theme])),
                })
        return Enrichment(rows={"themes": rows})


register(ThemesEnricher())

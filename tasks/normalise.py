"""Normalise: clean the extracted text, the title and the outlet, and apply the sources' filters.

Cleaning works on lines (paragraphs) of the *extracted text* (the extractor's output after NFC,
whitespace, quote and dash normalisation, kept in ``meta['extracted_text']``). Each rule has a
name, and every span a rule removes is recorded in ``meta['removed']`` as (rule, text,
position), the position being the span's character offset in the extracted text; the load stage
writes them to ``removed_spans``. Rules, in order: reading-aid and promo lines (``RULES``),
date-only lines, the headline repeated as a line, the site's learned boilerplate, repeated
paragraphs, page chrome at the edges, the opening dateline (moved to ``meta['dateline_place']``
/ ``['dateline_outlet']``) and a trailing desk tag ("(*)", "(ant)", "(fyk/ash)").
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit


from kabar.config import Source
from kabar.models import Article, Window
from kabar.records import SiteProfile
from kabar.tasking import NO_CACHE, task
from kabar.text import TITLE_SEPARATORS, line_key, site_of, title_affixes  # noqa: F401  (title_affixes: old path)
from tasks.datelines import dateline_alone, find_dateline
from tasks.dates import is_date_line
from tasks.bylines import byline
from tasks.outlets import outlet_name

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class LineRule:
    """A whole line matching ``pattern`` is noise and is dropped."""

    name: str
    pattern: re.Pattern[str]


def _rule(name: str, pattern: str) -> LineRule:
    return LineRule(name, re.compile(pattern, re.IGNORECASE))


#: Reading aids and promotions that real Indonesian news pages leave in the extracted text.
RULES: tuple[LineRule, ...] = (
    _rule("loading", r"^loading\s*\.*$"),
    _rule("font_size_control", r"^[aA][+-]?$"),
    _rule("scroll_to_continue", r"^scroll to continue with (the )?content$"),
    _rule("advertisement", r"^(advertisement|iklan|adv|sponsored|konten sponsor|ads?)$"),
    _rule("baca_juga", r"^(baca|lihat) (juga|pula)\s*:.*$"),
    _rule("video_promo", r"^(lihat|simak|tonton|saksikan) (juga )?video\b.*$"),
    _rule("more_on_next_page", r"^(simak|baca) (berita|artikel)? ?selengkapnya\b.{0,80}$"),
    _rule("byline", r"^\|?\s*(editor|reporter|penulis|pewarta|redaktur|fotografer|kontributor|"
                    r"penyunting|editing by|reporting by)\s*\|?\s*:.{0,80}$"),
    _rule("contact_line", r"^(.{0,60}\[at\].{0,60}|informasi pemasangan iklan|redaksi\s*:.{0,60})$"),
    _rule("share_prompt", r"^(bagikan|share|tweet|copy link|salin link|\d+\s*shares?)\b.{0,40}$"),
    _rule("subscribe_promo", r"^(dapatkan|ikuti|jangan (sampai )?ketinggalan|langganan|unduh|download)\b"
                             r".{0,160}(berita|update|aplikasi|newsletter|channel|whatsapp|google news|telegram).{0,80}$"),
    _rule("load_more", r"^(load more|lihat semua|tampilkan lebih banyak|berita lainnya|berita terkait)\W*$"),
    _rule("copyright", r"^(copyright|©|\(c\)|hak cipta)\b.{0,120}$"),
    _rule("punctuation_only", r"^[\W_]*$"),
    _rule("number_only", r"^[-#.]?\s*\d{1,3}\.?$"),
)

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
#: Look-alike characters folded to the usual one, one character for one character (so
#: positions in the text do not move): double/single primes, backticks and acute accents used
#: as quotes, reversed quotes, hyphen and minus variants. Typographic quotes and dashes
#: (“ ” ‘ ’ „ ‚ « » – —) are kept as published: folding them to ASCII cost 4 points of recall on
#: trafilatura's evaluation set (120 of its 2,951 snippets quote them), and the content hash
#: ignores punctuation anyway.
_QUOTES_DASHES = str.maketrans({
    "\u201f": "\u201c", "\u2033": '"', "\u201b": "\u2018", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-", "\u2015": "\u2014",
})
_TRAILING_TAG = re.compile(r"\s*\((?:\*+|[a-z]{2,5}(?:\s*/\s*[a-z]{2,5}){0,4})\)\s*$", re.IGNORECASE)
_SENTENCE_END = (".", "!", "?", '"', "'", ")", ":", "”", "’", "»")


def clean_whitespace(text: str) -> str:
    """NFC, one form per quote and dash, single spaces, paragraphs separated by one newline."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\ufeff", "").translate(_QUOTES_DASHES)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _lines(text: str) -> list[list]:
    """[position, line] for every line of ``text``."""
    out, position = [], 0
    for line in text.split("\n"):
        out.append([position, line])
        position += len(line) + 1
    return out


def _drop(lines: list[list], removed: list, keep) -> list[list]:
    kept = []
    for position, line in lines:
        rule = keep(line)
        if rule:
            removed.append((rule, line, position))
        else:
            kept.append([position, line])
    return kept


def drop_noise_lines(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Remove noise lines; returns the text and (rule, removed line) pairs."""
    removed: list = []
    kept = _drop(_lines(text), removed, _noise_rule)
    return "\n".join(line for _, line in kept), [(rule, line) for rule, line, _ in removed]


def _noise_rule(line: str) -> str | None:
    rule = next((r for r in RULES if r.pattern.match(line)), None)
    if rule:
        return rule.name
    return "date_line" if is_date_line(line) else None


def drop_repeated_paragraphs(text: str, min_chars: int = 40) -> tuple[str, list[str]]:
    """A paragraph seen earlier in the same article (a CMS glitch) is kept once."""
    removed: list = []
    kept = _drop_repeated(_lines(text), removed, min_chars)
    return "\n".join(line for _, line in kept), [line for _, line, _ in removed]


def _repeat_key(line: str) -> str:
    """A paragraph's identity for the repeated-paragraph rule: case, punctuation and spacing do
    not matter, digits do. (``line_key`` folds digits, which suits site profiles, but here it
    made "Bagian 2: ... hari ke-2" a repeat of "Bagian 1: ... hari ke-1" once the pages of a
    multi-page article are joined.)"""
    return " ".join(re.sub(r"[\W_]+", " ", line.casefold()).split())


def _drop_repeated(lines: list[list], removed: list, min_chars: int = 40) -> list[list]:
    seen: set[str] = set()
    kept = []
    for position, line in lines:
        key = _repeat_key(line)
        if len(line) >= min_chars and key in seen:
            removed.append(("repeated_paragraph", line, position))
            continue
        seen.add(key)
        kept.append([position, line])
    return kept


def _is_link_line(line: str, links: list[str]) -> bool:
    """A line that is a headline from a link box, maybe with a date or a bullet around it."""
    if len(line) > 400:
        return False
    for link in links:
        if link in line and len(line) - len(link) <= 40:
            return True
    return False


#: Words of buttons and section labels (Indonesian and English) that page chrome is made of.
_UI_WORDS = re.compile(
    r"\b(close|tutup|index|indeks|must ?read|terbaru|terpopuler|populer|terkini|lainnya|terkait|"
    r"more|next|prev|previous|selanjutnya|sebelumnya|kembali|back to top|komentar|comments?|"
    r"share|bagikan|foto\w*|video\w*|berita\w*|topik|tags?)\b",
    re.IGNORECASE,
)


def _is_chrome(line: str) -> bool:
    """A short line that is not a sentence and names a button or a section (UI words)."""
    return (len(line.split()) <= 3 and not line.endswith(_SENTENCE_END) and len(line) <= 40
            and bool(_UI_WORDS.search(line)))


def _is_sentence(line: str) -> bool:
    return line.endswith(_SENTENCE_END) and len(line.split()) >= 6


def _trim_edges(lines: list[list], removed: list) -> list[list]:
    """Short labels at either end go, and so does a tail of non-sentences (headlines of other
    stories) after the last sentence when that tail holds such a label."""
    last = max((i for i, (_, line) in enumerate(lines) if _is_sentence(line)), default=None)
    if last is not None and last < len(lines) - 1:
        tail = lines[last + 1:]
        if any(_is_chrome(line) for _, line in tail) and not any(_TRAILING_TAG.fullmatch(line) for _, line in tail):
            removed.extend(("trailing_chrome", line, position) for position, line in tail)
            lines = lines[: last + 1]
    start, end = 0, len(lines)
    while start < end - 1 and _is_chrome(lines[start][1]):
        removed.append(("edge_chrome", lines[start][1], lines[start][0]))
        start += 1
    while end - 1 > start and _is_chrome(lines[end - 1][1]):
        removed.append(("edge_chrome", lines[end - 1][1], lines[end - 1][0]))
        end -= 1
    return lines[start:end]


def site_words(url: str | None, sitename: str | None) -> set[str]:
    """Lowercase names a site goes by: its host's labels and its declared site name."""
    words: set[str] = set()
    if url and url.startswith("http"):
        for label in (urlsplit(url).hostname or "").split(".")[:-1]:
            if len(label) >= 4 and label not in ("www", "news", "berita", "online", "com"):
                words.add(label)
    if sitename:
        key = re.sub(r"\W", "", sitename.lower())
        if len(key) >= 4:
            words.add(key)
    return words


def _names_site(segment: str, words: set[str], profile: SiteProfile | None) -> bool:
    key = re.sub(r"\W", "", segment.lower())
    if profile is not None and line_key(segment) in profile.title_affixes:
        return True
    return bool(key) and any(w in key or (len(key) >= 4 and key in w) for w in words)


def clean_title(title: str | None, words: set[str], profile: SiteProfile | None = None) -> str | None:
    """The headline without the site's name before or after a separator ("... - Kompas.com")."""
    if not title:
        return None
    title = clean_whitespace(title).replace("\n", " ")
    for _ in range(3):
        parts = TITLE_SEPARATORS.split(title)
        seps = TITLE_SEPARATORS.findall(title)
        if len(parts) < 2:
            break
        if _names_site(parts[-1], words, profile):
            title = title[: len(title) - len(parts[-1]) - len(seps[-1])].strip()
        elif _names_site(parts[0], words, profile):
            title = title[len(parts[0]) + len(seps[0]):].strip()
        else:
            break
    return title or None


def clean_text(article: Article, profile: SiteProfile | None = None) -> str:
    """The cleaned text of ``article``; fills ``meta['extracted_text']``, ``['removed']`` and the dateline."""
    extracted = clean_whitespace(article.text)
    article.meta["extracted_text"] = extracted
    removed: list[tuple[str, str, int]] = []
    lines = _drop(_lines(extracted), removed, _noise_rule)
    title_key = line_key(article.title) if article.title else None
    # The headline as the text's first line is how many sites open an article (kept); repeated
    # further down it is a leftover of page chrome (removed).
    head = lines[:1] if lines and lines[0][0] == 0 else []
    lines = head + _drop(lines[len(head):], removed,
                         lambda line: "title_line" if title_key and line_key(line) == title_key else None)
    if links := article.meta.get("_link_texts"):
        lines = _drop(lines, removed, lambda line: "link_block" if _is_link_line(line, links) else None)
    if profile is not None and profile.lines:
        learned: list = []
        rest = _drop(lines, learned, lambda line: "site_boilerplate" if profile.is_boilerplate(line) else None)
        if rest:  # a profile never empties a page (a site whose pages are all alike)
            lines, removed = rest, removed + learned
    lines = _drop_repeated(lines, removed)
    lines = _trim_edges(lines, removed)
    words = site_words(article.meta.get("final_url") or article.url, article.sitename)
    if lines and (dateline := find_dateline(lines[0][1], words)
                  or len(lines) > 1 and dateline_alone(lines[0][1], lines[1][1], words)):
        removed.append(("dateline", dateline.text, lines[0][0]))
        lines[0] = [lines[0][0] + dateline.length, lines[0][1][dateline.length:]]
        article.meta["dateline_place"] = dateline.place
        article.meta["dateline_outlet"] = dateline.outlet
    if lines and (tag := _TRAILING_TAG.search(lines[-1][1])) and tag.start() > 0:
        removed.append(("trailing_tag", tag.group(0).strip(), lines[-1][0] + tag.start() + (len(tag.group(0)) - len(tag.group(0).lstrip()))))
        lines[-1] = [lines[-1][0], lines[-1][1][: tag.start()].rstrip()]
    elif lines and _TRAILING_TAG.fullmatch(lines[-1][1]) and len(lines) > 1:
        removed.append(("trailing_tag", lines[-1][1], lines[-1][0]))
        lines = lines[:-1]
    article.meta["removed"] = sorted(removed, key=lambda r: r[2])
    return "\n".join(line for _, line in lines if line)


def outlet_for(article: Article, source: Source | None) -> str | None:
    """The outlet: the source's configured name, else the site's name from what the page declares
    (one label per site, see ``tasks.outlets``), else the web host."""
    if source is not None and source.outlet:
        return source.outlet
    url = article.meta.get("final_url") or article.url
    return outlet_name(url, [*article.meta.get("site_names", []), article.sitename])


def normalise_article(article: Article, source: Source | None = None, profile: SiteProfile | None = None) -> Article:
    """Clean one article in place (and return it); what was removed goes to ``meta['removed']``."""
    words = site_words(article.meta.get("final_url") or article.url, article.sitename)
    if article.title:
        article.meta.setdefault("raw_title", article.title)
        article.title = clean_title(article.title, words, profile)
    article.text = clean_text(article, profile)
    author = clean_whitespace(article.author).replace("\n", " ") if article.author else None
    names = words | {re.sub(r"\W", "", n).casefold() for n in article.meta.get("site_names", []) if n}
    article.author = byline(article.meta.get("_header_text", ""), article.meta.get("extracted_text", article.text),
                            author, names)
    article.outlet = outlet_for(article, source)
    article.language_hint = source.language if source is not None else None
    return article


def normalise_batch(
    articles: list[Article], sources: dict[str, Source], window: Window = Window(),
    profiles: dict[str, SiteProfile] | None = None,
) -> tuple[list[Article], list[Article]]:
    """Normalise a batch; returns (kept, skipped): skipped articles have no text left, were
    published outside the date window, or fail their source's include/exclude patterns.
    ``profiles`` (site -> SiteProfile, read from the warehouse) remove each site's boilerplate."""
    kept, skipped = [], []
    for article in articles:
        source = sources.get(article.source)
        profile = (profiles or {}).get(site_of(article.meta.get("final_url") or article.url) or "")
        normalise_article(article, source, profile)
        if not article.text or not window.contains(article.published_at):
            skipped.append(article)
        elif source is None or source.matches(f"{article.title or ''}\n{article.text}"):
            kept.append(article)
        else:
            skipped.append(article)
    return kept, skipped


@task(name="normalise", cache_policy=NO_CACHE)
def normalise_task(
    articles: list[Article], sources: dict[str, Source], window: Window,
    profiles: dict[str, SiteProfile] | None,
) -> tuple[list[Article], list[Article]]:
    """Every flow passes the site profiles explicitly (``site_profiles_task``): a flow that
    left them out extracted different text from the same captures (reextract did)."""
    return normalise_batch(articles, sources, window, profiles)

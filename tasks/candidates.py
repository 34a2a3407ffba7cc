"""Body candidates: when the first extraction could be wrong, compare others and pick by evidence.

In: the parsed (and pruned) page and trafilatura's default text. Out: the chosen body text and the name of the candidate it came from.

Candidates: trafilatura's default run (``default``), its ``favor_precision`` run (``precision``),
and the JSON-LD ``articleBody`` the page declares (``jsonld``). The evidence is general, never
about one outlet:

- a body shaped like a list of headlines (half its lines and two fifths of its text are the page's own
  link texts, alone or opening a teaser) is never taken: that is the "BERITA LAINNYA" block of
  related articles, not the article. Related-article blocks link to the page's own site (or one
  or two sister sites); a list whose links go to ``ROUNDUP_SITES`` or more other sites is an
  author's link round-up, the post itself, and only its links within the site count;
- the precision run drops comment, ticker and teaser blocks the default run keeps; when its text
  lies within the default text (``SUBSET_SHARE``: the same container, less of it: shorter) and still holds
  a fair share of it (``PRECISION_SHARE``), what it dropped was chrome, except the article's own
  paragraphs (prose ``<p>`` of the main containers, below), which go back where the default text
  has them. When it lost more than that, or chose another container, the default text stays;
- when every trafilatura run is list-shaped, a declared ``articleBody`` of prose length is taken;
- a page whose markup holds no text at all may carry its article as HTML inside a script's
  string (client-rendered pages: Next.js pushes it as ``self.__next_f.push([1, "<p>..."])``);
  ``graft_embedded_article`` decodes such strings (``MIN_EMBEDDED_PARAGRAPHS`` paragraphs or
  more) and adds them to the page as an ``<article>``, so the usual extraction runs on them;
- the text taken from a trafilatura run is then trimmed to the page's main paragraph containers
  (``tasks.main_blocks``): comment, ticker, teaser and promotion blocks that share trafilatura's
  container but not the article's paragraphs' go (the name gets ``+main``);
- once the page is known to be an article, ``without_headlines`` drops the page's headline when
  it opens the body and every line that is another page's headline link (a related-article
  link left between the paragraphs): not sentences, and never an in-page anchor.
"""

from __future__ import annotations

import json
import logging
import re

import lxml.html

import trafilatura
from lxml.etree import _Element

from kabar.text import absolute_url, site_of
from tasks.jsonld import jsonld_nodes
from tasks.page_links import PageLinks, page_links
from tasks.main_blocks import (
    declared_summaries, keep_main_blocks, main_chunk_texts, main_containers, main_paragraphs,
    restore_main_paragraphs,
)

LOGGER = logging.getLogger(__name__)

#: The precision run replaces the default one when it keeps at least this share of its length
#: (measured on extraction-benchmark, fundus-dev and the Indonesian corpus: 0.3 did best on all three).
PRECISION_SHARE = 0.3
#: ... and when this share of its text is also in the default text (same container, less chrome).
SUBSET_SHARE = 0.9
#: A JSON-LD body shorter than this is a teaser, not the article.
MIN_JSONLD_CHARS = 400
#: A script string holding at least this many ``<p`` tags is an article's markup.
MIN_EMBEDDED_PARAGRAPHS = 3
#: JSON/JS string literals long enough to hold paragraphs ("...\\u003cp\\u003e..." unescaped by json).
_STRING_LITERAL = re.compile(r'"((?:[^"\\]|\\.){200,})"', re.S)
_PARAGRAPH_TAG = re.compile(r"<p[\s>]", re.IGNORECASE)  # not <path>, <picture>, <param>
#: Headline links of a list pointing to this many other sites make it a link round-up.
ROUNDUP_SITES = 3


def anchor_texts(tree: _Element, min_chars: int = 20, url: str | None = None,
                 links: PageLinks | None = None) -> dict[str, str | None]:
    """The texts of the page's links long enough to be headlines, whitespace-normalised,
    casefolded, each with the site it points to (None: the page's own site, a relative link, or
    a page whose own site is unknown). ``links``: ``page_links(tree)`` when the caller has them."""
    own = site_of(url)
    texts: dict[str, str | None] = {}
    for link, text in page_links(tree) if links is None else links:
        if len(text) >= min_chars:
            texts.setdefault(text.casefold(), _foreign_site(link.get("href"), url, own))
    return texts


def _foreign_site(href: str | None, url: str | None, own: str | None) -> str | None:
    """The site ``href`` points to when that is not the page's own (None otherwise, and for an
    href no URL parser reads: "http://[ccpa-preferences]" raises ValueError in urljoin)."""
    if not own:
        return None
    joined = absolute_url(url or "", (href or "").strip())
    target = site_of(joined) if joined is not None else None
    return None if target in (None, own) else target


def _link_of(line: str, anchors: dict[str, str | None]) -> str | None:
    """The anchor text ``line`` is, or opens with ('' when none)."""
    norm = " ".join(line.split()).lstrip("-•*·–—> ").casefold()  # list bullets trafilatura writes
    if norm in anchors:
        return norm
    return next((a for a in anchors if len(a) >= 30 and norm.startswith(a)), "")


def list_shaped(text: str, anchors: "dict[str, str | None] | set[str]") -> bool:
    """True when ``text`` reads as a list of other pages' headlines rather than an article body:
    at least four lines, half of them and two fifths of the text are the page's link texts,
    alone or opening a teaser (links to ``ROUNDUP_SITES`` other sites or more: only those within
    the page's own site count)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) < 4 or not anchors:
        return False
    anchors = anchors if isinstance(anchors, dict) else dict.fromkeys(anchors)
    links = {line: _link_of(line, anchors) for line in lines}
    linked = [line for line in lines if links[line]]
    foreign = {anchors[links[line]] for line in linked} - {None}
    if len(foreign) >= ROUNDUP_SITES:  # a round-up of other sites' pages: the post itself
        linked = [line for line in linked if anchors[links[line]] is None]
    # both: an article followed by a few long teasers is still an article
    return len(linked) >= 0.5 * len(lines) and sum(map(len, linked)) >= 0.4 * sum(map(len, lines))


#: A body line reads as a headline when it has at most this many words and does not end as a
#: sentence ends (a sentence that happens to be a link's text stays).
HEADLINE_LINE_WORDS = 25
_LINE_END = (".", "!", "?", '"', "”", "»", "“", ")", ":", ";", ",")
_BULLETS = "-•*·–—> "


def other_pages_headlines(tree: _Element, url: str | None, links: PageLinks | None = None) -> set[str]:
    """The casefolded texts (four words or more) of the page's links to other pages: not in-page
    anchors (a table of contents repeats the article's own subheadings), not the page itself.
    ``links``: ``page_links(tree)`` when the caller has them."""
    own = (url or "").split("#")[0]
    found: set[str] = set()
    for link, text in page_links(tree) if links is None else links:
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        if own:
            target = absolute_url(own, href)
            if target is None or target.split("#")[0] == own:  # unreadable, or the page itself
                continue
        text = text.casefold()
        if len(text.split()) >= 4:
            found.add(text)
    return found


def _headline_line(norm: str, headlines: set[str]) -> bool:
    # the line is the link's text, or a kicker and then the link's text ("Neue Allianz? <a>...</a>")
    return norm in headlines or any(norm.endswith(h) and len(h) >= 0.6 * len(norm) for h in headlines)


def _is_title(norm: str, titles: list[str]) -> bool:
    return any(norm == t or t in norm and len(norm) - len(t) <= 60 and not norm.endswith(".") for t in titles)


def without_headlines(text: str, titles: list[str], headlines: set[str]) -> tuple[str, list[str]]:
    """``text`` without the page's headline as its first line (the title is a field of its own)
    and without lines that are other pages' headlines (``other_pages_headlines``: related-article
    links left between the paragraphs, "- Neue Allianz? Europäer reagieren ..."), and the lines
    dropped; never empties it."""
    lines = text.split("\n")
    titles = [" ".join(t.split()).casefold() for t in titles if t and len(t.strip()) >= 15]
    kept, dropped = [], []
    for line in lines:
        norm = " ".join(line.split()).lstrip(_BULLETS).casefold()
        if norm and (not kept and _is_title(norm, titles) or len(norm.split()) <= HEADLINE_LINE_WORDS
                     and not norm.endswith(_LINE_END) and _headline_line(norm, headlines)):
            dropped.append(line.strip())
            continue
        kept.append(line)
    return ("\n".join(kept), dropped) if any(line.strip() for line in kept) else (text, [])


def jsonld_article_body(tree: _Element) -> str:
    """The longest ``articleBody`` string in the page's JSON-LD blocks ('' when none)."""
    best = ""
    for node in jsonld_nodes(tree):
        body = node.get("articleBody")
        if isinstance(body, str) and len(body) > len(best):
            best = body
    return best.strip()


def _within(part: str, whole: str) -> bool:
    """True when nearly all of ``part``'s text is in ``whole``: the precision run removed blocks
    from the same container, rather than picking another one."""
    whole_norm = " ".join(whole.split())
    lines = [" ".join(line.split()) for line in part.splitlines() if line.strip()]
    inside = sum(len(line) for line in lines if line in whole_norm)
    return inside >= SUBSET_SHARE * max(1, sum(map(len, lines)))


def _precision_text(tree: _Element, url: str | None, prune_xpath: str | None) -> str:
    # trafilatura.extract copies the tree it is given (trafilatura.core: ``tree = deepcopy``
    # via ``convert_tags``/``tree_cleaning`` on a copy), so the caller's tree stays as it was.
    try:
        text = trafilatura.extract(tree, url=url, favor_precision=True, include_comments=False,
                                   include_tables=True, prune_xpath=prune_xpath)
    except Exception as exc:  # a second opinion that fails is no opinion, never a failed page
        LOGGER.debug("precision run failed: %s", exc)
        return ""
    return (text or "").strip()


def choose_body(tree: _Element, url: str | None, default: str,
                prune_xpath: str | None = None, links: PageLinks | None = None) -> tuple[str, str]:
    """(text, candidate name). Raises nothing; returns ('', 'none') when only headline lists
    were found (the caller treats that as a page with no article). ``links``: ``page_links(tree)``
    when the caller has them."""
    anchors = anchor_texts(tree, url=url, links=links)
    precision = _precision_text(tree, url, prune_xpath)
    default = (default or "").strip()
    ranked = []
    if precision and PRECISION_SHARE * len(default) <= len(precision) < len(default) and _within(precision, default):
        ranked.append(("precision", precision))
    ranked.append(("default", default))
    if precision and ranked[0][0] != "precision":
        ranked.append(("precision", precision))
    for name, text in ranked:
        if text and not list_shaped(text, anchors):
            containers = main_containers(tree)  # once: both steps below read the same containers
            if name == "precision":  # what it dropped from the article's own paragraphs goes back
                text, restored = restore_main_paragraphs(text, default, main_paragraphs(tree, containers))
                name += "+restored" if restored else ""
            trimmed = keep_main_blocks(text, main_chunk_texts(tree, containers), declared_summaries(tree))
            return (trimmed, f"{name}+main") if trimmed != text else (text, name)
    declared = jsonld_article_body(tree)
    if len(declared) >= MIN_JSONLD_CHARS and not list_shaped(declared, anchors):
        return declared, "jsonld"
    return "", "none"


def embedded_article_html(tree: _Element) -> str:
    """The HTML that the page's inline scripts carry as string literals with paragraphs in them
    (each distinct string once, in page order; '' when none)."""
    found: list[str] = []
    for script in tree.iter("script"):
        if script.get("src") or not script.text or "<p" not in script.text and "u003cp" not in script.text:
            continue
        for match in _STRING_LITERAL.finditer(script.text):
            try:
                value = json.loads(f'"{match.group(1)}"')
            except ValueError:  # a JS string json does not read ('\\x3c', a bare newline)
                continue
            if len(_PARAGRAPH_TAG.findall(value)) >= MIN_EMBEDDED_PARAGRAPHS and value not in found:
                found.append(value)
    return "".join(found)


def graft_embedded_article(tree: _Element) -> bool:
    """Append the script-carried article HTML (``embedded_article_html``) to the page's body as
    an ``<article>``; True when there was some."""
    embedded = embedded_article_html(tree)
    if not embedded:
        return False
    try:
        article = lxml.html.fragment_fromstring(embedded, create_parent="article")
    except (ValueError, lxml.etree.ParserError) as exc:
        LOGGER.debug("embedded article not parseable: %s", exc)
        return False
    body = tree.find("body") if tree.tag == "html" else tree
    (body if body is not None else tree).append(article)
    return True

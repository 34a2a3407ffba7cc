"""Main blocks: the page's main paragraph containers, and a body trimmed to them.

In: the parsed page (and a body text chosen by ``tasks.candidates``). Out: the text of the
containers that hold the article's paragraphs, and the body without the blocks that lie
outside them.

trafilatura picks one container and keeps what it finds there, comment threads, live tickers,
teaser rows ("RISK REMAINS: An official said ...") and newsletter prompts included, when they sit
in the same wrapper as the article. A page's own paragraphs have a shape of their own, in any
language and any CMS: they are ``<p>`` elements of prose (not mostly link text) that share a
parent, and when the CMS splits the article into chunks the chunks are siblings of one tag and
the same class. So:

- every ``<p>`` of prose (``MIN_PARAGRAPH_CHARS`` or more, at most half of it link text, not
  inside navigation, header, footer, aside, form, figure or a link) scores its parent element
  by its non-link characters; the best-scoring parent is the main container (elements of one tag
  and the same classes scoring together: a CMS may wrap every paragraph alone), and elements of
  the same tag whose classes mostly agree with it (``SAME_CLASS``, digits ignored) are its other
  chunks;
- ``keep_main_blocks`` keeps the body's lines that are in those containers (anywhere in their
  text, nested code and tables included, nested asides, figures, forms and marked link boxes
  not), the sentences before the first of them (standfirst and lead often sit in a header block
  of their own; its short labels, the kicker, headline, byline and date line, go, and so do a
  standfirst the page declares as its ``<meta>`` description, its summary, and a key-points
  list), prose lines between two of them (a paragraph the CMS wrapped in another
  element) and the lines between two chunks (a split article's subheadings); it drops the other
  lines after the first main line: the comment, ticker, teaser and promotion blocks, whatever
  their words. A chunk the body took nothing from is added in page order (trafilatura kept one
  part of a split article). It changes nothing when less than ``MIN_SHARE`` of the body is in
  the containers (the containers are a box beside the article, not the article);
- ``restore_main_paragraphs`` puts back the containers' own paragraphs that trafilatura's
  ``favor_precision`` run dropped or cut short (``tasks.candidates`` uses it on that run's text).

No rule names an outlet or matches one page's text; the shape decides.
"""

from __future__ import annotations

import re

from lxml.etree import _Element

from tasks.boilerplate import PRUNE_ATTR

#: A paragraph shorter than this says too little to mark its container as the article's.
MIN_PARAGRAPH_CHARS = 25
#: Chunks of one article share a tag and at least this share of their class words.
SAME_CLASS = 0.5
#: The body is trimmed only when at least this share of its characters lies in the containers
#: (0.3 let a class-less container holding a third of a recipe or a report cut the rest; 0.5 cost
#: nothing on fundus-dev, extraction-benchmark or the Indonesian pages).
MIN_SHARE = 0.5
#: A line outside the containers but between two of their lines is kept when it is prose:
#: this many words or more, ending as a sentence ends.
PROSE_WORDS = 20
#: A line before the main containers of at most this many words, not ending as a sentence ends,
#: is a label of the header block (kicker, headline, byline, date line), not the article's text.
LABEL_WORDS = 12
_SENTENCE_END = (".", "!", "?", '"', "'", ")", "”", "’", "»", "“")
#: Containers whose paragraphs are never the article's.
_OUTSIDE = frozenset({"nav", "footer", "aside", "header", "form", "a", "figure", "figcaption", "button",
                      "noscript", "script", "style", "template"})
#: Elements nested in a main container whose text is not the article's.
_BOXES = frozenset({"aside", "figure", "form", "nav", "script", "style", "noscript", "template", "button"})
#: The children of a main container whose text is the article's.
_TEXT_CHILDREN = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol"})
_WORDS = re.compile(r"\w+")
#: The ``<meta>`` names and properties whose content is the page's declared summary.
_SUMMARY_META = frozenset({"description", "og:description", "twitter:description"})
#: A line holding a declared summary is that summary when the summary is this share of it.
SUMMARY_SHARE = 0.8
#: Inline elements: their text runs on with their neighbours' (no word break around them).
_INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
                     "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var"})


def _norm(text: str) -> str:
    return " ".join(text.split())


def _class_words(element: _Element) -> frozenset[str]:
    return frozenset(re.sub(r"\d+", "", word) for word in (element.get("class") or "").split())


def _same_chunk(element: _Element, main: _Element, main_words: frozenset[str]) -> bool:
    if element is main:
        return True
    if element.tag != main.tag or not main_words:
        return False
    words = _class_words(element)
    return bool(words) and len(words & main_words) >= SAME_CLASS * len(words | main_words)


def _group_of(element: _Element) -> object:
    """Elements of one tag and the same class words (digits ignored) are one group; an element
    without a class is a group of its own."""
    words = _class_words(element)
    return (element.tag, words) if words else element


def main_containers(tree: _Element) -> list[_Element]:
    """The elements holding the page's main paragraphs, in document order ([] when the page
    has no paragraph of prose). A same-class chunk belongs to the article only within the same
    ``<article>`` element as the best one and with no ``<h1>`` between them (an endless-scroll
    page prints the next article's body in the same markup, under its own headline)."""
    body = tree.find("body") if tree.tag == "html" else tree
    if body is None:
        body = tree
    scores: dict[_Element, int] = {}
    for paragraph in body.iter("p"):
        if any(isinstance(a.tag, str) and a.tag in _OUTSIDE for a in paragraph.iterancestors()):
            continue
        text = len(_norm(paragraph.text_content()))
        if text < MIN_PARAGRAPH_CHARS:
            continue
        link = sum(len(_norm(a.text_content())) for a in paragraph.iter("a"))
        parent = paragraph.getparent()
        if link > 0.5 * text or parent is None:
            continue
        scores[parent] = scores.get(parent, 0) + text - link
    if not scores:
        return []
    # chunks of one article count together: a CMS that wraps every paragraph in an element of
    # its own (same tag, same classes) gives each a small score, and one long paragraph of a
    # comment policy beside them would otherwise be the "main" container
    groups: dict[object, int] = {}
    for element, score in scores.items():
        groups[_group_of(element)] = groups.get(_group_of(element), 0) + score
    main = max(scores, key=lambda e: (groups[_group_of(e)], scores[e]))
    words = _class_words(main)
    chunks = [e for e in scores if _same_chunk(e, main, words)]
    if len(chunks) == 1:  # main alone (most pages): no other chunk to place, so no walk of the page to order them
        return chunks
    order = {element: i for i, element in enumerate(body.iter())}
    headlines = [order[h] for h in body.iter("h1")]
    home = next(main.iterancestors("article"), None)

    def same_article(element: _Element) -> bool:
        low, high = sorted((order[element], order[main]))
        return next(element.iterancestors("article"), None) is home and not any(low < h < high for h in headlines)

    chosen = [e for e in chunks if e is main or same_article(e)]
    return sorted(chosen, key=order.__getitem__)


def main_paragraphs(tree: _Element, containers: "list[_Element] | None" = None) -> set[str]:
    """The word tokens (``\\w+``, space-joined) of every prose ``<p>`` directly in the main
    containers: ``MIN_PARAGRAPH_CHARS`` or more, at most half link text (the paragraphs that made
    the containers the article's). ``containers``: ``main_containers(tree)`` when the caller has
    them already."""
    found = set()
    for container in main_containers(tree) if containers is None else containers:
        for child in container:
            if not isinstance(child.tag, str) or child.tag != "p" or child.get(PRUNE_ATTR):
                continue
            text = _norm(child.text_content())
            link = sum(len(_norm(a.text_content())) for a in child.iter("a"))
            if len(text) >= MIN_PARAGRAPH_CHARS and link <= 0.5 * len(text):
                found.add(_tokens(text))
    return found - {""}


def restore_main_paragraphs(kept: str, fuller: str, paragraphs: set[str]) -> tuple[str, int]:
    """``kept`` (a text made by dropping blocks of ``fuller``) with the lines of ``fuller`` that are
    main paragraphs (``main_paragraphs``) put back where ``fuller`` has them, after the kept line
    before them; and how many were put back. trafilatura's ``favor_precision`` run drops comment
    and teaser blocks, but also some of the article's own paragraphs (a paragraph with a link or
    two, a short question): a paragraph the article's containers hold is the article's."""
    kept_lines = kept.split("\n")
    kept_tokens = {_tokens(line) for line in kept_lines}
    inside = sum(len(line) for line in kept_lines if _tokens(line) in paragraphs)
    if inside < MIN_SHARE * max(1, sum(map(len, kept_lines))):
        return kept, 0  # the containers are not the kept text's article (another story on the page)
    kept_text = " ".join(_tokens(line) for line in kept_lines)
    position = {}
    for i, line in enumerate(kept_lines):
        position.setdefault(_tokens(line), i)
    after: dict[int, list[str]] = {}
    previous, pending, replaced = -1, [], 0
    for line in fuller.split("\n"):
        tokens = _tokens(line)
        cut = None
        if tokens in paragraphs and tokens not in kept_tokens:
            cut = next((i for i, short in enumerate(kept_lines)
                        if len(short) > 100 and tokens.startswith(_tokens(short))), None)
        if cut is not None:  # the precision run cut the paragraph short (at a quote, a link): the whole of it
            kept_lines[cut], replaced = line, replaced + 1
            kept_tokens.add(tokens)
            position[tokens] = cut
        if tokens in kept_tokens:
            if pending and previous >= 0:
                after.setdefault(previous, []).extend(pending)
            previous, pending = max(previous, position[tokens]), []
        elif tokens in paragraphs and line.rstrip().endswith(_SENTENCE_END) and tokens not in kept_text:
            # only sentences ("17:41 JST, October 13, 2024" between two parts is a date line),
            # not already in the kept text (inside a longer line), and only between two kept
            # lines: one before or after the kept text is a date line or a sign-off as often
            pending.append(line)
    restored = sum(map(len, after.values())) + replaced
    if not restored:
        return kept, 0
    lines = []
    for i, line in enumerate(kept_lines):
        lines += [line] + after.get(i, [])
    return "\n".join(lines), restored


def _container_lines(container: _Element) -> list[str]:
    lines: list[str] = []
    for child in container:
        if not isinstance(child.tag, str) or child.tag not in _TEXT_CHILDREN:
            continue
        if child.tag in ("ul", "ol"):
            lines += [_norm(item.text_content()) for item in child.iter("li")]
        else:
            lines.append(_norm(child.text_content()))
    return [line for line in lines if line]


def main_chunks(tree: _Element) -> list[str]:
    """The text of each main container (paragraphs, headings, quotes, list items; one a line)."""
    return ["\n".join(lines) for lines in map(_container_lines, main_containers(tree)) if lines]


def main_chunk_texts(tree: _Element, containers: "list[_Element] | None" = None) -> list[tuple[str, str]]:
    """Per main container: (its paragraphs etc. one a line, as ``main_chunks``; all its text,
    nested blocks included: code, tables, boxes are inside the container too). ``containers``:
    ``main_containers(tree)`` when the caller has them already."""
    found = []
    for container in main_containers(tree) if containers is None else containers:
        lines = _container_lines(container)
        if lines:
            found.append(("\n".join(lines), _text_outside_boxes(container)))
    return found


def _text_outside_boxes(element: _Element, depth: int = 0) -> str:
    """The element's text in page order without the boxes nested in it: asides, figures,
    forms, scripts and the link blocks ``tasks.boilerplate.prune_tree`` marked (a teaser box
    inside the article's container is not the article's text; a code block or a table is)."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _BOXES and not child.get(PRUNE_ATTR) and depth < 200:
            # inline markup inside a word ("v<strong>ergangenen</strong>") joins as the page shows
            # it; a block element is a word break
            gap = "" if child.tag in _INLINE else " "
            parts.append(gap + _text_outside_boxes(child, depth + 1) + gap)
        parts.append(child.tail or "")
    return "".join(parts)


def main_block_text(tree: _Element) -> str:
    """The text of all the main containers, one paragraph a line."""
    return "\n".join(main_chunks(tree))


def _tokens(text: str) -> str:
    return " ".join(_WORDS.findall(text))


def _prose(line: str) -> bool:
    return len(line.split()) >= PROSE_WORDS and line.rstrip().endswith(_SENTENCE_END)


def _list_item(line: str) -> bool:
    """A line trafilatura wrote from a list item (``- item``)."""
    return line.lstrip().startswith("- ")


def _label(line: str) -> bool:
    """A short line that does not end as a sentence ends: a kicker, headline, byline or date line."""
    return len(line.split()) <= LABEL_WORDS and not line.rstrip().endswith(_SENTENCE_END)


def declared_summaries(tree: _Element) -> list[str]:
    """The word tokens (as ``_tokens``, casefolded) of the summaries the page declares in its
    ``<meta>``: ``description``, ``og:description``, ``twitter:description`` (distinct, non-empty)."""
    found: list[str] = []
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        if name in _SUMMARY_META and (tokens := _tokens((meta.get("content") or "").casefold())):
            if tokens not in found:
                found.append(tokens)
    return found


def _is_declared_summary(line: str, summaries: list[str]) -> bool:
    """True when ``line`` (5 words or more) is one of the page's declared summaries: within it,
    holding it (at least ``SUMMARY_SHARE`` of the line), or opening with it when the declared
    one is a cut-short copy (12 words or more)."""
    tokens = _tokens(line.casefold())
    if len(tokens.split()) < 5:
        return False
    return any(tokens in summary or summary in tokens and len(summary) >= SUMMARY_SHARE * len(tokens)
               or len(summary.split()) >= 12 and tokens.startswith(summary) for summary in summaries)


def keep_main_blocks(text: str, chunks: "list[str] | list[tuple[str, str]] | str",
                     summaries: "list[str] | None" = None) -> str:
    """``text`` without its lines outside the main containers, and with the article's other
    chunks added when ``text`` holds none of their lines (see the module docstring); ``text``
    unchanged when the containers hold less than ``MIN_SHARE`` of it. ``chunks``: the
    containers' texts (``main_chunks``; or ``main_chunk_texts``: their lines and all their
    text, what a line of ``text`` must be in to be inside), or one text for them all.
    ``summaries``: the page's declared summaries (``declared_summaries``); a line before the
    containers that is one of them is the standfirst, the page's summary, not its body."""
    chunks = [chunks] if isinstance(chunks, str) else chunks
    pairs = [chunk if isinstance(chunk, tuple) else (chunk, chunk) for chunk in chunks]
    chunks = [own for own, _ in pairs]
    lines = [line for line in text.split("\n") if line.strip()]
    chunk_tokens = [_tokens(whole) for _, whole in pairs]
    if not lines or not any(chunk_tokens):
        return text
    home = [next((i for i, inside in enumerate(chunk_tokens) if tokens and tokens in inside), None)
            for tokens in map(_tokens, lines)]
    total = sum(map(len, lines))
    if all(h is None for h in home) or sum(len(line) for line, h in zip(lines, home) if h is not None) < MIN_SHARE * total:
        return text
    first = next(i for i, h in enumerate(home) if h is not None)
    last = max(i for i, h in enumerate(home) if h is not None)
    by_chunk: dict[int, list[str]] = {}
    current = home[first]
    upcoming = [None] * len(lines)  # the chunk of the next main line at or after each line
    for i in range(len(lines) - 1, -1, -1):
        upcoming[i] = home[i] if home[i] is not None else (upcoming[i + 1] if i + 1 < len(lines) else None)
    for i in range(first, len(lines)):
        current = home[i] if home[i] is not None else current
        # between two chunks of a split article sit its subheadings: kept with the chunk before
        boundary = i < last and upcoming[i] is not None and upcoming[i] != current
        if home[i] is not None or (i < last and (_prose(lines[i]) or boundary)):
            by_chunk.setdefault(current, []).append(lines[i])
    # the header block before the article's paragraphs: its sentences (a lead printed apart) stay;
    # its labels go (kicker, headline, byline, date line, "Berlin."): the title, author and date
    # are fields of their own. So does a standfirst the page declares as its summary (<meta>
    # description) right above the article's paragraphs: declared apart from them, it is the
    # page's summary, not the body's first paragraph (a lead the containers hold stays, whatever
    # the description says); and a list there: a key-points box ("Das Wichtigste in Kürze").
    # Only in the run of lines right above the containers: when the containers are a teaser row
    # below the article, the article itself is "the header", its first paragraph the description
    apart = set()
    for i in range(first - 1, -1, -1):
        if _is_declared_summary(lines[i], summaries or []) or _list_item(lines[i]):
            apart.add(i)
        elif not _label(lines[i]):
            break
    kept = [line for i, line in enumerate(lines[:first]) if not _label(line) and i not in apart]
    for i, chunk in enumerate(chunks):
        # a chunk trafilatura took nothing from: the CMS split the article and trafilatura kept one part
        kept += by_chunk.get(i) or [line for line in chunk.split("\n") if line.strip()]
    return "\n".join(kept)

"""Page type: is a fetched page an article, or a listing/index, gallery, video or other page?

In: the parsed page (or a text file's name and text) and the body extraction chose. Out:
``(page_type, reason)``; only ``article`` pages become articles, the others are recorded on the
fetch record with their one-line reason. General evidence only, never one outlet's markup:

- what the page declares: JSON-LD ``@type`` (NewsArticle, ReportageNewsArticle, BlogPosting...
  vs CollectionPage, ItemList, ImageGallery, VideoObject) and ``og:type``;
- what it holds: words of prose in the chosen body, links whose text reads as a headline,
  images and video players; how much of the body is other pages' headlines and the teasers
  beside them (``listing_evidence``: a front page has no one prose body, only a lead teaser and
  rows of headline blocks, each with its own link);
- for text files: a licence, read-me or change-log is not news (its name or its licence wording).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from lxml.etree import _Element
from tasks.jsonld import jsonld_nodes
from tasks.page_links import PageLinks, page_links

ARTICLE, LISTING, GALLERY, VIDEO, OTHER = "article", "listing", "gallery", "video", "other"
PAGE_TYPES = (ARTICLE, LISTING, GALLERY, VIDEO, OTHER)
#: The stage name of a page recorded as not an article (its error reads "listing: 40 headline links ...").
PAGE_TYPE_STAGE = "page_type"

_ARTICLE_TYPES = frozenset(t.casefold() for t in (
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
    "BackgroundNewsArticle", "ReviewNewsArticle", "BlogPosting", "LiveBlogPosting", "Report",
    "ScholarlyArticle", "TechArticle", "SocialMediaPosting",
))
_LISTING_TYPES = frozenset(t.casefold() for t in ("CollectionPage", "ItemList", "SearchResultsPage", "SiteNavigationElement"))
_GALLERY_TYPES = frozenset(t.casefold() for t in ("ImageGallery", "MediaGallery"))
_VIDEO_TYPES = frozenset(t.casefold() for t in ("VideoObject", "VideoGallery"))
#: A body shorter than this is not an article's text by itself (captions, share buttons...).
SHORT_BODY_WORDS = 60
#: A page of at least MIN_GALLERY_FIGURES <figure> photos with less text than ten words a photo
#: (and never more than this) is a gallery whose text is captions, unless it declares an article.
MAX_GALLERY_WORDS = 100
MIN_GALLERY_FIGURES = 6
#: A body of which at least this share of words is link texts, or teasers each sitting beside a
#: headline link of its own, with headline links to at least MIN_LISTING_PAGES pages, is a
#: listing/index page (a front page's lead teaser and rows of headlines), not one article.
#: ... and whose first sentence line (this many words or more) is one of them (a blog post
#: followed by its site's teasers opens with its own text).
LISTING_SHARE = 0.6
MIN_LISTING_PAGES = 8
_OPENING_WORDS = 8
#: Links whose text is this long read as headlines of other pages.
_HEADLINE_CHARS = 25
#: A teaser item is at most this many characters more than its headline, within this many levels.
_ITEM_EXTRA_CHARS = 400
_ITEM_LEVELS = 4
_WORD = re.compile(r"\w+")

#: A feed's root element, after the XML declaration, stylesheet instructions and comments.
_FEED_ROOT = re.compile(r"\s*(<\?[^>]*\?>\s*|<!--.*?-->\s*)*<(rss|feed|rdf:RDF)[\s>]", re.IGNORECASE | re.DOTALL)

_NOT_NEWS_FILES = re.compile(
    r"^(licen[cs]e|copying|readme|notice|changelog|changes|authors|contributing|history|install)([._-].*)?$",
    re.IGNORECASE,
)
#: Wording that only licences use (any licence, any project).
_LICENCE_WORDS = re.compile(
    r"permission is hereby granted|licensed under the|the software is provided \"?as is|"
    r"gnu (lesser |affero )?general public license|creative commons|all rights reserved\.?\s*redistribution|"
    r"redistribution and use in source and binary forms",
    re.IGNORECASE,
)


def article_type(kind: object) -> bool:
    """True when a JSON-LD ``@type`` value (a string or a list of them) names an article type."""
    return any(isinstance(v, str) and v.casefold() in _ARTICLE_TYPES for v in (kind if isinstance(kind, list) else [kind]))


def words(text: str | None) -> int:
    return len(_WORD.findall(text or ""))


def declared_types(tree: _Element) -> set[str]:
    """The casefolded ``@type`` values of the page's JSON-LD nodes and its ``og:type``."""
    found: set[str] = set()
    for node in jsonld_nodes(tree, follow=("@graph", "mainEntity")):
        kind = node.get("@type")
        for value in kind if isinstance(kind, list) else [kind]:
            if isinstance(value, str):
                found.add(value.casefold())
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:type" and meta.get("content"):
            found.add("og:" + meta.get("content").strip().casefold())
    return found


def _headline_links(links: PageLinks) -> int:
    return sum(1 for _, text in links if len(text) >= _HEADLINE_CHARS)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _headline_items(links: PageLinks) -> list[tuple[str, str, str]]:
    """(headline, item text, href) for each link whose text reads as a headline: the item is the
    largest block around the link holding little more than it (a teaser beside a headline)."""
    items = []
    texts: dict[_Element, str] = {}  # links in one list share ancestors: each one's text read once
    for link, headline in links:
        href = (link.get("href") or "").strip()
        if len(headline) < _HEADLINE_CHARS or len(headline.split()) < 3 \
                or not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        item = headline
        for level, ancestor in enumerate(link.iterancestors()):
            if level >= _ITEM_LEVELS or ancestor.tag in ("body", "html"):
                break
            text = texts.get(ancestor)
            if text is None:
                text = texts[ancestor] = _norm(ancestor.text_content())
            if len(text) > len(headline) + _ITEM_EXTRA_CHARS:
                break
            item = text
        items.append((headline, item, href))
    return items


def listing_evidence(tree: _Element, body: str, links: PageLinks | None = None) -> tuple[float, int, bool]:
    """(share of the body's words that are the page's link texts or teasers sitting beside a
    headline link of their own, number of distinct pages those headline links point to, whether
    the body's first sentence line (``_OPENING_WORDS`` words or more, ending as a sentence ends)
    is one of those, or the body has no such line). ``links``: ``page_links(tree)`` when the
    caller has them."""
    links = page_links(tree) if links is None else links
    items = _headline_items(links)
    link_lines = {text for _, text in links}
    listed = total = 0
    opening = None
    for line in (_norm(raw) for raw in body.splitlines()):
        n = words(line)
        total += n
        is_listed = line in link_lines or n >= 4 and any(line in item and headline not in line for headline, item, _ in items)
        listed += n if is_listed else 0
        if opening is None and n >= _OPENING_WORDS and line.endswith((".", "!", "?", '"', "”", ")", "…")):
            opening = is_listed
    # no line of prose at all opens nothing of its own either
    return listed / max(1, total), len({href for _, _, href in items}), opening is not False


def _images(tree: _Element) -> int:
    return sum(1 for _ in tree.iter("img"))


def _has_player(tree: _Element) -> bool:
    if next(tree.iter("video"), None) is not None:
        return True
    return any(re.search(r"youtube|vimeo|dailymotion|/embed/|player", f.get("src") or "", re.IGNORECASE)
               for f in tree.iter("iframe"))


def html_page_type(tree: _Element, body: str, page: PageLinks | None = None) -> tuple[str, str]:
    """The type of an HTML page whose chosen body is ``body`` ('' when only headline lists were
    found). ``page``: ``page_links(tree)`` when the caller has them."""
    declared = declared_types(tree)
    n_words = words(body)
    page = page_links(tree) if page is None else page
    links = _headline_links(page)
    if not body:
        return LISTING, f"no article body, only lists of other articles' headlines ({links} headline links)"
    says_article = bool(declared & _ARTICLE_TYPES) or "og:article" in declared
    images = _images(tree)
    figures = sum(1 for _ in tree.iter("figure"))
    # photos in <figure>s, not any <img> (logos, thumbnails and chrome are everywhere on blogs)
    if not says_article and figures >= MIN_GALLERY_FIGURES and n_words < min(MAX_GALLERY_WORDS, 10 * figures):
        return GALLERY, f"{figures} photos and {n_words} words of text"  # captions, not prose
    # og:type "article" is on every page of many sites, front pages included: only a JSON-LD
    # article type stands against a body that is other pages' headlines and teasers
    # a post followed by rows of other posts' teasers opens with its own prose: still an article
    share, pages, opens_listed = listing_evidence(tree, body, page) if n_words >= SHORT_BODY_WORDS // 2 else (0.0, 0, False)
    if share >= LISTING_SHARE and pages >= MIN_LISTING_PAGES and opens_listed and not declared & _ARTICLE_TYPES:
        return LISTING, (f"{round(100 * share)}% of the text is headlines and teasers of other pages "
                         f"({pages} headline links)")
    if n_words >= SHORT_BODY_WORDS:
        if not says_article and declared & _LISTING_TYPES:
            return LISTING, f"declared a {sorted(declared & _LISTING_TYPES)[0]} with {links} headline links"
        return ARTICLE, "article" if says_article else f"{n_words} words of text"
    # a short body: say what the page is instead, from what it declares and holds
    if declared & _GALLERY_TYPES:
        return GALLERY, f"declared a gallery; {images} images and {n_words} words of text"
    # a short post beside a player or many links is still a post: only strong evidence says otherwise
    video = declared & _VIDEO_TYPES or any(t.startswith("og:video") for t in declared)
    if (video and not says_article) or (_has_player(tree) and n_words < SHORT_BODY_WORDS // 4):
        return VIDEO, f"a video player and {n_words} words of text"
    if not says_article and (declared & _LISTING_TYPES or (links >= 25 and n_words < SHORT_BODY_WORDS // 2)):
        return LISTING, f"{links} headline links and {n_words} words of text"
    if says_article or n_words >= SHORT_BODY_WORDS // 2:
        return ARTICLE, "a short article"
    return OTHER, f"only {n_words} words of text"


def is_feed(text: str) -> bool:
    """True when the document is an RSS, RDF or Atom feed (a list of items, saved as a page or served as one)."""
    return bool(_FEED_ROOT.match(text[:3000]))


def text_file_type(name: str | None, text: str) -> tuple[str, str]:
    """The type of an already-extracted text file (named ``name``)."""
    stem = PurePosixPath(name or "").name
    if stem and _NOT_NEWS_FILES.match(stem):
        return OTHER, f"{stem} is a project file (licence, read-me, change log), not news"
    if _LICENCE_WORDS.search(text[:5000]):
        return OTHER, "the text is a licence"
    if words(text) < SHORT_BODY_WORDS // 2:
        return OTHER, f"only {words(text)} words of text"
    return ARTICLE, "text file"

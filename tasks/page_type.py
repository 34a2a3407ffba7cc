"""Page type: is a fetched page an article, or a listing/index, gallery, video or other page?

In: the parsed page (or a text file's name and text) and the body extraction chose. Out:
``(page_type, reason)``; only ``article`` pages become articles, the others are recorded on the
fetch record with their one-line reason. General evidence only, never one outlet's markup:

- what the page declares: JSON-LD ``@type`` (NewsArticle, ReportageNewsArticle, BlogPosting...
  vs CollectionPage, ItemList, ImageGallery, VideoObject) and ``og:type``;
- what it holds: words of prose in the chosen body, links whose text reads as a headline,
  images and video players;
- for text files: a licence, read-me or change-log is not news (its name or its licence wording).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from lxml.etree import _Element
from tasks.jsonld import jsonld_nodes

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
#: Links whose text is this long read as headlines of other pages.
_HEADLINE_CHARS = 25
_WORD = re.compile(r"\w+")

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


def _headline_links(tree: _Element) -> int:
    return sum(1 for a in tree.iter("a") if len(" ".join(a.text_content().split())) >= _HEADLINE_CHARS)


def _images(tree: _Element) -> int:
    return sum(1 for _ in tree.iter("img"))


def _has_player(tree: _Element) -> bool:
    if next(tree.iter("video"), None) is not None:
        return True
    return any(re.search(r"youtube|vimeo|dailymotion|/embed/|player", f.get("src") or "", re.IGNORECASE)
               for f in tree.iter("iframe"))


def html_page_type(tree: _Element, body: str) -> tuple[str, str]:
    """The type of an HTML page whose chosen body is ``body`` ('' when only headline lists were found)."""
    declared = declared_types(tree)
    n_words = words(body)
    links = _headline_links(tree)
    if not body:
        return LISTING, f"no article body, only lists of other articles' headlines ({links} headline links)"
    says_article = bool(declared & _ARTICLE_TYPES) or "og:article" in declared
    images = _images(tree)
    figures = sum(1 for _ in tree.iter("figure"))
    # photos in <figure>s, not any <img> (logos, thumbnails and chrome are everywhere on blogs)
    if not says_article and figures >= MIN_GALLERY_FIGURES and n_words < min(MAX_GALLERY_WORDS, 10 * figures):
        return GALLERY, f"{figures} photos and {n_words} words of text"  # captions, not prose
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

"""Pagination: the next page of a multi-page article or a listing, and joining article pages.

A link is "the next page of the same article" when it points to the same article once page
markers are removed (``?page=N``/``?halaman=N``/``?p=N`` queries, a trailing ``/N`` path segment)
and it is marked as next (``rel="next"``, link text "halaman berikutnya", "selanjutnya",
"berikutnya", "next") or its page number is the current one plus one.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.html

from kabar.text import absolute_url

LOGGER = logging.getLogger(__name__)

_PAGE_PARAMS = ("page", "halaman", "hal", "p", "pg")
_NEXT_WORDS = re.compile(r"(halaman\s+)?(berikut(nya)?|selanjutnya)|next|lanjut|›|»", re.IGNORECASE)
_TRAILING_NUMBER = re.compile(r"^(.*?)/(?:page/)?(\d{1,3})/?$")


def page_key(url: str) -> tuple[str, int]:
    """(the URL without its page marker, the page number: 1 when there is none)."""
    parts = urlsplit(url)
    number = 1
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in _PAGE_PARAMS and value.isdigit():
            number = int(value)
        else:
            query.append((key, value))
    path = parts.path
    match = _TRAILING_NUMBER.match(path)
    if match and number == 1 and 1 < int(match.group(2)) < 200 and match.group(1):
        path, number = match.group(1), int(match.group(2))
    path = path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, urlencode(query), "")), number


def _links(html: str | bytes, base: str) -> list[tuple[str, str, str]]:
    """(absolute href, rel, text) of every <a>/<link> with an href."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    found = []
    for element in tree.iter("a", "link"):
        href = (element.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        absolute = absolute_url(base, href)
        if absolute is None:
            continue
        text = element.text_content() if element.tag == "a" else ""
        found.append((absolute, (element.get("rel") or "").lower(), " ".join(text.split())))
    return found


def next_page(html: str | bytes, url: str) -> str | None:
    """The URL of the next page of the same article (or listing) as ``url``, or None."""
    key, number = page_key(url)
    by_number = None
    for href, rel, text in _links(html, url):
        if urlsplit(href).scheme not in ("http", "https"):
            continue
        other_key, other_number = page_key(href)
        if other_key != key or other_number <= number:
            continue
        if "next" in rel.split() or (text and len(text) < 40 and _NEXT_WORDS.search(text)):
            return href.split("#")[0]
        if other_number == number + 1 and by_number is None:
            by_number = href.split("#")[0]
    return by_number


def listing_links(html: str | bytes, url: str, pattern: str) -> list[str]:
    """Absolute links of a listing page whose URL matches ``pattern``, in page order, once each."""
    regex = re.compile(pattern)
    seen: dict[str, None] = {}
    for href, _, _ in _links(html, url):
        href = href.split("#")[0]
        if urlsplit(href).scheme in ("http", "https") and regex.search(href):
            seen.setdefault(href, None)
    return list(seen)


def _paragraph_key(paragraph: str) -> str:
    return " ".join(paragraph.split()).casefold()


def join_pages(texts: list[str]) -> str:
    """The pages' texts in order as one text; a paragraph already seen on an earlier page (the
    lead many sites repeat on every page) is kept once."""
    seen: set[str] = set()
    out: list[str] = []
    for text in texts:
        page_keys = set()
        for paragraph in text.split("\n"):
            key = _paragraph_key(paragraph)
            if key and key not in seen:
                page_keys.add(key)
                out.append(paragraph.strip())
        seen |= page_keys
    return "\n".join(out)

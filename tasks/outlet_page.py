"""The outlet's home page as discovery reads it: its name (og:site_name, JSON-LD, <title>), the
feeds it links, the section pages it links (listing candidates), and a ``link_pattern`` for the
article links a listing page shows. Pure functions over HTML bytes; no fetching here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html

from kabar.text import absolute_url, site_of

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
#: The path of an article: a long number (an id or a date) or a slug of three or more words.
ARTICLE_PATH = r"(?:\d{4,}|[^/?#]+-[^/?#]+-[^/?#]+)"
_ARTICLE = re.compile(ARTICLE_PATH)
_FEEDISH = re.compile(r"(^|[/._-])(rss|feeds?|atom)([/._-]|$)", re.IGNORECASE)
#: Title parts that name the page, not the outlet.
_PAGE_WORDS = frozenset(["beranda", "halaman utama", "home", "homepage", "home page", "index", "welcome", "selamat datang"])


def same_site(url: str, reference: str) -> bool:
    """Whether ``url`` belongs to the site of ``reference``: the same registered domain
    (news.example.id and www.example.id), or for IP addresses and bare names the same host;
    never for a URL that is not http(s)."""
    site = site_of(url)
    return site is not None and site == site_of(reference)


def is_article_url(url: str, home: str) -> bool:
    """An http(s) URL on the outlet's site whose path looks like one article's."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and same_site(url, home) and bool(_ARTICLE.search(parts.path))


@dataclass
class HomePage:
    """What the home page itself says: its name, feed links, other links and text."""

    outlet: str | None
    alternates: list[str]  # <link rel="alternate"> feeds
    feed_links: list[str]  # <a> links that look like feeds
    links: list[tuple[str, str]]  # (absolute URL, anchor text) of every <a>, page order
    text: str


def outlet_name(tree: lxml.html.HtmlElement) -> str | None:
    """The outlet's name from og:site_name, JSON-LD (publisher / WebSite / Organization name),
    else the first part of <title> ("Kabar Nusantara - Berita Terkini" -> "Kabar Nusantara")."""
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in ("og:site_name", "application-name"):
            if (meta.get("content") or "").strip():
                return " ".join(meta.get("content").split())
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        for node in data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []:
            if not isinstance(node, dict):
                continue
            publisher = node.get("publisher")
            if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
                return publisher["name"].strip()
            if node.get("@type") in ("WebSite", "Organization", "NewsMediaOrganization") and isinstance(node.get("name"), str):
                return node["name"].strip()
    title = tree.findtext(".//title")
    if title and title.strip():
        parts = [p.strip() for p in re.split(r"\s+[|\-–—:·]\s+", " ".join(title.split())) if p.strip()]
        named = [p for p in parts if p.casefold() not in _PAGE_WORDS]  # "Beranda | Warta Kita"
        return (named or parts or [None])[0]
    return None


def read_home(body: bytes, base: str) -> HomePage:
    tree = lxml.html.fromstring(body)
    alternates, feed_links, links = [], [], []
    for element in tree.iter("link", "a"):
        href = (element.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = absolute_url(base, href)
        if url is None:
            continue
        url = url.split("#")[0]
        if element.tag == "link":
            rel = (element.get("rel") or "").lower().split()
            if "alternate" in rel and (element.get("type") or "").lower() in FEED_TYPES:
                alternates.append(url)
            continue
        text = " ".join(element.text_content().split())
        links.append((url, text))
        if _FEEDISH.search(urlsplit(url).path) or (element.get("type") or "").lower() in FEED_TYPES:
            feed_links.append(url)
    for junk in tree.xpath("//script|//style"):
        junk.drop_tree()
    return HomePage(outlet_name(tree), list(dict.fromkeys(alternates)), list(dict.fromkeys(feed_links)),
                    links, " ".join(tree.text_content().split())[:5000])


def section_links(home: HomePage, home_url: str) -> list[str]:
    """Links of the home page to pages of the same site that look like sections, not articles."""
    found: dict[str, None] = {}
    for url, _ in home.links:
        parts = urlsplit(url)
        depth = len([p for p in parts.path.split("/") if p])
        if (parts.scheme in ("http", "https") and same_site(url, home_url) and 1 <= depth <= 2
                and not _ARTICLE.search(parts.path) and not parts.query and url.rstrip("/") != home_url.rstrip("/")
                and not _FEEDISH.search(parts.path)):
            found.setdefault(url, None)
    return list(found)


def listing_pattern(articles: list[str]) -> str | None:
    """A ``link_pattern`` matching these article URLs: their host and first path segments, then
    an article-like path (an id or a slug); None when they share no common shape."""
    if not articles:
        return None
    hosts = {urlsplit(u).netloc for u in articles}
    sections = {urlsplit(u).path.strip("/").split("/")[0] for u in articles if urlsplit(u).path.count("/") >= 2}
    host = "(?:" + "|".join(sorted(re.escape(h) for h in hosts)) + ")" if len(hosts) > 1 else re.escape(hosts.pop())
    if sections and len(sections) <= 4 and all(urlsplit(u).path.count("/") >= 2 for u in articles):
        prefix = "/(?:" + "|".join(sorted(re.escape(s) for s in sections)) + ")/"
    else:
        prefix = "/"
    pattern = f"^https?://{host}{prefix}.*{ARTICLE_PATH}"
    regex = re.compile(pattern)
    return pattern if all(regex.search(u) for u in articles) else None

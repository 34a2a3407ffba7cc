"""Outlet names: one label per site, stable across its pages, never a URL.

In: the page's URL and the names it declares (JSON-LD ``publisher.name``, ``og:site_name``,
trafilatura's ``sitename``), most trusted first. Out: a label, or None.

Pages of one site name it differently ("Antara News" and "Antara News Agency", "KOMPAS.com",
"Liputan6Dotcom", "Detikfinance" on finance.detik.com, a Facebook page URL in ``og:site_name``).
A declared name that spells the site's domain label ("antaranews", "kompas", "liputan6",
"detik") is cut to the words that spell it, keeping the page's own capitals: every page of the
site then gets the same label whatever it appends. URLs are never labels; a page
declaring nothing usable is labelled by its host name.
The source's configured ``outlet`` wins over all of this (``tasks.normalise.outlet_for``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.etree import _Element

from kabar.text import site_of
from tasks.jsonld import jsonld_nodes

_URL_LIKE = re.compile(r"^\s*(https?:|www\.)|/", re.IGNORECASE)
_HOST_LIKE = re.compile(r"^[\w-]+(\.[\w-]+)+$")
_COMPACT = re.compile(r"[\W_]+")


def _compact(text: str) -> str:
    return _COMPACT.sub("", text).casefold()


def domain_label(url: str | None) -> str | None:
    """The name part of a URL's registrable domain (regional.kompas.com -> 'kompas')."""
    host = urlsplit(url).hostname if url and url.startswith("http") else None
    site = site_of(url) if host and not re.fullmatch(r"[\d.]+|[\da-f:]+", host) else None
    return site.split(".")[0].casefold() if site else None


def _spelling_prefix(name: str, label: str) -> str | None:
    """The shortest leading part of ``name`` whose letters and digits spell ``label``, or None."""
    if not _compact(name).startswith(label):
        return None
    for end in range(1, len(name) + 1):
        if _compact(name[:end]) == label:
            prefix = name[:end].strip(" .-_|:")
            return prefix if prefix else None
    return None


def _canonical_case(prefix: str) -> str:
    """One spelling per site: a one-word name is capitalised ("KOMPAS", "kompas" -> "Kompas"),
    except a short acronym ("BBC"); names of several words keep the page's own capitals."""
    if " " in prefix or (prefix.isupper() and len(prefix) <= 4):
        return prefix
    return prefix[:1].upper() + prefix[1:].lower()


def site_names(tree: _Element) -> list[str]:
    """The names a page declares for its site, most trusted first: JSON-LD ``publisher.name``,
    ``og:site_name``, ``application-name``, the ``twitter:site`` handle (without its @)."""
    names: list[str] = []
    for node in jsonld_nodes(tree, follow=("@graph",)):
        publisher = node.get("publisher")
        for item in publisher if isinstance(publisher, list) else [publisher]:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                names.append(item["name"])
    metas = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in ("og:site_name", "application-name", "twitter:site") and meta.get("content"):
            metas.setdefault(key, meta.get("content").strip().lstrip("@"))
    names += [metas[k] for k in ("og:site_name", "application-name", "twitter:site") if k in metas]
    return names


def outlet_name(url: str | None, declared: list[str | None]) -> str | None:
    """The outlet label for a page at ``url`` declaring the names ``declared`` (most trusted first)."""
    names = [" ".join(n.split()) for n in declared if n and n.strip()]
    names = [n for n in names if not _URL_LIKE.search(n) and len(n) <= 80]
    label = domain_label(url)
    if label:
        for name in names:
            if prefix := _spelling_prefix(name, label):
                return _canonical_case(prefix)
    names = [n for n in names if not _HOST_LIKE.match(n)]
    if names:
        return names[0]
    host = urlsplit(url).hostname if url and url.startswith("http") else None
    if not host or re.fullmatch(r"[\d.]+|[\da-f:]+", host):
        return host
    return site_of(url)  # the registrable domain: the same for every page of the site

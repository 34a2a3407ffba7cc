"""Text and URL keys shared by the pipeline and the warehouse: a boilerplate line's key, a URL's
site, a title's separator-delimited affixes."""

from __future__ import annotations

import functools
import hashlib
import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    import tldextract

#: Media types of HTML pages, and of pages kabar extracts (HTML and plain text).
HTML_MIME_TYPES = ("text/html", "application/xhtml+xml")
PAGE_MIME_TYPES = (*HTML_MIME_TYPES, "text/plain")

#: Separators between a headline and a site name ("Judul - Kompas.com", "Situs | Judul").
TITLE_SEPARATORS = re.compile(r"\s+[|\-–—»·:]{1,2}\s+|\s*\|\s*|:\s+")

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")


def line_key(line: str) -> str:
    """A line's profile key: case, digits, punctuation and spacing do not matter."""
    norm = _NON_WORD.sub(" ", _DIGITS.sub("0", line.casefold())).strip()
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest()


@functools.cache
def _domains() -> tldextract.TLDExtract:
    # Imported here, not at the top: tldextract pulls requests and urllib3 (about 0.3 s), and this
    # module is imported by every command through kabar.config (issue 11: `kabar sql` stays light).
    import tldextract

    # The Public Suffix List snapshot bundled with tldextract, never a download (no network at
    # run time) and no cache file written (cache_dir=None).
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def site_of(url: str | None) -> str | None:
    """The site a URL belongs to: its registrable domain (regional.kompas.com -> kompas.com,
    www.example.co.id -> example.co.id); an IP address or a single-label host as it is; None for
    a URL that is not http(s). The one answer to "which site/outlet is this": profiles, coverage,
    outlets and discovery all use it. Hosts kept finer on purpose elsewhere: ``tasks.dedupe.site_host``
    (canonical URLs keep sections, only rendering prefixes go), ``tasks.politeness`` (rate limits
    per scheme://host:port) and ``tasks.safety`` (the URL guard checks the exact host)."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    host = (urlsplit(url).hostname or "").rstrip(".")
    return _domains()(host).top_domain_under_public_suffix or host or None


def title_affixes(title: str) -> list[str]:
    """The first and last separator-delimited segments of a raw title (site-name candidates)."""
    parts = [p for p in TITLE_SEPARATORS.split(title) if p.strip()]
    return [parts[0], parts[-1]] if len(parts) > 1 else []


def absolute_url(base: str, href: str) -> str | None:
    """``href`` made absolute against ``base``, or None when no URL parser reads it: urllib raises
    ValueError on a bracketed host that is no IP address ("http://[ccpa-preferences]/", seen on a
    real page) or an unclosed bracket, and one such link must not fail its page."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None

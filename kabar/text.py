"""Text and URL keys shared by the pipeline and the warehouse: a boilerplate line's key, a URL's
site, a title's separator-delimited affixes."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

#: Separators between a headline and a site name ("Judul - Kompas.com", "Situs | Judul").
TITLE_SEPARATORS = re.compile(r"\s+[|\-–—»·:]{1,2}\s+|\s*\|\s*|:\s+")

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")
#: Second-level labels under which registrations sit (example.co.id, example.or.id).
_SECOND_LEVEL = frozenset({"co", "or", "ac", "go", "web", "my", "sch", "net", "com", "org", "gov", "mil", "biz"})


def line_key(line: str) -> str:
    """A line's profile key: case, digits, punctuation and spacing do not matter."""
    norm = _NON_WORD.sub(" ", _DIGITS.sub("0", line.casefold())).strip()
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest()


def site_of(url: str | None) -> str | None:
    """The site a URL belongs to: its registrable domain (regional.kompas.com -> kompas.com)."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:]) if len(labels) >= 2 else host or None


def title_affixes(title: str) -> list[str]:
    """The first and last separator-delimited segments of a raw title (site-name candidates)."""
    parts = [p for p in TITLE_SEPARATORS.split(title) if p.strip()]
    return [parts[0], parts[-1]] if len(parts) > 1 else []



"""Dedupe: give each article its identity and decide what it is to the warehouse.

- ``canonical_url``: a normalised URL (scheme/host case, default port, fragment, tracking
  parameters, trailing slash); the article's identity is derived from it.
- ``content_hash``: a hash of the normalised text, so the same text at two URLs is one article.

Each article leaves with ``meta['status']``: ``new``, ``updated`` (same URL, changed text),
``unchanged`` (same URL, same text), or ``duplicate`` (another URL already holds this text;
``duplicate_of`` names it). Decisions use the batch itself and what the warehouse already holds.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from prefect import task
from prefect.cache_policies import NONE as NO_CACHE

from kabar.models import Article

LOGGER = logging.getLogger(__name__)

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_ga|igshid|ref|ref_src|"
    r"cmpid|src|source|from|spm|share|s_cid|xtor)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Host prefixes of mobile and AMP variants of a site (m.detik.com is detik.com).
_VARIANT_HOST = re.compile(r"^(www\.|m\.|mobile\.|amp\.)+")
_AMP_QUERY = re.compile(r"^(amp|outputtype|output)$", re.IGNORECASE)


def site_host(host: str) -> str:
    """A host without its www./m./mobile./amp. variant prefixes."""
    return _VARIANT_HOST.sub("", host.lower().rstrip("."))


def canonical_url(url: str) -> str:
    """A stable form of a URL: lower-case scheme and host, no default port, no fragment, no
    tracking parameters, sorted query, no trailing slash on a non-root path. file:// URIs as is."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return url.strip()
    host = site_host(parts.hostname or "")  # www., m. and amp. variants are one site
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS[parts.scheme]) else f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _TRACKING.match(k) and not (_AMP_QUERY.match(k) and v.lower() in ("", "1", "amp", "true")))
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    path = re.sub(r"^/amp(?=/)|/amp/?$|\.amp(?=$|\.html?$)", "", path) or "/"  # AMP variants of the article
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit(("https" if parts.scheme == "https" else "http", netloc, path, urlencode(query), ""))


def normalised_for_hash(text: str) -> str:
    """Text as compared for exact duplicates: case, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", text))


def content_hash(text: str) -> str:
    return hashlib.sha256(normalised_for_hash(text).encode("utf-8")).hexdigest()[:32]


def article_id_for(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass
class KnownKeys:
    """What the warehouse already holds for a batch's keys."""

    #: canonical_url -> (article_id, content_hash)
    by_url: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: content_hash -> article_id of the original holding that text
    by_hash: dict[str, str] = field(default_factory=dict)


def identify(article: Article) -> Article:
    """Fill canonical_url, content_hash and article_id."""
    canonical = article.meta.get("html_canonical")
    same_site = canonical and urlsplit(canonical).hostname and (
        site_host(urlsplit(canonical).hostname or "") == site_host(urlsplit(article.url).hostname or "")
    )
    article.canonical_url = canonical_url(canonical if same_site else article.url)
    article.content_hash = content_hash(article.text)
    article.article_id = article_id_for(article.canonical_url)
    return article


def classify(articles: list[Article], known: KnownKeys) -> list[Article]:
    """Decide each article's status against the batch so far and the warehouse.

    A canonical URL seen twice in one batch keeps its last copy. Returns the articles to load.
    """
    latest: dict[str, Article] = {}
    for article in articles:
        identify(article)
        latest[article.canonical_url] = article  # a URL seen twice in a batch: keep the last copy
    hashes = dict(known.by_hash)
    decided = []
    for article in latest.values():
        stored = known.by_url.get(article.canonical_url)
        if stored is not None:
            article.meta["status"] = "unchanged" if stored[1] == article.content_hash else "updated"
        elif article.content_hash in hashes and hashes[article.content_hash] != article.article_id:
            article.meta["status"] = "duplicate"
            article.duplicate_of = hashes[article.content_hash]
        else:
            article.meta["status"] = "new"
        hashes.setdefault(article.content_hash, article.article_id)
        decided.append(article)
    return decided


@task(name="dedupe", cache_policy=NO_CACHE)
def dedupe_task(articles: list[Article], warehouse: str) -> list[Article]:
    from warehouse.lookup import known_keys

    for article in articles:
        identify(article)
    known = known_keys(warehouse, [a.canonical_url for a in articles], [a.content_hash for a in articles])
    return classify(articles, known)

"""Dedupe: give each article its identity and decide what it is to the warehouse.

- ``canonical_url``: a normalised URL (scheme/host case, default port, fragment, tracking
  parameters, trailing slash); the article's identity is derived from it.
- ``content_hash``: a hash of the normalised text, so the same text at two URLs is one article.

- near-duplicates: MinHash signatures of word shingles and LSH band keys (``tasks.minhash``);
  candidates come from the warehouse's band-key index (``warehouse.lookup``) and from earlier
  articles of the batch, and are verified by estimated Jaccard similarity.

Each article leaves with ``meta['status']``: ``new``, ``updated`` (same URL, changed text),
``unchanged`` (same URL, same text), or ``duplicate`` (another article already holds this text or
nearly this text; ``duplicate_of`` names the original, ``meta['duplicate_similarity']`` how close).
Decisions use the batch itself and what the warehouse already holds; the load step stores the
signatures and band keys (``warehouse.dedupe_store``), so the index grows with each batch.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
from courlan.clean import TRACKERS_RE

from kabar.config import DedupeSettings, Warehouse
from kabar.models import Article
from kabar.records import Candidate, KnownKeys
from kabar.tasking import NO_CACHE, task
from kabar.text import absolute_url
from tasks.minhash import Banding, band_keys, estimated_jaccard, shingle_hashes, signatures

LOGGER = logging.getLogger(__name__)

#: Share and referral parameters courlan's tracker list leaves out.
_SHARE_PARAMS = frozenset({"cmpid", "src", "from", "spm", "share"})


def is_tracking_param(key: str) -> bool:
    """Whether a query parameter only says where a click came from: courlan's tracker patterns
    (utm_*, fbclid, gclid, campaign, referrer, xtor, ...) plus ``_SHARE_PARAMS``.

    courlan's patterns are prefixes (``\\bga`` matches "gallery", ``\\bcl?id`` "cidTexte"); a key
    counts only when the pattern reaches its end or a "_". Measured on the 701 distinct query
    keys of the corpus's links: the bare patterns would also strip gallery-like content ids
    (cidTexte, keywords, sessionID); anchored, they catch all 14 keys the old hand-kept list
    caught plus 12 more (campaign, medium, itm_source, g2i_source, ga_action, et_cid, ...)."""
    key = key.lower()
    if key in _SHARE_PARAMS:
        return True
    match = TRACKERS_RE.search(key)
    return bool(match) and (match.group().endswith("_") or match.end() == len(key) or key[match.end()] == "_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


#: Query parameters that only select the AMP rendering of a page (?amp=1, ?outputType=amp).
_AMP_PARAMS = re.compile(r"^(amp|amp_js_v|usqp|outputtype|amp_gsa|aoh)$", re.IGNORECASE)
#: Host prefixes of the same site's www, mobile and AMP renderings.
_VARIANT_HOST = re.compile(r"^(www\d?|m|mobile|amp)\.(?=[^.]+\.[^.]+)")


def site_host(host: str) -> str:
    """A host without its www./m./mobile./amp. rendering prefix (``m.detik.com`` -> ``detik.com``).

    Finer than ``kabar.text.site_of`` on purpose: it keeps other subdomains
    (``regional.kompas.com`` stays), because the same path on two sections of one site can be two
    different articles, so a canonical URL must not merge them."""
    host = host.lower().rstrip(".")
    while True:
        stripped = _VARIANT_HOST.sub("", host, count=1)
        if stripped == host:
            return host
        host = stripped


def canonical_url(url: str) -> str:
    """A stable form of a URL: lower-case scheme and host, no www./m./amp. host prefix, no default
    port, no fragment, no tracking or AMP parameters, sorted query, no ``/amp`` path segment, no
    trailing slash on a non-root path. Non-http(s) URIs (file://) come back as they are."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        return url.strip()
    scheme = parts.scheme.lower()
    host = site_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError:  # a non-numeric port: keep the URL recognisable rather than fail the article
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k) and not _AMP_PARAMS.match(k)
    )
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    # AMP renderings: /amp/<path>, <path>/amp, <path>/amp/ and <name>.amp.html
    path = re.sub(r"^/amp(?=/)", "", path, flags=re.IGNORECASE)
    path = re.sub(r"/amp/?$", "/", path, flags=re.IGNORECASE)
    path = re.sub(r"\.amp(\.html?)$", r"\1", path, flags=re.IGNORECASE)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def normalised_for_hash(text: str) -> str:
    """Text as compared for exact duplicates: case, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", text))


def content_hash(text: str) -> str:
    return hashlib.sha256(normalised_for_hash(text).encode("utf-8")).hexdigest()[:32]


def article_id_for(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def identify(article: Article) -> Article:
    """Fill canonical_url, content_hash and article_id. A ``rel=canonical`` link (extract puts it
    in ``meta['html_canonical']``) is used when it points to the same site."""
    canonical = article.meta.get("html_canonical")
    if canonical and article.url.startswith(("http://", "https://")):
        canonical = absolute_url(article.url, canonical)
        same_site = canonical is not None and (
            site_host(urlsplit(canonical).hostname or "") == site_host(urlsplit(article.url).hostname or ""))
    else:
        same_site = False
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


def _root(article_id: str, originals: dict[str, str]) -> str:
    """Follow duplicate_of links inside the batch to the original (at most a few hops)."""
    seen = set()
    while article_id in originals and article_id not in seen:
        seen.add(article_id)
        article_id = originals[article_id]
    return article_id


def sign(articles: list[Article], shingle_size: int, banding: Banding) -> None:
    """Give each article its MinHash signature (``meta['minhash']``, uint32 array) and LSH band
    keys (``meta['bands']``, int64 array)."""
    sigs = signatures([shingle_hashes(a.text, shingle_size) for a in articles])
    keys = band_keys(sigs, banding)
    for article, sig, key in zip(articles, sigs, keys):
        article.meta["minhash"] = sig
        article.meta["bands"] = key


def _earlier_in_batch(articles: list[Article]) -> dict[int, set[int]]:
    """For each batch position, the earlier positions sharing one of its band keys (a sort per
    band instead of a dict of every key: only the few matching keys cost Python work)."""
    signed = [p for p, a in enumerate(articles)
              if a.meta.get("bands") is not None and a.meta.get("status") in ("new", "duplicate", "updated")]
    earlier: dict[int, set[int]] = {}
    if len(signed) < 2:
        return earlier
    positions = np.array(signed)
    keys = np.stack([articles[p].meta["bands"] for p in signed])
    for band in range(keys.shape[1]):
        order = np.argsort(keys[:, band], kind="stable")
        column = keys[order, band]
        same = np.flatnonzero(column[1:] == column[:-1])
        for i in same:
            later, first = positions[order[i + 1]], i
            while first >= 0 and column[first] == column[i + 1]:
                earlier.setdefault(int(later), set()).add(int(positions[order[first]]))
                first -= 1
    return earlier


def mark_near_duplicates(
    articles: list[Article], stored: dict[int, list[Candidate]], threshold: float
) -> list[Article]:
    """Mark ``new`` articles whose text is close to an earlier one as duplicates, in batch order.

    ``articles`` are classified and signed; ``stored`` maps a batch position to its candidates
    from the warehouse. Earlier articles of this batch are candidates too. The original is the
    earliest-seen copy; ``meta['duplicate_similarity']`` is the estimated Jaccard similarity (1.0
    for exact copies). An edited article (status ``updated``) is never compared with itself.
    """
    earlier = _earlier_in_batch(articles)
    originals: dict[str, str] = {}
    empty = np.iinfo(np.uint32).max
    for pos, article in enumerate(articles):
        status = article.meta.get("status")
        sig = article.meta.get("minhash")
        if status == "duplicate":
            article.meta["duplicate_similarity"] = 1.0
        if status == "new" and sig is not None and sig[0] != empty and (pos in stored or pos in earlier):
            pool = [c for c in stored.get(pos, ()) if c.article_id != article.article_id]
            pool += [
                Candidate(articles[p].article_id, articles[p].duplicate_of or articles[p].article_id,
                          articles[p].meta["minhash"])
                for p in sorted(earlier.get(pos, ())) if articles[p].article_id != article.article_id
            ]
            if pool:
                scores = estimated_jaccard(sig, np.stack([c.signature for c in pool]))
                best = int(np.argmax(scores))
                if scores[best] >= threshold:
                    article.meta["status"] = "duplicate"
                    article.duplicate_of = pool[best].original_id
                    article.meta["duplicate_similarity"] = round(float(scores[best]), 4)
        if article.duplicate_of:
            originals[article.article_id] = article.duplicate_of
    for article in articles:
        if article.duplicate_of:
            article.duplicate_of = _root(article.duplicate_of, originals)
    return articles


def dedupe_batch(articles: list[Article], warehouse: Warehouse, config: DedupeSettings = DedupeSettings()) -> list[Article]:
    """Identify, classify (exact) and mark near-duplicates of a batch against the warehouse;
    reads the warehouse read-only (closed before returning). Returns the articles to load."""

    # not at import: extraction workers import this module for identify() (kabar/tasking.py)
    from warehouse.lookup import known_keys, near_duplicate_candidates

    for article in articles:
        identify(article)
    known = known_keys(warehouse, [a.canonical_url for a in articles], [a.content_hash for a in articles])
    decided = classify(articles, known)
    to_sign = [a for a in decided if a.meta.get("status") != "unchanged"]
    if not to_sign:
        return decided
    banding = Banding.for_threshold(config.near_duplicate_threshold)
    sign(to_sign, config.shingle_size, banding)
    since = None
    if config.near_duplicate_window_days:
        since = min(a.fetched_at for a in to_sign) - timedelta(days=config.near_duplicate_window_days)
    wanted = {i: a.meta["bands"] for i, a in enumerate(decided) if a.meta.get("status") == "new"}
    stored = near_duplicate_candidates(warehouse, wanted, since)
    return mark_near_duplicates(decided, stored, config.near_duplicate_threshold)


@task(name="dedupe", cache_policy=NO_CACHE)
def dedupe_task(articles: list[Article], warehouse: Warehouse, config: DedupeSettings = DedupeSettings()) -> list[Article]:
    return dedupe_batch(articles, warehouse, config)

"""Read-side lookups the pipeline needs before loading: dedupe keys, near-duplicate candidates
from the LSH band index, and the story state a batch touches. Each opens a read-only
connection and closes it before returning (the load step needs the file next)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import numpy as np
import pyarrow as pa

from kabar.warehouse_spec import Warehouse
from kabar.records import Candidate, KnownKeys, StoryContext, StoryState, from_blob
from warehouse.migrate import schema_version
from warehouse.backend import open_reader_for


def known_keys(path: Warehouse, canonical_urls: list[str], content_hashes: list[str]) -> KnownKeys:
    """Which of these URLs and content hashes the warehouse already holds."""
    known = KnownKeys()
    if not path.exists():
        return known
    with open_reader_for(path, wait_s=60, locked=False) as con:
        if schema_version(con) == 0:
            return known
        con.register("batch_urls", pa.table({"canonical_url": pa.array(canonical_urls, pa.string())}))
        con.register("batch_hashes", pa.table({"content_hash": pa.array(content_hashes, pa.string())}))
        for url, article_id, digest in con.execute(
            "SELECT a.canonical_url, a.article_id, a.content_hash FROM store.articles a "
            "JOIN batch_urls b USING (canonical_url)"
        ).fetchall():
            known.by_url[url] = (article_id, digest)
        for digest, article_id in con.execute(
            "SELECT a.content_hash, arg_min(coalesce(a.duplicate_of, a.article_id), a.first_seen_at) "
            "FROM store.articles a JOIN batch_hashes b USING (content_hash) GROUP BY a.content_hash"
        ).fetchall():
            known.by_hash[digest] = article_id
    return known


def _bands_table(wanted: dict[int, Any]) -> pa.Table:
    positions, bands, buckets = [], [], []
    for pos, keys in wanted.items():
        keys = np.asarray(keys, dtype=np.int64)
        positions.append(np.full(keys.size, pos, dtype=np.int32))
        bands.append(np.arange(keys.size, dtype=np.int16))
        buckets.append(keys)
    return pa.table({
        "pos": pa.array(np.concatenate(positions)), "band": pa.array(np.concatenate(bands)),
        "bucket": pa.array(np.concatenate(buckets)),
    })


def near_duplicate_candidates(
    path: Warehouse, wanted: dict[int, Any], since: datetime | None = None
) -> dict[int, list["Candidate"]]:
    """Stored articles sharing an LSH band key with the batch's articles.

    ``wanted`` maps a batch position to its band keys (int64, band i at index i); ``since``
    limits the search to signatures first seen from then on (rows arrive in time order, so the
    scan skips older row groups by their min/max). Returns position -> candidates with their
    signatures and originals. One read-only connection, closed before returning."""

    found: dict[int, list[Candidate]] = {}
    if not wanted or not path.exists():
        return found
    with open_reader_for(path, wait_s=60, locked=False) as con:
        if schema_version(con) < 30:
            return found
        con.register("batch_bands", _bands_table(wanted))
        floor = since or datetime(1970, 1, 1, tzinfo=timezone.utc)
        rows = con.execute(
            """WITH hits AS (
                   SELECT DISTINCT k.pos, b.article_id
                   FROM store.article_bands b JOIN batch_bands k ON b.band = k.band AND b.bucket = k.bucket
                   WHERE b.seen_at >= $floor)
               SELECT h.pos, s.article_id, s.original_id, s.signature
               FROM hits h JOIN store.article_signatures s USING (article_id)
               WHERE s.seen_at >= $floor""",
            {"floor": floor},
        ).fetchall()
    for pos, article_id, original_id, blob in rows:
        found.setdefault(pos, []).append(Candidate(article_id, original_id, from_blob(blob)))
    return found


def story_context(
    path: Warehouse, terms: list[str], originals: list[str], dated_from: datetime | None = None
) -> "StoryContext":
    """What story assignment needs from the warehouse for a batch: document frequencies of
    ``terms`` (and the document count), the stories having any of these terms with their full
    centroids, and the story of each of ``originals`` (articles that batch copies point to).
    ``dated_from`` leaves out stories whose last date is older (the batch's earliest date minus
    the story window; None when the batch has undated articles, which may join any story)."""

    context = StoryContext()
    if not path.exists():
        return context
    with open_reader_for(path, wait_s=60, locked=False) as con:
        if schema_version(con) < 30:
            return context
        con.register("batch_terms", pa.table({"term": pa.array(sorted(set(terms)) + [""], pa.string())}))
        context.df = dict(con.execute(
            "SELECT t.term, t.df FROM store.term_df t JOIN batch_terms USING (term)").fetchall())
        context.documents = context.df.pop("", 0)
        stories = con.execute(
            """SELECT s.story_id, s.title, s.first_date, s.last_date, s.members, s.norm
               FROM store.stories s
               WHERE s.story_id IN (SELECT DISTINCT story_id FROM store.story_terms JOIN batch_terms USING (term))
                 AND ($floor IS NULL OR s.last_date IS NULL OR s.last_date >= $floor)""",
            {"floor": dated_from},
        ).fetchall()
        for story_id, title, first, last, members, norm in stories:
            context.stories[story_id] = StoryState(story_id, title, first, last, members, {}, norm)
        if stories:
            con.register("batch_stories", pa.table({"story_id": pa.array(list(context.stories), pa.string())}))
            for story_id, term, weight in con.execute(
                "SELECT story_id, term, weight FROM store.story_terms JOIN batch_stories USING (story_id)"
            ).fetchall():
                context.stories[story_id].terms[term] = weight
        if originals:
            con.register("batch_originals", pa.table({"article_id": pa.array(sorted(set(originals)), pa.string())}))
            context.story_of = dict(con.execute(
                "SELECT article_id, story_id FROM store.articles JOIN batch_originals USING (article_id) "
                "WHERE story_id IS NOT NULL").fetchall())
    return context

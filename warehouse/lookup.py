"""Read-side lookups the pipeline needs before loading (dedupe keys)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from tasks.dedupe import KnownKeys
from warehouse.migrate import schema_version


def known_keys(path: str | Path, canonical_urls: list[str], content_hashes: list[str]) -> KnownKeys:
    """Which of these URLs and content hashes the warehouse already holds."""
    known = KnownKeys()
    from warehouse.backend import is_lake, open_reader_for

    if not is_lake(str(path)) and not Path(path).exists():
        return known
    with open_reader_for(str(path), wait_s=60) as con:
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

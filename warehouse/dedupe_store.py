"""Writes of dedupe and story state, called by the load step inside its batch transaction.

In: the open write connection, the run id, the batch's articles (with what ``tasks.dedupe`` and
``tasks.stories`` put in ``meta``) and the status the loader decided for each article id.
Out: rows in ``store.article_signatures``, ``store.article_bands``, ``store.version_changes``,
``store.stories``, ``store.story_terms``, ``store.term_df``, and ``story_id`` /
``duplicate_similarity`` on ``store.articles``. Everything is incremental: a batch adds its own
rows and folds its originals into their stories' centroids; nothing is recomputed from all text.
Unchanged articles write nothing, so loading a batch twice changes nothing.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections import defaultdict
from datetime import datetime, timezone

import duckdb
import numpy as np
import pyarrow as pa

from kabar.models import Article
from kabar.records import to_blob

LOGGER = logging.getLogger(__name__)

_PIECES = re.compile(r"\S+|\s+")
_STORED = ("new", "duplicate", "updated")


def changed_chars(old: str, new: str) -> int:
    """Characters deleted plus inserted between two texts, diffed word by word (difflib)."""
    a, b = _PIECES.findall(old), _PIECES.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    total = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            total += sum(map(len, a[i1:i2])) + sum(map(len, b[j1:j2]))
    return total


def write_signatures(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    article_ids: list[str],
    original_ids: list[str],
    seen_at: list[datetime],
    sigs: np.ndarray,
    keys: np.ndarray,
    replace: list[str] = (),
) -> None:
    """Append signatures and band keys (``keys``: int64[n, bands]); rows of ``replace`` (edited
    articles) are deleted first so each article has the signature of its latest version."""
    if replace:
        con.register("replaced_ids", pa.table({"article_id": pa.array(list(replace), pa.string())}))
        con.execute("DELETE FROM store.article_bands WHERE article_id IN (SELECT article_id FROM replaced_ids)")
        con.execute("DELETE FROM store.article_signatures WHERE article_id IN (SELECT article_id FROM replaced_ids)")
        con.unregister("replaced_ids")
    if not article_ids:
        return
    seen = pa.array(seen_at, pa.timestamp("us", tz="UTC"))
    con.register("sig_rows", pa.table({
        "article_id": pa.array(article_ids, pa.string()), "original_id": pa.array(original_ids, pa.string()),
        "seen_at": seen, "signature": pa.array([to_blob(s) for s in sigs], pa.binary()),
    }))
    con.execute("INSERT INTO store.article_signatures BY NAME SELECT *, ?::VARCHAR AS run_id FROM sig_rows", [run_id])
    con.unregister("sig_rows")
    n, bands = keys.shape
    con.register("band_rows", pa.table({
        "band": pa.array(np.tile(np.arange(bands, dtype=np.int16), n)),
        "bucket": pa.array(np.ascontiguousarray(keys, dtype=np.int64).ravel()),
        "article_id": pa.array(np.repeat(np.array(article_ids, dtype=object), bands), pa.string()),
        "seen_at": seen.take(pa.array(np.repeat(np.arange(n), bands))),
    }))
    con.execute("INSERT INTO store.article_bands BY NAME SELECT * FROM band_rows")
    con.unregister("band_rows")


def _utc(stamp: datetime) -> datetime:
    return stamp.astimezone(timezone.utc) if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def write_version_changes(con: duckdb.DuckDBPyConnection, articles: list[Article], status: dict[str, str]) -> None:
    """How much each newly stored version changed (uses the loader's temp table ``staged_status``)."""
    versions = dict(con.execute("SELECT article_id, next_version FROM staged_status WHERE status <> 'unchanged'").fetchall())
    rows = []
    for article in articles:
        version = versions.get(article.article_id)
        if version is None:
            continue
        previous = None
        if version > 1:
            found = con.execute(
                "SELECT text FROM store.article_versions WHERE article_id = ? AND version = ?",
                [article.article_id, version - 1],
            ).fetchone()
            previous = found[0] if found else None
        rows.append({"article_id": article.article_id, "version": version,
                     "changed_chars": changed_chars(previous, article.text) if previous is not None else len(article.text)})
    if rows:
        con.register("change_rows", pa.Table.from_pylist(rows))
        # MERGE on the key, not INSERT OR REPLACE: DuckLake tables have no primary key to conflict on
        con.execute(
            """MERGE INTO store.version_changes AS t USING change_rows AS s
               ON t.article_id = s.article_id AND t.version = s.version
               WHEN MATCHED THEN UPDATE SET changed_chars = s.changed_chars
               WHEN NOT MATCHED THEN INSERT (article_id, version, changed_chars)
                   VALUES (s.article_id, s.version, s.changed_chars)""")
        con.unregister("change_rows")


def write_stories(con: duckdb.DuckDBPyConnection, run_id: str, articles: list[Article], status: dict[str, str]) -> None:
    """Set ``story_id`` on new articles, fold new originals into their stories' centroids and
    count their terms' document frequencies."""
    now = datetime.now(timezone.utc)
    assigned = [a for a in articles if status.get(a.article_id) in ("new", "duplicate") and a.meta.get("story_id")]
    if not assigned:
        return
    con.register("story_rows", pa.table({
        "article_id": pa.array([a.article_id for a in assigned], pa.string()),
        "story_id": pa.array([a.meta["story_id"] for a in assigned], pa.string()),
    }))
    con.execute("UPDATE store.articles SET story_id = s.story_id FROM story_rows s WHERE store.articles.article_id = s.article_id")
    con.unregister("story_rows")
    folded = [a for a in assigned if status[a.article_id] == "new" and a.meta.get("story_terms")]
    if not folded:
        return
    weights: dict[tuple[str, str], float] = defaultdict(float)
    per_story: dict[str, dict] = {}
    df: dict[str, int] = defaultdict(int)
    for article in folded:
        story_id = article.meta["story_id"]
        for term, weight in article.meta["story_terms"].items():
            weights[(story_id, term)] += weight
        date = article.meta.get("story_date")
        date = _utc(date) if date else None
        entry = per_story.setdefault(story_id, {
            "story_id": story_id, "title": article.title, "first_article_id": article.article_id,
            "first_date": date, "last_date": date, "members": 0})
        entry["members"] += 1
        if date is not None:
            entry["first_date"] = min(entry["first_date"] or date, date)
            entry["last_date"] = max(entry["last_date"] or date, date)
        for term in article.meta.get("story_raw_terms", ()):
            df[term] += 1
        df[""] += 1
    con.register("story_updates", pa.Table.from_pylist(
        list(per_story.values()),
        schema=pa.schema([("story_id", pa.string()), ("title", pa.string()), ("first_article_id", pa.string()),
                          ("first_date", pa.timestamp("us", tz="UTC")), ("last_date", pa.timestamp("us", tz="UTC")),
                          ("members", pa.int32())])))
    con.execute(
        """MERGE INTO store.stories AS t USING story_updates AS s ON t.story_id = s.story_id
           WHEN MATCHED THEN UPDATE SET members = t.members + s.members,
                first_date = least(coalesce(t.first_date, s.first_date), coalesce(s.first_date, t.first_date)),
                last_date = greatest(coalesce(t.last_date, s.last_date), coalesce(s.last_date, t.last_date)),
                updated_at = $now, run_id = $run
           WHEN NOT MATCHED THEN INSERT (story_id, title, first_article_id, first_date, last_date, members, norm,
                created_at, updated_at, run_id)
                VALUES (s.story_id, s.title, s.first_article_id, s.first_date, s.last_date, s.members, 0, $now, $now, $run)""",
        {"now": now, "run": run_id},
    )
    con.register("term_updates", pa.table({
        "story_id": pa.array([k[0] for k in weights], pa.string()), "term": pa.array([k[1] for k in weights], pa.string()),
        "weight": pa.array(list(weights.values()), pa.float64()),
    }))
    con.execute(
        """MERGE INTO store.story_terms AS t USING term_updates AS s ON t.story_id = s.story_id AND t.term = s.term
           WHEN MATCHED THEN UPDATE SET weight = t.weight + s.weight
           WHEN NOT MATCHED THEN INSERT BY NAME"""
    )
    con.execute(
        """UPDATE store.stories SET norm = n.norm
           FROM (SELECT story_id, sqrt(sum(weight * weight)) AS norm FROM store.story_terms
                 WHERE story_id IN (SELECT story_id FROM story_updates) GROUP BY story_id) n
           WHERE store.stories.story_id = n.story_id"""
    )
    con.register("df_updates", pa.table({"term": pa.array(list(df), pa.string()), "df": pa.array(list(df.values()), pa.int64())}))
    con.execute(
        """MERGE INTO store.term_df AS t USING df_updates AS s ON t.term = s.term
           WHEN MATCHED THEN UPDATE SET df = t.df + s.df WHEN NOT MATCHED THEN INSERT BY NAME"""
    )
    for name in ("story_updates", "term_updates", "df_updates"):
        con.unregister(name)


def write_dedupe_state(con: duckdb.DuckDBPyConnection, run_id: str, articles: list[Article], status: dict[str, str]) -> None:
    """The load step's hook: everything above for one batch (inside the loader's transaction)."""
    signed = [a for a in articles if status.get(a.article_id) in _STORED and a.meta.get("minhash") is not None]
    if signed:
        write_signatures(
            con, run_id, [a.article_id for a in signed], [a.duplicate_of or a.article_id for a in signed],
            [_utc(a.fetched_at) for a in signed], np.stack([a.meta["minhash"] for a in signed]),
            np.stack([a.meta["bands"] for a in signed]),
            replace=[a.article_id for a in signed if status[a.article_id] == "updated"],
        )
    similar = [a for a in articles if status.get(a.article_id) == "duplicate" and a.meta.get("duplicate_similarity")]
    if similar:
        con.register("similar_rows", pa.table({
            "article_id": pa.array([a.article_id for a in similar], pa.string()),
            "similarity": pa.array([float(a.meta["duplicate_similarity"]) for a in similar], pa.float64()),
        }))
        con.execute("UPDATE store.articles SET duplicate_similarity = s.similarity FROM similar_rows s "
                    "WHERE store.articles.article_id = s.article_id")
        con.unregister("similar_rows")
    write_version_changes(con, articles, status)
    write_stories(con, run_id, articles, status)

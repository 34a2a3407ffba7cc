"""Full-text search over article titles and texts: DuckDB's fts extension, Indonesian stemmer.

The index covers the originals (``duplicate_of IS NULL``) copied into ``store.search_documents``
and is rebuilt whole after each ingest run (``build_index``; DuckDB's fts index is not
incremental). ``build_index`` also (re)creates the table macro ``main.search_articles(query,
since := NULL, outlet_name := NULL)`` because a macro over ``match_bm25`` can only be created
once the index exists. ``search`` runs the macro and adds snippets with the matched words marked.

Words are matched by their Snowball Indonesian stem, so "persenjataan" (armament) finds
"senjata" (weapon): both stem to ``senjata``.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import duckdb

LOGGER = logging.getLogger(__name__)

INDEX_TABLE = "store.search_documents"
INDEX_SCHEMA = "fts_store_search_documents"
STEMMER = "indonesian"
#: Words around the first match shown in a snippet, and the marks put around matched words.
SNIPPET_WORDS = 24
MARK_OPEN, MARK_CLOSE = "[", "]"

MACRO_SQL = f"""
CREATE OR REPLACE MACRO main.search_articles(query, since := NULL, outlet_name := NULL) AS TABLE
WITH hits AS (
    SELECT article_id, {INDEX_SCHEMA}.match_bm25(article_id, query) AS score
    FROM {INDEX_TABLE}
)
SELECT a.article_id, a.title, a.outlet, a.published_at, h.score
FROM hits h JOIN main.articles a USING (article_id)
WHERE h.score IS NOT NULL
  AND (since IS NULL OR a.published_at >= CAST(since AS TIMESTAMPTZ))
  AND (outlet_name IS NULL OR lower(a.outlet) = lower(outlet_name))
ORDER BY h.score DESC, a.published_at DESC NULLS LAST, a.article_id
"""


@dataclass(frozen=True)
class Hit:
    article_id: str
    title: str | None
    outlet: str | None
    published_at: datetime | None
    score: float
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_index(con: duckdb.DuckDBPyConnection, articles: str = "store.articles") -> int:
    """Rebuild the search table, its fts index and the ``search_articles`` macro.

    ``articles`` is the relation holding the articles (a DuckLake table for that backend).
    Returns the number of documents indexed."""
    started = time.perf_counter()
    con.execute(
        f"""CREATE OR REPLACE TABLE {INDEX_TABLE} AS
            SELECT article_id, coalesce(title, '') AS title, text
            FROM {articles} WHERE duplicate_of IS NULL"""
    )
    # stopwords='none': the default list is English; BM25's idf already discounts "yang", "dan".
    con.execute(
        f"PRAGMA create_fts_index('{INDEX_TABLE}', 'article_id', 'title', 'text', "
        f"stemmer='{STEMMER}', stopwords='none', overwrite=1)"
    )
    con.execute(MACRO_SQL)
    count = con.execute(f"SELECT count(*) FROM {INDEX_TABLE}").fetchone()[0]
    LOGGER.info("search index rebuilt: %d documents in %.2f s", count, time.perf_counter() - started)
    return count


def index_ready(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the search macro exists (an index was built at least once)."""
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = 'search_articles'"
    ).fetchone()[0])


def _fold(word: str) -> str:
    """Lower-case and strip accents, as the fts extension does before stemming."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def _stems(con: duckdb.DuckDBPyConnection, words: list[str]) -> dict[str, str]:
    words = sorted({w for w in words if w})
    if not words:
        return {}
    rows = con.execute(
        f"SELECT w, stem(w, '{STEMMER}') FROM unnest(?::VARCHAR[]) AS t(w)", [words]
    ).fetchall()
    return dict(rows)


def snippet(
    con: duckdb.DuckDBPyConnection, text: str, query: str, width: int = SNIPPET_WORDS,
    stems: dict[str, str] | None = None,
) -> str:
    """A window of ``width`` words of ``text`` around its first matched word, matched words marked.

    ``stems`` (folded word -> stem) may be passed in to stem many texts' words in one query."""
    tokens = list(re.finditer(r"[^\W_]+", text or ""))
    folded = [_fold(t.group()) for t in tokens]
    wanted = set(_stems(con, [_fold(w) for w in re.findall(r"[^\W_]+", query)]).values())
    if stems is None:
        stems = _stems(con, folded)
    matched = [i for i, w in enumerate(folded) if stems.get(w) in wanted]
    first = matched[0] if matched else 0
    start = max(0, first - width // 3)
    end = min(len(tokens), start + width)
    if not tokens:
        return ""
    # Copy the original text (punctuation and all) between the window's words, marking matches.
    hits = set(matched)
    parts: list[str] = []
    cursor = tokens[start].start()
    for i in range(start, end):
        token = tokens[i]
        parts.append(text[cursor:token.start()])
        parts.append(f"{MARK_OPEN}{token.group()}{MARK_CLOSE}" if i in hits else token.group())
        cursor = token.end()
    body = " ".join("".join(parts).split())
    prefix = "... " if start > 0 else ""
    suffix = " ..." if end < len(tokens) else ""
    return prefix + body + suffix


def search(
    con: duckdb.DuckDBPyConnection,
    query: str,
    *,
    since: datetime | None = None,
    outlet: str | None = None,
    limit: int = 20,
) -> list[Hit]:
    """Ranked hits for ``query`` (best first), at most ``limit``; [] when nothing matches.

    Raises LookupError when no index was built yet."""
    if not index_ready(con):
        raise LookupError("no search index yet: run `kabar ingest` (it builds the index at the end)")
    rows = con.execute(
        "SELECT s.article_id, s.title, s.outlet, s.published_at, s.score, a.text "
        "FROM search_articles(?, since := ?, outlet_name := ?) s JOIN main.articles a USING (article_id) "
        "ORDER BY s.score DESC, s.published_at DESC NULLS LAST, s.article_id LIMIT ?",
        [query, since, outlet, limit],
    ).fetchall()
    # Stem the words of all hits at once: one query instead of one per hit.
    stems = _stems(con, [_fold(w) for row in rows for w in re.findall(r"[^\W_]+", row[5] or "")])
    return [
        Hit(article_id, title, outlet_, published_at, float(score), snippet(con, text, query, stems=stems))
        for article_id, title, outlet_, published_at, score, text in rows
    ]

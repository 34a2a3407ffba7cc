"""Full-text search over article titles and texts: an incremental index, Indonesian stemmer.

The index covers the originals (``duplicate_of IS NULL``) as postings: ``store.search_postings``
(term, article_id, tf) and ``store.search_docs`` (article_id, signature, len). ``update_index``
after each ingest run touches only the articles that are new, changed (title or content hash),
gone or now copies: DuckDB's fts extension can only rebuild a whole index (1.3-2.0 s per 1,000
articles here, minutes at 100,000), so the postings are kept here and scored with BM25 in SQL.
Tokens and stems are those of the fts extension (its ``tokenize`` pattern, ``stem(w,
'indonesian')``), and the macro reproduces its ``match_bm25`` (k = 1.2, b = 0.75, log base 10,
title and text as one document), so scores equal the extension's.

``main.search_articles(query, since := NULL, outlet_name := NULL)`` is the table macro over the
index; ``search`` runs it and adds snippets with the matched words marked.

Words are matched by their Snowball Indonesian stem, so "persenjataan" (armament) finds
"senjata" (weapon): both stem to ``senjata``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import duckdb

from warehouse.connection import load_extension, sql_strings

LOGGER = logging.getLogger(__name__)

POSTINGS_TABLE = "store.search_postings"
DOCS_TABLE = "store.search_docs"
STATE_TABLE = "store.search_state"
STEMMER = "indonesian"
#: The fts extension's tokenizer (from the macro it generates): folded text split on these.
_SPLIT = "'[0-9!@#$%^&*()_+={}\\[\\]:;<>,.?~\\\\/\\|''''\"`-]+'"
TOKENIZE = "string_split_regex(regexp_replace(lower(strip_accents(CAST({s} AS VARCHAR))), " + _SPLIT + ", ' ', 'g'), '\\s+')"
#: BM25 parameters of the fts extension's match_bm25.
BM25_K, BM25_B = 1.2, 0.75
#: Words around the first match shown in a snippet, and the marks put around matched words.
SNIPPET_WORDS = 24
MARK_OPEN, MARK_CLOSE = "[", "]"


def macro_sql(store: str = "store", temp: bool = False) -> str:
    """The ``search_scores`` and ``search_articles`` table macros over the postings in schema
    ``store``: ``search_scores(query)`` is (article_id, score) of every indexed original holding
    a word of the query, unordered and without the articles (the explorer joins only the columns
    it filters on: joining the articles twice, once here and once for filters, cost it about
    40% of a search page); ``search_articles`` adds title, outlet and time, best first."""
    create = "CREATE OR REPLACE TEMP MACRO " if temp else "CREATE OR REPLACE MACRO main."
    query_words = TOKENIZE.replace("{s}", "query")
    return f"""
{create}search_scores(query) AS TABLE
WITH tokens AS (
    SELECT DISTINCT stem(w, '{STEMMER}') AS term
    FROM (SELECT unnest({query_words}) AS w) WHERE w <> ''
), stats AS (
    SELECT count(*) AS num_docs, avg(len) AS avgdl FROM {store}.search_docs
), postings AS (
    SELECT p.term, p.article_id, p.tf FROM {store}.search_postings p SEMI JOIN tokens t ON p.term = t.term
), df AS (
    SELECT term, count(*) AS df FROM postings GROUP BY term
)
SELECT p.article_id,
       sum(log(((SELECT num_docs FROM stats) - df.df + 0.5) / (df.df + 0.5) + 1)
           * ((p.tf * ({BM25_K} + 1)) / (p.tf + {BM25_K} * ((1 - {BM25_B}) + {BM25_B} * (d.len / (SELECT avgdl FROM stats))))))
           AS score
FROM postings p JOIN df USING (term) JOIN {store}.search_docs d USING (article_id)
GROUP BY p.article_id;
{create}search_articles(query, since := NULL, outlet_name := NULL) AS TABLE
SELECT a.article_id, a.title, a.outlet, a.published_at, h.score
FROM search_scores(query) h JOIN main.articles a USING (article_id)
WHERE h.score IS NOT NULL
  AND (since IS NULL OR a.published_at >= CAST(since AS TIMESTAMPTZ))
  AND (outlet_name IS NULL OR lower(a.outlet) = lower(outlet_name))
ORDER BY h.score DESC, a.published_at DESC NULLS LAST, a.article_id
"""


MACRO_SQL = macro_sql()
#: Which macro the warehouse holds (``search_state`` key ``macro``): an update with nothing to
#: index skips re-creating it only while it is this one.
MACRO_VERSION = int(hashlib.sha256(MACRO_SQL.encode()).hexdigest()[:15], 16)


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


def update_index(con: duckdb.DuckDBPyConnection, articles: str = "store.articles",
                 changes: str | None = None, unchanged: bool | None = None) -> dict[str, int]:
    """Bring the postings in step with ``articles`` (a relation: a DuckLake table for that
    backend): drop the entries of articles gone, changed or now copies, index the originals not
    indexed yet, (re)create the ``search_articles`` macro. Returns ``{"documents": indexed in
    all, "indexed": added now, "removed": n}``.

    ``changes`` (the pipeline passes ``CHANGES_TABLE``, the loader's change log): look only at
    the articles logged there since the last update, then empty it, so the work follows the run,
    not the warehouse's size. The first such update of a warehouse still compares every article
    (an index that predates the log may lag behind it), as does every update without ``changes``
    (tests, benchmarks and the lake's index file, which write articles without the log).
    ``unchanged``: ``nothing_logged(con, changes)`` when the caller asked it already (it lists
    every function DuckDB has, about 15-25 ms of CPU a call; warehouse/backend.py asks it once)."""
    started = time.perf_counter()
    if unchanged is None:
        unchanged = changes is not None and nothing_logged(con, changes)
    if changes is not None and unchanged:
        # An unchanged run: no article was written since the last update. Loading fts alone
        # (its signature check) was about 0.06 CPU s of an unchanged 300-page rerun (issue 11).
        documents = con.execute(f"SELECT count(*) FROM {DOCS_TABLE}").fetchone()[0]
        LOGGER.info("search index: nothing logged since the last update, %d documents", documents)
        return {"documents": documents, "indexed": 0, "removed": 0}
    load_extension(con, "fts")  # stem(); the pipeline's writer opens without it (connection.connect)
    con.execute("CREATE SCHEMA IF NOT EXISTS store")
    con.execute(f"CREATE TABLE IF NOT EXISTS {DOCS_TABLE} (article_id VARCHAR NOT NULL, signature UBIGINT NOT NULL, len INTEGER NOT NULL)")
    con.execute(f"CREATE TABLE IF NOT EXISTS {POSTINGS_TABLE} (term VARCHAR NOT NULL, article_id VARCHAR NOT NULL, tf INTEGER NOT NULL)")
    con.execute(f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL)")
    words = TOKENIZE.replace("{s}", "coalesce(a.title, '') || ' ' || a.text")
    con.execute("BEGIN TRANSACTION")
    try:
        # The first release's whole-rebuild fts index: its table and schema are no longer used.
        con.execute("DROP SCHEMA IF EXISTS fts_store_search_documents CASCADE")
        con.execute("DROP TABLE IF EXISTS store.search_documents")
        logged = changes is not None and _log_in_use(con)
        # A signature per original: the loader sets content_hash from the text, so title and
        # hash say whether an article needs re-indexing without reading its text.
        signature = "hash(coalesce(a.title, ''), a.content_hash)"
        if logged:
            # Only the logged articles: their current signature, and their entries in the index.
            con.execute(f"CREATE OR REPLACE TEMP TABLE search_logged AS SELECT DISTINCT article_id FROM {changes}")
            con.execute(f"""CREATE OR REPLACE TEMP TABLE search_current AS
                            SELECT a.article_id, {signature} AS signature
                            FROM {articles} a SEMI JOIN search_logged l ON l.article_id = a.article_id
                            WHERE a.duplicate_of IS NULL""")
            con.execute(f"""CREATE OR REPLACE TEMP TABLE search_stale AS
                            SELECT d.article_id FROM {DOCS_TABLE} d SEMI JOIN search_logged l ON l.article_id = d.article_id
                            ANTI JOIN search_current c ON c.article_id = d.article_id AND c.signature = d.signature""")
            indexed_before = f"(SELECT d.article_id FROM {DOCS_TABLE} d SEMI JOIN search_logged l ON l.article_id = d.article_id)"
        else:
            con.execute(f"""CREATE OR REPLACE TEMP TABLE search_current AS
                            SELECT a.article_id, {signature} AS signature
                            FROM {articles} a WHERE a.duplicate_of IS NULL""")
            con.execute(f"""CREATE OR REPLACE TEMP TABLE search_stale AS
                            SELECT d.article_id FROM {DOCS_TABLE} d
                            ANTI JOIN search_current c ON c.article_id = d.article_id AND c.signature = d.signature""")
            indexed_before = DOCS_TABLE
        removed = con.execute("SELECT count(*) FROM search_stale").fetchone()[0]
        # What is indexed and not stale stays: the originals not in it are (re)indexed.
        con.execute(f"""CREATE OR REPLACE TEMP TABLE search_new AS
                        SELECT c.article_id, c.signature FROM search_current c
                        ANTI JOIN (SELECT article_id FROM {indexed_before} d
                                   ANTI JOIN search_stale s ON s.article_id = d.article_id) d
                        ON d.article_id = c.article_id""")
        if removed:
            con.execute(f"DELETE FROM {POSTINGS_TABLE} WHERE article_id IN (SELECT article_id FROM search_stale)")
            con.execute(f"DELETE FROM {DOCS_TABLE} WHERE article_id IN (SELECT article_id FROM search_stale)")
        indexed = con.execute("SELECT count(*) FROM search_new").fetchone()[0]
        if indexed:
            terms = f"""SELECT article_id, stem(w, '{STEMMER}') AS term, count(*)::INTEGER AS tf
                FROM (SELECT a.article_id, unnest({words}) AS w FROM {{source}}) WHERE w <> '' GROUP BY ALL"""
            if logged:
                # The texts of these articles only: a join with the articles read (and decompressed)
                # about half of every article's text (49 ms CPU for 100 of 30,000 articles, 4-18
                # ms with the ids as an IN list, which the scan filters on before reading text).
                con.execute("CREATE OR REPLACE TEMP TABLE search_new_terms (article_id VARCHAR, term VARCHAR, tf INTEGER)")
                ids = [row[0] for row in con.execute("SELECT article_id FROM search_new").fetchall()]
                for at in range(0, len(ids), 500):
                    chunk = ids[at:at + 500]
                    source = f"{articles} a WHERE a.article_id IN ({sql_strings(chunk)})"
                    con.execute("INSERT INTO search_new_terms " + terms.replace("{source}", source))
            else:
                source = f"search_new n JOIN {articles} a ON a.article_id = n.article_id"
                con.execute("CREATE OR REPLACE TEMP TABLE search_new_terms AS " + terms.replace("{source}", source))
            con.execute(f"INSERT INTO {POSTINGS_TABLE} SELECT term, article_id, tf FROM search_new_terms "
                        "ORDER BY term, article_id")
            con.execute(f"""INSERT INTO {DOCS_TABLE}
                SELECT n.article_id, n.signature, coalesce(t.len, 0)::INTEGER
                FROM search_new n LEFT JOIN (SELECT article_id, sum(tf) AS len FROM search_new_terms GROUP BY article_id) t
                ON t.article_id = n.article_id""")
            con.execute("DROP TABLE search_new_terms")
        for temp in ("search_current", "search_stale", "search_new", *(["search_logged"] if logged else [])):
            con.execute(f"DROP TABLE {temp}")
        if changes is not None and _table_exists(con, changes):
            # Every logged change is in the index now (a whole comparison covers them too).
            con.execute(f"DELETE FROM {changes}")
            con.execute(f"INSERT OR REPLACE INTO {STATE_TABLE} VALUES ('change_log', 1)")
        _keep_sorted(con)
        con.execute(MACRO_SQL)
        con.execute(f"INSERT OR REPLACE INTO {STATE_TABLE} VALUES ('macro', ?)", [MACRO_VERSION])
        documents = con.execute(f"SELECT count(*) FROM {DOCS_TABLE}").fetchone()[0]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    LOGGER.info("search index: %d indexed, %d removed, %d documents in %.2f s (%s)",
                indexed, removed, documents, time.perf_counter() - started,
                "logged changes" if logged else "every article compared")
    return {"documents": documents, "indexed": indexed, "removed": removed}


#: The loader's change log (warehouse/migrations/072_search_changes.sql).
CHANGES_TABLE = "store.search_changes"


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    schema, _, table = name.rpartition(".")
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
                            [schema or "main", table]).fetchone()[0])


def nothing_logged(con: duckdb.DuckDBPyConnection, changes: str) -> bool:
    """Whether an update with the change log ran before, the log is empty since, and the index
    and its macro exist: then there is nothing to do."""
    present = {row[0] for row in con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE schema_name = 'store'").fetchall()}
    if not {changes, DOCS_TABLE, POSTINGS_TABLE, STATE_TABLE} <= present or not index_ready(con):
        return False
    macro = con.execute(f"SELECT value FROM {STATE_TABLE} WHERE key = 'macro'").fetchone()
    if macro is None or macro[0] != MACRO_VERSION:  # a kabar with another search macro: re-create it
        return False
    return _log_in_use(con) and con.execute(f"SELECT count(*) FROM {changes}").fetchone()[0] == 0


def _log_in_use(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether an update with the change log already ran: every change since is in the log."""
    return con.execute(f"SELECT count(*) FROM {STATE_TABLE} WHERE key = 'change_log'").fetchone()[0] > 0


#: Re-sort the postings once this share of them was appended since the last sort.
RESORT_SHARE = 0.2


def _keep_sorted(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the postings ordered by term, so a query reads only the row groups of its terms.

    DuckDB has no secondary index a join can use, but it skips row groups whose min/max of
    ``term`` exclude the query's terms (the hash join pushes them into the scan as a dynamic
    filter); in insertion order every row group holds every term and a one-word query read all
    13 million postings of 100,000 articles (0.4-1 s), sorted only one row group (about 0.05 s).
    Each update appends its own postings sorted; once the appended share passes
    RESORT_SHARE the table is rewritten in order (a minute at 13 million postings under load,
    so a warehouse pays it at most every 20% of growth)."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL)")
    total = con.execute(f"SELECT count(*) FROM {POSTINGS_TABLE}").fetchone()[0]
    row = con.execute(f"SELECT value FROM {STATE_TABLE} WHERE key = 'sorted_postings'").fetchone()
    if total - (row[0] if row else 0) <= RESORT_SHARE * total:
        return
    started = time.perf_counter()
    con.execute(f"CREATE OR REPLACE TABLE {POSTINGS_TABLE}_sorted AS SELECT * FROM {POSTINGS_TABLE} ORDER BY term, article_id")
    con.execute(f"DROP TABLE {POSTINGS_TABLE}")
    con.execute(f"ALTER TABLE {POSTINGS_TABLE}_sorted RENAME TO {POSTINGS_TABLE.split('.')[1]}")
    con.execute(f"INSERT OR REPLACE INTO {STATE_TABLE} VALUES ('sorted_postings', ?)", [total])
    LOGGER.info("search index: %d postings re-sorted by term in %.1f s", total, time.perf_counter() - started)


def build_index(con: duckdb.DuckDBPyConnection, articles: str = "store.articles") -> int:
    """Update the index (see ``update_index``); returns the number of documents indexed."""
    return update_index(con, articles)["documents"]


def index_ready(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the search macro exists (an index was built at least once)."""
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = 'search_articles'"
    ).fetchone()[0])


def _with_fts(con: duckdb.DuckDBPyConnection) -> None:
    """fts (stem()) on this connection: the pipeline's own open without it (connection.connect);
    an analyst's reader loaded it before its configuration was locked, and a locked connection
    may not even list extensions (that reads the extension directory)."""
    if not con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]:
        load_extension(con, "fts")


def _fold(word: str) -> str:
    """Lower-case and strip accents, as the fts extension does before stemming."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def _stems(con: duckdb.DuckDBPyConnection, words: list[str]) -> dict[str, str]:
    words = sorted({w for w in words if w})
    if not words:
        return {}
    _with_fts(con)
    rows = con.execute(
        f"SELECT w, stem(w, '{STEMMER}') FROM unnest(?::VARCHAR[]) AS t(w)", [words]
    ).fetchall()
    return dict(rows)


def snippet(
    con: duckdb.DuckDBPyConnection, text: str, query: str, width: int = SNIPPET_WORDS,
    stems: dict[str, str] | None = None,
) -> str:
    """A window of ``width`` words of ``text`` around its first matched word, matched words marked.

    ``stems`` (folded word -> stem) may be passed in to stem many texts' words (and the query's)
    in one query."""
    tokens = list(re.finditer(r"[^\W_]+", text or ""))
    folded = [_fold(t.group()) for t in tokens]
    query_words = [_fold(w) for w in re.findall(r"[^\W_]+", query)]
    # The query's stems come from ``stems`` when it holds them: a query per snippet cost the
    # explorer 25 round trips a page.
    known = stems if stems is not None and all(w in stems for w in query_words) else _stems(con, query_words)
    wanted = {known[w] for w in query_words if w in known}
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
    _with_fts(con)
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

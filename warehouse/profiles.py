"""Site profiles and the cleaning audit in the warehouse (tables of migration 020).

Write side (called by the load stage inside its transaction): ``write_cleaning`` stores what
cleaning removed (``store.removed_spans``) and the extracted text it started from
(``store.extracted_texts``); ``update_site_profiles`` counts, per site, on how many distinct
pages each line and title affix appeared (a page counts once, so re-loading changes nothing).
Read side: ``load_profiles`` turns those counts, plus the batch's own pages not counted yet,
into ``SiteProfile``s with a read-only connection, before the batch is normalised: boilerplate a
batch shows is removed from that batch already, and a re-ingest of the same pages changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import duckdb
import pyarrow as pa

from kabar.warehouse_spec import Warehouse
from kabar.models import Article
from kabar.records import MIN_PAGES, MIN_SHARE, SiteProfile
from kabar.text import line_key, site_of, title_affixes
from warehouse.backend import open_reader_for

LOGGER = logging.getLogger(__name__)

#: Longer paragraphs are not profiled: boilerplate is short, and long repeats are more often
#: content (a background paragraph) than chrome. This also bounds the table's size.
MAX_PROFILED_CHARS = 300

_SPAN_SCHEMA = pa.schema([("article_id", pa.string()), ("rule", pa.string()), ("text", pa.string()),
                          ("position", pa.int32()), ("content_hash", pa.string())])
_TEXT_SCHEMA = pa.schema([("article_id", pa.string()), ("text", pa.string()), ("raw_title", pa.string())])
_LINE_SCHEMA = pa.schema([("site", pa.string()), ("article_id", pa.string()), ("kind", pa.string()),
                          ("line_key", pa.string()), ("sample", pa.string())])


def _has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'store' AND table_name = 'site_lines'"
    ).fetchone()[0] > 0


def write_cleaning(con: duckdb.DuckDBPyConnection, run_id: str, articles: list[Article]) -> None:
    """Replace these articles' removed spans and extracted texts."""
    cleaned = [a for a in articles if "extracted_text" in a.meta]
    if not cleaned:
        return
    ids = pa.table({"article_id": pa.array([a.article_id for a in cleaned], pa.string())})
    con.register("cleaned_ids", ids)
    con.execute("DELETE FROM store.removed_spans WHERE article_id IN (SELECT article_id FROM cleaned_ids)")
    con.execute("DELETE FROM store.extracted_texts WHERE article_id IN (SELECT article_id FROM cleaned_ids)")
    con.unregister("cleaned_ids")
    spans = [
        {"article_id": a.article_id, "rule": rule, "text": text, "position": position, "content_hash": a.content_hash}
        for a in cleaned for rule, text, position in a.meta.get("removed", [])
    ]
    if spans:
        con.register("span_rows", pa.Table.from_pylist(spans, schema=_SPAN_SCHEMA))
        con.execute("INSERT INTO store.removed_spans BY NAME SELECT *, ?::VARCHAR AS run_id FROM span_rows", [run_id])
        con.unregister("span_rows")
    texts = [{"article_id": a.article_id, "text": a.meta["extracted_text"], "raw_title": a.meta.get("raw_title")}
             for a in cleaned]
    con.register("text_rows", pa.Table.from_pylist(texts, schema=_TEXT_SCHEMA))
    con.execute("INSERT INTO store.extracted_texts BY NAME SELECT *, ?::VARCHAR AS run_id FROM text_rows", [run_id])
    con.unregister("text_rows")


def removed_datelines(con: duckdb.DuckDBPyConnection, article_ids: list[str]) -> dict[str, str]:
    """{article_id: the dateline cleaning cut from the article's stored text} for those of
    ``article_ids`` that had one: the ``dateline`` row of ``removed_spans`` recorded with the
    article's current content hash. The enrich flow reads articles back without their meta, and
    the entities enricher needs the dateline's place (issue 14: tasks/place_mentions.py)."""
    con.register("dateline_ids", pa.table({"article_id": pa.array(article_ids, pa.string())}))
    try:
        rows = con.execute(
            """SELECT r.article_id, any_value(r.text) FROM store.removed_spans r
               JOIN dateline_ids USING (article_id) JOIN store.articles a USING (article_id)
               WHERE r.rule = 'dateline' AND r.content_hash = a.content_hash GROUP BY r.article_id""").fetchall()
    finally:
        con.unregister("dateline_ids")
    return dict(rows)


def profile_rows(articles: list[Article]) -> list[dict]:
    rows = []
    for article in articles:
        site = site_of(article.meta.get("final_url") or article.url)
        if not site or "extracted_text" not in article.meta:
            continue
        seen: set[tuple[str, str]] = set()
        lines = [("line", line) for line in article.meta["extracted_text"].split("\n") if 0 < len(line) <= MAX_PROFILED_CHARS]
        affixes = [("title_affix", a) for a in title_affixes(article.meta.get("raw_title") or "")]
        for kind, text in lines + affixes:
            key = line_key(text)
            if (kind, key) not in seen:
                seen.add((kind, key))
                rows.append({"site": site, "article_id": article.article_id, "kind": kind, "line_key": key,
                             "sample": text[:MAX_PROFILED_CHARS]})
    return rows


def update_site_profiles(con: duckdb.DuckDBPyConnection, run_id: str, articles: list[Article]) -> int:
    """Count the lines of pages not seen before into their site's profile; returns new pages."""
    rows = profile_rows(articles)
    if not rows:
        return 0
    now = datetime.now(timezone.utc)
    con.register("profile_rows", pa.Table.from_pylist(rows, schema=_LINE_SCHEMA))
    con.execute(
        """CREATE OR REPLACE TEMP TABLE new_pages AS
           SELECT DISTINCT r.site, r.article_id FROM profile_rows r
           ANTI JOIN store.site_pages p ON p.site = r.site AND p.article_id = r.article_id"""
    )
    new = con.execute("SELECT count(*) FROM new_pages").fetchone()[0]
    if new:
        con.execute("INSERT INTO store.site_pages SELECT site, article_id, ?, ? FROM new_pages", [now, run_id])
        con.execute(
            """MERGE INTO store.site_lines AS l
               USING (SELECT r.site, r.kind, r.line_key, any_value(r.sample) AS sample,
                             count(DISTINCT r.article_id) AS n
                      FROM profile_rows r SEMI JOIN new_pages p ON p.site = r.site AND p.article_id = r.article_id
                      GROUP BY ALL) AS s
               ON l.site = s.site AND l.kind = s.kind AND l.line_key = s.line_key
               WHEN MATCHED THEN UPDATE SET pages = l.pages + s.n, last_seen_at = ?
               WHEN NOT MATCHED THEN INSERT (site, kind, line_key, sample, pages, first_seen_at, last_seen_at)
                    VALUES (s.site, s.kind, s.line_key, s.sample, s.n, ?, ?)""",
            [now, now, now],
        )
    con.unregister("profile_rows")
    return new


def record_cleaning(con: duckdb.DuckDBPyConnection, run_id: str, articles: list[Article]) -> None:
    """The load stage's hook: the audit rows and the site-profile counts, when migrated."""
    if not _has_tables(con):
        return
    write_cleaning(con, run_id, articles)
    update_site_profiles(con, run_id, articles)


def load_profiles(path: Warehouse, sites: list[str], batch: list[dict] = ()) -> dict[str, SiteProfile] | None:
    """The profiles of ``sites`` (read-only): the stored counts plus the pages of ``batch`` (rows
    of ``profile_rows``) not stored yet, so what a batch teaches applies to that batch and a
    re-ingest of the same pages learns nothing new. Sites never seen get none; None when the
    warehouse holds no profiles yet (the caller then learns from the batch alone)."""
    if not sites:
        return {}
    if not path.exists():
        return None
    with open_reader_for(path, wait_s=60, locked=False) as con:
        if not _has_tables(con):
            return None
        con.register("wanted_sites", pa.table({"site": pa.array(sites, pa.string())}))
        con.register("batch_rows", pa.Table.from_pylist(list(batch), schema=_LINE_SCHEMA))
        # pages of the batch the warehouse has not counted yet
        con.execute(
            """CREATE OR REPLACE TEMP TABLE batch_new AS
               SELECT DISTINCT b.site, b.article_id FROM batch_rows b SEMI JOIN wanted_sites USING (site)
               ANTI JOIN store.site_pages p ON p.site = b.site AND p.article_id = b.article_id"""
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE batch_site_pages AS
               SELECT site, sum(n) AS n FROM (
                   SELECT site, count(*) AS n FROM store.site_pages SEMI JOIN wanted_sites USING (site) GROUP BY site
                   UNION ALL SELECT site, count(*) FROM batch_new GROUP BY site) GROUP BY site"""
        )
        profiles = {site: SiteProfile(site, int(n))
                    for site, n in con.execute("SELECT site, n FROM batch_site_pages").fetchall()}
        for site, kind, key in con.execute(
            """WITH counted AS (
                   SELECT site, kind, line_key, pages FROM store.site_lines SEMI JOIN wanted_sites USING (site)
                   UNION ALL
                   SELECT b.site, b.kind, b.line_key, count(DISTINCT b.article_id)
                   FROM batch_rows b SEMI JOIN batch_new n ON n.site = b.site AND n.article_id = b.article_id
                   GROUP BY ALL),
               totals AS (SELECT site, kind, line_key, sum(pages) AS pages FROM counted GROUP BY ALL)
               SELECT t.site, t.kind, t.line_key FROM totals t JOIN batch_site_pages p USING (site)
               WHERE t.pages >= greatest(?, ? * p.n)""",
            [MIN_PAGES, MIN_SHARE],
        ).fetchall():
            target = profiles[site].lines if kind == "line" else profiles[site].title_affixes
            target.add(key)
    return profiles
